"""The cross-cutting core: currencies and exchange rates, the pricing policy and
alert thresholds."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from billingcfg import digits
from billingcfg.fields import decimal_field, name_field, notes_field, slug_field, source_field
from billingcfg.validators import currency_code_validator, name_validator
from pricing.fx import rate_from_amounts
from pricing.money import dec


class Currency(models.Model):
    code = models.CharField(
        max_length=10,
        unique=True,
        validators=[currency_code_validator],
        help_text="ISO 4217 code such as USD, or an internal unit such as PTS.",
    )
    name = name_field()
    symbol = name_field(max_length=8, blank=True)
    minor_units = models.PositiveSmallIntegerField(
        default=2, help_text="Decimal places shown for amounts: 2 for USD, 0 for JPY."
    )
    is_internal = models.BooleanField(
        default=False, help_text="An internal unit, such as a provider's points, rather than legal tender."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "currencies"
        constraints = [
            models.CheckConstraint(
                condition=Q(minor_units__lte=8),
                name="currency_minor_units_at_most_8",
                violation_error_message="Minor units must be between 0 and 8.",
            ),
        ]

    def __str__(self):
        return self.code


class ExchangeRate(models.Model):
    """`from_amount` of one currency buys `to_amount` of another, as of a date:
    "1 USD = 32 TWD", "99 CNY = 1,600,000 PTS". Kept as two amounts so a rate
    quoted that way is exact; the newest as-of date in force is used."""

    from_currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="rates_from")
    to_currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="rates_to")
    from_amount = decimal_field(digits.FX_AMOUNT, default=1)
    to_amount = decimal_field(digits.FX_AMOUNT)
    as_of = models.DateField()
    source = source_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["from_currency__code", "to_currency__code", "-as_of"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_currency=models.F("to_currency")),
                name="exchange_rate_two_currencies",
                violation_error_message="An exchange rate converts between two different currencies.",
            ),
            models.CheckConstraint(
                condition=Q(from_amount__gt=0) & Q(to_amount__gt=0),
                name="exchange_rate_amounts_positive",
                violation_error_message="Both amounts of an exchange rate must be above 0.",
            ),
            models.UniqueConstraint(
                fields=["from_currency", "to_currency", "as_of"],
                name="exchange_rate_one_per_pair_and_date",
                violation_error_message="This pair already has a rate as of this date.",
            ),
        ]

    def __str__(self):
        return f"{dec(self.from_amount)} {self.from_currency} = {dec(self.to_amount)} {self.to_currency}"

    @property
    def rate(self):
        return rate_from_amounts(from_amount=self.from_amount, to_amount=self.to_amount)


class RevenueBasis(models.TextChoices):
    LOWEST = "lowest", "Lowest price per credit (the honest worst case)"
    MEAN = "mean", "Mean price per credit"
    HIGHEST = "highest", "Highest price per credit"
    FIXED = "fixed", "A fixed revenue per credit"


class Product(models.Model):
    """One app the control room prices: what its credit is called, the currency its
    margins are reported in, its target gross margin (a figure, or a range such as
    40-50 %) and the revenue per credit margins are judged at. Its credit packs,
    plans, credit rates, workflows and alert thresholds belong to it; currencies,
    meters, providers, models and costs are shared by every product."""

    slug = slug_field(help_text="Stable key used by the API and spreadsheets, e.g. video or coaching.")
    name = name_field()
    credit_name = name_field(
        max_length=40, default="credits", help_text="What its credit is called, plural: credits, minutes, points."
    )
    reporting_currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+")
    target_gross_margin = decimal_field(
        digits.FRACTION,
        help_text="A fraction: 0.75 means 75% of revenue is left after provider costs; the low end of a range.",
    )
    target_gross_margin_high = decimal_field(
        digits.FRACTION,
        null=True,
        blank=True,
        help_text="The high end of a target range (0.50 for 40-50 %): a margin inside the range meets the target. "
        "Empty: one figure, met at or above it.",
    )
    revenue_basis = models.CharField(max_length=10, choices=RevenueBasis.choices, default=RevenueBasis.LOWEST)
    fixed_revenue_per_credit = decimal_field(
        digits.UNIT_PRICE,
        null=True,
        blank=True,
        help_text="With a fixed basis: revenue per credit in the reporting currency, e.g. 0.05.",
    )
    is_default = models.BooleanField(
        default=False,
        help_text="The product the unscoped API routes (/api/v1/config/, quote/, thresholds/evaluate/) serve. "
        "Exactly one.",
    )
    sort_order = models.PositiveIntegerField(default=0)
    description = notes_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_gross_margin__gte=0) & Q(target_gross_margin__lt=1),
                name="product_margin_fraction",
                violation_error_message="Target gross margin is a fraction from 0 up to (not including) 1: "
                "0.75 means 75 percent.",
            ),
            models.CheckConstraint(
                condition=Q(target_gross_margin_high__isnull=True)
                | (
                    Q(target_gross_margin_high__lt=1) & Q(target_gross_margin_high__gte=models.F("target_gross_margin"))
                ),
                name="product_margin_range_ascends",
                violation_error_message="The high end of the target range is a fraction below 1, "
                "at least the target's low end.",
            ),
            # A CHECK passes when its condition is NULL: NULL columns are named explicitly.
            models.CheckConstraint(
                condition=(
                    Q(revenue_basis=RevenueBasis.FIXED)
                    & Q(fixed_revenue_per_credit__isnull=False)
                    & Q(fixed_revenue_per_credit__gt=0)
                )
                | (~Q(revenue_basis=RevenueBasis.FIXED) & Q(fixed_revenue_per_credit__isnull=True)),
                name="product_fixed_basis_has_figure",
                violation_error_message="A fixed basis needs a revenue per credit above 0; the other bases take none.",
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="product_one_default",
                violation_error_message="Another product is already the default; a configuration has exactly one.",
            ),
        ]

    def __str__(self):
        return self.name


def product_field(related_name: str):
    """The product a row belongs to: required, and a product with rows cannot be deleted."""
    return models.ForeignKey(
        "billingcfg.Product", on_delete=models.PROTECT, related_name=related_name, help_text="The app that sells it."
    )


class Scope(models.TextChoices):
    SYSTEM = "system", "System (all usage)"
    PROVIDER = "provider", "One provider"
    MODEL = "model", "One model"
    PLAN = "plan", "One subscription plan"
    USER = "user", "Each user"


class Metric(models.TextChoices):
    MONEY = "money", "Money (in a currency)"
    METER = "meter", "Units of a meter"
    CREDITS = "credits", "Credits"


class Window(models.TextChoices):
    HOUR = "hour", "Per hour"
    DAY = "day", "Per day"
    MONTH = "month", "Per month"


class AlertThreshold(models.Model):
    """When the observed metric of a scope within a window exceeds the limit, the
    actions follow. Budget levels are one threshold per level; rate limits by
    tier are per-user thresholds with a tier."""

    slug = slug_field()
    name = name_field()
    product = product_field("alert_thresholds")
    description = notes_field()
    scope = models.CharField(max_length=10, choices=Scope.choices)
    provider = models.ForeignKey(
        "rates.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="alert_thresholds"
    )
    model = models.ForeignKey(
        "rates.AIModel", on_delete=models.PROTECT, null=True, blank=True, related_name="alert_thresholds"
    )
    plan = models.ForeignKey(
        "plans.SubscriptionPlan", on_delete=models.PROTECT, null=True, blank=True, related_name="alert_thresholds"
    )
    tier = models.SlugField(
        max_length=40,
        blank=True,
        validators=[name_validator],
        help_text="With scope 'each user': only users of this tier, e.g. free or paid.",
    )
    metric = models.CharField(max_length=10, choices=Metric.choices)
    currency = models.ForeignKey(
        Currency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="For a money metric."
    )
    meter = models.ForeignKey(
        "rates.Meter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a meter metric.",
    )
    window = models.CharField(max_length=10, choices=Window.choices)
    limit = decimal_field(digits.LIMIT, help_text="Crossed when the observed value exceeds it.")
    active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(limit__gte=0),
                name="alert_threshold_limit_not_negative",
                violation_error_message="Limit cannot be negative.",
            ),
            models.CheckConstraint(
                condition=(Q(metric=Metric.MONEY) & Q(currency__isnull=False) & Q(meter__isnull=True))
                | (Q(metric=Metric.METER) & Q(meter__isnull=False) & Q(currency__isnull=True))
                | (Q(metric=Metric.CREDITS) & Q(meter__isnull=True) & Q(currency__isnull=True)),
                name="alert_threshold_metric_complete",
                violation_error_message="A money metric needs a currency, a meter metric needs a meter, "
                "credits need neither.",
            ),
            models.CheckConstraint(
                condition=Q(scope=Scope.SYSTEM, provider__isnull=True, model__isnull=True, plan__isnull=True)
                | Q(scope=Scope.PROVIDER, provider__isnull=False, model__isnull=True, plan__isnull=True)
                | Q(scope=Scope.MODEL, model__isnull=False, provider__isnull=True, plan__isnull=True)
                | Q(scope=Scope.PLAN, plan__isnull=False, provider__isnull=True, model__isnull=True)
                | Q(scope=Scope.USER),
                name="alert_threshold_scope_target",
                violation_error_message="Scope 'one provider' needs a provider, 'one model' a model, "
                "'one plan' a plan, and no other target; 'system' takes none; 'each user' may narrow by any.",
            ),
            models.CheckConstraint(
                condition=Q(tier="") | Q(scope=Scope.USER),
                name="alert_threshold_tier_for_users",
                violation_error_message="A tier applies only with scope 'each user'.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        targets = {"provider": self.provider_id, "model": self.model_id, "plan": self.plan_id}
        needed = {Scope.PROVIDER: "provider", Scope.MODEL: "model", Scope.PLAN: "plan"}.get(self.scope)
        errors = {}
        if needed and not targets[needed]:
            errors[needed] = f"Scope '{Scope(self.scope).label}' needs a {needed}."
        if self.scope != Scope.USER:
            for field, value in targets.items():
                if value and field != needed:
                    errors[field] = f"Scope '{Scope(self.scope).label}' takes no {field}; clear it."
            if self.tier:
                errors["tier"] = "A tier applies only with scope 'each user'."
        if self.metric == Metric.MONEY and not self.currency_id:
            errors["currency"] = "A money metric needs a currency."
        if self.metric == Metric.METER and not self.meter_id:
            errors["meter"] = "A meter metric needs a meter."
        if self.metric != Metric.MONEY and self.currency_id:
            errors["currency"] = "Only a money metric takes a currency."
        if self.metric != Metric.METER and self.meter_id:
            errors["meter"] = "Only a meter metric takes a meter."
        if errors:
            raise ValidationError(errors)
        if self.plan_id and self.product_id and self.plan.product_id != self.product_id:
            raise ValidationError({"plan": f"Plan '{self.plan.slug}' belongs to another product."})


class Action(models.TextChoices):
    EMAIL = "email", "Email"
    SLACK = "slack", "Slack message"
    REVIEW = "review", "Flag for review"
    NOTIFY_USER = "notify_user", "Notify the user"
    RATE_LIMIT = "rate_limit", "Rate-limit"
    THROTTLE = "throttle", "Throttle"
    QUEUE = "queue", "Queue non-urgent requests"
    SERVE_CACHED = "serve_cached", "Serve cached or template responses"
    SWITCH_MODEL = "switch_model", "Switch to another model"
    PAUSE = "pause", "Pause the service"
    BLOCK = "block", "Block further use"


class ThresholdAction(models.Model):
    threshold = models.ForeignKey(AlertThreshold, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(default=0)
    action = models.CharField(max_length=20, choices=Action.choices)
    switch_to_model = models.ForeignKey(
        "rates.AIModel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="With 'switch to another model': the fallback model.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["threshold__slug", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(action=Action.SWITCH_MODEL) & Q(switch_to_model__isnull=False))
                | (~Q(action=Action.SWITCH_MODEL) & Q(switch_to_model__isnull=True)),
                name="threshold_action_switch_names_model",
                violation_error_message="'Switch to another model' needs the model to switch to; "
                "other actions take none.",
            ),
            models.UniqueConstraint(
                fields=["threshold", "action"],
                name="threshold_action_once",
                violation_error_message="This threshold already has this action.",
            ),
        ]

    def __str__(self):
        if self.switch_to_model_id:
            return f"{self.get_action_display()}: {self.switch_to_model.slug}"
        return self.get_action_display()


from billingcfg.release_models import (  # noqa: E402,F401
    ApiKey,
    ImmutableError,
    Release,
    ReleaseProduct,
    ReleaseWithdrawal,
)
