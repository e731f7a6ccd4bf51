"""Loading the demo configuration (billingcfg.demo_data) into the draft tables.

Idempotent: rows are found by their natural keys and written only when a value
differs, so a second run changes nothing and records no history. Rows that ops
staff added beside the demo are left alone.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import models, transaction

from billingcfg import demo_data as data
from billingcfg.models import AlertThreshold, Currency, ExchangeRate, PricingPolicy, ThresholdAction
from plans.models import CreditPack, SubscriptionPlan
from rates.models import AIModel, CreditRate, Meter, Provider, ProviderCost, Variant, Workflow, WorkflowStep

CHANGE_REASON = "Loaded demo data"


@dataclass
class DemoLoadResult:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _upsert(result: DemoLoadResult, model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    """The row with `lookup`, holding `values`: created, updated or left as it is."""
    label = model._meta.verbose_name_plural
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        result.created[label] += 1
    else:
        differing = {name: value for name, value in values.items() if getattr(instance, name) != value}
        if not differing:
            result.unchanged[label] += 1
            return instance
        for name, value in differing.items():
            setattr(instance, name, value)
        result.updated[label] += 1
    # Field and clean() rules here; uniqueness and check constraints are enforced
    # by the database itself on save (validating them first costs a query each).
    instance.full_clean(validate_unique=False, validate_constraints=False)
    instance._change_reason = CHANGE_REASON
    instance.save()
    return instance


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


@transaction.atomic
def demo_load() -> DemoLoadResult:
    result = DemoLoadResult()
    currencies = {
        row["code"]: _upsert(result, Currency, {"code": row["code"]}, {k: v for k, v in row.items() if k != "code"})
        for row in data.CURRENCIES
    }
    for row in data.EXCHANGE_RATES:
        _upsert(
            result,
            ExchangeRate,
            {"from_currency": currencies[row["from"]], "to_currency": currencies[row["to"]],
             "as_of": date.fromisoformat(row["as_of"])},
            {"from_amount": Decimal(row["from_amount"]), "to_amount": Decimal(row["to_amount"]),
             "source": row["source"]},
        )
    meters = {
        row["slug"]: _upsert(result, Meter, {"slug": row["slug"]}, {k: v for k, v in row.items() if k != "slug"})
        for row in data.METERS
    }
    providers = {
        row["slug"]: _upsert(result, Provider, {"slug": row["slug"]}, {k: v for k, v in row.items() if k != "slug"})
        for row in data.PROVIDERS
    }
    ai_models, variants_of = {}, {}
    for row in data.MODELS:
        ai_model = _upsert(
            result,
            AIModel,
            {"slug": row["slug"]},
            {"name": row["name"], "provider": providers[row["provider"]], "modality": row["modality"],
             "description": row.get("description", "")},
        )
        ai_models[row["slug"]] = ai_model
        variants = variants_of[row["slug"]] = {
            v["slug"]: _upsert(result, Variant, {"model": ai_model, "slug": v["slug"]},
                               {k: val for k, val in v.items() if k != "slug"})
            for v in row["variants"]
        }
        for cost in row["costs"]:
            _upsert(
                result,
                ProviderCost,
                {"model": ai_model, "variant": variants.get(cost["variant"]), "meter": meters[cost["meter"]],
                 "tier_threshold": _decimal(cost.get("tier_threshold"))},
                {"price": Decimal(cost["price"]), "price_high": _decimal(cost.get("price_high")),
                 "per_units": cost["per_units"], "currency": currencies[cost["currency"]],
                 "source_url": cost.get("source_url", ""), "as_of": date.fromisoformat(cost["as_of"]),
                 "notes": cost.get("notes", "")},
            )
        for rate in row["rates"]:
            _upsert(
                result,
                CreditRate,
                {"model": ai_model, "variant": variants.get(rate["variant"]), "meter": meters[rate["meter"]]},
                {"credits": Decimal(rate["credits"]), "per_units": rate.get("per_units", 1),
                 "minimum_charge": rate.get("minimum_charge", 0),
                 "allowed_quantities": rate.get("allowed_quantities", ""),
                 "min_quantity": _decimal(rate.get("min_quantity")),
                 "max_quantity": _decimal(rate.get("max_quantity")),
                 "default_quantity": _decimal(rate.get("default_quantity"))},
            )
    workflows = {}
    for row in data.WORKFLOWS:
        workflow = _upsert(
            result,
            Workflow,
            {"slug": row["slug"]},
            {"name": row["name"], "unit_label": row["unit_label"],
             "credits_per_unit": _decimal(row["credits_per_unit"]), "description": row["description"]},
        )
        workflows[row["slug"]] = workflow
        for position, step in enumerate(row["steps"], start=1):
            ai_model = ai_models[step["model"]]
            variant = variants_of[step["model"]].get(step["variant"])
            _upsert(
                result,
                WorkflowStep,
                {"workflow": workflow, "position": position},
                {"label": step["label"], "model": ai_model, "variant": variant, "meter": meters[step["meter"]],
                 "quantity": Decimal(step["quantity"]), "probability": Decimal(step["probability"]),
                 "multiplier": Decimal(step["multiplier"]), "notes": step["notes"]},
            )
    for row in data.CREDIT_PACKS:
        _upsert(
            result,
            CreditPack,
            {"slug": row["slug"]},
            {"name": row["name"], "credits": row["credits"], "bonus_credits": row.get("bonus_credits", 0),
             "price": Decimal(row["price"]), "currency": currencies[row["currency"]],
             "sort_order": row["sort_order"], "active": row.get("active", True)},
        )
    plans = {}
    for row in data.SUBSCRIPTION_PLANS:
        plans[row["slug"]] = _upsert(
            result,
            SubscriptionPlan,
            {"slug": row["slug"]},
            {"name": row["name"], "price": Decimal(row["price"]), "currency": currencies[row["currency"]],
             "interval": row["interval"], "credits_per_interval": row["credits_per_interval"],
             "overage_price_per_credit": _decimal(row.get("overage_price_per_credit")),
             "usage_workflow": workflows.get(row.get("usage_workflow")),
             "active": row.get("active", True), "sort_order": row["sort_order"]},
        )
    policy = data.PRICING_POLICY
    _upsert(
        result,
        PricingPolicy,
        {"singleton": True},
        {"reporting_currency": currencies[policy["reporting_currency"]],
         "target_gross_margin": Decimal(policy["target_gross_margin"]),
         "revenue_basis": policy["revenue_basis"],
         "fixed_revenue_per_credit": _decimal(policy["fixed_revenue_per_credit"])},
    )
    for order, row in enumerate(data.ALERT_THRESHOLDS, start=1):
        threshold = _upsert(
            result,
            AlertThreshold,
            {"slug": row["slug"]},
            {"name": row["name"], "description": row["description"], "scope": row["scope"],
             "provider": providers.get(row["provider"]), "model": ai_models.get(row["model"]),
             "plan": None, "tier": row["tier"], "metric": row["metric"],
             "currency": currencies.get(row["currency"]), "meter": meters.get(row["meter"]),
             "window": row["window"], "limit": Decimal(row["limit"]), "sort_order": order},
        )
        for position, action in enumerate(row["actions"], start=1):
            action, switch_to = action if isinstance(action, tuple) else (action, None)
            _upsert(
                result,
                ThresholdAction,
                {"threshold": threshold, "action": action},
                {"position": position, "switch_to_model": ai_models.get(switch_to)},
            )
    return result


def demo_is_loadable() -> bool:
    """True when the configuration is empty, so loading the demo overwrites nobody's work."""
    return not (Currency.objects.exists() or AIModel.objects.exists() or CreditPack.objects.exists())
