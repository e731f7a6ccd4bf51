"""Admin for providers, models and their variants, provider costs, credit rates and workflows."""

from functools import partial

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Field, Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from billingcfg.admin.config import (
    ConfigAdmin,
    ConfigInline,
    ConstraintCheckedInlineFormSet,
    InlineHistoryAdmin,
    ProductOwnedAdmin,
    SharedChoicesInline,
    default_product_pk,
)
from billingcfg.admin.margins import (
    NO_POLICY,
    DraftMargins,
    MarginFlagFilter,
    MarginsAdmin,
    band_text,
    judged_cells,
    margin_text,
    per_product,
    price_table,
    product_heading,
)
from billingcfg.admin.stale import StaleCheckForm
from billingcfg.core.text import NOT_PRICED, flag_badges
from pricing.money import Band, dec, format_exact, format_percent
from pricing.report import NO_RATE
from rates.models import AIModel, CreditRate, Meter, Provider, ProviderCost, Variant, Workflow, WorkflowStep


@admin.register(Provider)
class ProviderAdmin(ConfigAdmin):
    list_display = ["name", "slug", "website", "model_count", "active"]
    list_filter = ["active"]
    search_fields = ["slug", "name"]
    ordering = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(model_count=Count("models"))

    @admin.display(description="models", ordering="model_count")
    def model_count(self, obj: Provider) -> int:
        return obj.model_count


@admin.register(Meter)
class MeterAdmin(ConfigAdmin):
    list_display = ["name", "slug", "unit", "whole_units"]
    list_filter = ["whole_units"]
    search_fields = ["slug", "name", "unit"]
    ordering = ["name"]


