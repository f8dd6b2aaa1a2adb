from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "homeward.performance"
    label = "performance"
    verbose_name = "Performance: national delay figures and population"
