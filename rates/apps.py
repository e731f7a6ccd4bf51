from django.apps import AppConfig


class RatesConfig(AppConfig):
    name = "rates"
    verbose_name = "Models, costs and credit rates"
