from django_tasks import task

from resettle.linkage import services


@task()
def run_linkage(*, run_id: str) -> str:
    """Link a partnership's records in the background; returns the state the run ends in."""
    return services.linkage_run_execute(run_id=run_id).state
