from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "homeward.live"
    label = "live"
    verbose_name = "Live whole-system view"
