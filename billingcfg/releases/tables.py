"""The configuration tables, declared once: for each, its model, the key its rows
take in a configuration document, its natural key, its columns in the
document's order and how each converts, and the foreign keys it names by slug
or code. Everything that maps a table's fields derives from here: the draft
reader and the catalogue it gives the engine (`billingcfg.releases.document`), the loader
(`billingcfg.releases.restore`, which the demo loads through), the spreadsheet resources
(`billingcfg.sheets.resources`) and the API's description of a document.

A new column: add the model field and its line here; a meta-test
(`tests/billingcfg/test_tables.py`) fails while a model field is neither here
nor in its list of exclusions."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.db import IntegrityError, models

from billingcfg.models import AlertThreshold, Currency, ExchangeRate, Product, ThresholdAction
from plans.models import CreditPack, SubscriptionPlan
from pricing.money import dec
from pricing.quantities import format_quantity_list, parse_quantity_list
from rates.models import (
    AIModel,
    CreditRate,
    Meter,
    PriceListAlias,
    PriceListSupplier,
    Provider,
    ProviderCost,
    Variant,
    Workflow,
    WorkflowStep,
)

# ---- how a value travels: stored in the model, written in a document, read by the engine ----


def as_is(value):
    """The conversion of a value that travels unchanged."""
    return value


def read_decimal(value) -> Decimal | None:
    """Decimals travel as strings: exact."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f'{value!r} is not a decimal written as a string, such as "0.05"')
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"'{value}' is not a number") from None
    if not number.is_finite():
        raise ValueError(f"'{value}' is not a number")
    return number


def read_date(value) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"'{value}' is not a date such as 2026-01-31") from None


def read_quantities(value) -> str:
    """The list of decimal strings as the text the model keeps: ["4", "8"] → "4, 8"."""
    if not isinstance(value, list):
        raise ValueError(f'{value!r} is not a list of quantities such as ["4", "8"]')
    return format_quantity_list(parse_quantity_list(", ".join(str(item) for item in value)))


@dataclass(frozen=True)
class Kind:
    """A column's conversions. `load` refuses a value the draft cannot hold with a
    ValueError naming the rule; the others trust their input."""

    name: str
    to_document: Callable = as_is  # stored value → document value
    load: Callable = as_is  # document value → stored value
    to_engine: Callable = as_is  # stored value → the engine's (`pricing.catalogue`)
    document_to_engine: Callable = as_is  # document value → the engine's


TEXT = Kind("text")  # also whole numbers, booleans and nulls: JSON holds them as they are
DECIMAL = Kind(
    "decimal",
    to_document=dec,
    load=read_decimal,
    document_to_engine=lambda text: None if text is None else Decimal(text),
)
DATE = Kind("date", to_document=date.isoformat, load=read_date, document_to_engine=date.fromisoformat)
QUANTITIES = Kind(
    "quantities",
    to_document=lambda text: [dec(value) for value in parse_quantity_list(text)],
    load=read_quantities,
    to_engine=parse_quantity_list,
    document_to_engine=lambda values: tuple(Decimal(value) for value in values),
)


@dataclass(frozen=True)
class Column:
    """A model field under its own name in the document and the sheet."""

    name: str
    kind: Kind = TEXT


@dataclass(frozen=True)
class Ref:
    """A foreign key: the target row's natural key is the configuration row's
    values at `keys` (the document's key for this column is the last of them);
    no target (None) when the last of them is None."""

    field: str
    table: str
    keys: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.keys[-1]

    @property
    def path(self) -> str:
        """The ORM path of the target's slug or code: `variant__slug`, `currency__code`."""
        return f"{self.field}__{TABLE[self.table].ident}"

    def target(self, row: dict) -> tuple | None:
        key = tuple(row[name] for name in self.keys)
        return None if key[-1] is None else key


@dataclass(frozen=True)
class Nested:
    """A table whose rows a document lists inside their parent's, under `name`."""

    parent: str  # the parent table
    name: str  # the list's key in the parent row
    ref: str  # the reference to the parent, whose column nested rows leave out


