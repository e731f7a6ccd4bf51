"""Rounding and showing amounts: once, at the edge, with an explicit mode."""

from decimal import ROUND_CEILING, Decimal

import pytest

from billingcfg.money import format_amount, format_exact, round_places


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
    ],
)
def test_format_exact_drops_only_padding_zeros(stored, shown):
    assert format_exact(Decimal(stored)) == shown
