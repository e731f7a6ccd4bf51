"""Admin for what customers buy: credit packs and subscription plans."""

from django.contrib import admin

from billingcfg.admin.config import ConfigAdmin, ProductOwnedAdmin, amount_or_empty
from plans.models import CreditPack, SubscriptionPlan

# A credit usually costs a fraction of a cent: four places show it ("0.0393 USD").
PRICE_PER_CREDIT_PLACES = 4


class OfferAdmin(ProductOwnedAdmin, ConfigAdmin):
    """Packs and plans belong to one product: the one whose credits they sell."""

    list_filter = ["product", "active", "currency"]
    list_select_related = ["product", "currency"]
    search_fields = ["slug", "name", "product__slug"]
    ordering = ["product__sort_order", "product__slug", "sort_order", "name"]
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
        "product",
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
        "product",
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
    list_filter = ["product", "active", "interval", "currency"]
    list_select_related = ["product", "currency", "usage_workflow"]
    search_fields = ["slug", "name", "product__slug", "usage_workflow__slug"]
    fields = [*list_display, "description"]