def _show_key(key: tuple) -> str:
    return " / ".join(str(part) for part in key)


def _show_cost(key: tuple) -> str:
    model, variant, meter, supplier, tier = key
    above = f" above {tier:f}" if tier is not None else ""
    return f"{model} / {variant or 'all variants'} / {meter} from {supplier}{above}"


def _show_rate(key: tuple) -> str:
    product, model, variant, meter = key
    return f"{product}: {model} / {variant or 'all variants'} / {meter}"


@dataclass(frozen=True)
class Table:
    name: str  # the document's key for these rows, and the sheet's name
    model: type[models.Model]
    key: tuple[str, ...]  # the natural key, as document keys
    columns: tuple[Column, ...]  # in the document's order, after the references
    refs: tuple[Ref, ...] = ()
    order: tuple[str, ...] = ()  # the document's order of rows
    nested: Nested | None = None
    show: Callable[[tuple], str] = _show_key
    # Steps have no unique key: the n-th step at a position matches the n-th stored one.
    repeatable: bool = False

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @cached_property
    def fields(self) -> dict[str, Column]:
        """The columns that are the model's own fields (not references), by name."""
        return {column.name: column for column in self.columns}

    @cached_property
    def ref_of(self) -> dict[str, Ref]:
        """References by their document key."""
        return {ref.name: ref for ref in self.refs}

    @property
    def ident(self) -> str:
        """The field other tables name a row by (slug, code)."""
        return self.key[-1]

    @cached_property
    def related(self) -> tuple[str, ...]:
        """What `stored_key` reads through foreign keys."""
        return tuple(self.ref_of[name].field for name in self.key if name in self.ref_of)

    def row_key(self, row: dict) -> tuple:
        """A configuration row's natural key. KeyError, or ValueError naming the rule."""
        return tuple(row[name] if name in self.ref_of else self.fields[name].kind.load(row[name]) for name in self.key)

    def stored_key(self, instance: models.Model) -> tuple:
        """The same for a stored row (its `related` rows read with it)."""
        key = []
        for name in self.key:
            ref = self.ref_of.get(name)
            if ref is None:
                key.append(getattr(instance, name))
            else:
                target = getattr(instance, ref.field) if getattr(instance, f"{ref.field}_id") is not None else None
                key.append(None if target is None else getattr(target, TABLE[ref.table].ident))
        return tuple(key)

    @cached_property
    def document_keys(self) -> tuple[str, ...]:
        """A row's keys in the document, in order: the references, then the columns; a
        nested row leaves out its parent."""
        parent = self.nested.ref if self.nested else None
        return (*(ref.name for ref in self.refs if ref.name != parent), *(column.name for column in self.columns))


def _slug(*columns: Column) -> tuple[Column, ...]:
    return (Column("slug"), *columns)


def _text(*names: str) -> tuple[Column, ...]:
    return tuple(Column(name) for name in names)


def _decimal(*names: str) -> tuple[Column, ...]:
    return tuple(Column(name, DECIMAL) for name in names)


_MODEL = Ref("model", "models", ("model",))
_VARIANT = Ref("variant", "variants", ("model", "variant"))
_METER = Ref("meter", "meters", ("meter",))
_CURRENCY = Ref("currency", "currencies", ("currency",))
_PRODUCT = Ref("product", "products", ("product",))
_SUPPLIER = Ref("supplier", "providers", ("supplier",))

