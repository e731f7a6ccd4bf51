"""Decimal column sizes, defined once, all readable back exactly on SQLite."""

from decimal import Decimal

import pytest

from billingcfg import digits
from billingcfg.digits import SQLITE_SIGNIFICANT_DIGITS, DecimalSize

SIZES = {name: value for name, value in vars(digits).items() if isinstance(value, DecimalSize)}


@pytest.mark.parametrize(
    ("max_digits", "decimal_places", "largest", "step"),
    [
        (15, 4, "99999999999.9999", "0.0001"),
        (15, 8, "9999999.99999999", "0.00000001"),
        (15, 6, "999999999.999999", "0.000001"),
        (9, 4, "99999.9999", "0.0001"),
        (5, 4, "9.9999", "0.0001"),
        (4, 4, "0.9999", "0.0001"),
        (5, 0, "99999", "1"),
    ],
)
def test_largest_and_step(max_digits, decimal_places, largest, step):
    size = DecimalSize(max_digits, decimal_places)

    assert str(size.largest) == largest
    assert (size.step, size.step.as_tuple().exponent) == (Decimal(step), -decimal_places)


@pytest.mark.parametrize("max_digits", [16, 20, 28])
def test_a_size_sqlite_cannot_read_back_is_refused(max_digits):
    with pytest.raises(ValueError, match=f"{max_digits} digits do not read back exactly on SQLite"):
        DecimalSize(max_digits, 2)


def test_fifteen_digits_are_allowed():
    assert DecimalSize(15, 2).field_kwargs == {"max_digits": 15, "decimal_places": 2}


@pytest.mark.parametrize("name", sorted(SIZES))
def test_every_size_in_use_fills_its_digits_and_no_more(name):
    size = SIZES[name]
    largest = size.largest.as_tuple()
    beyond = (size.largest + size.step).as_tuple()

    assert size.max_digits <= SQLITE_SIGNIFICANT_DIGITS
    assert (len(largest.digits), largest.exponent) == (size.max_digits, -size.decimal_places)
    assert len(beyond.digits) > size.max_digits


def test_the_sizes_of_money_and_credits_are_defined():
    assert {"OFFER_PRICE", "UNIT_PRICE", "FX_AMOUNT", "CREDITS", "QUANTITY", "FRACTION"} <= set(SIZES)


def test_sizes_are_values():
    assert DecimalSize(15, 4) == digits.OFFER_PRICE
    with pytest.raises(AttributeError):
        digits.OFFER_PRICE.max_digits = 20
    assert digits.UNIT_PRICE.largest == Decimal("9999999.99999999")
