"""Plan economics (seed 002 §5–7): the cost of a plan's included credits,
its margin, break-even usage and the usage scenarios, with and without overage."""

from decimal import Decimal
from fractions import Fraction

import pytest

from pricing.catalogue import Plan
from pricing.economics import SCENARIOS, plan_economics
from pricing.margins import Margin


def plan(price, credits, overage=None, currency="USD", slug="starter"):
    return Plan(
        slug=slug,
        name=slug.title(),
        price=Decimal(price),
        currency=currency,
        interval="month",
        credits_per_interval=credits,
        overage_price_per_credit=None if overage is None else Decimal(overage),
    )


def economics(the_plan, credits_per_unit="10", cost_per_unit="0.60"):
    return plan_economics(
        the_plan,
        workflow="render",
        unit_label="render",
        credits_per_unit=Decimal(credits_per_unit),
        cost_per_unit=Decimal(cost_per_unit),
    )


# A $30 plan of 300 credits, overage at $0.05, spent on a workflow of 10 credits
# costing $0.60 a unit: $0.06 a credit, so overage sells below cost.
STARTER = economics(plan("30", 300, "0.05"))

# Seed 002: the coaching hour costs $0.58665 = 18.7728 TWD and charges 60 credits (1 credit = 1 minute).
COACH_HOUR_TWD = "18.7728"


def coaching(price, credits, overage):
    return economics(plan(price, credits, overage, "TWD", "coach"), credits_per_unit="60", cost_per_unit=COACH_HOUR_TWD)


# ---- Generic plan ---------------------------------------------------------------------------


def test_cost_of_the_included_credits_and_the_margin():
    assert STARTER.cost_per_credit == Decimal("0.06")
    assert STARTER.included_units == Decimal("30")
    assert STARTER.included_cost == Decimal("18")
    assert STARTER.margin == Margin(Decimal("30"), Decimal("18"))
    assert STARTER.margin.gross_margin == Decimal("0.4")
    assert STARTER.margin.markup == Decimal("0.6666666666666666666666666667")


def test_break_even():
    """$30 / $0.06 a credit: 500 credits, 50 units, a month."""
    assert STARTER.break_even_credits == Decimal("500")
    assert STARTER.break_even_units == Decimal("50")


def test_the_plan_keeps_its_figures():
    assert (STARTER.plan, STARTER.currency, STARTER.price, STARTER.included_credits) == (
        "starter",
        "USD",
        Decimal("30"),
        300,
    )
    assert (STARTER.workflow, STARTER.unit_label, STARTER.credits_per_unit, STARTER.cost_per_unit) == (
        "render",
        "render",
        Decimal("10"),
        Decimal("0.60"),
    )


@pytest.mark.parametrize(
    ("overage", "below_cost"),
    [("0.05", True), ("0.0599", True), ("0.06", False), ("0.08", False), (None, False)],
)
def test_overage_below_cost(overage, below_cost):
    assert economics(plan("30", 300, overage)).overage_below_cost is below_cost


def test_scenarios_are_shares_of_the_included_credits():
    assert [(name, share) for name, share in SCENARIOS] == [
        ("light", Fraction(1, 3)),
        ("normal", Fraction(2, 3)),
        ("active", Fraction(4, 3)),
        ("heavy", Fraction(8, 3)),
    ]

    rows = STARTER.scenarios()

    assert [(row.name, row.share, row.credits, row.units, row.cost) for row in rows] == [
        ("light", Fraction(1, 3), Decimal("100"), Decimal("10"), Decimal("6")),
        ("normal", Fraction(2, 3), Decimal("200"), Decimal("20"), Decimal("12")),
        ("active", Fraction(4, 3), Decimal("400"), Decimal("40"), Decimal("24")),
        ("heavy", Fraction(8, 3), Decimal("800"), Decimal("80"), Decimal("48")),
    ]


def test_overage_is_earned_only_above_the_included_credits():
    rows = STARTER.scenarios()

    assert [row.overage_credits for row in rows] == [Decimal("0"), Decimal("0"), Decimal("100"), Decimal("500")]
    assert [row.revenue_without_overage for row in rows] == [Decimal("30")] * 4
    assert [row.revenue_with_overage for row in rows] == [Decimal("30"), Decimal("30"), Decimal("35"), Decimal("55")]


def test_scenario_margins_with_and_without_overage():
    heavy = STARTER.scenarios()[-1]

    assert heavy.margin_without_overage == Margin(Decimal("30"), Decimal("48"))
    assert heavy.margin_without_overage.is_loss
    assert heavy.margin_with_overage.gross_margin == Decimal("0.1272727272727272727272727273")  # (55 − 48) / 55
    assert not heavy.margin_with_overage.is_loss


