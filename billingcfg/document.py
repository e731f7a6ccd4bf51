"""The configuration document: the draft tables as one plain, JSON-ready dict,
read in one query per table whatever the catalogue's size, with the computed
margins beside the figures they come from. A release stores this document's
canonical bytes; the draft is served and diffed as the same document.

Every entity carries its natural key (slug, code), never a database id, so a
document can be diffed against another and loaded back into the draft
(`billingcfg.restore`). Decimals are strings, exact, without padding zeros."""

import hashlib
import json
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

from pricing import catalogue as c
from pricing.diff import COMPUTED_KEYS
from pricing.errors import MissingExchangeRate, PricingError
from pricing.fx import Converter
from pricing.margins import MarginBand
from pricing.money import Band, dec
from pricing.quantities import parse_quantity_list
from pricing.quote import Quote, quote_model
from pricing.report import MarginReport, PriceRow, margin_report

SCHEMA_VERSION = 1


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def canonical_bytes(document: dict) -> bytes:
    """The one serialisation of a document: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def configuration_sha256(configuration: dict) -> str:
    """A fingerprint of a configuration's figures: it changes when any row of any table does."""
    return sha256(canonical_bytes(configuration))


# ---- the draft tables → the configuration (the draft's own figures) ---------------------------

def _rows(queryset, **names) -> list[dict]:
    """Rows as dicts, one query; `names` renames ORM paths (FK slugs) to document keys."""
    paths = list(names.values())
    return [dict(zip(names, row, strict=True)) for row in queryset.values_list(*paths)]


def _same(*fields) -> dict:
    return {field: field for field in fields}


def draft_configuration() -> dict:
    """The draft's figures as a document without the computed parts. One query per table."""
    from billingcfg.models import AlertThreshold, Currency, ExchangeRate, PricingPolicy, ThresholdAction
    from plans.models import CreditPack, SubscriptionPlan
    from rates.models import AIModel, CreditRate, Meter, Provider, ProviderCost, Variant, Workflow, WorkflowStep

    policy = _rows(PricingPolicy.objects.all(), reporting_currency="reporting_currency__code",
                   **_same("target_gross_margin", "revenue_basis", "fixed_revenue_per_credit"))
    if not policy:
        raise PricingPolicy.DoesNotExist("there is no pricing policy yet: add one in the admin")
    variants, costs, rates, steps, actions = (defaultdict(list) for _ in range(5))
    for row in _rows(Variant.objects.order_by("model__slug", "sort_order", "slug"), model="model__slug",
                     **_same("slug", "name", "is_default", "resolution", "audio", "mode", "sort_order")):
        variants[row.pop("model")].append(row)
    for row in _rows(ProviderCost.objects.order_by("model__slug", "variant__slug", "meter__slug", "tier_threshold"),
                     model="model__slug", variant="variant__slug", meter="meter__slug", currency="currency__code",
                     tier_meter="tier_meter__slug",
                     **_same("price", "price_high", "per_units", "tier_threshold", "tier_mode", "source_url", "as_of",
                             "notes")):
        costs[row.pop("model")].append(_decimals(row, "price", "price_high", "tier_threshold"))
    for row in _rows(CreditRate.objects.order_by("model__slug", "variant__slug", "meter__slug"),
                     model="model__slug", variant="variant__slug", meter="meter__slug",
                     **_same("credits", "per_units", "minimum_charge", "allowed_quantities", "min_quantity",
                             "max_quantity", "default_quantity", "active", "notes")):
        row["allowed_quantities"] = [dec(value) for value in parse_quantity_list(row["allowed_quantities"])]
        rates[row.pop("model")].append(_decimals(row, "credits", "min_quantity", "max_quantity", "default_quantity"))
    for row in _rows(WorkflowStep.objects.order_by("workflow__slug", "position", "pk"), workflow="workflow__slug",
                     model="model__slug", variant="variant__slug", meter="meter__slug",
                     **_same("position", "label", "quantity", "probability", "multiplier", "notes")):
        steps[row.pop("workflow")].append(_decimals(row, "quantity", "probability", "multiplier"))
    for row in _rows(ThresholdAction.objects.order_by("threshold__slug", "position", "action"),
                     threshold="threshold__slug", switch_to_model="switch_to_model__slug",
                     **_same("position", "action")):
        actions[row.pop("threshold")].append(row)

    models = _rows(AIModel.objects.order_by("slug"), provider="provider__slug",
                   **_same("slug", "name", "modality", "active", "description"))
    for row in models:
        row.update(variants=variants[row["slug"]], provider_costs=costs[row["slug"]],
                   credit_rates=rates[row["slug"]])
    workflows = [
        {**_decimals(row, "credits_per_unit"), "steps": steps[row["slug"]]}
        for row in _rows(Workflow.objects.order_by("slug"),
                         **_same("slug", "name", "unit_label", "credits_per_unit", "active", "description"))
    ]
    thresholds = [
        {**_decimals(row, "limit"), "actions": actions[row["slug"]]}
        for row in _rows(AlertThreshold.objects.order_by("sort_order", "slug"), provider="provider__slug",
                         model="model__slug", plan="plan__slug", currency="currency__code", meter="meter__slug",
                         **_same("slug", "name", "description", "scope", "tier", "metric", "window", "limit",
                                 "active", "sort_order"))
    ]
    return _jsonable({
        "schema_version": SCHEMA_VERSION,
        "reporting_currency": policy[0]["reporting_currency"],
        "policy": _decimals(policy[0], "target_gross_margin", "fixed_revenue_per_credit"),
        "currencies": _rows(Currency.objects.order_by("code"),
                            **_same("code", "name", "symbol", "minor_units", "is_internal")),
        "exchange_rates": [
            _decimals(row, "from_amount", "to_amount")
            for row in _rows(ExchangeRate.objects.order_by("from_currency__code", "to_currency__code", "as_of"),
                             **{"from": "from_currency__code", "to": "to_currency__code"},
                             **_same("from_amount", "to_amount", "as_of", "source"))
        ],
        "meters": _rows(Meter.objects.order_by("slug"), **_same("slug", "name", "unit", "whole_units", "description")),
        "providers": _rows(Provider.objects.order_by("slug"), **_same("slug", "name", "website", "active", "notes")),
        "credit_packs": [
            _decimals(row, "price")
            for row in _rows(CreditPack.objects.order_by("sort_order", "slug"), currency="currency__code",
                             **_same("slug", "name", "description", "price", "credits", "bonus_credits", "active",
                                     "sort_order"))
        ],
        "subscription_plans": [
            _decimals(row, "price", "overage_price_per_credit")
            for row in _rows(SubscriptionPlan.objects.order_by("sort_order", "slug"), currency="currency__code",
                             usage_workflow="usage_workflow__slug",
                             **_same("slug", "name", "description", "price", "interval", "credits_per_interval",
                                     "overage_price_per_credit", "active", "sort_order"))
        ],
        "models": models,
        "workflows": workflows,
        "alert_thresholds": thresholds,
    })


