"""Which alert thresholds an observed value crosses, and what follows."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from pricing.catalogue import Threshold
from pricing.fx import Converter

SCOPES = ("system", "provider", "model", "plan", "user")
METRICS = ("money", "meter", "credits")
WINDOWS = ("hour", "day", "month")
TARGETED_SCOPES = {"provider": "provider", "model": "model", "plan": "plan"}


@dataclass(frozen=True, slots=True)
class Observation:
    """A value observed for a scope over a window: "$120 spent on ElevenLabs today"."""

    scope: str
    metric: str
    window: str
    value: Decimal
    currency: str | None = None  # money
    meter: str | None = None  # meter
    provider: str | None = None
    model: str | None = None
    plan: str | None = None
    tier: str = ""  # a user's tier, with scope "user"

    def __post_init__(self):
        for name, value, allowed in (
            ("scope", self.scope, SCOPES),
            ("metric", self.metric, METRICS),
            ("window", self.window, WINDOWS),
        ):
            if value not in allowed:
                raise ValueError(f"{name}: '{value}' is not one of {', '.join(allowed)}")
        if not self.value.is_finite() or self.value < 0:
            raise ValueError(f"value: must be a number of at least 0, got {self.value}")
        if self.metric == "money" and not self.currency:
            raise ValueError("currency: a money observation needs its currency")
        if self.metric == "meter" and not self.meter:
            raise ValueError("meter: a meter observation needs its meter")
        target = TARGETED_SCOPES.get(self.scope)
        if target and not getattr(self, target):
            raise ValueError(f"{target}: scope '{self.scope}' needs the {target} observed")


@dataclass(frozen=True, slots=True)
class Crossing:
    threshold: Threshold
    observed: Decimal  # in the threshold's unit (converted to its currency for money)

    @property
    def share_of_limit(self) -> Decimal | None:
        return None if self.threshold.limit == 0 else self.observed / self.threshold.limit

    @property
    def actions(self) -> tuple[tuple[str, str | None], ...]:
        return self.threshold.actions


def _applies(threshold: Threshold, seen: Observation) -> bool:
    if not threshold.active or threshold.scope != seen.scope or threshold.window != seen.window:
        return False
    if threshold.metric != seen.metric or (threshold.metric == "meter" and threshold.meter != seen.meter):
        return False
    if threshold.tier and threshold.tier != seen.tier:
        return False
    # A threshold's target (or, for users, its narrowing) must be what was observed.
    return all(getattr(threshold, target) in (None, getattr(seen, target)) for target in ("provider", "model", "plan"))


def thresholds_crossed(
    thresholds: Iterable[Threshold], seen: Observation, converter: Converter | None = None
) -> tuple[Crossing, ...]:
    """The thresholds whose limit the observed value exceeds, in their order. A
    money value in another currency is converted to each threshold's currency;
    a missing rate raises MissingExchangeRate naming the pair."""
    crossed = []
    for threshold in sorted(thresholds, key=lambda item: (item.sort_order, item.slug)):
        if not _applies(threshold, seen):
            continue
        observed = seen.value
        if threshold.metric == "money" and threshold.currency != seen.currency:
            if converter is None:
                raise ValueError(f"currency: {seen.currency} needs an exchange rate to {threshold.currency}")
            observed = converter.convert(observed, seen.currency, threshold.currency)
        if observed > threshold.limit:
            crossed.append(Crossing(threshold=threshold, observed=observed))
    return tuple(crossed)
