"""Every decimal the admin accepts reads back exactly, digit for digit, on SQLite
(15 significant digits) and PostgreSQL: the largest value of its size, the
smallest step, a value with every digit significant, and any value in between.

The fields come from _meta, so a new decimal field is covered without a new test.
"""

from decimal import Decimal

import pytest
from django.db import models
from hypothesis import given, settings
from hypothesis import strategies as st

from billingcfg.digits import DecimalSize
from billingcfg.models import Product
from rates.models import ProviderCost, WorkflowStep
from tests import factories as f

# Where a constraint narrows a column below its size: (floor, ceiling) of the
# values the admin accepts. Elsewhere every value above 0 up to the largest
# the size holds is accepted (no decimal column takes negatives).
NARROWED = {
    (Product, "target_gross_margin"): (Decimal("0"), Decimal("0.9999")),
    (Product, "target_gross_margin_high"): (Decimal("0"), Decimal("0.9999")),
    (WorkflowStep, "probability"): (Decimal("0"), Decimal("1.0000")),
    (WorkflowStep, "multiplier"): (Decimal("1"), None),
}

# What else a row needs before this field may hold a value.
PREREQUISITES = {
    (Product, "fixed_revenue_per_credit"): {"revenue_basis": "fixed"},
    (Product, "target_gross_margin_high"): {"target_gross_margin": Decimal("0")},
    (ProviderCost, "tier_threshold"): {"tier_mode": "cliff"},
    (ProviderCost, "price_high"): {"price": Decimal("0")},
}

SIGNIFICANT_DIGITS = "123456789012345"


def decimal_fields():
    return [
        (model, field)
        for model in f.configuration_models()
        for field in model._meta.concrete_fields
        if field.get_internal_type() == "DecimalField"
    ]


def size_of(field) -> DecimalSize:
    return DecimalSize(field.max_digits, field.decimal_places)


def bounds(model, field) -> tuple[Decimal, Decimal]:
    """Exclusive floor and inclusive ceiling of the values the admin accepts."""
    floor, ceiling = NARROWED.get((model, field.name), (Decimal("0"), None))
    return floor, size_of(field).largest if ceiling is None else ceiling


def extremes(model, field) -> dict[str, Decimal]:
    size = size_of(field)
    floor, ceiling = bounds(model, field)
    whole_digits = size.max_digits - size.decimal_places
    digits = SIGNIFICANT_DIGITS[: size.max_digits]
    every_digit = Decimal(f"{digits[:whole_digits] or '0'}.{digits[whole_digits:]}")
    if every_digit > ceiling:
        every_digit = Decimal(f"0.{digits[whole_digits:]}")
    return {"largest": ceiling, "step": floor + size.step, "every-digit": every_digit}


def _cases():
    return [
        pytest.param(model, field.name, kind, value, id=f"{model.__name__}.{field.name}={value}")
        for model, field in decimal_fields()
        for kind, value in extremes(model, field).items()
    ]


def row_ready_for(model, name):
    row = f.VALID_ROW[model]()
    for attribute, value in PREREQUISITES.get((model, name), {}).items():
        setattr(row, attribute, value)
    return row


def assert_round_trips(row, name: str, value: Decimal) -> None:
    model = type(row)
    setattr(row, name, value)
    # The admin accepts it; otherwise NARROWED or PREREQUISITES above is out of date.
    row.full_clean()
    row.save()

    row.refresh_from_db()
    fresh = model.objects.get(pk=row.pk)
    (listed,) = model.objects.filter(pk=row.pk).values_list(name, flat=True)
    audited = getattr(row.history.first(), name)
    for read in (getattr(row, name), getattr(fresh, name), listed, audited):
        assert (read, str(read)) == (value, str(value))
    assert model.objects.filter(**{name: value}).get().pk == row.pk


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "name", "kind", "value"), _cases())
def test_extreme_values_read_back_exactly(model, name, kind, value):
    assert_round_trips(row_ready_for(model, name), name, value)


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "name"), [(m, fld.name) for m, fld in decimal_fields()], ids=str)
def test_any_value_of_the_size_reads_back_exactly(model, name):
    field = model._meta.get_field(name)
    step = size_of(field).step
    floor, ceiling = bounds(model, field)
    row = row_ready_for(model, name)

    @settings(max_examples=50, deadline=None, database=None)
    @given(st.decimals(min_value=floor + step, max_value=ceiling, places=field.decimal_places))
    def round_trips(value):
        assert_round_trips(row, name, value.quantize(step))

    round_trips()


def test_every_decimal_field_is_walked():
    """The walk over _meta finds the columns money and credits live in (so the tests above are not empty)."""
    found = {f"{model.__name__}.{field.name}" for model, field in decimal_fields()}

    assert {"CreditPack.price", "ProviderCost.price", "CreditRate.credits", "ExchangeRate.to_amount"} <= found


@pytest.mark.parametrize(
    ("size", "kind", "text"),
    [
        ((15, 4), "largest", "99999999999.9999"),
        ((15, 4), "step", "0.0001"),
        ((15, 4), "every-digit", "12345678901.2345"),
        ((15, 8), "every-digit", "1234567.89012345"),
        ((15, 6), "every-digit", "123456789.012345"),
    ],
)
def test_the_extremes_tried_for_a_plain_column(size, kind, text):
    max_digits, decimal_places = size
    field = models.DecimalField(max_digits=max_digits, decimal_places=decimal_places)

    assert str(extremes(None, field)[kind]) == text


@pytest.mark.parametrize(
    ("model", "name", "expected"),
    [
        (Product, "target_gross_margin", {"largest": "0.9999", "step": "0.0001", "every-digit": "0.2345"}),
        (WorkflowStep, "probability", {"largest": "1.0000", "step": "0.0001", "every-digit": "0.2345"}),
        (WorkflowStep, "multiplier", {"largest": "99999.9999", "step": "1.0001", "every-digit": "12345.6789"}),
    ],
)
def test_the_extremes_tried_for_a_narrowed_column(model, name, expected):
    extremes_tried = extremes(model, model._meta.get_field(name))

    assert {kind: str(value) for kind, value in extremes_tried.items()} == expected
