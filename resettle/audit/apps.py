from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "resettle.audit"

    def ready(self) -> None:
        # Sign-in, sign-out and failed sign-in are recorded from Django's own signals, so every
        # way of signing in (the page, the admin, a test client's login) is covered.
        from resettle.audit import signals

        signals.connect()
