from django.apps import AppConfig


class CustodyConfig(AppConfig):
    name = "resettle.custody"
