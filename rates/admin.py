"""Admin for providers, models and their variants, provider costs, credit rates and workflows."""

from functools import partial

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Field, Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from billingcfg.admin import (
    ConfigAdmin,
    ConfigInline,
    ConstraintCheckedInlineFormSet,
    InlineHistoryAdmin,
    SharedChoicesInline,
)
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


class VariantInlineForm(forms.ModelForm):
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
                if form.initial.get("is_default")
                and (self._should_delete_form(form) or not form.instance.is_default)
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
        return super().get_queryset(request).select_related("model", "variant", "meter")

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
    fields = ["variant", "meter", *CREDIT_RATE_TERMS]


@admin.register(AIModel)
class AIModelAdmin(InlineHistoryAdmin):
    list_display = ["name", "slug", "provider", "modality", "variant_count", "active"]
    list_filter = ["provider", "modality", "active"]
    list_select_related = ["provider"]
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


class VariantForm(forms.ModelForm):
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
class VariantAdmin(ConfigAdmin):
    form = VariantForm
    list_display = ["model", "slug", "name", "is_default", "resolution", "audio", "mode", "sort_order"]
    list_filter = ["is_default", "model__provider", "model__modality"]
    search_fields = ["slug", "name", "model__slug", "model__name"]
    ordering = ["model__slug", "sort_order", "slug"]
    autocomplete_fields = ["model"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("model")


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
        "price",
        "price_high",
        "per_units",
        "tier",
        "currency",
        "as_of",
    ]
    list_filter = ["model__provider", "model__modality", "meter", "currency", "tier_mode"]
    ordering = ["model__slug", "variant__sort_order", "meter__slug", "tier_threshold"]
    fieldsets = [
        (None, {"fields": ["model", "variant", "meter"]}),
        ("Price", {"fields": ["price", "price_high", "per_units", "currency"]}),
        ("Tier (long context)", {"fields": ["tier_threshold", "tier_mode", "tier_meter"]}),
        ("Source", {"fields": ["source_url", "as_of", "notes"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("currency", "tier_meter")

    @admin.display(description="tier", ordering="tier_threshold")
    def tier(self, obj: ProviderCost) -> str:
        if obj.tier_threshold is None:
            return "base"
        meter = obj.tier_meter or obj.meter
        return f"above {obj.tier_threshold.normalize():f} {meter.slug} ({obj.tier_mode})"


@admin.register(CreditRate)
class CreditRateAdmin(RowOfModelAdmin):
    list_display = ["model", "variant_shown", "meter", *CREDIT_RATE_TERMS]
    list_filter = ["active", "model__provider", "model__modality", "meter"]
    fieldsets = [
        (None, {"fields": ["model", "variant", "meter", "active"]}),
        ("Charge", {"fields": ["credits", "per_units", "minimum_charge"]}),
        ("Quantities", {"fields": ["allowed_quantities", "min_quantity", "default_quantity", "max_quantity"]}),
        (None, {"fields": ["notes"]}),
    ]


class WorkflowStepInline(SharedChoicesInline):
    model = WorkflowStep
    formset = ConstraintCheckedInlineFormSet
    fields = ["position", "label", "model", "variant", "meter", "quantity", "probability", "multiplier"]
    autocomplete_fields = ["model", "variant"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("workflow")


@admin.register(Workflow)
class WorkflowAdmin(InlineHistoryAdmin):
    list_display = ["name", "slug", "unit_label", "credits_per_unit", "step_count", "active"]
    list_filter = ["active"]
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
