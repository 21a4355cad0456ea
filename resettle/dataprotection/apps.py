from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    name = "resettle.dataprotection"
    label = "dataprotection"
    verbose_name = "Data protection"
