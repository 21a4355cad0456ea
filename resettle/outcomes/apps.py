from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OutcomesConfig(AppConfig):
    name = "resettle.outcomes"

    def ready(self) -> None:
        from resettle.outcomes.instruments_loader import load_after_migrate

        # The shipped instruments are in the database whenever its tables are: after every
        # migrate (and the flush a test makes), so a new version reaches every environment.
        post_migrate.connect(load_after_migrate, sender=self, dispatch_uid="outcomes_instruments")