class VariantInlineForm(StaleCheckForm):
    def validate_constraints(self) -> None:
        """Leave the one-default rule to the formset, which sees every variant of
        the model at once, so the default can move to another variant in one save."""
        exclude = self._get_validation_exclusions() | {"is_default"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


class VariantInlineFormSet(ConstraintCheckedInlineFormSet):
    def row_errors(self, rows: list) -> list[str]:
        marked = sum(1 for form in rows if form.instance.is_default)
        if rows and marked != 1:
            counted = "none is" if marked == 0 else f"{marked} are"
            return [f"Mark exactly one variant as the default; {counted} marked."]
        return super().row_errors(rows)

    def save(self, commit: bool = True) -> list:
        """Clear the flag of stored variants giving up the default before any row is
        saved, so the database never holds two defaults for the model midway."""
        if commit:
            releasing = [
                form.instance.pk
                for form in self.initial_forms
                if form.initial.get("is_default") and (self._should_delete_form(form) or not form.instance.is_default)
            ]
            if releasing:
                self.model.objects.filter(pk__in=releasing).update(is_default=False)
        return super().save(commit)


class VariantInline(ConfigInline):
    model = Variant
    form = VariantInlineForm
    formset = VariantInlineFormSet
    fields = ["slug", "name", "is_default", "resolution", "audio", "mode", "sort_order"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("model")


class ModelScopedInline(SharedChoicesInline):
    """An inline of the AI model page: its variant choices are the variants of the
    model being edited (none yet on the add page), never the whole catalogue."""

    formset = ConstraintCheckedInlineFormSet
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("model", "variant", "meter", "supplier")

    def get_formset(self, request: HttpRequest, obj: AIModel | None = None, **kwargs) -> type[BaseInlineFormSet]:
        kwargs["formfield_callback"] = partial(self.formfield_for_dbfield, request=request, edited_model=obj)
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_dbfield(
        self, db_field: Field, request: HttpRequest, edited_model: AIModel | None = None, **kwargs
    ) -> forms.Field | None:
        if db_field.name == "variant":
            kwargs["edited_model"] = edited_model
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(
        self, db_field: Field, request: HttpRequest, edited_model: AIModel | None = None, **kwargs
    ) -> forms.Field | None:
        if db_field.name == "variant":
            variants = Variant.objects.select_related("model")
            kwargs["queryset"] = variants.filter(model=edited_model) if edited_model else variants.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ProviderCostInline(ModelScopedInline):
    model = ProviderCost
    fields = [
        "variant",
        "meter",
        "supplier",
        "negotiated",
        "price",
        "price_high",
        "per_units",
        "tier_threshold",
        "tier_mode",
        "tier_meter",
        "currency",
        "as_of",
    ]


# What a credit rate charges, as the model page's inline and the rates list show it.
CREDIT_RATE_TERMS = [
    "credits",
    "per_units",
    "minimum_charge",
    "allowed_quantities",
    "min_quantity",
    "default_quantity",
    "max_quantity",
    "active",
]


class CreditRateInline(ModelScopedInline):
    model = CreditRate
    fields = ["product", "variant", "meter", "supplier", *CREDIT_RATE_TERMS]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("product")

    def formfield_for_foreignkey(self, db_field: Field, request: HttpRequest, **kwargs) -> forms.Field | None:
        """A new rate starts in the default product."""
        if db_field.name == "product":
            kwargs.setdefault("initial", default_product_pk())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _percent(value) -> str:
    return NOT_PRICED if value is None else format_percent(value)


def model_flags(margins: DraftMargins, model: str) -> tuple[str, ...]:
    """The flags of a model in every product that sells or uses it; No credit rate
    for a model with costs that no product sells."""
    products = margins.products_of_model(model)
    if not products:
        found = margins.snapshot.catalogue.models.get(model)
        return (NO_RATE,) if found is not None and found.costs else ()
    flags = (flag for product in products for flag in margins.model_report(product, model).flags)
    return tuple(dict.fromkeys(flags))


class ModelMarginFilter(MarginFlagFilter):
    """A model is flagged when it is flagged in any product that sells or uses it."""

    def flagged_ids(self, margins: DraftMargins) -> dict[int, tuple[str, ...]]:
        return {pk: model_flags(margins, slug) for slug, pk in margins.snapshot.model_ids.items()}


def variant_flags(margins: DraftMargins, model: str, variant: str) -> tuple[str, ...]:
    flags = (
        flag
        for product in margins.products_of_model(model)
        for flag in margins.model_report(product, model).variant_flags(variant)
    )
    return tuple(dict.fromkeys(flags))


class VariantMarginFilter(MarginFlagFilter):
    def flagged_ids(self, margins: DraftMargins) -> dict[int, tuple[str, ...]]:
        return {
            pk: variant_flags(margins, model, variant) for (model, variant), pk in margins.snapshot.variant_ids.items()
        }


class CreditRateMarginFilter(MarginFlagFilter):
    """Each credit rate judged in its own product, at that product's revenue per credit and target."""

    def flagged_ids(self, margins: DraftMargins) -> dict[int, tuple[str, ...]]:
        return {
            pk: tuple(dict.fromkeys(flag for row in margins.rate_rows(*key) for flag in row.flags))
            for key, pk in margins.snapshot.rate_ids.items()
        }


class WorkflowMarginFilter(MarginFlagFilter):
    """Each workflow judged in its own product."""

    def flagged_ids(self, margins: DraftMargins) -> dict[int, tuple[str, ...]]:
        ids = margins.snapshot.workflow_ids
        return {
            ids[slug]: found.flags
            for slug, workflow in margins.snapshot.catalogue.workflows.items()
            if slug in ids and (found := margins.workflow_report(workflow.product, slug)) is not None
        }


@admin.register(AIModel)
class AIModelAdmin(MarginsAdmin, InlineHistoryAdmin):
    list_display = [
        "name",
        "slug",
        "provider",
        "modality",
        "variant_count",
        "margin_at_lowest",
        "margin_at_basis",
        "flags",
        "active",
    ]
    list_filter = [ModelMarginFilter, "provider", "primary_supplier", "modality", "active"]
    fieldsets = [
        (None, {"fields": ["slug", "name", "provider", "primary_supplier", "modality", "active", "description"]}),
        (
            "Margins",
            {
                "fields": ["margins"],
                "description": "For each product that sells or uses the model, per variant and meter, "
                "at that product's own revenue per credit; from the saved rows below.",
            },
        ),
    ]
    readonly_fields = ["margins"]
    list_select_related = ["provider", "primary_supplier"]
    search_fields = ["slug", "name", "provider__slug", "provider__name"]
    ordering = ["provider__name", "name"]
    inlines = [VariantInline, ProviderCostInline, CreditRateInline]
    inline_history = {Variant: "model", ProviderCost: "model", CreditRate: "model"}

    def inline_row_label(self, record: Model) -> str:
        return getattr(record, "slug", None) or f"#{record.id}"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(variant_count=Count("variants"))

    @admin.display(description="variants", ordering="variant_count")
    def variant_count(self, obj: AIModel) -> int:
        return obj.variant_count

    def _per_product(self, obj: AIModel, text) -> SafeString:
        """One line per product that sells or uses the model, labelled when there are several."""
        margins = self.margins_of(obj)
        if margins is None:
            return per_product([])
        return per_product(
            [
                (product, text(margins.model_report(product, obj.slug)))
                for product in margins.products_of_model(obj.slug)
            ]
        )

    @admin.display(description="worst gross margin at lowest")
    def margin_at_lowest(self, obj: AIModel) -> SafeString:
        return self._per_product(obj, lambda found: _percent(found.worst(at="lowest")))

    @admin.display(description="worst gross margin at basis")
    def margin_at_basis(self, obj: AIModel) -> SafeString:
        return self._per_product(obj, lambda found: _percent(found.worst(at="basis")))

    @admin.display(description="flags")
    def flags(self, obj: AIModel) -> SafeString:
        margins = self.margins_of(obj)
        return flag_badges(model_flags(margins, obj.slug) if margins else ())

    @admin.display(description="margins")
    def margins(self, obj: AIModel) -> str:
        margins = self.margins_of(obj)
        if obj.pk is None:
            return "Save the model with its costs and credit rates to see its margins."
        if margins is None:
            return NO_POLICY
        return model_margins(margins, obj.slug)


def model_margins(margins: DraftMargins, model: str) -> str:
    """One block per product that sells or uses the model, each at its own revenue per credit."""
    blocks = []
    for slug in margins.products_of_model(model):
        found = margins.model_report(slug, model)
        rows = margins.supplier_rows(slug, model)
        blocks.append(product_block(margins, slug, rows, sells=bool(found.model.rates)))
    unsold = None
    if not blocks:
        found = margins.unsold_report(margins.default_product).models.get(model)
        if found is not None:
            default = margins.default_product
            unsold = {
                "product": product_heading(margins.products[default], margins.product_report(default)),
                "table": price_table(found.rows, margins.unsold_report(default)),
            }
    return render_to_string("admin/rates/model_margins.html", {"blocks": blocks, "unsold": unsold})


def product_block(margins: DraftMargins, product: str, rows, *, sells: bool) -> dict:
    """Price rows introduced by their product: its credit, currency, target and the suppliers costed on."""
    report = margins.product_report(product)
    return {
        "product": product_heading(margins.products[product], report),
        "sells": sells,
        "suppliers": sorted({row.supplier for row in rows if row.supplier}),
        "table": price_table(rows, report),
    }


class VariantForm(StaleCheckForm):
    def clean_is_default(self) -> bool:
        """Unticking a model's default here would leave the model with none: the
        default moves on the model's page, where all its variants are in view."""
        is_default = self.cleaned_data["is_default"]
        if self.instance.pk and self.initial.get("is_default") and not is_default:
            raise ValidationError(
                "Every model needs a default variant: to move it, tick another variant "
                "as the default on the model's page."
            )
        return is_default


@admin.register(Variant)
class VariantAdmin(MarginsAdmin, ConfigAdmin):
    form = VariantForm
    list_display = [
        "model",
        "slug",
        "name",
        "is_default",
        "resolution",
        "audio",
        "mode",
        "margin_at_lowest",
        "margin_at_basis",
        "flags",
        "sort_order",
    ]
    list_filter = [VariantMarginFilter, "is_default", "model__provider", "model__modality"]
    search_fields = ["slug", "name", "model__slug", "model__name"]
    ordering = ["model__slug", "sort_order", "slug"]
    autocomplete_fields = ["model"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("model")

    def _worst(self, obj: Variant, at: str) -> SafeString:
        """The variant's worst margin in each product that sells or uses its model."""
        margins = self.margins_of(obj)
        model = obj.model.slug
        if margins is None:
            return per_product([])
        return per_product(
            [
                (product, _percent(margins.model_report(product, model).worst(obj.slug, at=at)))
                for product in margins.products_of_model(model)
            ]
        )

    @admin.display(description="worst gross margin at lowest")
    def margin_at_lowest(self, obj: Variant) -> SafeString:
        return self._worst(obj, "lowest")

    @admin.display(description="worst gross margin at basis")
    def margin_at_basis(self, obj: Variant) -> SafeString:
        return self._worst(obj, "basis")

    @admin.display(description="flags")
    def flags(self, obj: Variant) -> SafeString:
        margins = self.margins_of(obj)
        return flag_badges(variant_flags(margins, obj.model.slug, obj.slug) if margins else ())


class RowOfModelAdmin(ConfigAdmin):
    """Provider costs and credit rates: rows of one model, variant and meter."""

    list_filter = ["model__provider", "model__modality", "meter"]
    search_fields = ["model__slug", "model__name", "variant__slug", "meter__slug"]
    ordering = ["model__slug", "variant__sort_order", "meter__slug"]
    autocomplete_fields = ["model", "variant"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("model", "variant", "meter")

    @admin.display(description="variant", ordering="variant__slug")
    def variant_shown(self, obj: ProviderCost | CreditRate) -> str:
        return obj.variant.slug if obj.variant_id else "all variants"


@admin.register(ProviderCost)
class ProviderCostAdmin(RowOfModelAdmin):
    list_display = [
        "model",
        "variant_shown",
        "meter",
        "supplier",
        "negotiated",
        "price",
        "price_high",
        "per_units",
        "tier",
        "currency",
        "as_of",
    ]
    list_filter = ["supplier", "negotiated", "model__provider", "model__modality", "meter", "currency", "tier_mode"]
    search_fields = [*RowOfModelAdmin.search_fields, "supplier__slug", "supplier__name"]
    ordering = ["model__slug", "variant__sort_order", "meter__slug", "supplier__slug", "tier_threshold"]
    fieldsets = [
        (None, {"fields": ["model", "variant", "meter", "supplier", "negotiated"]}),
        ("Price", {"fields": ["price", "price_high", "per_units", "currency"]}),
        ("Tier (long context)", {"fields": ["tier_threshold", "tier_mode", "tier_meter"]}),
        ("Source", {"fields": ["source_url", "as_of", "notes"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("currency", "tier_meter", "supplier")

    @admin.display(description="tier", ordering="tier_threshold")
    def tier(self, obj: ProviderCost) -> str:
        if obj.tier_threshold is None:
            return "base"
        meter = obj.tier_meter or obj.meter
        return f"above {dec(obj.tier_threshold)} {meter.slug} ({obj.tier_mode})"


@admin.register(CreditRate)
class CreditRateAdmin(ProductOwnedAdmin, MarginsAdmin, RowOfModelAdmin):
    list_display = [
        "product",
        "model",
        "variant_shown",
        "meter",
        "supplier_shown",
        *CREDIT_RATE_TERMS,
        "cost_per_units",
        "margin_at_lowest",
        "markup_at_lowest",
        "margin_at_basis",
        "markup_at_basis",
        "credits_for_target",
        "flags",
    ]
    list_filter = [CreditRateMarginFilter, "product", "active", "model__provider", "model__modality", "meter"]
    ordering = ["product__sort_order", "product__slug", "model__slug", "variant__sort_order", "meter__slug"]
    fieldsets = [
        (None, {"fields": ["product", "model", "variant", "meter", "supplier", "active"]}),
        ("Charge", {"fields": ["credits", "per_units", "minimum_charge"]}),
        ("Quantities", {"fields": ["allowed_quantities", "min_quantity", "default_quantity", "max_quantity"]}),
        (None, {"fields": ["notes"]}),
        ("Margins", {"fields": ["margins"]}),
    ]
    readonly_fields = ["margins"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("product", "supplier", "model__primary_supplier", "model__provider")
        )

    @admin.display(description="supplier", ordering="supplier__slug")
    def supplier_shown(self, obj: CreditRate) -> str:
        return obj.supplier.slug if obj.supplier_id else f"{obj.model.supplier.slug} (primary)"

    def _rows(self, obj: CreditRate):
        margins = self.margins_of(obj)
        if margins is None:
            return ()
        variant = obj.variant.slug if obj.variant_id else None
        return margins.rate_rows(obj.product.slug, obj.model.slug, variant, obj.meter.slug)

    def _report(self, obj: CreditRate):
        margins = self.margins_of(obj)
        return margins.product_report(obj.product.slug) if margins and obj.product.slug in margins.products else None

    def _per_variant(self, obj: CreditRate, text) -> SafeString:
        """One line per variant the rate prices, labelled when there are several."""
        rows = self._rows(obj)
        if not rows:
            return format_html("{}", NOT_PRICED)
        if len(rows) == 1:
            return format_html("{}", text(rows[0]))
        return format_html_join(mark_safe("<br>"), "{}: {}", ((row.variant, text(row)) for row in rows))

    @admin.display(description="cost per N units")
    def cost_per_units(self, obj: CreditRate) -> SafeString:
        def text(row):
            if row.cost_reporting is None:
                return "; ".join(row.problems) or NOT_PRICED
            return band_text(row.cost_reporting, self._report(obj).reporting_currency)

        return self._per_variant(obj, text)

    @admin.display(description="gross margin at lowest")
    def margin_at_lowest(self, obj: CreditRate) -> SafeString:
        return self._per_variant(obj, lambda row: margin_text(row.at_lowest))

    @admin.display(description="markup at lowest")
    def markup_at_lowest(self, obj: CreditRate) -> SafeString:
        return self._per_variant(obj, lambda row: margin_text(row.at_lowest, "markup"))

    @admin.display(description="gross margin at basis")
    def margin_at_basis(self, obj: CreditRate) -> SafeString:
        return self._per_variant(obj, lambda row: margin_text(row.at_basis))

    @admin.display(description="markup at basis")
    def markup_at_basis(self, obj: CreditRate) -> SafeString:
        return self._per_variant(obj, lambda row: margin_text(row.at_basis, "markup"))

    @admin.display(description="credits for target")
    def credits_for_target(self, obj: CreditRate) -> SafeString:
        return self._per_variant(
            obj, lambda row: NOT_PRICED if row.suggested_credits is None else f"{row.suggested_credits:,}"
        )

    @admin.display(description="flags")
    def flags(self, obj: CreditRate) -> SafeString:
        return flag_badges(tuple(dict.fromkeys(flag for row in self._rows(obj) for flag in row.flags)))

    @admin.display(description="margins")
    def margins(self, obj: CreditRate) -> str:
        margins = self.margins_of(obj)
        if obj.pk is None:
            return "Save the rate to see its margins."
        if margins is None:
            return NO_POLICY
        blocks = [product_block(margins, obj.product.slug, self._rows(obj), sells=True)]
        return render_to_string("admin/rates/model_margins.html", {"blocks": blocks})


def mid_text(band, currency: str) -> str:
    """The middle of a price band ("mid-range pricing", seed 000), or "" for an exact amount."""
    if band.low == band.high:
        return ""
    return band_text(Band(band.mid, band.mid), currency)


def workflow_context(found) -> dict:
    """A workflow report, formatted for its page."""
    steps = []
    if found.cost is not None:
        for line in found.cost.steps:
            steps.append(
                {
                    "label": line.step.label,
                    "model": f"{line.step.model} / {line.variant}",
                    "meter": line.step.meter,
                    "supplier": line.step.supplier or "primary supplier",
                    "quantity": format_exact(line.step.quantity),
                    "runs": format_exact(line.runs),
                    "per_run": band_text(line.per_run, line.provider_currency),
                    "per_run_mid": mid_text(line.per_run, line.provider_currency),
                    "expected": band_text(line.expected, found.cost.currency),
                }
            )
    return {
        "report": found,
        "steps": steps,
        "expected": band_text(found.cost.expected, found.cost.currency) if found.cost else None,
        "expected_mid": mid_text(found.cost.expected, found.cost.currency) if found.cost else "",
        **judged_cells(found, found.credits_per_unit),
    }


class WorkflowStepInline(SharedChoicesInline):
    model = WorkflowStep
    formset = ConstraintCheckedInlineFormSet
    fields = ["position", "label", "model", "variant", "meter", "supplier", "quantity", "probability", "multiplier"]
    autocomplete_fields = ["model", "variant"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("workflow")


@admin.register(Workflow)
class WorkflowAdmin(ProductOwnedAdmin, MarginsAdmin, InlineHistoryAdmin):
    list_display = [
        "name",
        "slug",
        "product",
        "unit_label",
        "credits_per_unit",
        "step_count",
        "expected_cost",
        "margin_at_lowest",
        "margin_at_basis",
        "flags",
        "active",
    ]
    list_filter = [WorkflowMarginFilter, "product", "active"]
    list_select_related = ["product"]
    fieldsets = [
        (None, {"fields": ["product", "slug", "name", "unit_label", "credits_per_unit", "active", "description"]}),
        (
            "Cost and margin",
            {"fields": ["cost_and_margin"], "description": "Per unit of the workflow, from the saved steps below."},
        ),
    ]
    readonly_fields = ["cost_and_margin"]
    search_fields = ["slug", "name", "unit_label"]
    ordering = ["name"]
    inlines = [WorkflowStepInline]
    inline_history = {WorkflowStep: "workflow"}

    def inline_row_label(self, record: Model) -> str:
        return f"step {record.position}: {record.label}"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(step_count=Count("steps"))

    @admin.display(description="steps", ordering="step_count")
    def step_count(self, obj: Workflow) -> int:
        return obj.step_count

    def _report(self, obj: Workflow):
        """The workflow judged in its own product."""
        margins = self.margins_of(obj)
        return margins.workflow_report(obj.product.slug, obj.slug) if margins else None

    @admin.display(description="expected cost per unit")
    def expected_cost(self, obj: Workflow) -> str:
        found = self._report(obj)
        if found is None or found.cost is None:
            return "; ".join(found.problems) if found else NOT_PRICED
        return band_text(found.cost.expected, found.cost.currency)

    @admin.display(description="gross margin at lowest")
    def margin_at_lowest(self, obj: Workflow) -> str:
        found = self._report(obj)
        return margin_text(found.at_lowest if found else None)

    @admin.display(description="gross margin at basis")
    def margin_at_basis(self, obj: Workflow) -> str:
        found = self._report(obj)
        return margin_text(found.at_basis if found else None)

    @admin.display(description="flags")
    def flags(self, obj: Workflow) -> SafeString:
        found = self._report(obj)
        return flag_badges(found.flags if found else ())

    @admin.display(description="cost and margin")
    def cost_and_margin(self, obj: Workflow) -> str:
        found = self._report(obj)
        if obj.pk is None:
            return "Save the workflow with its steps to see its cost."
        if found is None:
            return NO_POLICY
        margins = self.margins_of(obj)
        heading = product_heading(margins.products[obj.product.slug], margins.product_report(obj.product.slug))
        return render_to_string(
            "admin/rates/workflow_cost.html", {"workflow": workflow_context(found), "product": heading}
        )
