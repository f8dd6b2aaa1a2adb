from django.apps import AppConfig


class WebfilesConfig(AppConfig):
    name = "homeward.webfiles"
    label = "webfiles"
    verbose_name = "Published discharge webfiles: Discharge Ready Date and acute discharge sitrep"
