"""Check constraints evaluated in memory (billingcfg.conditions.check_holds) say
what the database says, on every check constraint of every configuration model,
for valid rows and for rows with the columns the rule reads set to the values
that break rules: empty, zero, negative, each choice, another row's key."""

import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from billingcfg.conditions import check_holds, condition_fields
from tests import factories as f

CHECKS = [
    pytest.param(model, constraint, id=f"{model.__name__}.{constraint.name}")
    for model in f.configuration_models()
    for constraint in model._meta.constraints
    if isinstance(constraint, models.CheckConstraint)
]


def _stored_values(model) -> dict:
    """The column values of a valid row, to build unsaved twins from (the rows it points to are saved)."""
    saved = f.VALID_ROW[model]()
    return {
        field.attname: getattr(saved, field.attname) for field in model._meta.concrete_fields if not field.primary_key
    }


def _candidates(model, field, values: dict) -> list:
    """Values that sit on each side of the rules a column takes part in."""
    if field.is_relation:
        another = f.VALID_ROW[field.related_model]().pk
        siblings = [
            values[other.attname]
            for other in model._meta.concrete_fields
            if other.is_relation and other is not field and other.related_model is field.related_model
        ]
        return [None, another, *siblings]
    found = [None]
    if field.choices:
        found += [value for value, _label in field.choices] + [""]
    elif isinstance(field, models.BooleanField):
        found += [True, False]
    elif isinstance(field, models.DecimalField):
        found += [
            Decimal("0"),
            Decimal("-1"),
            Decimal("-0.0001"),
            Decimal("0.5"),
            Decimal("1"),
            Decimal("1.5"),
            Decimal("100"),
        ]
    elif isinstance(field, models.IntegerField):
        found += [0, -1, 1, 2, 8, 9]
    elif isinstance(field, models.CharField):
        found += ["", "x"]
    return found


def _rows(model, constraint):
    """(what was changed, unsaved row): the valid row, then every column the rule
    reads set to each candidate, alone and in pairs."""
    values = _stored_values(model)
    read = sorted(condition_fields(constraint.condition))
    fields = [model._meta.get_field(name) for name in read]
    options = {field.attname: _candidates(model, field, values) for field in fields}
    yield "valid row", model(**values)
    for size in (1, 2):
        for names in itertools.combinations(options, size):
            for chosen in itertools.product(*(options[name] for name in names)):
                change = dict(zip(names, chosen, strict=True))
                yield repr(change), model(**{**values, **change})


def _database_says(model, constraint, row) -> bool:
    try:
        constraint.validate(model, row)
    except ValidationError:
        return False
    return True


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "constraint"), CHECKS)
def test_in_memory_and_the_database_agree(model, constraint):
    rows = list(_rows(model, constraint))

    with CaptureQueriesContext(connection) as queries:
        in_memory = [check_holds(constraint, row) for _label, row in rows]
    database = [_database_says(model, constraint, row) for _label, row in rows]

    disagreements = [
        f"{label}: in memory {memory}, database {says}"
        for (label, _row), memory, says in zip(rows, in_memory, database, strict=True)
        if memory != says
    ]
    assert disagreements == []
    assert len(queries) == 0, "evaluated in memory, with no query"
    # The rows reach both sides of the rule, so agreement means something.
    assert database[0] is True, "the factory's row is valid"
    assert False in database


def test_every_configuration_model_with_a_check_is_covered():
    covered = {param.values[0].__name__ for param in CHECKS}
    assert {
        "ProviderCost",
        "CreditRate",
        "Product",
        "AlertThreshold",
        "ThresholdAction",
        "ExchangeRate",
        "WorkflowStep",
        "Workflow",
        "Currency",
        "CreditPack",
        "SubscriptionPlan",
    } <= covered


def test_condition_fields_names_each_column_a_rule_reads():
    from rates.models import CreditRate

    rules = {
        c.name: condition_fields(c.condition)
        for c in CreditRate._meta.constraints
        if isinstance(c, models.CheckConstraint)
    }
    assert rules["credit_rate_default_not_above_max"] == {"default_quantity", "max_quantity"}
    assert rules["credit_rate_credits_positive"] == {"credits"}
