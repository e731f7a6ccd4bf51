"""A model's check constraints evaluated on an unsaved instance in memory, as
the database would evaluate them, so that an import of 20,000 rows validates
every rule without a query per rule per row.

Django's own `CheckConstraint.validate` asks the database (one query per
constraint per row). This evaluates the same `Q` with SQL's three-valued logic:
a comparison with NULL is unknown, and a CHECK whose condition is unknown
passes. A condition this module cannot read (a lookup or expression it does not
know) is reported as `None`, and the caller falls back to the database.
Tested against the database on every constraint of every configuration model.
"""

import operator

from django.db.models import CheckConstraint, F, Q

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


def check_holds(constraint: CheckConstraint, instance) -> bool | None:
    """Whether `instance` satisfies the check constraint (an unknown condition
    passes, as in SQL); None when the condition cannot be read here."""
    try:
        result = _evaluate(instance, constraint.condition)
    except Unreadable:
        return None
    return result is not False
