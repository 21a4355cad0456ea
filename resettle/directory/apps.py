from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "resettle.directory"
