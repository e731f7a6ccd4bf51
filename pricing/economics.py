"""Plan economics (seed 002 §5–7): what a subscription plan earns against the
cost of its credits consumed on a workflow, where it breaks even, and a table
of usage scenarios. All amounts in the plan's currency."""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from pricing.catalogue import Plan
from pricing.margins import Margin

# Usage as a share of the plan's included credits. Seed 002's 100 TWD plan
# includes 3 hours: light 1 h, normal 2 h, active 4 h, heavy 8 h.
SCENARIOS: tuple[tuple[str, Fraction], ...] = (
    ("light", Fraction(1, 3)),
    ("normal", Fraction(2, 3)),
    ("active", Fraction(4, 3)),
    ("heavy", Fraction(8, 3)),
)


def _times(amount: Decimal, share: Fraction) -> Decimal:
    return amount * share.numerator / share.denominator


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    share: Fraction  # of the included credits
    credits: Decimal  # credits used in the month
    units: Decimal  # workflow units used
    cost: Decimal
    overage_credits: Decimal
    revenue_without_overage: Decimal  # the plan's price
    revenue_with_overage: Decimal

    @property
    def margin_without_overage(self) -> Margin:
        return Margin(self.revenue_without_overage, self.cost)

    @property
    def margin_with_overage(self) -> Margin:
        return Margin(self.revenue_with_overage, self.cost)


@dataclass(frozen=True, slots=True)
class PlanEconomics:
    plan: str
    currency: str
    price: Decimal
    included_credits: int
    overage_price_per_credit: Decimal | None
    workflow: str
    unit_label: str
    credits_per_unit: Decimal
    cost_per_unit: Decimal  # one workflow unit, in the plan's currency

    @property
    def cost_per_credit(self) -> Decimal:
        return self.cost_per_unit / self.credits_per_unit

    def cost_of(self, credits: Decimal) -> Decimal:
        """The cost of `credits` consumed on the workflow. Multiplies before dividing
        once, so a whole number of units costs exactly its units' cost."""
        return self.cost_per_unit * credits / self.credits_per_unit

    @property
    def included_units(self) -> Decimal:
        return self.included_credits / self.credits_per_unit

    @property
    def included_cost(self) -> Decimal:
        """The cost of consuming every included credit on the workflow."""
        return self.cost_of(Decimal(self.included_credits))

    @property
    def margin(self) -> Margin:
        """The plan's margin when its included credits are all used."""
        return Margin(self.price, self.included_cost)

    @property
    def break_even_credits(self) -> Decimal | None:
        """Credits used in a month at which the cost reaches the price (overage not counted)."""
        return None if self.cost_per_unit == 0 else self.price * self.credits_per_unit / self.cost_per_unit

    @property
    def break_even_units(self) -> Decimal | None:
        return None if self.cost_per_unit == 0 else self.price / self.cost_per_unit

    @property
    def overage_below_cost(self) -> bool:
        """Overage credits sell for less than they cost: heavy users lose money even with overage."""
        return (
            self.overage_price_per_credit is not None
            and self.overage_price_per_credit * self.credits_per_unit < self.cost_per_unit
        )

    def month(self, credits: Decimal, *, name: str = "", share: Fraction | None = None) -> Scenario:
        """The month of a user who uses `credits` credits."""
        overage = max(credits - self.included_credits, Decimal(0))
        overage_revenue = overage * (self.overage_price_per_credit or Decimal(0))
        return Scenario(
            name=name,
            share=share if share is not None else Fraction(0),
            credits=credits,
            units=credits / self.credits_per_unit,
            cost=self.cost_of(credits),
            overage_credits=overage,
            revenue_without_overage=self.price,
            revenue_with_overage=self.price + overage_revenue,
        )

    def scenarios(self, shares: tuple[tuple[str, Fraction], ...] = SCENARIOS) -> tuple[Scenario, ...]:
        return tuple(
            self.month(_times(Decimal(self.included_credits), share), name=name, share=share) for name, share in shares
        )


def plan_economics(
    plan: Plan, *, workflow: str, unit_label: str, credits_per_unit: Decimal, cost_per_unit: Decimal
) -> PlanEconomics:
    """Economics of `plan` whose credits are spent on a workflow costing
    `cost_per_unit` (in the plan's currency) and charging `credits_per_unit`."""
    if credits_per_unit <= 0:
        raise ValueError(f"plan '{plan.slug}': workflow '{workflow}' sells no credits; choose a workflow with credits")
    return PlanEconomics(
        plan=plan.slug,
        currency=plan.currency,
        price=plan.price,
        included_credits=plan.credits_per_interval,
        overage_price_per_credit=plan.overage_price_per_credit,
        workflow=workflow,
        unit_label=unit_label,
        credits_per_unit=credits_per_unit,
        cost_per_unit=cost_per_unit,
    )
