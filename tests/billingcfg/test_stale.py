"""A row's fingerprint: the same stored values always give the same print, any
change of any value gives another, and reading a row again, on SQLite or
PostgreSQL, or from its history, never moves it (a moved print refuses a save)."""

import datetime
from decimal import Decimal

import pytest

from billingcfg import digits
from billingcfg.admin.stale import ABSENT, fingerprint
from rates.models import CreditRate, ProviderCost
from tests import factories as f


def _rate(**changes) -> CreditRate:
    values = {
        "id": 7,
        "product_id": 1,
        "model_id": 3,
        "supplier_id": None,
        "variant_id": 5,
        "meter_id": 2,
        "credits": Decimal("35"),
        "per_units": 1,
        "minimum_charge": 0,
        "allowed_quantities": "4, 8, 12",
        "min_quantity": None,
        "max_quantity": None,
        "default_quantity": Decimal("4"),
        "active": True,
        "notes": "",
    }
    return CreditRate(**{**values, **changes})


def test_the_same_values_give_the_same_print() -> None:
    assert fingerprint(_rate()) == fingerprint(_rate())
    assert len(fingerprint(_rate())) == 64


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", 8),
        ("product_id", 2),
        ("model_id", 4),
        ("supplier_id", 6),
        ("variant_id", None),
        ("meter_id", 9),
        ("credits", Decimal("35.00000001")),
        ("per_units", 1_000_000),
        ("minimum_charge", 1),
        ("allowed_quantities", "4, 8"),
        ("min_quantity", Decimal("0")),
        ("max_quantity", Decimal("12")),
        ("default_quantity", None),
        ("active", False),
        ("notes", " "),
    ],
)
def test_any_change_of_any_column_gives_another_print(field: str, value: object) -> None:
    assert fingerprint(_rate(**{field: value})) != fingerprint(_rate())


def test_every_column_of_a_credit_rate_is_covered() -> None:
    """A column added later is in the print without anyone remembering to add it."""
    varied = {
        "id",
        "product_id",
        "model_id",
        "supplier_id",
        "variant_id",
        "meter_id",
        "credits",
        "per_units",
        "minimum_charge",
        "allowed_quantities",
        "min_quantity",
        "max_quantity",
        "default_quantity",
        "active",
        "notes",
    }
    assert {field.attname for field in CreditRate._meta.concrete_fields} == varied


@pytest.mark.parametrize(
    ("stored", "same"),
    [
        (Decimal("35.00000000"), Decimal("35")),
        (Decimal("1.50"), Decimal("1.5")),
        (Decimal("0E-8"), Decimal("0")),
    ],
)
def test_decimals_are_compared_by_value_not_by_their_padding(stored: Decimal, same: Decimal) -> None:
    """PostgreSQL pads a decimal to its column's places, a form does not: the same amount."""
    assert fingerprint(_rate(credits=stored)) == fingerprint(_rate(credits=same))


def test_an_empty_value_is_not_zero_and_not_empty_text() -> None:
    assert fingerprint(_rate(min_quantity=None)) != fingerprint(_rate(min_quantity=Decimal("0")))
    assert fingerprint(_rate(variant_id=None)) != fingerprint(_rate(variant_id=0))


def test_rows_of_two_tables_with_the_same_values_differ() -> None:
    cost = ProviderCost(id=7, model_id=3, meter_id=2, price=Decimal("35"), as_of=datetime.date(2025, 10, 1))
    assert fingerprint(cost) != fingerprint(_rate())


def test_no_row_has_its_own_print() -> None:
    assert fingerprint(None) == ABSENT != fingerprint(_rate())


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(f.VALID_ROW), ids=lambda model: model._meta.label)
def test_a_stored_row_reads_back_with_the_same_print(model) -> None:
    """Read twice, and read from its latest history record (which names who made it
    so): the print of a stored row does not move on this database."""
    row = f.VALID_ROW[model]()
    first = model._default_manager.get(pk=row.pk)
    again = model._default_manager.get(pk=row.pk)
    assert fingerprint(first) == fingerprint(again)
    assert fingerprint(model.history.filter(id=row.pk).latest().instance) == fingerprint(first)


@pytest.mark.django_db
def test_the_extremes_of_a_decimal_column_read_back_with_the_same_print() -> None:
    """The largest credits and the smallest quantity the columns hold (billingcfg.digits)."""
    rate = f.credit_rate(credits=digits.CREDITS.largest, min_quantity=digits.QUANTITY.step)
    stored = CreditRate.objects.get(pk=rate.pk)
    assert fingerprint(stored) == fingerprint(CreditRate.objects.get(pk=rate.pk)) == fingerprint(rate)
    stored.min_quantity = 2 * digits.QUANTITY.step
    assert fingerprint(stored) != fingerprint(rate)
