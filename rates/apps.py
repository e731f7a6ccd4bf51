from django.apps import AppConfig


class RatesConfig(AppConfig):
    name = "rates"
    verbose_name = "Models, costs and credit rates"

    def ready(self):
        # Price-list aliases and the price-list import page: registered beside rates.admin.
        from rates import admin_price_list  # noqa: F401
