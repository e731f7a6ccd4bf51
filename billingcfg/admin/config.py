"""Admin for money, policy and alerts, and the pieces every configuration admin shares."""

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    DecimalField,
    Field,
    Model,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    UniqueConstraint,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from simple_history.admin import SimpleHistoryAdmin

from billingcfg import digits
from billingcfg.admin.sheets import SheetAdminMixin
from billingcfg.admin.stale import StaleCheckAdmin, StaleCheckFormSet, StaleCheckInline
from billingcfg.conditions import condition_holds
from billingcfg.models import (
    AlertThreshold,
    Currency,
    ExchangeRate,
    Metric,
    Product,
    Scope,
    ThresholdAction,
)
from plans.models import CreditPack, SubscriptionPlan
from pricing.money import dec, format_amount, format_exact
from pricing.validation import target_text
from rates.models import CreditRate, Workflow


class ExactDecimalInput(forms.NumberInput):
    """Shows a stored decimal as it was entered: 0.3, not the column's 0.30000000."""

    def format_value(self, value):
        if isinstance(value, Decimal):
            return dec(value)
        return super().format_value(value)


EXACT_DECIMAL_INPUTS = {DecimalField: {"widget": ExactDecimalInput}}


def exact_decimal_column(field: DecimalField):
    """A changelist column showing a decimal field exactly, grouped, without padding zeros."""

    @admin.display(description=field.verbose_name, ordering=field.name)
    def column(obj: Model) -> str | None:
        value = getattr(obj, field.attname)
        return None if value is None else format_exact(value)

    column.__name__ = field.name
    return column


class ConfigAdmin(StaleCheckAdmin, SheetAdminMixin, SimpleHistoryAdmin):
    """What every configuration admin shares: history pages, import and export
    (CSV, XLSX, JSON), decimals shown as they were entered, in forms and in lists,
    and edits from a stale page refused (billingcfg.admin.stale)."""

    formfield_overrides = EXACT_DECIMAL_INPUTS

    def get_list_display(self, request: HttpRequest):
        decimals = {f.name: f for f in self.model._meta.concrete_fields if isinstance(f, DecimalField)}
        return [
            exact_decimal_column(decimals[name]) if isinstance(name, str) and name in decimals else name
            for name in super().get_list_display(request)
        ]


def default_product_pk() -> int | None:
    return Product.objects.filter(is_default=True).values_list("pk", flat=True).first()


class ProductOwnedAdmin:
    """A ModelAdmin mixin for a table whose rows belong to a product (packs, plans, credit
    rates, workflows, thresholds): a new row starts in the default product."""

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("product", default_product_pk())
        return initial


class ConstraintCheckedInlineFormSet(StaleCheckFormSet):
    """An inline formset that refuses, with the constraint's own message, every
    unique-constraint breach among the rows of one submit.

    Django compares the rows of a formset only for unique constraints without a
    condition, and words the breach generically; a breach of a conditional one
    (one default variant, one base price) would otherwise reach the database
    and fail as a server error.
    """

    def clean(self) -> None:
        super().clean()
        errors = self.row_errors(self.kept_rows())
        if errors:
            raise ValidationError(errors)

    def row_errors(self, rows: list) -> list[str]:
        """What is wrong with the rows as they would be stored, one message per broken rule.

        Only new and edited rows are compared: a clash with a stored row is
        already refused by the edited row's own form, which checks the database.
        """
        edited = [form for form in rows if form.has_changed()]
        return [
            constraint.get_violation_error_message()
            for constraint in self.model._meta.constraints
            if isinstance(constraint, UniqueConstraint)
            and constraint.condition is not None
            and self._repeats(constraint, edited)
        ]

    def kept_rows(self) -> list:
        """The valid forms whose rows exist after saving: changed or stored, not deleted."""
        return [
            form
            for form in self.forms
            if form.is_valid()
            and not self._should_delete_form(form)
            and (form.instance.pk is not None or form.has_changed())
        ]

    def get_unique_error_message(self, unique_check: tuple[str, ...]) -> str:
        for constraint in self.model._meta.total_unique_constraints:
            if set(constraint.fields) == set(unique_check):
                return constraint.get_violation_error_message()
        return super().get_unique_error_message(unique_check)

    def _repeats(self, constraint: UniqueConstraint, rows: list) -> bool:
        seen: set[tuple[Hashable, ...]] = set()
        for form in rows:
            instance = form.instance
            if not condition_holds(constraint.condition, instance):
                continue
            key = tuple(
                "parent" if name == self.fk.name else getattr(instance, self.model._meta.get_field(name).attname)
                for name in constraint.fields
            )
            if None in key:
                continue
            if key in seen:
                return True
            seen.add(key)
        return False


