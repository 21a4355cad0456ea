from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "resettle.accounts"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in

        from resettle.accounts.security.alerts import on_locked_out
        from resettle.accounts.security.middleware import record_sign_in_as_activity

        user_logged_in.connect(record_sign_in_as_activity, dispatch_uid="idle_sign_in_activity")
        user_locked_out.connect(on_locked_out, dispatch_uid="lockout_alerts")
