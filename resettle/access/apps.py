from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "resettle.access"
