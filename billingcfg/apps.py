from django.apps import AppConfig


class BillingcfgConfig(AppConfig):
    name = "billingcfg"
    verbose_name = "Money, policy and alerts"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_migrate, post_save

        from billingcfg.api.authentication import api_key_products_changed, forget_api_key
        from billingcfg.api.selectors import release_saved
        from billingcfg.core.cache_table import cache_tables_create
        from billingcfg.release_models import ApiKey, Release, ReleaseWithdrawal

        # What an app server remembers between requests, forgotten at once when
        # this process writes; other processes notice within RELEASE_CHECK_SECONDS.
        post_save.connect(release_saved, sender=Release, dispatch_uid="forget_release_in_force")
        post_save.connect(release_saved, sender=ReleaseWithdrawal, dispatch_uid="forget_release_in_force_withdrawn")
        post_save.connect(forget_api_key, sender=ApiKey, dispatch_uid="forget_api_key")
        m2m_changed.connect(
            api_key_products_changed, sender=ApiKey.products.through, dispatch_uid="forget_api_key_products"
        )
        # Every `migrate` (even one with nothing to apply) makes a missing cache table.
        post_migrate.connect(cache_tables_create, sender=self, dispatch_uid="create_cache_tables")
