from django.apps import AppConfig


class OpenreferralConfig(AppConfig):
    name = "resettle.openreferral"
