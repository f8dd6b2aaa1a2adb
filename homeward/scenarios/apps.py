from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "homeward.scenarios"
    label = "scenarios"
    verbose_name = "Planning scenarios"