# In the order rows are written (and the workbook's sheets): every table after the tables it points to.
TABLES = (
    Table(
        "currencies",
        Currency,
        key=("code",),
        order=("code",),
        columns=_text("code", "name", "symbol", "minor_units", "is_internal"),
    ),
    Table(
        "exchange_rates",
        ExchangeRate,
        key=("from", "to", "as_of"),
        order=("from_currency__code", "to_currency__code", "as_of"),
        refs=(Ref("from_currency", "currencies", ("from",)), Ref("to_currency", "currencies", ("to",))),
        columns=(*_decimal("from_amount", "to_amount"), Column("as_of", DATE), Column("source")),
        show=lambda key: f"{key[0]} → {key[1]} as of {key[2]}",
    ),
    Table(
        "products",
        Product,
        key=("slug",),
        order=("sort_order", "slug"),
        refs=(Ref("reporting_currency", "currencies", ("reporting_currency",)),),
        columns=_slug(
            *_text("name", "credit_name"),
            *_decimal("target_gross_margin", "target_gross_margin_high"),
            Column("revenue_basis"),
            Column("fixed_revenue_per_credit", DECIMAL),
            *_text("is_default", "sort_order", "description"),
        ),
    ),
    Table(
        "meters",
        Meter,
        key=("slug",),
        order=("slug",),
        columns=_slug(*_text("name", "unit", "whole_units", "description")),
    ),
    Table(
        "providers",
        Provider,
        key=("slug",),
        order=("slug",),
        columns=_slug(*_text("name", "website", "active", "notes")),
    ),
    Table(
        "models",
        AIModel,
        key=("slug",),
        order=("slug",),
        refs=(Ref("provider", "providers", ("provider",)), Ref("primary_supplier", "providers", ("primary_supplier",))),
        columns=_slug(*_text("name", "modality", "active", "description")),
    ),
    Table(
        "variants",
        Variant,
        key=("model", "slug"),
        order=("model__slug", "sort_order", "slug"),
        refs=(_MODEL,),
        nested=Nested("models", "variants", "model"),
        columns=_slug(*_text("name", "is_default", "resolution", "audio", "mode", "sort_order")),
    ),
    Table(
        "provider_costs",
        ProviderCost,
        key=("model", "variant", "meter", "supplier", "tier_threshold"),
        order=("model__slug", "variant__slug", "meter__slug", "supplier__slug", "tier_threshold"),
        refs=(_MODEL, _VARIANT, _METER, _SUPPLIER, _CURRENCY, Ref("tier_meter", "meters", ("tier_meter",))),
        nested=Nested("models", "provider_costs", "model"),
        columns=(
            *_decimal("price", "price_high"),
            Column("per_units"),
            Column("tier_threshold", DECIMAL),
            *_text("tier_mode", "source_url"),
            Column("as_of", DATE),
            *_text("negotiated", "notes"),
        ),
        show=_show_cost,
    ),
    Table(
        "credit_rates",
        CreditRate,
        key=("product", "model", "variant", "meter"),
        order=("product__slug", "model__slug", "variant__slug", "meter__slug"),
        refs=(_PRODUCT, _MODEL, _VARIANT, _METER, _SUPPLIER),
        nested=Nested("models", "credit_rates", "model"),
        columns=(
            Column("credits", DECIMAL),
            *_text("per_units", "minimum_charge"),
            Column("allowed_quantities", QUANTITIES),
            *_decimal("min_quantity", "max_quantity", "default_quantity"),
            *_text("active", "notes"),
        ),
        show=_show_rate,
    ),
    Table(
        "workflows",
        Workflow,
        key=("slug",),
        order=("slug",),
        refs=(_PRODUCT,),
        columns=_slug(
            *_text("name", "unit_label"), Column("credits_per_unit", DECIMAL), *_text("active", "description")
        ),
    ),
    Table(
        "workflow_steps",
        WorkflowStep,
        key=("workflow", "position"),
        order=("workflow__slug", "position", "pk"),
        refs=(Ref("workflow", "workflows", ("workflow",)), _MODEL, _VARIANT, _SUPPLIER, _METER),
        nested=Nested("workflows", "steps", "workflow"),
        columns=(*_text("position", "label"), *_decimal("quantity", "probability", "multiplier"), Column("notes")),
        show=lambda key: f"{key[0]} step {key[1]}" + (f" (#{key[2] + 1} at that position)" if key[2] else ""),
        repeatable=True,
    ),
    Table(
        "credit_packs",
        CreditPack,
        key=("slug",),
        order=("sort_order", "slug"),
        refs=(_PRODUCT, _CURRENCY),
        columns=_slug(
            *_text("name", "description"),
            Column("price", DECIMAL),
            *_text("credits", "bonus_credits", "active", "sort_order"),
        ),
    ),
    Table(
        "subscription_plans",
        SubscriptionPlan,
        key=("slug",),
        order=("sort_order", "slug"),
        refs=(_PRODUCT, _CURRENCY, Ref("usage_workflow", "workflows", ("usage_workflow",))),
        columns=_slug(
            *_text("name", "description"),
            Column("price", DECIMAL),
            *_text("interval", "credits_per_interval"),
            Column("overage_price_per_credit", DECIMAL),
            *_text("active", "sort_order"),
        ),
    ),
    Table(
        "alert_thresholds",
        AlertThreshold,
        key=("slug",),
        order=("sort_order", "slug"),
        refs=(
            _PRODUCT,
            Ref("provider", "providers", ("provider",)),
            _MODEL,
            Ref("plan", "subscription_plans", ("plan",)),
            _CURRENCY,
            _METER,
        ),
        columns=_slug(
            *_text("name", "description", "scope", "tier", "metric", "window"),
            Column("limit", DECIMAL),
            *_text("active", "sort_order"),
        ),
    ),
    Table(
        "threshold_actions",
        ThresholdAction,
        key=("threshold", "action"),
        order=("threshold__slug", "position", "action"),
        refs=(
            Ref("threshold", "alert_thresholds", ("threshold",)),
            Ref("switch_to_model", "models", ("switch_to_model",)),
        ),
        nested=Nested("alert_thresholds", "actions", "threshold"),
        columns=_text("position", "action"),
    ),
)
TABLE = {table.name: table for table in TABLES}

