"""Exchange rates as plain values, and conversion through them.

An exchange rate is stored as two amounts ("99 CNY = 1,600,000 PTS") so that a
conversion quoted that way stays exact. A pair without a rate is an error that
names the pair, never a silent 1.0.
"""

from collections import deque
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from itertools import pairwise

from pricing.catalogue import FxRate
from pricing.errors import MissingExchangeRate


def rate_from_amounts(*, from_amount: Decimal, to_amount: Decimal) -> Decimal:
    """Units of the target currency for one unit of the source currency."""
    if from_amount <= 0 or to_amount <= 0:
        raise ValueError("both sides of an exchange rate must be positive")
    return to_amount / from_amount


class Converter:
    """Converts amounts with the rates in force on a day: for each pair, the
    newest rate dated on or before it. A rate converts both ways (the inverse
    is exact: the two amounts swap); a pair without a direct rate goes through
    the fewest other currencies (CNY → USD → TWD)."""

    def __init__(self, rates: Iterable[FxRate], *, on: date | None = None):
        newest: dict[tuple[str, str], FxRate] = {}
        for rate in rates:
            if on is not None and rate.as_of > on:
                continue
            key = (rate.from_currency, rate.to_currency)
            if key not in newest or rate.as_of > newest[key].as_of:
                newest[key] = rate
        # A newer quote in the opposite direction supersedes a pair's older one:
        # else a round trip USD → CNY → USD would not return the amount.
        current = {
            (source, target): rate
            for (source, target), rate in newest.items()
            if (target, source) not in newest or newest[target, source].as_of <= rate.as_of
        }
        # Per currency: where one unit goes, as (to, numerator, denominator).
        self._edges: dict[str, dict[str, tuple[Decimal, Decimal]]] = {}
        for (source, target), rate in sorted(current.items()):
            self._edges.setdefault(source, {})[target] = (rate.to_amount, rate.from_amount)
        for (source, target), rate in sorted(current.items()):
            # As of the same date, a direct rate beats the inverse of the opposite pair.
            self._edges.setdefault(target, {}).setdefault(source, (rate.from_amount, rate.to_amount))
        self._paths: dict[tuple[str, str], tuple[tuple[Decimal, Decimal], ...]] = {}

    def _path(self, source: str, target: str) -> tuple[tuple[Decimal, Decimal], ...]:
        key = (source, target)
        if key not in self._paths:
            # Both directions take one route, so converting there and back returns the amount.
            route = self._route(*sorted(key))
            if route is None:
                raise MissingExchangeRate(source, target)
            if route[0] != source:
                route = route[::-1]
            self._paths[key] = tuple(self._edges[step][following] for step, following in pairwise(route))
        return self._paths[key]

    def _route(self, source: str, target: str) -> tuple[str, ...] | None:
        """The currencies from `source` to `target` through the fewest others."""
        queue = deque([(source,)])
        seen = {source}
        while queue:
            route = queue.popleft()
            for following in sorted(self._edges.get(route[-1], {})):
                if following in seen:
                    continue
                if following == target:
                    return (*route, following)
                seen.add(following)
                queue.append((*route, following))
        return None

    def rate(self, source: str, target: str) -> Decimal:
        """Units of `target` for one unit of `source`."""
        return self.convert(Decimal(1), source, target)

    def convert(self, amount: Decimal, source: str, target: str) -> Decimal:
        """`amount` of `source` in `target`, unrounded. Multiplies every
        numerator before dividing once, so a rate quoted as two amounts stays exact."""
        if source == target:
            return amount
        numerator, denominator = amount, Decimal(1)
        for to_amount, from_amount in self._path(source, target):
            numerator *= to_amount
            denominator *= from_amount
        return numerator / denominator

    def can_convert(self, source: str, target: str) -> bool:
        try:
            self._path(source, target) if source != target else None
        except MissingExchangeRate:
            return False
        return True
