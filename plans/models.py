"""What customers buy: credit packs and subscription plans."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from billingcfg import digits
from billingcfg.fields import decimal_field, name_field, notes_field, slug_field
from billingcfg.models import product_field
from pricing.revenue import price_per_credit


class Offer(models.Model):
    """What packs and plans share: a price in a currency for some credits."""

    slug = slug_field()
    name = name_field()
    product = product_field("%(class)ss")
    price = decimal_field(digits.OFFER_PRICE)
    currency = models.ForeignKey("billingcfg.Currency", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)
    description = notes_field()

    class Meta:
        abstract = True
        ordering = ["product__sort_order", "product__slug", "sort_order", "name"]

    def __str__(self):
        return self.name


class CreditPack(Offer):
    credits = models.PositiveIntegerField()
    bonus_credits = models.PositiveIntegerField(default=0, help_text="Extra credits given with the pack.")

    history = HistoricalRecords()

    class Meta(Offer.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(credits__gt=0),
                name="credit_pack_credits_positive",
                violation_error_message="A credit pack must contain at least 1 credit.",
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="credit_pack_price_not_negative",
                violation_error_message="Price cannot be negative.",
            ),
        ]

    @property
    def price_per_credit(self):
        return price_per_credit(price=self.price, credits=self.credits, bonus_credits=self.bonus_credits)


class Interval(models.TextChoices):
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class SubscriptionPlan(Offer):
    interval = models.CharField(max_length=5, choices=Interval.choices, default=Interval.MONTH)
    credits_per_interval = models.PositiveIntegerField()
    overage_price_per_credit = decimal_field(
        digits.UNIT_PRICE,
        null=True,
        blank=True,
        help_text="Price of each credit used beyond the included ones, in the plan's currency. "
        "Empty: no overage is sold.",
    )
    usage_workflow = models.ForeignKey(
        "rates.Workflow",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        help_text="The workflow this plan's credits are mostly spent on; plan economics "
        "(margin, break-even usage) are computed on it.",
    )

    history = HistoricalRecords()

    class Meta(Offer.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(credits_per_interval__gt=0),
                name="subscription_plan_credits_positive",
                violation_error_message="A plan must include at least 1 credit per interval.",
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="subscription_plan_price_not_negative",
                violation_error_message="Price cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(overage_price_per_credit__isnull=True) | Q(overage_price_per_credit__gte=0),
                name="subscription_plan_overage_not_negative",
                violation_error_message="Overage price cannot be negative.",
            ),
        ]

    @property
    def price_per_credit(self):
        return price_per_credit(price=self.price, credits=self.credits_per_interval)

    def clean(self):
        if self.usage_workflow_id and self.product_id and self.usage_workflow.product_id != self.product_id:
            raise ValidationError(
                {"usage_workflow": f"Workflow '{self.usage_workflow.slug}' belongs to another product."}
            )