# Price-list aliases are not part of a configuration (nor of a release): they have
# a sheet of their own, not one of the workbook's.
ALIASES = Table(
    "price_list_aliases", PriceListAlias, key=("name",), refs=(_MODEL, _VARIANT), columns=_text("name", "notes")
)
SUPPLIER_NAMES = Table(
    "price_list_suppliers",
    PriceListSupplier,
    key=("pattern",),
    refs=(Ref("supplier", "providers", ("supplier",)),),
    columns=_text("pattern", "notes"),
)


def configuration_rows(configuration: dict) -> dict[str, list[dict]]:
    """A configuration's rows per table, flat: nested rows carry their parent's key.
    KeyError or TypeError when a part is missing."""
    rows = {}
    for table in TABLES:
        nested = table.nested
        if nested is not None:
            ident = TABLE[nested.parent].ident
            rows[table.name] = [
                {**child, nested.ref: row[ident]} for row in rows[nested.parent] for child in row[nested.name]
            ]
        else:
            rows[table.name] = list(configuration[table.name])
    return rows


def with_defaults(name: str, row: dict) -> dict:
    """A document row of table `name` with each column it lacks that has a default (or may be
    blank or null) at that default, as the document writes it; other missing columns stay missing."""
    table = TABLE[name]
    filled = dict(row)
    for key in table.document_keys:
        if key in filled:
            continue
        ref = table.ref_of.get(key)
        field = table.model._meta.get_field(ref.field if ref else key)
        if ref is not None:
            if field.null:
                filled[key] = None
        elif field.has_default() or field.null or field.blank:
            default = field.get_default()
            filled[key] = None if default is None else table.fields[key].kind.to_document(default)
    return filled


def refused_by(model: type[models.Model], error: IntegrityError) -> str:
    """The rule the database refused a row by, in the model's own words."""
    text = str(error)
    for constraint in sorted(model._meta.constraints, key=lambda c: len(c.name), reverse=True):
        if constraint.name in text:
            return constraint.get_violation_error_message()
    return f"the database refused the row ({text})"
