from django.apps import AppConfig


class SuitabilityConfig(AppConfig):
    name = "resettle.suitability"
    verbose_name = "Suitability assessments"
