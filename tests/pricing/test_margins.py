"""Gross margin and markup, labelled apart (seed 003's "400% margin" is a
markup), and the credits that reach a target margin."""

from decimal import Decimal

import pytest

from pricing.margins import Margin, MarginBand, credits_for_target
from pricing.money import Band


@pytest.mark.parametrize(
    ("model", "revenue", "cost", "profit", "gross_margin", "markup"),
    [
        ("Sora 2, 1 s", "0.50", "0.10", "0.40", "0.8", "4"),  # seed 003's "400% margin"
        ("Sora 2, 8 s", "4.00", "0.80", "3.20", "0.8", "4"),
        ("Veo 3, 8 s", "24.00", "6.00", "18.00", "0.75", "3"),
        ("Sora 2 Pro, 1 s", "1.75", "0.50", "1.25", "0.7142857142857142857142857143", "2.5"),
        ("WAN Draft, 1 s", "0.10", "0.09", "0.01", "0.1", "0.1111111111111111111111111111"),
        ("break-even", "0.50", "0.50", "0", "0", "0"),
        ("loss", "0.25", "0.50", "-0.25", "-1", "-0.5"),
    ],
)
def test_gross_margin_and_markup(model, revenue, cost, profit, gross_margin, markup):
    margin = Margin(Decimal(revenue), Decimal(cost))

    assert margin.profit == Decimal(profit)
    assert margin.gross_margin == Decimal(gross_margin)
    assert margin.markup == Decimal(markup)


@pytest.mark.parametrize(
    ("revenue", "cost", "is_loss"),
    [("0.50", "0.10", False), ("0.50", "0.50", False), ("0.49", "0.50", True), ("0", "0.10", True)],
)
def test_a_loss_is_revenue_below_cost(revenue, cost, is_loss):
    assert Margin(Decimal(revenue), Decimal(cost)).is_loss is is_loss


def test_nothing_earned_has_no_gross_margin():
    margin = Margin(Decimal("0"), Decimal("0.10"))

    assert margin.gross_margin is None
    assert margin.markup == Decimal("-1")


def test_nothing_spent_has_no_markup():
    margin = Margin(Decimal("0.50"), Decimal("0"))

    assert margin.markup is None
    assert margin.gross_margin == Decimal("1")


def test_nothing_earned_nor_spent_has_neither():
    margin = Margin(Decimal("0"), Decimal("0"))

    assert (margin.gross_margin, margin.markup, margin.is_loss) == (None, None, False)


def test_margin_band_judges_the_worst_at_the_cost_band_high_end():
    """Seed 003's Mochi at 10 credits/s and $0.05 a credit, costing $0.05–$0.20/s."""
    band = MarginBand.of(Decimal("0.50"), Band(Decimal("0.05"), Decimal("0.20")))

    assert band.worst == Margin(Decimal("0.50"), Decimal("0.20"))
    assert band.best == Margin(Decimal("0.50"), Decimal("0.05"))
    assert band.worst.gross_margin == Decimal("0.6")
    assert band.best.gross_margin == Decimal("0.9")
    assert band.worst.markup == Decimal("1.5")
    assert band.best.markup == Decimal("9")


def test_margin_band_of_an_exact_cost():
    band = MarginBand.of(Decimal("0.50"), Band.exact(Decimal("0.10")))

    assert band.worst == band.best


@pytest.mark.parametrize(
    ("model", "cost", "revenue_per_credit", "target", "credits"),
    [
        ("Sora 2", "0.10", "0.05", "0.75", "8"),
        ("Sora 2 Pro", "0.50", "0.05", "0.75", "40"),
        ("Veo 3", "0.75", "0.05", "0.75", "60"),
        ("Sora 2 at 80%", "0.10", "0.05", "0.8", "10"),  # seed 003's 10 credits/s
        ("no target", "0.10", "0.05", "0", "2"),
        ("Sora 2 at the lowest price", "0.10", "0.0358", "0.75", "11.17318435754189944134078212"),
        ("free to run", "0", "0.05", "0.75", "0"),
    ],
)
def test_credits_for_target(model, cost, revenue_per_credit, target, credits):
    result = credits_for_target(
        cost=Decimal(cost), revenue_per_credit=Decimal(revenue_per_credit), target_gross_margin=Decimal(target)
    )

    assert result == Decimal(credits)


def test_the_credits_for_a_target_reach_exactly_that_target():
    credits = credits_for_target(
        cost=Decimal("0.10"), revenue_per_credit=Decimal("0.05"), target_gross_margin=Decimal("0.75")
    )

    assert Margin(credits * Decimal("0.05"), Decimal("0.10")).gross_margin == Decimal("0.75")


@pytest.mark.parametrize(
    ("revenue_per_credit", "target", "message"),
    [
        ("0", "0.75", "revenue per credit must be above 0"),
        ("-0.05", "0.75", "revenue per credit must be above 0"),
        ("0.05", "1", "a target gross margin is a fraction from 0 up to 1"),
        ("0.05", "1.5", "a target gross margin is a fraction from 0 up to 1"),
        ("0.05", "-0.1", "a target gross margin is a fraction from 0 up to 1"),
    ],
)
def test_credits_for_target_refuses_invalid_inputs(revenue_per_credit, target, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        credits_for_target(
            cost=Decimal("0.10"), revenue_per_credit=Decimal(revenue_per_credit), target_gross_margin=Decimal(target)
        )
