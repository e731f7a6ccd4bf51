"""Loading a configuration into the draft tables: a release's (restore) or the
demo's. Rows are matched by their natural keys (slugs, codes, never ids) and
written only when a value differs, each through its model: validated, then
saved, so the history records who loaded it and why. One transaction: a
failure writes nothing.

The configuration is the shape `billingcfg.releases.document.draft_configuration()`
returns; after `draft_load(configuration, prune=True, …)` that function returns
`configuration` again."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import itemgetter

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError

from billingcfg.models import Product
from billingcfg.releases.document import SCHEMA_VERSION, configuration_of, whole_configuration
from billingcfg.releases.services import PUBLISH_PERMISSION, release_document, release_named
from billingcfg.releases.tables import TABLE, TABLES, Table, configuration_rows, refused_by
from rates.models import Variant


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


def _table_rows(configuration: dict) -> dict[str, list[dict]]:
    """The configuration's rows per table; nested rows carry their parent's key. A
    product's document, or one from before products, loads as that one product."""
    try:
        if configuration["schema_version"] not in (1, SCHEMA_VERSION):
            raise LoadError(
                "configuration",
                "",
                f"schema version {configuration['schema_version']} is not "
                f"the version {SCHEMA_VERSION} this program reads",
            )
        rows = configuration_rows(whole_configuration(configuration))
    except (KeyError, TypeError) as missing:
        raise LoadError("configuration", "", f"not a configuration document: {missing} is missing") from None
    return rows


# Tables whose rows hold one default per group: the group of a row's key, and the rule in words.
_ONE_DEFAULT = {
    Variant: (itemgetter(0), "a model has exactly one default variant"),
    Product: (lambda key: (), "a configuration has exactly one default product"),
}


# ---- writing --------------------------------------------------------------------------------


def _rules(error: ValidationError) -> str:
    parts = []
    for name, messages in error.message_dict.items():
        text = " ".join(messages)
        parts.append(text if name == NON_FIELD_ERRORS else f"{name}: {text}")
    return "; ".join(parts)


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

    def _save(self, table: Table, key: tuple, instance: models.Model) -> None:
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
            raise LoadError(table.label, table.show(key), refused_by(table.model, error)) from None

    def _stored_rows(self, table: Table) -> dict[tuple, models.Model]:
        found, seen = {}, Counter()
        stored = table.model.objects.order_by(*(table.order if table.repeatable else ("pk",)))
        if table.related:
            stored = stored.select_related(*table.related)
        for instance in stored:
            key = table.stored_key(instance)
            if table.repeatable:
                seen[key] += 1
                key = (*key, seen[key] - 1)
            found.setdefault(key, instance)
        return found

    def _keyed(self, table: Table, rows: list[dict]) -> list[tuple[tuple, dict]]:
        keyed, seen = [], Counter()
        for number, row in enumerate(rows, start=1):
            try:
                key = table.row_key(row)
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

    def _values(self, table: Table, key: tuple, row: dict) -> dict:
        values = {}
        for name, column in table.fields.items():
            try:
                values[name] = column.kind.load(row[name])
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
                raise LoadError(
                    table.label,
                    table.show(key),
                    f"{ref.keys[-1]}: there is no {noun} '{' / '.join(map(str, target))}' {where}",
                )
            values[ref.field] = found
        return values

    def _differing(self, table: Table, instance: models.Model, values: dict) -> dict:
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

    def upsert(self, table: Table, rows: list[dict]) -> None:
        label = table.label
        stored = self.stored[table.name] = self._stored_rows(table)
        keyed = self._keyed(table, rows)
        self.wanted[table.name] = {key for key, _ in keyed}
        self.rows[table.name] = dict(stored) if not self.prune else {}
        if table.model in _ONE_DEFAULT:
            keyed = self._defaults_last(table, keyed, stored)
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

    def _defaults_last(self, table: Table, keyed, stored) -> list:
        """One default at a time (a model's variant, the configuration's product): rows
        giving up the default are written first, and a stored default the configuration
        lacks gives it up before another takes it. Otherwise the configuration's order is kept."""
        group, rule = _ONE_DEFAULT[table.model]
        defaults = defaultdict(list)
        for key, row in keyed:
            if row.get("is_default"):
                defaults[group(key)].append(key)
        for keys in defaults.values():
            if len(keys) > 1:
                both = " and ".join(table.show(key) for key in keys)
                raise LoadError(table.label, table.show(keys[1]), f"{rule}; {both} are both default")
        new_default = set(defaults)
        wanted = {key for key, _ in keyed}
        for key, instance in stored.items():
            if instance.is_default and key not in wanted and group(key) in new_default:
                instance.is_default = False
                self._save(table, key, instance)
                self.result.updated[table.label] += 1
        giving_up = {
            key for key, row in keyed if key in stored and stored[key].is_default and not row.get("is_default")
        }
        return sorted(keyed, key=lambda item: item[0] not in giving_up)

    @staticmethod
    def _still_used(table: Table, key: tuple, users) -> None:
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
    return draft_load(
        configuration_of(release_document(release)), prune=True, reason=f"Restored from release v{version}", user=user
    )
