"""A constraint's condition evaluated on an unsaved row in memory, as the
database would evaluate it, so that a form with many rows or an import of
20,000 validates every rule without a query per rule per row.

Django asks the database (one query per constraint per row). This evaluates the
same `Q` with SQL's three-valued logic: a comparison with NULL is unknown, and a
condition that is unknown passes, as a CHECK does and as Django's `Q.check`
does. Plain comparisons, `in`, `isnull` and `F()` of a field of the same row
are read here; anything else is asked of the database, one query. Tested
against the database on every constraint of every configuration model.
"""

import operator

from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, F, Model, Q, Value

_COMPARE = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class Unreadable(Exception):
    """The condition uses something this evaluator does not know."""


def _value(instance, name: str):
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname)


def _operand(instance, value):
    if isinstance(value, F):
        if "__" in value.name:
            raise Unreadable(value.name)
        return _value(instance, value.name)
    if hasattr(value, "resolve_expression"):
        raise Unreadable(repr(value))
    return value


def _lookup(instance, path: str, value):
    """True, False or None (unknown) for one `field__lookup=value`."""
    name, _, lookup = path.partition("__")
    if "__" in lookup:
        raise Unreadable(path)
    lookup = lookup or "exact"
    actual = _value(instance, name)
    if lookup == "isnull":
        return (actual is None) == bool(value)
    if lookup == "exact" and value is None:  # Django turns field=None into IS NULL
        return actual is None
    expected = _operand(instance, value)
    if lookup == "in":
        if actual is None:
            return None
        return actual in list(expected)
    compare = _COMPARE.get(lookup)
    if compare is None:
        raise Unreadable(path)
    if actual is None or expected is None:
        return None
    return compare(actual, expected)


def _and(values):
    values = list(values)
    if any(value is False for value in values):
        return False
    return None if any(value is None for value in values) else True


def _or(values):
    values = list(values)
    if any(value is True for value in values):
        return True
    return None if any(value is None for value in values) else False


def _evaluate(instance, condition: Q):
    parts = []
    for child in condition.children:
        if isinstance(child, Q):
            parts.append(_evaluate(instance, child))
        else:
            path, value = child
            parts.append(_lookup(instance, path, value))
    result = _and(parts) if condition.connector == Q.AND else _or(parts)
    if condition.negated:
        result = None if result is None else not result
    return result


def field_values(instance: Model) -> dict[str, Value]:
    """What a condition is checked against in the database: each concrete field's value, typed as the field."""
    values = {}
    for field in instance._meta.concrete_fields:
        values[field.name] = values[field.attname] = Value(getattr(instance, field.attname), output_field=field)
    return values


def condition_holds(condition: Q, instance: Model) -> bool:
    """Whether an unsaved row falls under a condition (a conditional unique
    constraint's), an unknown result counting as true, as `Q.check` counts it."""
    try:
        return _evaluate(instance, condition) is not False
    except Unreadable:
        return condition.check(field_values(instance))


def check_holds(constraint: CheckConstraint, instance: Model) -> bool:
    """Whether an unsaved row satisfies a check constraint."""
    try:
        return _evaluate(instance, constraint.condition) is not False
    except Unreadable:
        try:
            constraint.validate(type(instance), instance)
        except ValidationError:
            return False
        return True


def condition_fields(condition: Q) -> set[str]:
    """The fields a condition reads, e.g. {"price"} for Q(price__gte=0)."""
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= condition_fields(child)
        else:
            path, value = child
            names.add(path.partition("__")[0])
            if isinstance(value, F):
                names.add(value.name.partition("__")[0])
    return names
