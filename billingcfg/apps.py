from django.apps import AppConfig


class BillingcfgConfig(AppConfig):
    name = "billingcfg"
    verbose_name = "Money, policy and alerts"
