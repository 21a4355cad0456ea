from django.core.mail import send_mass_mail
from django_tasks import task


@task()
def send_notification_emails(*, addresses: list[str], subject: str, body: str) -> int:
    """One e-mail to each address, so no recipient sees who else was told."""
    messages = [(subject, body, None, [address]) for address in addresses]
    return send_mass_mail(messages, fail_silently=False)
