"""Price per credit of packs and plans, against seed 003's own table."""

from decimal import Decimal

import pytest

from billingcfg.money import round_places
from plans.pricing import price_per_credit


@pytest.mark.parametrize(
    ("offer", "credits", "price", "per_credit"),
    [
        ("Starter", 250, "15", "0.060"),
        ("Booster", 500, "28", "0.056"),
        ("Pro", 1000, "52", "0.052"),
        ("Studio", 2500, "120", "0.048"),
        ("Explorer", 400, "19", "0.0475"),
        ("Agency", 5000, "179", "0.0358"),
    ],
)
def test_seed_003_price_per_credit(offer, credits, price, per_credit):
    result = price_per_credit(price=Decimal(price), credits=credits)

    assert isinstance(result, Decimal)
    assert result == Decimal(per_credit)


def test_seed_003_creator_plan_is_not_rounded_inside():
    """1,500 credits for $59: $0.039333… a credit; seed 003 shows it rounded to $0.0393."""
    result = price_per_credit(price=Decimal("59"), credits=1500)

    assert result.quantize(Decimal("1E-15")) == Decimal("0.039333333333333")
    assert round_places(result, 4) == Decimal("0.0393")


@pytest.mark.parametrize(
    ("credits", "bonus", "price", "per_credit"),
    [(250, 50, "15", "0.05"), (500, 0, "28", "0.056"), (1000, 300, "52", "0.04")],
)
def test_bonus_credits_count(credits, bonus, price, per_credit):
    assert price_per_credit(price=Decimal(price), credits=credits, bonus_credits=bonus) == Decimal(per_credit)


def test_a_free_pack_costs_nothing_per_credit():
    assert price_per_credit(price=Decimal("0"), credits=50) == 0


@pytest.mark.parametrize(("credits", "bonus"), [(0, 0), (-10, 5)])
def test_an_offer_without_credits_is_refused(credits, bonus):
    with pytest.raises(ValueError, match="an offer must grant at least one credit"):
        price_per_credit(price=Decimal("15"), credits=credits, bonus_credits=bonus)


def test_a_negative_price_is_refused():
    with pytest.raises(ValueError, match="an offer's price cannot be negative"):
        price_per_credit(price=Decimal("-0.01"), credits=250)
