from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "homeward.core"
    label = "core"
    verbose_name = "Organisations, people and audit"