def draft_configuration_sha256() -> str:
    """The fingerprint of the draft tables as they are now (an import checks it
    against the one its preview was made on)."""
    from billingcfg.models import PricingPolicy

    try:
        return configuration_sha256(draft_configuration())
    except PricingPolicy.DoesNotExist:
        return "no-policy"


def _decimals(row: dict, *names) -> dict:
    for name in names:
        row[name] = dec(row[name])
    return row


def _jsonable(value):
    """Dates as ISO text; everything else is already JSON."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return dec(value)
    return value


# ---- a configuration → the catalogue the pure engine reads -----------------------------------

def _d(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def catalogue_from_document(document: dict) -> c.Catalogue:
    """The plain values of a document (a release's or the draft's)."""
    policy = document["policy"]
    offers = tuple(
        [c.Offer("pack", p["slug"], p["name"], Decimal(p["price"]), p["currency"], p["credits"] + p["bonus_credits"],
                 p["active"]) for p in document["credit_packs"]]
        + [c.Offer("plan", p["slug"], p["name"], Decimal(p["price"]), p["currency"], p["credits_per_interval"],
                   p["active"]) for p in document["subscription_plans"]]
    )
    models = {}
    for m in document["models"]:
        models[m["slug"]] = c.Model(
            slug=m["slug"], name=m["name"], provider=m["provider"], modality=m["modality"], active=m["active"],
            variants=tuple(c.Variant(v["slug"], v["name"], v["is_default"]) for v in m["variants"]),
            costs=tuple(
                c.Cost(meter=k["meter"], price=Decimal(k["price"]), currency=k["currency"], per_units=k["per_units"],
                       variant=k["variant"], price_high=_d(k["price_high"]), tier_threshold=_d(k["tier_threshold"]),
                       tier_mode=k["tier_mode"], tier_meter=k["tier_meter"])
                for k in m["provider_costs"]
            ),
            rates=tuple(
                c.Rate(meter=r["meter"], credits=Decimal(r["credits"]), per_units=r["per_units"], variant=r["variant"],
                       minimum_charge=r["minimum_charge"],
                       allowed_quantities=tuple(Decimal(q) for q in r["allowed_quantities"]),
                       min_quantity=_d(r["min_quantity"]), max_quantity=_d(r["max_quantity"]),
                       default_quantity=_d(r["default_quantity"]), active=r["active"])
                for r in m["credit_rates"]
            ),
        )
    workflows = {
        w["slug"]: c.Workflow(
            slug=w["slug"], name=w["name"], unit_label=w["unit_label"], credits_per_unit=_d(w["credits_per_unit"]),
            active=w["active"],
            steps=tuple(c.Step(label=s["label"], model=s["model"], meter=s["meter"], quantity=Decimal(s["quantity"]),
                               variant=s["variant"], probability=Decimal(s["probability"]),
                               multiplier=Decimal(s["multiplier"])) for s in w["steps"]),
        )
        for w in document["workflows"]
    }
    return c.Catalogue(
        policy=c.Policy(reporting_currency=policy["reporting_currency"],
                        target_gross_margin=Decimal(policy["target_gross_margin"]),
                        revenue_basis=policy["revenue_basis"],
                        fixed_revenue_per_credit=_d(policy["fixed_revenue_per_credit"])),
        fx_rates=tuple(c.FxRate(r["from"], r["to"], Decimal(r["from_amount"]), Decimal(r["to_amount"]),
                                date.fromisoformat(r["as_of"])) for r in document["exchange_rates"]),
        offers=offers,
        plans=tuple(
            c.Plan(slug=p["slug"], name=p["name"], price=Decimal(p["price"]), currency=p["currency"],
                   interval=p["interval"], credits_per_interval=p["credits_per_interval"],
                   overage_price_per_credit=_d(p["overage_price_per_credit"]), usage_workflow=p["usage_workflow"],
                   active=p["active"])
            for p in document["subscription_plans"]
        ),
        meters={m["slug"]: c.Meter(m["slug"], m["name"], m["unit"], m["whole_units"]) for m in document["meters"]},
        models=models,
        workflows=workflows,
        thresholds=tuple(
            c.Threshold(slug=t["slug"], name=t["name"], scope=t["scope"], metric=t["metric"], window=t["window"],
                        limit=Decimal(t["limit"]),
                        actions=tuple((a["action"], a["switch_to_model"]) for a in t["actions"]),
                        provider=t["provider"], model=t["model"], plan=t["plan"], tier=t["tier"],
                        currency=t["currency"], meter=t["meter"], active=t["active"], sort_order=t["sort_order"])
            for t in document["alert_thresholds"]
        ),
    )


# ---- the computed parts: margins beside the figures ----------------------------------------

def _band(band: Band | None) -> dict | None:
    return None if band is None else {"low": dec(band.low), "high": dec(band.high)}


def _margin(band: MarginBand | None) -> dict | None:
    """Gross margin and markup at the cost band's high end (worst) and low end (best)."""
    if band is None:
        return None
    return {
        "gross_margin": {"worst": dec(band.worst.gross_margin), "best": dec(band.best.gross_margin)},
        "markup": {"worst": dec(band.worst.markup), "best": dec(band.best.markup)},
        "profit": {"worst": dec(band.worst.profit), "best": dec(band.best.profit)},
    }