class ConfigInline(StaleCheckInline, admin.TabularInline):
    """What every configuration inline shares: decimals shown as they were entered,
    and edits from a stale page refused, row by row (billingcfg.admin.stale)."""

    formfield_overrides = EXACT_DECIMAL_INPUTS


class SharedChoicesInline(ConfigInline):
    """An inline whose select boxes are filled by one query per page: Django
    would run each select's query again for every row."""

    def formfield_for_dbfield(self, db_field: Field, request: HttpRequest, **kwargs) -> forms.Field | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        widget = getattr(widget, "widget", widget)
        if isinstance(formfield, forms.ModelChoiceField) and not isinstance(widget, AutocompleteMixin):
            formfield.choices = list(formfield.choices)
        return formfield


def _shown(value: object) -> object:
    return dec(value) if isinstance(value, Decimal) else value


def amount_or_empty(model_admin: admin.ModelAdmin, obj: Model, *, figure: str, currency: str, places: int) -> str:
    """The derived amount `figure` of a stored row, in its `currency`, rounded for
    display; empty on an add page, where there is nothing to derive it from."""
    if obj.pk is None:
        return model_admin.get_empty_value_display()
    amount: Decimal = getattr(obj, figure)
    return format_amount(amount, getattr(obj, currency).code, places)


@dataclass(frozen=True)
class RowChange:
    when: datetime
    who: object
    kind: str
    row: str
    changes: list[str]


class InlineHistoryAdmin(ConfigAdmin):
    """A History page that also lists the changes to the rows edited inline
    (workflow steps, threshold actions), which have no admin page of their own.

    `inline_history` maps each inline model to its foreign key to this model.
    """

    object_history_template = "admin/object_history_with_inlines.html"
    inline_history: dict[type[Model], str] = {}

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None):
        sections = {
            inline._meta.verbose_name_plural: self._row_changes(inline, fk_name, unquote(object_id))
            for inline, fk_name in self.inline_history.items()
        }
        return super().history_view(request, object_id, {**(extra_context or {}), "inline_history": sections})

    def _row_changes(self, inline: type[Model], fk_name: str, object_id: str) -> list[RowChange]:
        records = list(
            inline.history.filter(**{f"{fk_name}_id": object_id})
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        previous: dict[object, Model] = {}
        changes = []
        for record in records:
            before = previous.get(record.id)
            delta = record.diff_against(before).changes if before is not None else []
            changes.append(
                RowChange(
                    when=record.history_date,
                    who=record.history_user,
                    kind=record.get_history_type_display(),
                    row=self.inline_row_label(record),
                    changes=[f"{change.field}: {_shown(change.old)} → {_shown(change.new)}" for change in delta],
                )
            )
            previous[record.id] = record
        return sorted(changes, key=lambda change: change.when, reverse=True)

    def inline_row_label(self, record: Model) -> str:
        return f"#{record.id}"


@admin.register(Currency)
class CurrencyAdmin(ConfigAdmin):
    list_display = ["code", "name", "symbol", "minor_units", "is_internal"]
    list_filter = ["is_internal"]
    search_fields = ["code", "name"]
    ordering = ["code"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ConfigAdmin):
    list_display = ["pair", "from_amount", "to_amount", "derived_rate", "as_of", "source"]
    list_filter = ["from_currency", "to_currency"]
    list_select_related = ["from_currency", "to_currency"]
    search_fields = ["from_currency__code", "to_currency__code", "source"]
    ordering = ["from_currency__code", "to_currency__code", "-as_of"]
    fields = ["from_currency", "to_currency", "from_amount", "to_amount", "derived_rate", "as_of", "source"]
    readonly_fields = ["derived_rate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("from_currency", "to_currency")

    @admin.display(description="pair", ordering="from_currency__code")
    def pair(self, obj: ExchangeRate) -> str:
        return f"{obj.from_currency.code} → {obj.to_currency.code}"

    @admin.display(description="rate (per 1 unit of the source)")
    def derived_rate(self, obj: ExchangeRate) -> str:
        return amount_or_empty(self, obj, figure="rate", currency="to_currency", places=digits.FX_AMOUNT.decimal_places)


def _count_of(model: type[Model]) -> Coalesce:
    """How many rows of `model` belong to each product: a subquery, so the counts never multiply."""
    rows = model.objects.filter(product=OuterRef("pk")).order_by().values("product").annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n")), 0)


def _sold_tables() -> list[tuple[str, type[Model], str, str]]:
    """What a product sells or holds: (annotation, model, singular, plural), in the order a list shows them."""
    return [
        ("pack_count", CreditPack, "pack", "packs"),
        ("plan_count", SubscriptionPlan, "plan", "plans"),
        ("rate_count", CreditRate, "credit rate", "credit rates"),
        ("workflow_count", Workflow, "workflow", "workflows"),
        ("threshold_count", AlertThreshold, "alert threshold", "alert thresholds"),
    ]


@admin.register(Product)
class ProductAdmin(ConfigAdmin):
    """The apps the control room prices: each its credit, reporting currency and target,
    and links to what it sells."""

    list_display = [
        "name",
        "slug",
        "credit_name",
        "reporting_currency",
        "target",
        "revenue_basis",
        "fixed_revenue_per_credit",
        "sells",
        "is_default",
    ]
    list_select_related = ["reporting_currency"]
    search_fields = ["slug", "name"]
    ordering = ["sort_order", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "credit_name", "is_default", "sort_order", "description"]}),
        (
            "Margins",
            {
                "fields": [
                    "reporting_currency",
                    "target_gross_margin",
                    "target_gross_margin_high",
                    "revenue_basis",
                    "fixed_revenue_per_credit",
                ],
                "description": "Its margins are judged in its reporting currency, at its own revenue per credit "
                "(from its packs and plans, or a fixed figure), against its target: a figure, or a range met "
                "inside it.",
            },
        ),
        ("What it sells", {"fields": ["sells"]}),
    ]
    readonly_fields = ["sells"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super().get_queryset(request).annotate(**{name: _count_of(model) for name, model, _, _ in _sold_tables()})
        )

    @admin.display(description="target gross margin", ordering="target_gross_margin")
    def target(self, obj: Product) -> str:
        return target_text(obj)

    @admin.display(description="sells")
    def sells(self, obj: Product) -> SafeString | str:
        """Counts of its packs, plans, credit rates, workflows and thresholds, each a link to the list narrowed to it."""
        if obj.pk is None:
            return self.get_empty_value_display()
        links = []
        for name, model, one, many in _sold_tables():
            count = getattr(obj, name, None)
            if count is None:
                count = model.objects.filter(product=obj).count()
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            links.append((f"{url}?product__id__exact={obj.pk}", f"{count} {one if count == 1 else many}"))
        return format_html_join(" · ", '<a href="{}">{}</a>', links)


