"""Small row factories for the admin tests: every row valid, every slug new."""

from datetime import date
from decimal import Decimal
from itertools import count

from billingcfg.models import (
    Action,
    AlertThreshold,
    Currency,
    ExchangeRate,
    Metric,
    PricingPolicy,
    Scope,
    ThresholdAction,
    Window,
)
from plans.models import CreditPack, SubscriptionPlan
from rates.models import AIModel, CreditRate, Meter, Modality, Provider, ProviderCost, Variant, Workflow, WorkflowStep

_serial = count(1)


def _next() -> int:
    return next(_serial)


def currency_make(**values) -> Currency:
    n = _next()
    return Currency.objects.create(**{"code": f"C{n:04d}", "name": f"Currency {n}", **values})


def usd() -> Currency:
    return Currency.objects.get_or_create(code="USD", defaults={"name": "US dollar", "symbol": "$"})[0]


def exchange_rate_make(**values) -> ExchangeRate:
    if "from_currency" not in values:
        values["from_currency"] = currency_make()
    if "to_currency" not in values:
        values["to_currency"] = usd()
    return ExchangeRate.objects.create(
        **{"from_amount": Decimal("1"), "to_amount": Decimal("0.5"), "as_of": date(2025, 1, 1), **values}
    )


def policy_make(**values) -> PricingPolicy:
    return PricingPolicy.objects.create(
        **{"reporting_currency": usd(), "target_gross_margin": Decimal("0.75"), **values}
    )


def pack_make(**values) -> CreditPack:
    n = _next()
    return CreditPack.objects.create(
        **{"slug": f"pack-{n}", "name": f"Pack {n}", "credits": 100, "price": Decimal("9.99"), "currency": usd(),
           **values}
    )


def workflow_make(**values) -> Workflow:
    n = _next()
    return Workflow.objects.create(
        **{"slug": f"workflow-{n}", "name": f"Workflow {n}", "unit_label": "run", "credits_per_unit": Decimal("10"),
           **values}
    )


def plan_make(**values) -> SubscriptionPlan:
    n = _next()
    return SubscriptionPlan.objects.create(
        **{"slug": f"plan-{n}", "name": f"Plan {n}", "price": Decimal("20"), "currency": usd(),
           "credits_per_interval": 500, "overage_price_per_credit": Decimal("0.05"), "usage_workflow": workflow_make(),
           **values}
    )


def provider_make(**values) -> Provider:
    n = _next()
    return Provider.objects.create(**{"slug": f"provider-{n}", "name": f"Provider {n}", **values})


def meter_make(**values) -> Meter:
    n = _next()
    return Meter.objects.create(**{"slug": f"meter-{n}", "name": f"Meter {n}", "unit": "second", **values})


def model_make(**values) -> AIModel:
    n = _next()
    if "provider" not in values:
        values["provider"] = provider_make()
    return AIModel.objects.create(
        **{"slug": f"model-{n}", "name": f"Model {n}", "modality": Modality.VIDEO, **values}
    )


def variant_make(**values) -> Variant:
    n = _next()
    if "model" not in values:
        values["model"] = model_make()
    return Variant.objects.create(**{"slug": f"v{n}", "name": f"Variant {n}", **values})


def provider_cost_make(**values) -> ProviderCost:
    if "model" not in values:
        values["model"] = model_make()
    if "variant" not in values:
        values["variant"] = variant_make(model=values["model"], is_default=True)
    if "meter" not in values:
        values["meter"] = meter_make()
    return ProviderCost.objects.create(
        **{"price": Decimal("0.5"), "currency": usd(), "as_of": date(2025, 1, 1), **values}
    )


def credit_rate_make(**values) -> CreditRate:
    if "model" not in values:
        values["model"] = model_make()
    if "variant" not in values:
        values["variant"] = variant_make(model=values["model"], is_default=True)
    if "meter" not in values:
        values["meter"] = meter_make()
    return CreditRate.objects.create(**{"credits": Decimal("10"), **values})


def workflow_step_make(**values) -> WorkflowStep:
    if "workflow" not in values:
        values["workflow"] = workflow_make()
    if "model" not in values:
        values["model"] = model_make()
    if "meter" not in values:
        values["meter"] = meter_make()
    return WorkflowStep.objects.create(**{"label": "step", "quantity": Decimal("1"), **values})


def threshold_make(**values) -> AlertThreshold:
    n = _next()
    return AlertThreshold.objects.create(
        **{"slug": f"threshold-{n}", "name": f"Threshold {n}", "scope": Scope.SYSTEM, "metric": Metric.MONEY,
           "currency": usd(), "window": Window.MONTH, "limit": Decimal("100"), **values}
    )


def threshold_action_make(**values) -> ThresholdAction:
    if "threshold" not in values:
        values["threshold"] = threshold_make()
    return ThresholdAction.objects.create(**{"action": Action.EMAIL, **values})
