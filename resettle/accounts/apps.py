from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "resettle.accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from resettle.accounts.security.middleware import record_sign_in_as_activity

        user_logged_in.connect(record_sign_in_as_activity, dispatch_uid="idle_sign_in_activity")
