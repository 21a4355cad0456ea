from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "resettle.referrals"
