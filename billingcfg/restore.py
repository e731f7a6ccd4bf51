"""Loading a configuration into the draft tables: a release's (restore) or the
demo's. Rows are matched by their natural keys (slugs, codes, never ids) and
written only when a value differs, each through its model: validated, then
saved, so the history records who loaded it and why. One transaction: a
failure writes nothing.

The configuration is the shape `billingcfg.document.draft_configuration()`
returns; after `draft_load(configuration, prune=True, …)` that function returns
`configuration` again."""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError

from billingcfg.document import SCHEMA_VERSION, configuration_of
from billingcfg.models import AlertThreshold, Currency, ExchangeRate, PricingPolicy, ThresholdAction
from billingcfg.releases import PUBLISH_PERMISSION, release_document, release_named
from plans.models import CreditPack, SubscriptionPlan
from rates.models import AIModel, CreditRate, Meter, Provider, ProviderCost, Variant, Workflow, WorkflowStep
from pricing.quantities import format_quantity_list, parse_quantity_list


class LoadError(ValueError):
    """A configuration row the draft cannot hold: names the table, the row's key and the rule."""

    def __init__(self, table: str, key: str, rule: str):
        self.table, self.key, self.rule = table, key, rule
        super().__init__(f"{table} {key}: {rule}" if key else f"{table}: {rule}")


@dataclass
class LoadResult:
    """Rows per table (its verbose name, plural): created, updated, left unchanged, deleted."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


# ---- converting a configuration's values to the models' -------------------------------------

def _text(value):
    return value


def _decimal(value) -> Decimal | None:
    """Decimals travel as strings: exact."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{value!r} is not a decimal written as a string, such as \"0.05\"")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"'{value}' is not a number") from None
    if not number.is_finite():
        raise ValueError(f"'{value}' is not a number")
    return number


def _date(value) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"'{value}' is not a date such as 2026-01-31") from None


def _quantities(value) -> str:
    """The list of decimal strings as the text the model keeps: ["4", "8"] → "4, 8"."""
    if not isinstance(value, list):
        raise ValueError(f"{value!r} is not a list of quantities such as [\"4\", \"8\"]")
    return format_quantity_list(parse_quantity_list(", ".join(str(item) for item in value)))


@dataclass(frozen=True)
class _Ref:
    """A foreign key: the target row's natural key is the configuration row's
    values at `keys`; no target (None) when the last of them is None."""

    field: str
    table: str
    keys: tuple[str, ...]

    def target(self, row: dict) -> tuple | None:
        key = tuple(row[name] for name in self.keys)
        return None if key[-1] is None else key


@dataclass(frozen=True)
class _Table:
    name: str  # the configuration's key for these rows
    model: type[models.Model]
    key: Callable[[dict], tuple]  # a configuration row's natural key
    stored_key: Callable[[models.Model], tuple]  # the same for a stored row
    related: tuple[str, ...]  # what stored_key reads through foreign keys
    fields: dict[str, Callable]  # model field (= configuration key) → converter
    refs: tuple[_Ref, ...] = ()
    show: Callable[[tuple], str] = lambda key: " / ".join(str(part) for part in key)
    order: tuple[str, ...] = ("pk",)
    # Steps have no unique key: the n-th step at a position matches the n-th stored one.
    repeatable: bool = False

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)


def _slug(row) -> tuple:
    return (row["slug"],)


def _stored_slug(instance) -> tuple:
    return (instance.slug,)


def _variant_of(instance) -> str | None:
    return instance.variant.slug if instance.variant_id else None


def _show_priced(key: tuple) -> str:
    model, variant, meter, *tier = key
    above = f" above {tier[0]:f}" if tier and tier[0] is not None else ""
    return f"{model} / {variant or 'all variants'} / {meter}{above}"


def _same(*names, convert=_text) -> dict:
    return {name: convert for name in names}


