from django.apps import AppConfig


class BrokerageConfig(AppConfig):
    name = "homeward.brokerage"
    label = "brokerage"
    verbose_name = "Brokerage"
