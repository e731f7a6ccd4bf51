"""Margin and markup of a revenue against a cost, and the credits that would
reach a target margin. Gross margin = (revenue − cost) / revenue; markup =
(revenue − cost) / cost. Seed 003 writes "400% margin" where it means markup:
the product shows both, labelled."""

from dataclasses import dataclass
from decimal import Decimal

from pricing.money import Band


@dataclass(frozen=True, slots=True)
class Margin:
    revenue: Decimal
    cost: Decimal

    @property
    def profit(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def gross_margin(self) -> Decimal | None:
        """A fraction of revenue; None when nothing is earned."""
        return None if self.revenue == 0 else self.profit / self.revenue

    @property
    def markup(self) -> Decimal | None:
        """A fraction of cost; None when nothing is spent."""
        return None if self.cost == 0 else self.profit / self.cost

    @property
    def is_loss(self) -> bool:
        return self.revenue < self.cost


@dataclass(frozen=True, slots=True)
class MarginBand:
    """Margins of one revenue against a cost band: `worst` at its high end, `best` at its low end."""

    worst: Margin
    best: Margin

    @classmethod
    def of(cls, revenue: Decimal, cost: Band) -> "MarginBand":
        return cls(worst=Margin(revenue, cost.high), best=Margin(revenue, cost.low))


def credits_for_target(*, cost: Decimal, revenue_per_credit: Decimal, target_gross_margin: Decimal) -> Decimal:
    """Exact credits whose revenue leaves `target_gross_margin` of it after `cost`:
    cost / (revenue per credit × (1 − target))."""
    if revenue_per_credit <= 0:
        raise ValueError("revenue per credit must be above 0")
    if not 0 <= target_gross_margin < 1:
        raise ValueError("a target gross margin is a fraction from 0 up to 1")
    return cost / (revenue_per_credit * (1 - target_gross_margin))