# In the order rows are written: every table after the tables it points to.
TABLES = (
    _Table("currencies", Currency, key=lambda row: (row["code"],), stored_key=lambda o: (o.code,), related=(),
           fields=_same("code", "name", "symbol", "minor_units", "is_internal")),
    _Table("exchange_rates", ExchangeRate, key=lambda row: (row["from"], row["to"], _date(row["as_of"])),
           stored_key=lambda o: (o.from_currency.code, o.to_currency.code, o.as_of),
           related=("from_currency", "to_currency"),
           fields={**_same("from_amount", "to_amount", convert=_decimal), "as_of": _date, "source": _text},
           refs=(_Ref("from_currency", "currencies", ("from",)), _Ref("to_currency", "currencies", ("to",))),
           show=lambda key: f"{key[0]} → {key[1]} as of {key[2]}"),
    _Table("meters", Meter, key=_slug, stored_key=_stored_slug, related=(),
           fields=_same("slug", "name", "unit", "whole_units", "description")),
    _Table("providers", Provider, key=_slug, stored_key=_stored_slug, related=(),
           fields=_same("slug", "name", "website", "active", "notes")),
    _Table("models", AIModel, key=_slug, stored_key=_stored_slug, related=(),
           fields=_same("slug", "name", "modality", "active", "description"),
           refs=(_Ref("provider", "providers", ("provider",)),)),
    _Table("variants", Variant, key=lambda row: (row["model"], row["slug"]),
           stored_key=lambda o: (o.model.slug, o.slug), related=("model",),
           fields=_same("slug", "name", "is_default", "resolution", "audio", "mode", "sort_order"),
           refs=(_Ref("model", "models", ("model",)),)),
    _Table("provider_costs", ProviderCost,
           key=lambda row: (row["model"], row["variant"], row["meter"], _decimal(row["tier_threshold"])),
           stored_key=lambda o: (o.model.slug, _variant_of(o), o.meter.slug, o.tier_threshold),
           related=("model", "variant", "meter"),
           fields={**_same("price", "price_high", "tier_threshold", convert=_decimal), "as_of": _date,
                   **_same("per_units", "tier_mode", "source_url", "notes")},
           refs=(_Ref("model", "models", ("model",)), _Ref("variant", "variants", ("model", "variant")),
                 _Ref("meter", "meters", ("meter",)), _Ref("currency", "currencies", ("currency",)),
                 _Ref("tier_meter", "meters", ("tier_meter",))),
           show=_show_priced),
    _Table("credit_rates", CreditRate, key=lambda row: (row["model"], row["variant"], row["meter"]),
           stored_key=lambda o: (o.model.slug, _variant_of(o), o.meter.slug), related=("model", "variant", "meter"),
           fields={**_same("credits", "min_quantity", "max_quantity", "default_quantity", convert=_decimal),
                   "allowed_quantities": _quantities, **_same("per_units", "minimum_charge", "active", "notes")},
           refs=(_Ref("model", "models", ("model",)), _Ref("variant", "variants", ("model", "variant")),
                 _Ref("meter", "meters", ("meter",))),
           show=_show_priced),
    _Table("workflows", Workflow, key=_slug, stored_key=_stored_slug, related=(),
           fields={**_same("slug", "name", "unit_label", "active", "description"), "credits_per_unit": _decimal}),
    _Table("workflow_steps", WorkflowStep, key=lambda row: (row["workflow"], row["position"]),
           stored_key=lambda o: (o.workflow.slug, o.position), related=("workflow",),
           fields={**_same("position", "label", "notes"),
                   **_same("quantity", "probability", "multiplier", convert=_decimal)},
           refs=(_Ref("workflow", "workflows", ("workflow",)), _Ref("model", "models", ("model",)),
                 _Ref("variant", "variants", ("model", "variant")), _Ref("meter", "meters", ("meter",))),
           show=lambda key: f"{key[0]} step {key[1]}" + (f" (#{key[2] + 1} at that position)" if key[2] else ""),
           order=("workflow__slug", "position", "pk"), repeatable=True),
    _Table("credit_packs", CreditPack, key=_slug, stored_key=_stored_slug, related=(),
           fields={**_same("slug", "name", "description", "credits", "bonus_credits", "active", "sort_order"),
                   "price": _decimal},
           refs=(_Ref("currency", "currencies", ("currency",)),)),
    _Table("subscription_plans", SubscriptionPlan, key=_slug, stored_key=_stored_slug, related=(),
           fields={**_same("slug", "name", "description", "interval", "credits_per_interval", "active",
                           "sort_order"),
                   **_same("price", "overage_price_per_credit", convert=_decimal)},
           refs=(_Ref("currency", "currencies", ("currency",)),
                 _Ref("usage_workflow", "workflows", ("usage_workflow",)))),
    _Table("policy", PricingPolicy, key=lambda row: (), stored_key=lambda o: (), related=(),
           fields={**_same("target_gross_margin", "fixed_revenue_per_credit", convert=_decimal),
                   "revenue_basis": _text},
           refs=(_Ref("reporting_currency", "currencies", ("reporting_currency",)),),
           show=lambda key: "(the one row)"),
    _Table("alert_thresholds", AlertThreshold, key=_slug, stored_key=_stored_slug, related=(),
           fields={**_same("slug", "name", "description", "scope", "tier", "metric", "window", "active",
                           "sort_order"),
                   "limit": _decimal},
           refs=(_Ref("provider", "providers", ("provider",)), _Ref("model", "models", ("model",)),
                 _Ref("plan", "subscription_plans", ("plan",)), _Ref("currency", "currencies", ("currency",)),
                 _Ref("meter", "meters", ("meter",)))),
    _Table("threshold_actions", ThresholdAction, key=lambda row: (row["threshold"], row["action"]),
           stored_key=lambda o: (o.threshold.slug, o.action), related=("threshold",),
           fields=_same("position", "action"),
           refs=(_Ref("threshold", "alert_thresholds", ("threshold",)),
                 _Ref("switch_to_model", "models", ("switch_to_model",)))),
)
TABLE = {table.name: table for table in TABLES}


