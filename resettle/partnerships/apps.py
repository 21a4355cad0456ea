from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "resettle.partnerships"
