"""What a use of an AI model costs us (provider costs) and what we charge for it
(credit rates), for single models and for multi-model workflows."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from billingcfg import digits
from billingcfg.fields import decimal_field, name_field, notes_field, slug_field
from billingcfg.models import product_field
from pricing.quantities import format_quantity_list, parse_quantity_list


class Provider(models.Model):
    slug = slug_field()
    name = name_field()
    website = models.URLField(max_length=500, blank=True)
    active = models.BooleanField(default=True)
    notes = notes_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Meter(models.Model):
    """What is counted: input tokens, seconds of video, hours of audio, images …"""

    slug = slug_field(help_text="Stable key used in quotes and spreadsheets, e.g. input_tokens.")
    name = name_field()
    unit = name_field(max_length=40, help_text="One unit, singular: token, second, hour, image.")
    whole_units = models.BooleanField(
        default=False,
        help_text="Counted in whole units only (tokens, images, requests); seconds and hours may be fractional.",
    )
    description = notes_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Modality(models.TextChoices):
    TEXT = "text", "Text"
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    SPEECH_TO_TEXT = "speech_to_text", "Speech to text"
    TEXT_TO_SPEECH = "text_to_speech", "Text to speech"
    EMBEDDING = "embedding", "Embedding"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"


class AIModel(models.Model):
    slug = slug_field()
    name = name_field()
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="models")
    primary_supplier = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="primary_for",
        help_text="Who we buy it from unless a credit rate or workflow step names another supplier. "
        "Empty: the model's provider.",
    )
    modality = models.CharField(max_length=20, choices=Modality.choices)
    active = models.BooleanField(default=True)
    description = notes_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["provider__name", "name"]
        verbose_name = "AI model"
        verbose_name_plural = "AI models"

    def __str__(self):
        return self.name

    @property
    def supplier(self) -> Provider:
        """The supplier a rate or step is costed on when it names none."""
        return self.primary_supplier if self.primary_supplier_id else self.provider


class Variant(models.Model):
    """A dimension the price depends on (resolution, audio, mode). A model with
    none has one variant, its default."""

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="variants")
    slug = slug_field(unique=False, help_text="Unique within the model, e.g. 1080p or default.")
    name = name_field()
    is_default = models.BooleanField(
        default=False, help_text="Used when a request names no variant. Exactly one per model."
    )
    resolution = name_field(max_length=20, blank=True, help_text="e.g. 480p, 720p, 1080p, 4k.")
    audio = models.BooleanField(null=True, blank=True, help_text="With audio, without, or not applicable.")
    mode = name_field(max_length=40, blank=True, help_text="e.g. standard, pro, enterprise.")
    sort_order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["model__slug", "sort_order", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "slug"],
                name="variant_slug_unique_per_model",
                violation_error_message="This model already has a variant with this slug.",
            ),
            models.UniqueConstraint(
                fields=["model"],
                condition=Q(is_default=True),
                name="variant_one_default_per_model",
                violation_error_message="This model already has a default variant; a model has exactly one.",
            ),
        ]

    def __str__(self):
        return f"{self.model.slug} / {self.slug}"


def _variant_must_belong_to_model(instance) -> None:
    if instance.variant_id and instance.model_id and instance.variant.model_id != instance.model_id:
        raise ValidationError(
            {"variant": f"Variant '{instance.variant.slug}' belongs to another model, not to '{instance.model.slug}'."}
        )


def _unique_per_model_variant_meter(prefix: str, message: str, extra_fields=(), condition=Q(), owner=()):
    """One row per (owner, model, variant, meter): a row for all variants (variant
    empty) is a separate key, so the rule is two partial constraints that hold on
    SQLite and PostgreSQL alike (NULLs are distinct in a plain unique constraint)."""
    return [
        models.UniqueConstraint(
            fields=[*owner, "model", "variant", "meter", *extra_fields],
            condition=condition & Q(variant__isnull=False),
            name=f"{prefix}_unique_per_variant",
            violation_error_message=message,
        ),
        models.UniqueConstraint(
            fields=[*owner, "model", "meter", *extra_fields],
            condition=condition & Q(variant__isnull=True),
            name=f"{prefix}_unique_all_variants",
            violation_error_message=message,
        ),
    ]


class TierMode(models.TextChoices):
    CLIFF = "cliff", "Cliff: the whole request at this price"
    GRADUATED = "graduated", "Graduated: only the units above the threshold"


class ProviderCost(models.Model):
    """What a supplier charges us: `price` per `per_units` units of `meter`.

    Providers quote tokens per 1M: store them that way (per_units = 1,000,000).
    A row with a tier threshold applies only above that many units per request,
    measured on `tier_meter` (default: the priced meter); each (model, variant,
    meter, supplier) has one base row without a threshold.
    """

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="provider_costs")
    supplier = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        related_name="supplied_costs",
        help_text="Who we buy the model from at this price: the vendor, a gateway, a reseller.",
    )
    # RESTRICT: a variant with prices cannot be deleted on its own (the admin lists
    # them); deleting the whole model still takes its variants and prices with it.
    variant = models.ForeignKey(
        Variant,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="provider_costs",
        help_text="Empty: the price holds for every variant of the model.",
    )
    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="provider_costs")
    price = decimal_field(digits.UNIT_PRICE, help_text="Price per N units (low end of a band).")
    price_high = decimal_field(
        digits.UNIT_PRICE,
        null=True,
        blank=True,
        help_text="High end of a price band, when the provider quotes a range (¥0.3–0.6).",
    )
    per_units = models.PositiveIntegerField(default=1, help_text="N: 1,000,000 for token prices, 1 for per-second.")
    tier_threshold = decimal_field(
        digits.QUANTITY,
        null=True,
        blank=True,
        help_text="This price applies only above this many units per request (long context).",
    )
    tier_mode = models.CharField(max_length=10, choices=TierMode.choices, blank=True)
    tier_meter = models.ForeignKey(
        Meter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The meter the threshold is measured on, e.g. input tokens for an output price. "
        "Empty: the priced meter.",
    )
    currency = models.ForeignKey("billingcfg.Currency", on_delete=models.PROTECT, related_name="+")
    source_url = models.URLField(max_length=500, blank=True)
    as_of = models.DateField(help_text="When the provider's price was read.")
    negotiated = models.BooleanField(
        default=False,
        help_text="A contract price (an enterprise deal): a price-list import never overwrites it.",
    )
    notes = notes_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["model__slug", "variant__sort_order", "meter__slug", "supplier__slug", "tier_threshold"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="provider_cost_price_not_negative",
                violation_error_message="Price cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(price_high__isnull=True) | Q(price_high__gte=models.F("price")),
                name="provider_cost_band_ascends",
                violation_error_message="The high end of the price band must be at least the price.",
            ),
            models.CheckConstraint(
                condition=Q(per_units__gte=1),
                name="provider_cost_per_units_positive",
                violation_error_message="Per N units must be at least 1.",
            ),
            # A CHECK passes when its condition is NULL: NULL columns are named explicitly.
            models.CheckConstraint(
                condition=(Q(tier_threshold__isnull=True) & Q(tier_mode="") & Q(tier_meter__isnull=True))
                | (Q(tier_threshold__isnull=False) & Q(tier_threshold__gt=0) & Q(tier_mode__in=TierMode.values)),
                name="provider_cost_tier_complete",
                violation_error_message="A tier needs a threshold above 0 and a mode (cliff or graduated); "
                "a base price has neither, nor a tier meter.",
            ),
            *_unique_per_model_variant_meter(
                "provider_cost_base",
                "This model, variant, meter and supplier already have a base price (a row without a tier threshold).",
                extra_fields=["supplier"],
                condition=Q(tier_threshold__isnull=True),
            ),
            *_unique_per_model_variant_meter(
                "provider_cost_tier",
                "This model, variant, meter and supplier already have a tier at this threshold.",
                extra_fields=["supplier", "tier_threshold"],
                condition=Q(tier_threshold__isnull=False),
            ),
        ]

    def __str__(self):
        variant = self.variant.slug if self.variant_id else "all variants"
        tier = f" above {self.tier_threshold:f}" if self.tier_threshold is not None else ""
        return f"{self.model.slug} / {variant} / {self.meter.slug} from {self.supplier.slug}{tier}"

    def clean(self):
        _variant_must_belong_to_model(self)
        if self.tier_mode == TierMode.GRADUATED and self.tier_meter_id and self.tier_meter_id != self.meter_id:
            raise ValidationError(
                {
                    "tier_meter": "A graduated tier prices the units of its own meter above the "
                    "threshold: leave the tier meter empty, or make the tier a cliff."
                }
            )


SUPPLIER_HELP = "Whose costs it is judged on. Empty: the model's primary supplier."


def supplier_field(related_name: str):
    return models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name=related_name, help_text=SUPPLIER_HELP
    )


def _supplier_must_sell_model(instance) -> None:
    """A rate or step costed on a supplier names one that has a cost for the model."""
    if (
        instance.supplier_id
        and instance.model_id
        and not instance.model.provider_costs.filter(supplier_id=instance.supplier_id).exists()
    ):
        raise ValidationError(
            {"supplier": f"'{instance.supplier.slug}' has no cost for '{instance.model.slug}': add its cost first."}
        )


class CreditRate(models.Model):
    """What a product charges: `credits` per `per_units` units of `meter`, in whole
    credits rounded up, never less than the minimum charge."""

    product = product_field("credit_rates")
    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="credit_rates")
    supplier = supplier_field("+")
    variant = models.ForeignKey(
        Variant,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="credit_rates",
        help_text="Empty: the rate holds for every variant of the model.",
    )
    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="credit_rates")
    credits = decimal_field(digits.CREDITS, help_text="Credits per N units.")
    per_units = models.PositiveIntegerField(default=1, help_text="N: 1 for per-second, 1,000,000 for tokens.")
    minimum_charge = models.PositiveIntegerField(default=0, help_text="Whole credits charged at least per request.")
    allowed_quantities = models.CharField(
        max_length=200,
        blank=True,
        help_text="Only these quantities may be requested, comma-separated (video durations: 4, 8, 12). "
        "Empty: any quantity within the bounds.",
    )
    min_quantity = decimal_field(digits.QUANTITY, null=True, blank=True)
    max_quantity = decimal_field(digits.QUANTITY, null=True, blank=True)
    default_quantity = decimal_field(
        digits.QUANTITY, null=True, blank=True, help_text="Charged when a request names no quantity."
    )
    active = models.BooleanField(default=True)
    notes = notes_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["product__sort_order", "product__slug", "model__slug", "variant__sort_order", "meter__slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(credits__gt=0),
                name="credit_rate_credits_positive",
                violation_error_message="Credits must be above 0: a rate never gives usage away.",
            ),
            models.CheckConstraint(
                condition=Q(per_units__gte=1),
                name="credit_rate_per_units_positive",
                violation_error_message="Per N units must be at least 1.",
            ),
            models.CheckConstraint(
                condition=Q(min_quantity__isnull=True) | Q(min_quantity__gt=0),
                name="credit_rate_min_quantity_positive",
                violation_error_message="Minimum quantity must be above 0.",
            ),
            models.CheckConstraint(
                condition=Q(max_quantity__isnull=True) | Q(max_quantity__gt=0),
                name="credit_rate_max_quantity_positive",
                violation_error_message="Maximum quantity must be above 0.",
            ),
            models.CheckConstraint(
                condition=Q(min_quantity__isnull=True)
                | Q(max_quantity__isnull=True)
                | Q(min_quantity__lte=models.F("max_quantity")),
                name="credit_rate_min_not_above_max",
                violation_error_message="Minimum quantity cannot be above the maximum quantity.",
            ),
            models.CheckConstraint(
                condition=Q(default_quantity__isnull=True)
                | Q(min_quantity__isnull=True)
                | Q(default_quantity__gte=models.F("min_quantity")),
                name="credit_rate_default_not_below_min",
                violation_error_message="Default quantity cannot be below the minimum quantity.",
            ),
            models.CheckConstraint(
                condition=Q(default_quantity__isnull=True)
                | Q(max_quantity__isnull=True)
                | Q(default_quantity__lte=models.F("max_quantity")),
                name="credit_rate_default_not_above_max",
                violation_error_message="Default quantity cannot be above the maximum quantity.",
            ),
            models.CheckConstraint(
                condition=Q(default_quantity__isnull=True) | Q(default_quantity__gt=0),
                name="credit_rate_default_quantity_positive",
                violation_error_message="Default quantity must be above 0.",
            ),
            *_unique_per_model_variant_meter(
                "credit_rate",
                "This product already has a credit rate for this model, variant and meter.",
                owner=["product"],
            ),
        ]

    def __str__(self):
        variant = self.variant.slug if self.variant_id else "all variants"
        return f"{self.model.slug} / {variant} / {self.meter.slug}"

    def clean(self):
        _variant_must_belong_to_model(self)
        _supplier_must_sell_model(self)
        try:
            allowed = parse_quantity_list(self.allowed_quantities)
        except ValueError as exc:
            raise ValidationError({"allowed_quantities": f"Allowed quantities: {exc}."}) from None
        self.allowed_quantities = format_quantity_list(allowed)
        errors: dict[str, list[str]] = {}
        for value in allowed:
            if self.min_quantity is not None and value < self.min_quantity:
                errors.setdefault("allowed_quantities", []).append(
                    f"{value:f} is below the minimum quantity {self.min_quantity:f}."
                )
            if self.max_quantity is not None and value > self.max_quantity:
                errors.setdefault("allowed_quantities", []).append(
                    f"{value:f} is above the maximum quantity {self.max_quantity:f}."
                )
        if allowed and self.default_quantity is not None and self.default_quantity not in allowed:
            errors.setdefault("default_quantity", []).append(
                f"Default quantity {self.default_quantity:f} is not one of the allowed quantities "
                f"({self.allowed_quantities})."
            )
        if self.meter_id and self.meter.whole_units:
            quantities = {
                "min_quantity": [self.min_quantity],
                "max_quantity": [self.max_quantity],
                "default_quantity": [self.default_quantity],
                "allowed_quantities": list(allowed),
            }
            for field, values in quantities.items():
                for value in values:
                    if value is not None and value != value.to_integral_value():
                        errors.setdefault(field, []).append(
                            f"{self.meter.name} are counted in whole units; {value:f} is not whole."
                        )
        if errors:
            raise ValidationError(errors)

    @property
    def allowed_quantity_values(self) -> tuple:
        return parse_quantity_list(self.allowed_quantities)


class Workflow(models.Model):
    """A product action priced in credits that uses several models, e.g. one hour
    of a coaching session or one PRD."""

    slug = slug_field()
    name = name_field()
    product = product_field("workflows")
    unit_label = name_field(max_length=60, help_text="What one unit is: 'session hour', 'prompt', 'PRD'.")
    credits_per_unit = decimal_field(
        digits.CREDITS,
        null=True,
        blank=True,
        help_text="Credits charged per unit. Empty: an internal workflow that is costed but not sold.",
    )
    active = models.BooleanField(default=True)
    description = notes_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(credits_per_unit__isnull=True) | Q(credits_per_unit__gt=0),
                name="workflow_credits_positive",
                violation_error_message="Credits per unit must be above 0, or empty for an internal workflow.",
            ),
        ]

    def __str__(self):
        return self.name


class WorkflowStep(models.Model):
    """Per unit of the workflow, `quantity` units of `meter` on `model`, run with
    `probability` and `multiplier` times (calls per unit, revision factor)."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    label = name_field(help_text="e.g. 'Emotion calls, input'.")
    model = models.ForeignKey(AIModel, on_delete=models.PROTECT, related_name="workflow_steps")
    variant = models.ForeignKey(
        Variant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workflow_steps",
        help_text="Empty: the model's default variant.",
    )
    supplier = supplier_field("+")
    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="workflow_steps")
    quantity = decimal_field(digits.QUANTITY, help_text="Units of the meter per run of the step.")
    probability = decimal_field(digits.FRACTION, default=1, help_text="Share of units in which the step runs, 0 to 1.")
    multiplier = decimal_field(
        digits.MULTIPLIER, default=1, help_text="Runs per unit when it runs: calls per hour, revision factor."
    )
    notes = notes_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["workflow__slug", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="workflow_step_quantity_positive",
                violation_error_message="Quantity must be above 0.",
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="workflow_step_probability_0_to_1",
                violation_error_message="Probability must be between 0 and 1 (0.2 means 20 percent of runs).",
            ),
            models.CheckConstraint(
                condition=Q(multiplier__gte=1),
                name="workflow_step_multiplier_at_least_1",
                violation_error_message="Multiplier must be at least 1.",
            ),
        ]

    def __str__(self):
        return f"{self.workflow.slug} #{self.position}: {self.label}"

    def clean(self):
        _variant_must_belong_to_model(self)
        _supplier_must_sell_model(self)


