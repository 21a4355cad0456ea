from django_tasks import task

from resettle.evaluation import services


@task()
def build_export(*, job_id: str) -> str:
    """Build one export job's file; returns the state it ends in."""
    return services.export_build(job_id=job_id).state