def _table_rows(configuration: dict) -> dict[str, list[dict]]:
    """The configuration's rows per table; nested rows carry their parent's key."""
    try:
        if configuration["schema_version"] != SCHEMA_VERSION:
            raise LoadError("configuration", "", f"schema version {configuration['schema_version']} is not "
                            f"the version {SCHEMA_VERSION} this program reads")
        policy = configuration["policy"]
        if configuration["reporting_currency"] != policy["reporting_currency"]:
            raise LoadError("pricing policy", TABLE["policy"].show(()), "the reporting currency "
                            f"'{configuration['reporting_currency']}' differs from the policy's "
                            f"'{policy['reporting_currency']}'")
        rows = {name: list(configuration[name]) for name in (
            "currencies", "exchange_rates", "meters", "providers", "models", "workflows", "credit_packs",
            "subscription_plans", "alert_thresholds")}
        rows["policy"] = [policy]
        for name, parent, children, key in (("variants", "models", "variants", "model"),
                                            ("provider_costs", "models", "provider_costs", "model"),
                                            ("credit_rates", "models", "credit_rates", "model"),
                                            ("workflow_steps", "workflows", "steps", "workflow"),
                                            ("threshold_actions", "alert_thresholds", "actions", "threshold")):
            rows[name] = [{**child, key: row["slug"]} for row in rows[parent] for child in row[children]]
    except (KeyError, TypeError) as missing:
        raise LoadError("configuration", "", f"not a configuration document: {missing} is missing") from None
    return rows


# ---- writing --------------------------------------------------------------------------------

def _rules(error: ValidationError) -> str:
    parts = []
    for name, messages in error.message_dict.items():
        text = " ".join(messages)
        parts.append(text if name == NON_FIELD_ERRORS else f"{name}: {text}")
    return "; ".join(parts)