class PriceListAlias(models.Model):
    """A provider price-list entry (LiteLLM's model_prices_and_context_window.json)
    whose name differs from our model's slug: the import prices `model` (and
    `variant`, when given) from the entry `name`. See rates.price_list."""

    name = name_field(
        max_length=200,
        unique=True,
        help_text="The price list's entry key, exactly as written there, e.g. gemini/veo-3.1-generate-preview.",
    )
    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="price_list_aliases")
    variant = models.ForeignKey(
        Variant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="price_list_aliases",
        help_text="Empty: the entry's prices hold for every variant (or name their resolution, e.g. "
        "output_cost_per_second_1080p).",
    )
    notes = notes_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "price-list alias"
        verbose_name_plural = "price-list aliases"

    def __str__(self):
        target = f"{self.model.slug} / {self.variant.slug}" if self.variant_id else self.model.slug
        return f"{self.name} → {target}"

    def clean(self):
        _variant_must_belong_to_model(self)


class PriceListSupplier(models.Model):
    """Which of our suppliers a price list's provider is: LiteLLM's `litellm_provider`
    (`gemini`, `vertex_ai-language-models`, `openai` …) → a supplier. A pattern ending
    in `*` matches every provider name it begins. The import takes an entry as a
    supplier's cost only through this table, and only for a model that supplier has
    costs for (or is the primary supplier of)."""

    pattern = name_field(
        max_length=100,
        unique=True,
        help_text="The price list's provider name, exactly (openai), or a prefix ending in * (vertex_ai-*).",
    )
    supplier = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="price_list_names")
    notes = notes_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["pattern"]
        verbose_name = "price-list supplier"
        verbose_name_plural = "price-list suppliers"

    def __str__(self):
        return f"{self.pattern} → {self.supplier.slug}"

    def matches(self, provider: str) -> bool:
        if self.pattern.endswith("*"):
            return provider.startswith(self.pattern[:-1])
        return provider == self.pattern
