from django_tasks import task

from resettle.dataprotection import services


@task()
def build_subject_access_export(*, export_id: str) -> str:
    """Build one subject access pack; returns the state it ends in."""
    return services.subject_access_export_build(export_id=export_id).state


@task()
def delete_expired_subject_access_exports() -> int:
    """Delete the content of packs past their 30 days; returns how many."""
    return services.delete_expired_subject_access_exports()
