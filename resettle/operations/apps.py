from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "resettle.operations"
    verbose_name = "Running the service"
