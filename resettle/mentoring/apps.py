from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "resettle.mentoring"