def price_row_document(row: PriceRow) -> dict:
    return {
        "variant": row.variant, "meter": row.meter, "per_units": row.per_units, "tier": row.tier,
        "credits": dec(row.credits),
        "cost": None if row.cost is None else {**_band(row.cost), "currency": row.cost_currency},
        "cost_reporting": _band(row.cost_reporting),
        "revenue": {"lowest": dec(row.revenue_lowest), "basis": dec(row.revenue_basis)},
        "margin": {"lowest": _margin(row.at_lowest), "basis": _margin(row.at_basis)},
        "credits_for_target": row.suggested_credits,
        "flags": list(row.flags),
        "problems": list(row.problems),
    }


def quote_document(quote: Quote) -> dict:
    """A quote as JSON: what the quote endpoint answers and what a variant's default usage shows."""
    lines = []
    for line in quote.lines:
        item = {"quantity": dec(line.quantity), "cost": {**_band(line.cost), "currency": line.cost_currency}}
        if quote.kind == "model":
            item.update(meter=line.name, credits=dec(line.credits), tier=line.tier, defaulted=line.defaulted)
        else:
            item.update(step=line.name, model=line.model, variant=line.variant)
        lines.append(item)
    return {
        "credits": quote.credits,
        "cost": {
            "provider": None if quote.cost is None else {**_band(quote.cost), "currency": quote.cost_currency},
            "reporting": {**_band(quote.cost_reporting), "currency": quote.reporting_currency},
        },
        "revenue": {"lowest": dec(quote.revenue_lowest), "basis": dec(quote.revenue_basis),
                    "currency": quote.reporting_currency},
        "margin": {"lowest": _margin(quote.at_lowest), "basis": _margin(quote.at_basis)},
        "lines": lines,
    }


