"""The draft tables as a `Catalogue` of plain values, in a constant number of
queries whatever the catalogue's size: one per table."""

from collections import defaultdict
from dataclasses import dataclass, field

from pricing import catalogue as c
from billingcfg.models import AlertThreshold, ExchangeRate, PricingPolicy, ThresholdAction
from plans.models import CreditPack, SubscriptionPlan
from rates.models import AIModel, CreditRate, Meter, ProviderCost, Variant, Workflow, WorkflowStep
from pricing.quantities import parse_quantity_list


def _slug(related) -> str | None:
    return None if related is None else related.slug


@dataclass(frozen=True, slots=True)
class DraftSnapshot:
    """The catalogue, and the database id behind each slug, for screens that link or filter rows."""

    catalogue: c.Catalogue
    model_ids: dict[str, int] = field(default_factory=dict)
    variant_ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (model, variant)
    rate_ids: dict[tuple[str, str | None, str], int] = field(default_factory=dict)  # (model, variant, meter)
    workflow_ids: dict[str, int] = field(default_factory=dict)


def catalogue_from_draft() -> c.Catalogue:
    return draft_snapshot().catalogue


def draft_snapshot() -> DraftSnapshot:
    policy_row = PricingPolicy.objects.select_related("reporting_currency").first()
    if policy_row is None:
        raise PricingPolicy.DoesNotExist("there is no pricing policy yet: add one in the admin")
    policy = c.Policy(
        reporting_currency=policy_row.reporting_currency.code,
        target_gross_margin=policy_row.target_gross_margin,
        revenue_basis=policy_row.revenue_basis,
        fixed_revenue_per_credit=policy_row.fixed_revenue_per_credit,
    )
    fx_rates = tuple(
        c.FxRate(rate.from_currency.code, rate.to_currency.code, rate.from_amount, rate.to_amount, rate.as_of)
        for rate in ExchangeRate.objects.select_related("from_currency", "to_currency")
    )
    packs = CreditPack.objects.select_related("currency")
    plans = list(SubscriptionPlan.objects.select_related("currency", "usage_workflow"))
    offers = tuple(
        [c.Offer("pack", p.slug, p.name, p.price, p.currency.code, p.credits + p.bonus_credits, p.active)
         for p in packs]
        + [c.Offer("plan", p.slug, p.name, p.price, p.currency.code, p.credits_per_interval, p.active)
           for p in plans]
    )
    meters, meter_slugs = {}, {}
    for m in Meter.objects.all():
        meters[m.slug] = c.Meter(m.slug, m.name, m.unit, m.whole_units)
        meter_slugs[m.pk] = m.slug

    # The big tables are read as tuples, not model instances: a tenth of the time.
    model_rows = list(AIModel.objects.values_list("pk", "slug", "name", "provider__slug", "modality", "active"))
    model_slugs = {row[0]: row[1] for row in model_rows}
    variants, costs, rates = defaultdict(list), defaultdict(list), defaultdict(list)
    variant_slugs, variant_ids, rate_ids = {}, {}, {}
    for pk, model_id, slug, name, is_default in Variant.objects.values_list(
        "pk", "model_id", "slug", "name", "is_default"
    ):
        variants[model_id].append(c.Variant(slug, name, is_default))
        variant_slugs[pk] = slug
        variant_ids[(model_slugs[model_id], slug)] = pk
    for (model_id, variant_id, meter_id, price, currency, per_units, price_high, tier_threshold, tier_mode,
         tier_meter_id) in ProviderCost.objects.values_list(
        "model_id", "variant_id", "meter_id", "price", "currency__code", "per_units", "price_high",
        "tier_threshold", "tier_mode", "tier_meter_id",
    ):
        costs[model_id].append(c.Cost(
            meter=meter_slugs[meter_id], price=price, currency=currency, per_units=per_units,
            variant=variant_slugs.get(variant_id), price_high=price_high, tier_threshold=tier_threshold,
            tier_mode=tier_mode, tier_meter=meter_slugs.get(tier_meter_id),
        ))
    for (pk, model_id, variant_id, meter_id, credits, per_units, minimum_charge, allowed, min_quantity,
         max_quantity, default_quantity, active) in CreditRate.objects.values_list(
        "pk", "model_id", "variant_id", "meter_id", "credits", "per_units", "minimum_charge",
        "allowed_quantities", "min_quantity", "max_quantity", "default_quantity", "active",
    ):
        rate_ids[(model_slugs[model_id], variant_slugs.get(variant_id), meter_slugs[meter_id])] = pk
        rates[model_id].append(c.Rate(
            meter=meter_slugs[meter_id], credits=credits, per_units=per_units, variant=variant_slugs.get(variant_id),
            minimum_charge=minimum_charge, allowed_quantities=parse_quantity_list(allowed),
            min_quantity=min_quantity, max_quantity=max_quantity, default_quantity=default_quantity, active=active,
        ))
    models = {
        slug: c.Model(slug=slug, name=name, provider=provider, modality=modality, active=active,
                      variants=tuple(variants[pk]), costs=tuple(costs[pk]), rates=tuple(rates[pk]))
        for pk, slug, name, provider, modality, active in model_rows
    }

    steps = defaultdict(list)
    for step in WorkflowStep.objects.all():
        steps[step.workflow_id].append(c.Step(
            label=step.label, model=model_slugs[step.model_id], meter=meter_slugs[step.meter_id],
            quantity=step.quantity, variant=variant_slugs.get(step.variant_id), probability=step.probability,
            multiplier=step.multiplier,
        ))
    workflows, workflow_ids = {}, {}
    for w in Workflow.objects.all():
        workflow_ids[w.slug] = w.pk
        workflows[w.slug] = c.Workflow(slug=w.slug, name=w.name, unit_label=w.unit_label, steps=tuple(steps[w.pk]),
                                       credits_per_unit=w.credits_per_unit, active=w.active)
    plan_rows = tuple(
        c.Plan(slug=p.slug, name=p.name, price=p.price, currency=p.currency.code, interval=p.interval,
               credits_per_interval=p.credits_per_interval, overage_price_per_credit=p.overage_price_per_credit,
               usage_workflow=_slug(p.usage_workflow), active=p.active)
        for p in plans
    )

    actions = defaultdict(list)
    for action in ThresholdAction.objects.all():
        actions[action.threshold_id].append((action.action, model_slugs.get(action.switch_to_model_id)))
    thresholds = tuple(
        c.Threshold(
            slug=t.slug, name=t.name, scope=t.scope, metric=t.metric, window=t.window, limit=t.limit,
            actions=tuple(actions[t.pk]), provider=_slug(t.provider), model=model_slugs.get(t.model_id),
            plan=_slug(t.plan), tier=t.tier, currency=t.currency.code if t.currency else None,
            meter=meter_slugs.get(t.meter_id), active=t.active, sort_order=t.sort_order,
        )
        for t in AlertThreshold.objects.select_related("provider", "plan", "currency")
    )
    catalogue = c.Catalogue(policy=policy, fx_rates=fx_rates, offers=offers, plans=plan_rows, meters=meters,
                            models=models, workflows=workflows, thresholds=thresholds)
    return DraftSnapshot(catalogue=catalogue, model_ids={slug: pk for pk, slug in model_slugs.items()},
                         variant_ids=variant_ids, rate_ids=rate_ids, workflow_ids=workflow_ids)
