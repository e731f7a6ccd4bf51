"""Exchange rates from two quoted amounts, against seeds 000 and 002."""

from decimal import Decimal

import pytest

from billingcfg.fx import rate_from_amounts


def test_seed_000_points_per_rmb():
    """¥99 buys 1,600,000 points: ≈ 16,161.62 points per yuan."""
    rate = rate_from_amounts(from_amount=Decimal("99"), to_amount=Decimal("1600000"))

    assert rate.quantize(Decimal("0.01")) == Decimal("16161.62")
    assert rate.quantize(Decimal("1E-20")) == Decimal("16161.61616161616161616162")


def test_seed_000_rmb_per_point_is_exact():
    assert rate_from_amounts(from_amount=Decimal("1600000"), to_amount=Decimal("99")) == Decimal("0.000061875")


@pytest.mark.parametrize(
    ("call", "cost_rmb", "points", "places"),
    [("2.5 flash", "0.000765", "12.4", "0.1"), ("3 flash", "0.00195", "31.5", "0.1"), ("3 pro", "0.0117", "189", "1")],
)
def test_seed_000_cost_of_a_call_in_points(call, cost_rmb, points, places):
    rate = rate_from_amounts(from_amount=Decimal("99"), to_amount=Decimal("1600000"))

    assert (Decimal(cost_rmb) * rate).quantize(Decimal(places)) == Decimal(points)


def test_seed_002_usd_to_twd_both_ways():
    """1 USD = 32 TWD, so 2,000 users × 100 TWD = 200,000 TWD = $6,250."""
    usd_to_twd = rate_from_amounts(from_amount=Decimal("1"), to_amount=Decimal("32"))
    twd_to_usd = rate_from_amounts(from_amount=Decimal("32"), to_amount=Decimal("1"))

    assert usd_to_twd == Decimal("32")
    assert twd_to_usd == Decimal("0.03125")
    assert Decimal("200000") * twd_to_usd == Decimal("6250")


@pytest.mark.parametrize(("from_amount", "to_amount"), [("0", "32"), ("1", "0"), ("-1", "32"), ("1", "-32")])
def test_an_amount_that_is_not_positive_is_refused(from_amount, to_amount):
    with pytest.raises(ValueError, match="both sides of an exchange rate must be positive"):
        rate_from_amounts(from_amount=Decimal(from_amount), to_amount=Decimal(to_amount))