def with_margins(configuration: dict, *, on: date | None = None) -> dict:
    """The configuration with every computed figure added: revenue per credit, each
    model's margins and flags and each variant's default usage, each workflow's
    cost and margin, each offer's price per credit."""
    catalogue = catalogue_from_document(configuration)
    report: MarginReport = margin_report(catalogue, on=on)
    converter = Converter(catalogue.fx_rates, on=on)
    revenue = report.revenue
    document = dict(configuration)
    document["revenue_per_credit"] = {
        "currency": revenue.currency, "lowest": dec(revenue.lowest), "mean": dec(revenue.mean),
        "highest": dec(revenue.highest), "basis": dec(revenue.basis), "basis_name": revenue.basis_name,
    }
    per_credit = {(item.offer.kind, item.offer.slug): item for item in revenue.offers}
    document["credit_packs"] = [
        {**pack, "price_per_credit": dec(per_credit[("pack", pack["slug"])].per_credit)}
        for pack in configuration["credit_packs"]
    ]
    document["subscription_plans"] = [
        {**plan, "price_per_credit": dec(per_credit[("plan", plan["slug"])].per_credit)}
        for plan in configuration["subscription_plans"]
    ]
    models = []
    for model in configuration["models"]:
        model_report = report.models[model["slug"]]
        variants = []
        for variant in model["variants"]:
            variants.append({**variant, "default_usage": _default_usage(catalogue, model, variant, revenue, converter)})
        models.append({**model, "variants": variants, "flags": list(model_report.flags),
                       "margins": [price_row_document(row) for row in model_report.rows]})
    document["models"] = models
    workflows = []
    for workflow in configuration["workflows"]:
        judged = report.workflows[workflow["slug"]]
        cost = judged.cost
        workflows.append({
            **workflow,
            "cost": None if cost is None else {**_band(cost.expected), "currency": cost.currency},
            "revenue": {"lowest": dec(judged.revenue_lowest), "basis": dec(judged.revenue_basis)},
            "margin": {"lowest": _margin(judged.at_lowest), "basis": _margin(judged.at_basis)},
            "flags": list(judged.flags),
            "problems": list(judged.problems),
        })
    document["workflows"] = workflows
    return document


def _default_usage(catalogue, model: dict, variant: dict, revenue, converter) -> dict | None:
    """The price of a request that states no quantities (each charged meter at its
    default): seed 003's "8-second video". None when the variant is not sold or a
    charged meter has no default."""
    found = catalogue.models[model["slug"]]
    if not found.active or not found.charged_meters(variant["slug"]):
        return None
    try:
        quote = quote_model(catalogue, model["slug"], variant["slug"], {}, revenue=revenue, converter=converter)
    except (PricingError, MissingExchangeRate):
        return None
    usage = {line.name: dec(line.quantity) for line in quote.lines}
    return {"usage": usage, **quote_document(quote)}


def draft_document(*, on: date | None = None) -> dict:
    """The draft as a full document (no release header)."""
    return with_margins(draft_configuration(), on=on)


def configuration_of(document: dict) -> dict:
    """A document's own figures: everything a restore loads back, nothing computed."""
    def strip(value):
        if isinstance(value, dict):
            return {key: strip(item) for key, item in value.items() if key not in COMPUTED_KEYS}
        if isinstance(value, list):
            return [strip(item) for item in value]
        return value

    return strip(document)
