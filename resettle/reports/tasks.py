from django_tasks import task

from resettle.reports import services


@task()
def build_report(*, build_id: str) -> str:
    """Build one report in the background; returns the state it ends in."""
    return services.report_build_run(build_id=build_id).state
