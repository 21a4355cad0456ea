from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "resettle.linkage"
