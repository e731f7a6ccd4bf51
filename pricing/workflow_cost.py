"""The expected cost of one unit of a workflow: Σ probability × multiplier ×
cost of the step's quantity, each step priced on its model like a request."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from pricing.catalogue import Model, Step, Workflow
from pricing.costing import convert_band, usage_cost
from pricing.errors import PricingError
from pricing.fx import Converter
from pricing.money import ZERO_BAND, Band


@dataclass(frozen=True, slots=True)
class StepCost:
    step: Step
    variant: str
    runs: Decimal  # probability × multiplier: expected runs per unit
    per_run: Band  # in `provider_currency`
    provider_currency: str
    expected: Band  # runs × per run, in the workflow cost's currency


@dataclass(frozen=True, slots=True)
class WorkflowCost:
    workflow: str
    currency: str
    steps: tuple[StepCost, ...]

    @property
    def expected(self) -> Band:
        return sum((step.expected for step in self.steps), ZERO_BAND)


def workflow_cost(workflow: Workflow, models: Mapping[str, Model], converter: Converter, currency: str) -> WorkflowCost:
    """Expected cost of one unit in `currency`; PricingError naming the step when one cannot be priced."""
    steps = []
    for number, step in enumerate(workflow.steps, start=1):
        place = f"workflow '{workflow.slug}', step {number} ({step.label})"
        model = models.get(step.model)
        if model is None:
            raise PricingError(f"{place}: no model '{step.model}'")
        try:
            cost = usage_cost(model, step.variant, {step.meter: step.quantity}, {step.meter: step.supplier})
            per_run = cost.total
            runs = step.probability * step.multiplier
            expected = convert_band(per_run.scale(runs), converter, cost.currency, currency)
        except (PricingError, KeyError, LookupError) as problem:
            raise PricingError(f"{place}: {problem.args[0] if problem.args else problem}") from problem
        steps.append(
            StepCost(
                step=step,
                variant=cost.variant,
                runs=runs,
                per_run=per_run,
                provider_currency=cost.currency,
                expected=expected,
            )
        )
    return WorkflowCost(workflow=workflow.slug, currency=currency, steps=tuple(steps))
