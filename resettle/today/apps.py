from django.apps import AppConfig


class TodayConfig(AppConfig):
    name = "resettle.today"
