from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "resettle.registers"
    verbose_name = "Sessions and registers"