class ThresholdActionInline(SharedChoicesInline):
    model = ThresholdAction
    formset = ConstraintCheckedInlineFormSet
    fields = ["position", "action", "switch_to_model"]
    autocomplete_fields = ["switch_to_model"]
    extra = 1

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("switch_to_model")


@admin.register(AlertThreshold)
class AlertThresholdAdmin(ProductOwnedAdmin, InlineHistoryAdmin):
    list_display = [
        "name",
        "slug",
        "product",
        "scope",
        "target",
        "tier",
        "metric_shown",
        "window",
        "limit",
        "action_list",
        "active",
    ]
    list_filter = ["product", "scope", "metric", "window", "active", "provider", "currency", "meter"]
    list_select_related = ["product", "provider", "model", "plan", "currency", "meter"]
    search_fields = ["slug", "name", "provider__slug", "model__slug", "plan__slug", "tier"]
    ordering = ["sort_order", "slug"]
    autocomplete_fields = ["model"]
    inlines = [ThresholdActionInline]
    inline_history = {ThresholdAction: "threshold"}
    fieldsets = [
        (None, {"fields": ["product", "slug", "name", "description", "active", "sort_order"]}),
        ("Who it watches", {"fields": ["scope", "provider", "model", "plan", "tier"]}),
        ("What it measures", {"fields": ["metric", "currency", "meter", "window", "limit"]}),
    ]

    def inline_row_label(self, record: Model) -> str:
        return record.get_action_display()

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        actions = ThresholdAction.objects.select_related("switch_to_model")
        return super().get_queryset(request).prefetch_related(Prefetch("actions", queryset=actions))

    @admin.display(description="target")
    def target(self, obj: AlertThreshold) -> str:
        targets = [str(related) for related in (obj.provider, obj.model, obj.plan) if related is not None]
        if not targets and obj.scope == Scope.SYSTEM:
            return "all usage"
        return ", ".join(targets) or self.get_empty_value_display()

    @admin.display(description="metric", ordering="metric")
    def metric_shown(self, obj: AlertThreshold) -> str:
        if obj.metric == Metric.MONEY and obj.currency is not None:
            return f"money ({obj.currency.code})"
        if obj.metric == Metric.METER and obj.meter is not None:
            return f"{obj.meter.name}"
        return obj.get_metric_display()

    @admin.display(description="actions")
    def action_list(self, obj: AlertThreshold) -> str:
        return ", ".join(str(action) for action in obj.actions.all()) or self.get_empty_value_display()
