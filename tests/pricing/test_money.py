"""Rounding and showing amounts: once, at the edge, with an explicit mode."""

from decimal import ROUND_CEILING, Decimal

import pytest

from pricing.money import (
    Band,
    dec,
    digits_and_places,
    format_amount,
    format_band,
    format_exact,
    format_percent,
    format_unit_price,
    round_places,
)


@pytest.mark.parametrize(
    ("amount", "code", "places", "shown"),
    [
        (Decimal("59") / Decimal("1500"), "USD", 4, "0.0393 USD"),  # seed 003, Creator per credit
        (Decimal("0.0475"), "USD", 4, "0.0475 USD"),  # seed 003, Explorer per credit
        (Decimal("1600000"), "PTS", 0, "1,600,000 PTS"),  # seed 000, the ¥99 pack
        (Decimal("6250"), "USD", 2, "6,250.00 USD"),  # seed 002, monthly revenue
        (Decimal("200000"), "TWD", 0, "200,000 TWD"),
        (Decimal("-0.5"), "USD", 2, "-0.50 USD"),
        (Decimal("99999999999.9999"), "USD", 4, "99,999,999,999.9999 USD"),
    ],
)
def test_format_amount(amount, code, places, shown):
    assert format_amount(amount, code, places) == shown


@pytest.mark.parametrize(
    ("amount", "places", "shown"),
    [("0.125", 2, "0.12 USD"), ("0.135", 2, "0.14 USD"), ("1234.5", 0, "1,234 USD"), ("1235.5", 0, "1,236 USD")],
)
def test_halves_round_to_even(amount, places, shown):
    assert format_amount(Decimal(amount), "USD", places) == shown


def test_credits_charged_round_up():
    """Seed 003: 12 s of Sora 2 Pro at 35 credits/s is 420 credits; a sliver more is 421, never 420."""
    assert round_places(Decimal("420"), 0, ROUND_CEILING) == Decimal("420")
    assert round_places(Decimal("420.0001"), 0, ROUND_CEILING) == Decimal("421")


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("2400000.0000", "2,400,000"),
        ("0.30000000", "0.3"),
        ("16161.61616162", "16,161.61616162"),
        ("0E-8", "0"),
        ("100.0000", "100"),
        ("-1234567.50", "-1,234,567.5"),
        ("-0.000", "0"),
        ("1E+2", "100"),
        # 31 digits: every one kept, where Decimal.normalize() rounds to the context's 28
        ("1234567890123456789012345678901.5", "1,234,567,890,123,456,789,012,345,678,901.5"),
    ],
)
def test_format_exact_drops_only_padding_zeros(stored, shown):
    assert format_exact(Decimal(stored)) == shown


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0.10000000"), "0.1"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("1E+1"), "10"),
        (Decimal("480"), "480"),
        (Decimal("-0.000"), "0"),
        (Decimal("0.6508379888268156424581005587"), "0.6508379888268156424581005587"),
        (Decimal("9999999.99999999"), "9999999.99999999"),
        (Decimal("0.00000001"), "0.00000001"),
        (None, None),
    ],
)
def test_decimals_are_exact_text_without_padding_or_exponent(value, text):
    assert dec(value) == text


@pytest.mark.parametrize("stored", ["2400000.0000", "0.30000000", "-0.000", "1234567890123456789012345678901.5"])
def test_format_exact_is_the_exact_text_grouped(stored):
    assert format_exact(Decimal(stored)).replace(",", "") == dec(Decimal(stored))


@pytest.mark.parametrize(
    ("amount", "significant", "shown"),
    [
        ("0.58665", 5, "0.58665"),  # seed 002's coaching hour, exactly
        ("0.58665", 3, "0.587"),  # the seed's own "$0.587"
        ("0.0845070422535", 5, "0.084507"),
        ("0.142", 5, "0.142"),
        ("12.5", 5, "12.50"),
        ("2400000", 5, "2,400,000.00"),
        ("0", 5, "0.00"),
        ("-0.179", 3, "−0.179"),
    ],
)
def test_unit_prices_show_enough_digits_of_a_small_amount(amount, significant, shown):
    assert format_unit_price(Decimal(amount), significant) == shown


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [("0.8", "80.0%"), ("4", "400.0%"), ("-0.3966480446927374", "−39.7%"), ("-0.0001", "0.0%"), ("0.43681", "43.7%")],
)
def test_percentages_have_one_decimal_and_a_true_minus(fraction, shown):
    assert format_percent(Decimal(fraction)) == shown


def test_a_band_shows_as_a_range_and_an_exact_amount_as_one():
    assert format_band(Band(Decimal("0.05"), Decimal("0.20")), "USD") == "0.05–0.20 USD"
    assert format_band(Band.exact(Decimal("0.10")), "USD") == "0.10 USD"
    assert format_band(Band.exact(Decimal("0.10"))) == "0.10"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0", (1, 0)),
        ("0.000", (1, 0)),
        ("12", (2, 0)),
        ("1200", (2, 0)),
        ("1.50", (2, 1)),
        ("0.0000003", (1, 7)),  # seed 001's price per token
        ("2400000", (2, 0)),
        ("-99999999999.9999", (15, 4)),
        ("1e-999999999", (1, 999999999)),  # normalize() would flush it to 0
        ("1234567890123456789012345678901234567891", (40, 0)),  # normalize() would round it to 28 digits
    ],
)
def test_digits_and_places_count_exactly(text, expected):
    assert digits_and_places(Decimal(text)) == expected
