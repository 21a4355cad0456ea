from django.apps import AppConfig


class OffendingConfig(AppConfig):
    name = "resettle.offending"
    verbose_name = "Offence and risk"