def _refused_by(model: type[models.Model], error: IntegrityError) -> str:
    """The rule the database refused the row by, in the model's own words."""
    text = str(error)
    for constraint in sorted(model._meta.constraints, key=lambda c: len(c.name), reverse=True):
        if constraint.name in text:
            return constraint.get_violation_error_message()
    return f"the database refused the row ({text})"


class _Loader:
    def __init__(self, *, prune: bool, reason: str, user):
        self.prune, self.reason, self.user = prune, reason, user
        self.result = LoadResult()
        self.stored: dict[str, dict[tuple, models.Model]] = {}  # per table: the rows found, by key
        self.wanted: dict[str, set[tuple]] = {}  # per table: the configuration's keys
        self.rows: dict[str, dict[tuple, models.Model]] = {}  # per table: the rows a reference may name

    def _mark(self, instance: models.Model) -> None:
        instance._change_reason = self.reason
        if self.user is not None:
            instance._history_user = self.user

    def _save(self, table: _Table, key: tuple, instance: models.Model) -> None:
        # Foreign keys were found just now; validating each again would cost a query.
        found = [ref.field for ref in table.refs if getattr(instance, f"{ref.field}_id") is not None]
        try:
            # Uniqueness and check constraints: the database enforces them on save
            # (validating them first costs a query each); clean() and field rules here.
            instance.full_clean(exclude=found, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise LoadError(table.label, table.show(key), _rules(error)) from None
        self._mark(instance)
        try:
            instance.save()
        except IntegrityError as error:
            raise LoadError(table.label, table.show(key), _refused_by(table.model, error)) from None

    def _stored_rows(self, table: _Table) -> dict[tuple, models.Model]:
        found, seen = {}, Counter()
        stored = table.model.objects.order_by(*table.order)
        if table.related:
            stored = stored.select_related(*table.related)
        for instance in stored:
            key = table.stored_key(instance)
            if table.repeatable:
                seen[key] += 1
                key = (*key, seen[key] - 1)
            found.setdefault(key, instance)
        return found

    def _keyed(self, table: _Table, rows: list[dict]) -> list[tuple[tuple, dict]]:
        keyed, seen = [], Counter()
        for number, row in enumerate(rows, start=1):
            try:
                key = table.key(row)
            except KeyError as missing:
                raise LoadError(table.label, f"row {number}", f"{missing} is missing") from None
            except ValueError as error:
                raise LoadError(table.label, f"row {number}", str(error)) from None
            if table.repeatable:
                seen[key] += 1
                key = (*key, seen[key] - 1)
            elif key in seen:
                raise LoadError(table.label, table.show(key), "appears twice in the configuration")
            seen[key] += 1
            keyed.append((key, row))
        return keyed

    def _values(self, table: _Table, key: tuple, row: dict) -> dict:
        values = {}
        for name, convert in table.fields.items():
            try:
                values[name] = convert(row[name])
            except KeyError:
                raise LoadError(table.label, table.show(key), f"{name}: missing") from None
            except ValueError as error:
                raise LoadError(table.label, table.show(key), f"{name}: {error}") from None
        for ref in table.refs:
            try:
                target = ref.target(row)
            except KeyError as missing:
                raise LoadError(table.label, table.show(key), f"{missing} is missing") from None
            if target is None:
                values[ref.field] = None
                continue
            found = self.rows[ref.table].get(target)
            if found is None:
                noun = TABLE[ref.table].model._meta.verbose_name
                where = "in the configuration" if self.prune else "in the configuration or the draft"
                raise LoadError(table.label, table.show(key),
                                f"{ref.keys[-1]}: there is no {noun} '{' / '.join(map(str, target))}' {where}")
            values[ref.field] = found
        return values

    def _differing(self, table: _Table, instance: models.Model, values: dict) -> dict:
        refs = {ref.field for ref in table.refs}
        differing = {}
        for name, value in values.items():
            if name in refs:
                now = getattr(instance, f"{name}_id")
                if now != (None if value is None else value.pk):
                    differing[name] = value
            elif getattr(instance, name) != value:
                differing[name] = value
        return differing

    def upsert(self, table: _Table, rows: list[dict]) -> None:
        label = table.label
        stored = self.stored[table.name] = self._stored_rows(table)
        keyed = self._keyed(table, rows)
        self.wanted[table.name] = {key for key, _ in keyed}
        self.rows[table.name] = dict(stored) if not self.prune else {}
        if table.model is Variant:
            keyed = self._defaults_last(keyed, stored)
        for key, row in keyed:
            values = self._values(table, key, row)
            instance = stored.get(key)
            if instance is None:
                instance = table.model(**values)
                self._save(table, key, instance)
                self.result.created[label] += 1
            else:
                differing = self._differing(table, instance, values)
                if differing:
                    for name, value in differing.items():
                        setattr(instance, name, value)
                    for ref in table.refs:  # the rows just written, not stale copies, for clean()
                        setattr(instance, ref.field, values[ref.field])
                    self._save(table, key, instance)
                    self.result.updated[label] += 1
                else:
                    self.result.unchanged[label] += 1
            self.rows[table.name][key] = instance

    def _defaults_last(self, keyed, stored) -> list:
        """A model has one default variant at a time: rows giving up the default
        are written first, and a stored default the configuration lacks gives it up
        before another takes it. Otherwise the configuration's order is kept."""
        table = TABLE["variants"]
        defaults = defaultdict(list)
        for key, row in keyed:
            if row.get("is_default"):
                defaults[key[0]].append(key[1])
        for model, slugs in defaults.items():
            if len(slugs) > 1:
                raise LoadError(table.label, table.show((model, slugs[1])),
                                f"a model has exactly one default variant; {' and '.join(slugs)} are both default")
        new_default = set(defaults)
        wanted = {key for key, _ in keyed}
        for key, instance in stored.items():
            if instance.is_default and key not in wanted and key[0] in new_default:
                instance.is_default = False
                self._save(table, key, instance)
                self.result.updated[table.label] += 1
        giving_up = {key for key, row in keyed
                     if key in stored and stored[key].is_default and not row.get("is_default")}
        return sorted(keyed, key=lambda item: item[0] not in giving_up)

    @staticmethod
    def _still_used(table: _Table, key: tuple, users) -> None:
        named = sorted(f"{user._meta.verbose_name} '{user}'" for user in users)
        raise LoadError(table.label, table.show(key), "cannot be deleted: still used by " + ", ".join(named))

    def prune_all(self) -> None:
        """Stored rows the configuration lacks, children before the rows they point to."""
        for table in reversed(TABLES):
            for key, instance in self.stored[table.name].items():
                if key in self.wanted[table.name]:
                    continue
                self._mark(instance)
                try:
                    instance.delete()
                except ProtectedError as error:
                    self._still_used(table, key, error.protected_objects)
                except RestrictedError as error:
                    self._still_used(table, key, error.restricted_objects)
                self.result.deleted[table.label] += 1


@transaction.atomic
def draft_load(configuration: dict, *, prune: bool, reason: str, user=None) -> LoadResult:
    """Write the draft tables so that they hold `configuration`. With `prune`, rows
    the configuration lacks are deleted; without, they are left alone. Each
    written row's history records `reason` and `user`. Raises LoadError naming
    the table, the row and the rule; then nothing is written."""
    rows = _table_rows(configuration)
    loader = _Loader(prune=prune, reason=reason, user=user)
    for table in TABLES:
        loader.upsert(table, rows[table.name])
    if prune:
        loader.prune_all()
    return loader.result


def release_restore(*, version: int, user) -> LoadResult:
    """Load release `version` back into the draft, exactly: rows it lacks are
    deleted. The release itself is never changed; publishing the draft again
    gives a new version with the same configuration."""
    if user is not None and not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("restoring a release needs the permission to publish releases (the publisher role)")
    release = release_named(version=version)
    return draft_load(configuration_of(release_document(release)), prune=True,
                      reason=f"Restored from release v{version}", user=user)