@pytest.mark.parametrize(
    ("credits", "overage_credits", "revenue_with_overage"),
    [("0", "0", "30"), ("300", "0", "30"), ("301", "1", "30.05"), ("450.5", "150.5", "37.525")],
)
def test_a_month_of_any_usage(credits, overage_credits, revenue_with_overage):
    month = STARTER.month(Decimal(credits), name="custom")

    assert month.name == "custom"
    assert month.overage_credits == Decimal(overage_credits)
    assert month.revenue_with_overage == Decimal(revenue_with_overage)
    assert month.cost == Decimal(credits) * Decimal("0.06")


def test_without_an_overage_price_heavy_use_earns_only_the_plan_price():
    heavy = economics(plan("30", 300)).scenarios()[-1]

    assert heavy.overage_credits == Decimal("500")
    assert heavy.revenue_with_overage == Decimal("30")


def test_a_free_workflow_never_breaks_even():
    free = economics(plan("30", 300, "0.05"), cost_per_unit="0")

    assert free.break_even_credits is None
    assert free.break_even_units is None
    assert free.margin.gross_margin == Decimal("1")
    assert free.margin.markup is None
    assert free.overage_below_cost is False


def test_a_plan_priced_exactly_at_its_included_cost_breaks_even_not_at_a_loss():
    """180 credits of a 60-credit unit costing 18.4528: 3 units, 55.3584 exactly."""
    exact = economics(plan("55.3584", 180), credits_per_unit="60", cost_per_unit="18.4528")

    assert exact.included_cost == Decimal("55.3584")
    assert exact.margin.profit == Decimal("0")
    assert not exact.margin.is_loss
    assert exact.break_even_credits == Decimal("180")
    assert exact.break_even_units == Decimal("3")
    assert [row.cost for row in exact.scenarios()] == [
        Decimal("18.4528"),
        Decimal("36.9056"),
        Decimal("73.8112"),
        Decimal("147.6224"),
    ]


@pytest.mark.parametrize("credits_per_unit", ["0", "-60"])
def test_a_workflow_that_sells_no_credits_is_refused(credits_per_unit):
    with pytest.raises(ValueError) as raised:
        economics(plan("30", 300), credits_per_unit=credits_per_unit)

    assert str(raised.value) == "plan 'starter': workflow 'render' sells no credits; choose a workflow with credits"


# ---- Seed 002 ---------------------------------------------------------------------------------


def test_seed_002_basic_plan_breaks_even_near_320_minutes():
    """100 TWD for 180 minutes: ≈320 minutes a month break even (seed 002 §6)."""
    basic = coaching("100", 180, "0.8")

    assert basic.cost_per_credit == Decimal("0.31288")
    assert basic.included_units == Decimal("3")
    assert basic.included_cost == Decimal("56.3184")
    assert basic.margin.gross_margin == Decimal("0.436816")
    assert basic.break_even_credits == Decimal("319.6113525952441830733827666")
    assert basic.break_even_credits.quantize(Decimal("1")) == Decimal("320")
    assert basic.break_even_units == Decimal("5.326855876587403051223046109")
    assert basic.overage_below_cost is False


def test_seed_002_basic_plan_scenarios():
    """Light 1 h, normal 2 h, active 4 h, heavy 8 h of a plan that includes 3 h."""
    rows = coaching("100", 180, "0.8").scenarios()

    assert [(row.name, row.units, row.cost, row.revenue_with_overage) for row in rows] == [
        ("light", Decimal("1"), Decimal("18.7728"), Decimal("100")),
        ("normal", Decimal("2"), Decimal("37.5456"), Decimal("100")),
        ("active", Decimal("4"), Decimal("75.0912"), Decimal("148")),  # 60 overage minutes at 0.8 TWD
        ("heavy", Decimal("8"), Decimal("150.1824"), Decimal("340")),  # 300 overage minutes
    ]
    assert rows[-1].margin_without_overage.is_loss
    assert not rows[-1].margin_with_overage.is_loss


@pytest.mark.parametrize(
    ("price", "credits", "overage", "included_cost", "gross_margin"),
    [
        ("100", 180, "0.8", "56.3184", "0.436816"),
        ("300", 600, "0.6", "187.728", "0.37424"),
        ("500", 1200, "0.5", "375.456", "0.249088"),
    ],
)
def test_seed_002_plans_margins(price, credits, overage, included_cost, gross_margin):
    result = coaching(price, credits, overage)

    assert result.included_cost == Decimal(included_cost)
    assert result.margin.gross_margin == Decimal(gross_margin)
