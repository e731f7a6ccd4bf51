"""The demo data (billingcfg.demo.data) as a Catalogue, without a database, so
the seeds' figures are tested on the pure modules. tests/billingcfg/test_snapshot.py
checks that loading the demo and reading it back gives this same catalogue.

`demo_catalogue()` is the whole configuration (every product; its `product` is the
default one, video), as `catalogue_from_draft()` reads it; `demo_product(slug)` is one
product's catalogue, what its margins are judged on."""

from datetime import date
from decimal import Decimal
from functools import cache

from billingcfg.demo import data
from pricing import catalogue as c
from pricing.quantities import parse_quantity_list


def _d(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _cost_order(row, cost) -> tuple:
    """The draft's order of a model's costs (ProviderCost.Meta.ordering): variant, meter, supplier."""
    variants = [variant["slug"] for variant in row["variants"]]
    variant = variants.index(cost["variant"]) if cost["variant"] is not None else -1
    return variant, cost["meter"], cost.get("supplier", row["provider"])


def _model(row) -> c.Model:
    return c.Model(
        slug=row["slug"],
        name=row["name"],
        provider=row["provider"],
        modality=row["modality"],
        primary_supplier=row.get("primary_supplier"),
        variants=tuple(c.Variant(v["slug"], v["name"], v["is_default"]) for v in row["variants"]),
        costs=tuple(
            c.Cost(
                meter=cost["meter"],
                price=Decimal(cost["price"]),
                currency=cost["currency"],
                per_units=cost["per_units"],
                variant=cost["variant"],
                price_high=_d(cost.get("price_high")),
                tier_threshold=_d(cost.get("tier_threshold")),
                tier_mode=cost.get("tier_mode", ""),
                tier_meter=cost.get("tier_meter"),
                supplier=cost.get("supplier", row["provider"]),
                as_of=date.fromisoformat(cost["as_of"]),
                negotiated=cost.get("negotiated", False),
            )
            for cost in sorted(row["costs"], key=lambda cost: _cost_order(row, cost))
        ),
        rates=tuple(
            c.Rate(
                meter=rate["meter"],
                credits=Decimal(rate["credits"]),
                per_units=rate.get("per_units", 1),
                variant=rate["variant"],
                minimum_charge=rate.get("minimum_charge", 0),
                allowed_quantities=parse_quantity_list(rate.get("allowed_quantities", "")),
                min_quantity=_d(rate.get("min_quantity")),
                max_quantity=_d(rate.get("max_quantity")),
                default_quantity=_d(rate.get("default_quantity")),
                product=rate["product"],
                supplier=rate.get("supplier"),
            )
            for rate in row["rates"]
        ),
    )


def _product(row) -> c.Product:
    return c.Product(
        reporting_currency=row["reporting_currency"],
        target_gross_margin=Decimal(row["target_gross_margin"]),
        revenue_basis=row["revenue_basis"],
        fixed_revenue_per_credit=_d(row["fixed_revenue_per_credit"]),
        target_gross_margin_high=_d(row["target_gross_margin_high"]),
        slug=row["slug"],
        name=row["name"],
        credit_name=row["credit_name"],
        is_default=row["is_default"],
    )


@cache
def demo_catalogue() -> c.Catalogue:
    products = {row["slug"]: _product(row) for row in data.PRODUCTS}
    return c.Catalogue(
        product=next(product for product in products.values() if product.is_default),
        products=products,
        fx_rates=tuple(
            c.FxRate(
                r["from"], r["to"], Decimal(r["from_amount"]), Decimal(r["to_amount"]), date.fromisoformat(r["as_of"])
            )
            for r in data.EXCHANGE_RATES
        ),
        offers=tuple(
            [
                c.Offer(
                    "pack",
                    p["slug"],
                    p["name"],
                    Decimal(p["price"]),
                    p["currency"],
                    p["credits"] + p.get("bonus_credits", 0),
                    p.get("active", True),
                    product=p["product"],
                )
                for p in data.CREDIT_PACKS
            ]
            + [
                c.Offer(
                    "plan",
                    p["slug"],
                    p["name"],
                    Decimal(p["price"]),
                    p["currency"],
                    p["credits_per_interval"],
                    p.get("active", True),
                    product=p["product"],
                )
                for p in data.SUBSCRIPTION_PLANS
            ]
        ),
        plans=tuple(
            c.Plan(
                slug=p["slug"],
                name=p["name"],
                price=Decimal(p["price"]),
                currency=p["currency"],
                interval=p["interval"],
                credits_per_interval=p["credits_per_interval"],
                overage_price_per_credit=_d(p.get("overage_price_per_credit")),
                usage_workflow=p.get("usage_workflow"),
                active=p.get("active", True),
                product=p["product"],
            )
            for p in data.SUBSCRIPTION_PLANS
        ),
        meters={m["slug"]: c.Meter(m["slug"], m["name"], m["unit"], m["whole_units"]) for m in data.METERS},
        models={row["slug"]: _model(row) for row in data.MODELS},
        workflows={
            w["slug"]: c.Workflow(
                slug=w["slug"],
                name=w["name"],
                unit_label=w["unit_label"],
                credits_per_unit=_d(w["credits_per_unit"]),
                product=w["product"],
                steps=tuple(
                    c.Step(
                        label=s["label"],
                        model=s["model"],
                        meter=s["meter"],
                        quantity=Decimal(s["quantity"]),
                        variant=s["variant"],
                        probability=Decimal(s["probability"]),
                        multiplier=Decimal(s["multiplier"]),
                        supplier=s["supplier"],
                    )
                    for s in w["steps"]
                ),
            )
            for w in data.WORKFLOWS
        },
        thresholds=tuple(
            c.Threshold(
                slug=t["slug"],
                name=t["name"],
                scope=t["scope"],
                metric=t["metric"],
                window=t["window"],
                limit=Decimal(t["limit"]),
                provider=t["provider"],
                model=t["model"],
                tier=t["tier"],
                currency=t["currency"],
                meter=t["meter"],
                sort_order=order,
                product=t["product"],
                actions=tuple(a if isinstance(a, tuple) else (a, None) for a in t["actions"]),
            )
            for order, t in enumerate(data.ALERT_THRESHOLDS, start=1)
        ),
    )


@cache
def demo_product(slug: str) -> c.Catalogue:
    """One product's catalogue: its offers, plans, workflows, thresholds and the models it sells or uses."""
    return demo_catalogue().for_product(slug)
