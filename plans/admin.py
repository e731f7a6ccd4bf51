"""Admin for what customers buy: credit packs and subscription plans."""

from django.contrib import admin

from billingcfg.admin.config import ConfigAdmin, amount_or_empty
from plans.models import CreditPack, SubscriptionPlan

# A credit usually costs a fraction of a cent: four places show it ("0.0393 USD").
PRICE_PER_CREDIT_PLACES = 4


class OfferAdmin(ConfigAdmin):
    list_filter = ["active", "currency"]
    list_select_related = ["currency"]
    search_fields = ["slug", "name"]
    ordering = ["sort_order", "name"]
    readonly_fields = ["price_per_credit_shown"]

    @admin.display(description="price per credit")
    def price_per_credit_shown(self, obj: CreditPack | SubscriptionPlan) -> str:
        return amount_or_empty(
            self, obj, figure="price_per_credit", currency="currency", places=PRICE_PER_CREDIT_PLACES
        )


@admin.register(CreditPack)
class CreditPackAdmin(OfferAdmin):
    list_display = [
        "name",
        "slug",
        "credits",
        "bonus_credits",
        "price",
        "currency",
        "price_per_credit_shown",
        "active",
        "sort_order",
    ]
    fields = [*list_display, "description"]


@admin.register(SubscriptionPlan)
class SubscriptionPlanAdmin(OfferAdmin):
    list_display = [
        "name",
        "slug",
        "interval",
        "credits_per_interval",
        "price",
        "currency",
        "price_per_credit_shown",
        "overage_price_per_credit",
        "usage_workflow",
        "active",
        "sort_order",
    ]
    list_filter = ["active", "interval", "currency"]
    list_select_related = ["currency", "usage_workflow"]
    search_fields = ["slug", "name", "usage_workflow__slug"]
    fields = [*list_display, "description"]
