from django_tasks import task

from resettle.directory.models import Service, ServiceStatus
from resettle.registers.services import DEFAULT_WEEKS, sessions_generate


@task()
def generate_sessions(*, weeks: int = DEFAULT_WEEKS) -> int:
    """Make the coming weeks' sessions of every active service's schedules (none twice);
    returns how many were new. Run nightly (`manage.py generate_sessions --background`)."""
    made = 0
    services = Service.objects.filter(status=ServiceStatus.ACTIVE, schedules__isnull=False)
    for service in services.distinct():
        made += len(sessions_generate(actor=None, service=service, weeks=weeks))
    return made
