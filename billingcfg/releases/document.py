"""The configuration document: the draft tables as one plain, JSON-ready dict,
read in one query per table whatever the catalogue's size, with the computed
margins beside the figures they come from. A release stores this document's
canonical bytes; the draft is served and diffed as the same document.

Every entity carries its natural key (slug, code), never a database id, so a
document can be diffed against another and loaded back into the draft
(`billingcfg.releases.restore`). Decimals are strings, exact, without padding zeros.

Which tables, columns and conversions: `billingcfg.releases.tables`. The same reader gives
the engine its catalogue, from a document or straight from the draft tables for
the admin's screens (`draft_snapshot`, one query per table the engine reads)."""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import UTC, date, datetime
from operator import itemgetter

from billingcfg.releases.tables import TABLE, TABLES, as_is
from pricing import catalogue as c
from pricing.diff import COMPUTED_KEYS
from pricing.errors import MissingExchangeRate, PricingError
from pricing.fx import Converter
from pricing.margins import MarginBand
from pricing.money import Band, dec
from pricing.quote import Quote, quote_model
from pricing.report import MarginReport, PriceRow, margin_report

SCHEMA_VERSION = 2
# Before products (schema 1) a document held one product's figures under "policy"; the
# migration that made that policy a product named it so (migration 0010).
SCHEMA_1_PRODUCT = "default"


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


def _paths(table, names: tuple[str, ...]) -> list[str]:
    """The ORM paths of a table's columns: references as their targets' slugs or codes."""
    return [table.ref_of[name].path if name in table.ref_of else name for name in names]


def _document_names(table) -> tuple[str, ...]:
    return table.document_keys if table.nested is None else (table.nested.ref, *table.document_keys)


def draft_configuration() -> dict:
    """The draft's figures, every product's, as a document without the computed parts.
    One query per table."""
    rows = {}
    for table in TABLES:
        names = _document_names(table)
        converters = [
            (name, column.kind.to_document)
            for name, column in table.fields.items()
            if column.kind.to_document is not as_is
        ]
        found = rows[table.name] = []
        for values in table.model.objects.order_by(*table.order).values_list(*_paths(table, names)):
            row = dict(zip(names, values, strict=True))
            for name, convert in converters:
                if row[name] is not None:
                    row[name] = convert(row[name])
            found.append(row)
    for table in TABLES:
        nested = table.nested
        if nested is not None:
            children = defaultdict(list)
            for row in rows[table.name]:
                children[row.pop(nested.ref)].append(row)
            ident = TABLE[nested.parent].ident
            for parent in rows[nested.parent]:
                parent[nested.name] = children[parent[ident]]
    return {
        "schema_version": SCHEMA_VERSION,
        **{table.name: rows[table.name] for table in TABLES if table.nested is None},
    }


def draft_configuration_sha256() -> str:
    """The fingerprint of the draft tables as they are now (an import checks it
    against the one its preview was made on)."""
    return configuration_sha256(draft_configuration())


# ---- one product's part of a configuration -------------------------------------------------

# A product's own rows: the tables that carry a product column, outside models.
PRODUCT_TABLES = tuple(
    table.name for table in TABLES if table.nested is None and "product" in table.ref_of and table.name != "products"
)
SHARED_TABLES = ("currencies", "exchange_rates", "meters", "providers")


def product_slugs(configuration: dict) -> list[str]:
    return [product["slug"] for product in configuration["products"]]


def product_configuration(configuration: dict, slug: str, *, catalogue: c.Catalogue | None = None) -> dict:
    """What one product reads of a whole configuration: the shared tables, the models it
    sells or uses (their variants, the costs of the suppliers it buys from, only its own
    credit rates), its offers, workflows and thresholds. `catalogue`: the configuration's, when
    the caller has it (several products narrowed from one). KeyError naming the products."""
    product = next((row for row in configuration["products"] if row["slug"] == slug), None)
    if product is None:
        raise KeyError(f"no product '{slug}'; products are: {', '.join(product_slugs(configuration)) or 'none'}")
    usage = (catalogue or catalogue_from_document(configuration)).product_usage(slug)
    narrowed = {
        "schema_version": SCHEMA_VERSION,
        "product": product,
        "reporting_currency": product["reporting_currency"],
        **{name: configuration[name] for name in SHARED_TABLES},
        "models": [
            {
                **model,
                "primary_supplier": c.primary_within(
                    model["primary_supplier"] or model["provider"], usage[model["slug"]], model["primary_supplier"]
                ),
                "provider_costs": [
                    cost for cost in model["provider_costs"] if cost["supplier"] in usage[model["slug"]]
                ],
                "credit_rates": [rate for rate in model["credit_rates"] if rate["product"] == slug],
            }
            for model in configuration["models"]
            if model["slug"] in usage
        ],
    }
    for name in PRODUCT_TABLES:
        narrowed[name] = [row for row in configuration[name] if row["product"] == slug]
    return narrowed


def product_document(configuration: dict, slug: str, *, on: date | None = None, catalogue=None) -> dict:
    """One product's configuration with its margins: what its backend reads."""
    return with_margins(product_configuration(configuration, slug, catalogue=catalogue), on=on)


@dataclass(frozen=True)
class ProductMargins:
    """One product of a configuration, priced once: its catalogue (`Catalogue.for_product`),
    its margin report and its document. Publishing validates on the same report the
    document carries."""

    catalogue: c.Catalogue
    report: MarginReport
    document: dict


def products_priced(configuration: dict, *, on: date | None = None) -> tuple[c.Catalogue, dict[str, ProductMargins]]:
    """The configuration's catalogue, read once, and every product priced on it."""
    whole = catalogue_from_document(configuration)
    priced = {}
    for slug in product_slugs(configuration):
        narrowed = whole.for_product(slug)
        report = margin_report(narrowed, on=on)
        document = with_margins(
            product_configuration(configuration, slug, catalogue=whole), on=on, catalogue=narrowed, report=report
        )
        priced[slug] = ProductMargins(catalogue=narrowed, report=report, document=document)
    return whole, priced


def product_documents(configuration: dict, *, on: date | None = None) -> dict[str, dict]:
    """Every product's document, by slug, from one reading of the configuration."""
    catalogue = catalogue_from_document(configuration)
    return {
        slug: product_document(configuration, slug, on=on, catalogue=catalogue) for slug in product_slugs(configuration)
    }


def whole_configuration(document: dict) -> dict:
    """A document as a whole configuration: a product's document (or a schema-1 one) is
    the configuration of that one product."""
    document = upgraded(document)
    if "products" in document:
        return document
    whole = {key: value for key, value in document.items() if key not in ("product", "reporting_currency")}
    whole["products"] = [document["product"]]
    return whole


def upgraded(document: dict) -> dict:
    """A schema-1 document (before products: one "policy") read as schema 2: the policy is
    the product `default`, every offer, rate, workflow and threshold is its, every cost is
    bought from its model's provider, as migration 0010 did to the draft. Others unchanged."""
    if document.get("schema_version") != 1:
        return document
    old = dict(document)
    policy = old.pop("policy")
    product = {
        "slug": SCHEMA_1_PRODUCT,
        "name": "Default product",
        "credit_name": "credits",
        "reporting_currency": policy["reporting_currency"],
        "target_gross_margin": policy["target_gross_margin"],
        "target_gross_margin_high": None,
        "revenue_basis": policy["revenue_basis"],
        "fixed_revenue_per_credit": policy.get("fixed_revenue_per_credit"),
        "is_default": True,
        "sort_order": 0,
        "description": "",
    }
    mine = {"product": SCHEMA_1_PRODUCT}
    old["schema_version"] = SCHEMA_VERSION
    old["product"] = product
    for name in PRODUCT_TABLES:
        old[name] = [{**row, **mine} for row in old.get(name, [])]
    old["workflows"] = [
        {**flow, "steps": [{**step, "supplier": None} for step in flow.get("steps", [])]}
        for flow in old.get("workflows", [])
    ]
    old["models"] = [
        {
            **model,
            "primary_supplier": None,
            "provider_costs": [
                {**cost, "supplier": model["provider"], "negotiated": False} for cost in model.get("provider_costs", [])
            ],
            "credit_rates": [{**rate, **mine, "supplier": None} for rate in model.get("credit_rates", [])],
        }
        for model in old.get("models", [])
    ]
    return old


# ---- the configuration → the catalogue the pure engine reads -----------------------------------

# The engine's value of a table's row (`pricing.catalogue`): its fields are the row's columns of
# the same name, besides those `_catalogue` gives (children, offers' credits, a rate's currencies).
ENGINE = {
    "products": c.Product,
    "exchange_rates": c.FxRate,
    "meters": c.Meter,
    "models": c.Model,
    "variants": c.Variant,
    "provider_costs": c.Cost,
    "credit_rates": c.Rate,
    "workflows": c.Workflow,
    "workflow_steps": c.Step,
    "credit_packs": c.Offer,
    "subscription_plans": c.Plan,
    "alert_thresholds": c.Threshold,
}
_ENGINE_ALSO = {
    "exchange_rates": ("from", "to"),
    "credit_packs": ("bonus_credits",),
    "threshold_actions": ("action", "switch_to_model"),
}
_FIELDS = {cls: tuple(field.name for field in dataclass_fields(cls)) for cls in ENGINE.values()}


def _engine_names(table) -> tuple[str, ...]:
    """The columns the engine reads, the parent's key first."""
    wanted = {*_FIELDS.get(ENGINE.get(table.name), ()), *_ENGINE_ALSO.get(table.name, ())}
    parent = (table.nested.ref,) if table.nested else ()
    return (*parent, *(name for name in table.document_keys if name in wanted))


# The tables the engine reads, and the columns it reads of each: rows travel as tuples of them.
ENGINE_COLUMNS = {
    table.name: _engine_names(table) for table in TABLES if table.name in ENGINE or table.name in _ENGINE_ALSO
}


def _values(table: str, names: tuple[str, ...]) -> itemgetter:
    """A row's values at `names`, as a tuple."""
    at = {name: index for index, name in enumerate(ENGINE_COLUMNS[table])}
    return itemgetter(*(at[name] for name in names))


# A nested row's engine value, built straight from its tuple: most rows are nested ones.
_NESTED = {
    table.name: (
        ENGINE.get(table.name),
        _values(table.name, _FIELDS[ENGINE[table.name]] if table.name in ENGINE else _ENGINE_ALSO[table.name]),
    )
    for table in TABLES
    if table.nested is not None
}


def _engine(cls, row: dict, **given):
    return cls(**{name: row[name] for name in _FIELDS[cls] if name not in given}, **given)


def _catalogue(rows: dict[str, list[tuple]]) -> c.Catalogue:
    """The catalogue of a configuration's rows: per table, tuples of its ENGINE_COLUMNS, the engine's values."""
    children = {}
    for name, (cls, values) in _NESTED.items():
        grouped = children[name] = defaultdict(list)
        for row in rows[name]:
            grouped[row[0]].append(values(row) if cls is None else cls(*values(row)))
    parents = {
        name: [dict(zip(ENGINE_COLUMNS[name], row, strict=True)) for row in rows[name]]
        for name in ENGINE_COLUMNS
        if name not in _NESTED
    }

    def each(name: str, parent: str) -> tuple:
        return tuple(children[name].get(parent, ()))

    packs, plans = parents["credit_packs"], parents["subscription_plans"]
    products = {p["slug"]: _engine(c.Product, p) for p in parents["products"]}
    return c.Catalogue(
        product=next((p for p in products.values() if p.is_default), next(iter(products.values()), None)),
        products=products,
        fx_rates=tuple(
            _engine(c.FxRate, row, from_currency=row["from"], to_currency=row["to"])
            for row in parents["exchange_rates"]
        ),
        offers=tuple(
            [_engine(c.Offer, p, kind="pack", credits=p["credits"] + p["bonus_credits"]) for p in packs]
            + [_engine(c.Offer, p, kind="plan", credits=p["credits_per_interval"]) for p in plans]
        ),
        plans=tuple(_engine(c.Plan, p) for p in plans),
        meters={m["slug"]: _engine(c.Meter, m) for m in parents["meters"]},
        models={
            m["slug"]: _engine(
                c.Model,
                m,
                variants=each("variants", m["slug"]),
                costs=each("provider_costs", m["slug"]),
                rates=each("credit_rates", m["slug"]),
            )
            for m in parents["models"]
        },
        workflows={
            w["slug"]: _engine(c.Workflow, w, steps=each("workflow_steps", w["slug"])) for w in parents["workflows"]
        },
        thresholds=tuple(
            _engine(c.Threshold, t, actions=each("threshold_actions", t["slug"])) for t in parents["alert_thresholds"]
        ),
    )


def _converters(table, names: tuple[str, ...], convert: str) -> list[tuple[int, object]]:
    """(position, conversion) of the columns at `names` whose kind's `convert` changes them."""
    found = []
    for index, name in enumerate(names):
        column = table.fields.get(name)
        if column is not None and getattr(column.kind, convert) is not as_is:
            found.append((index, getattr(column.kind, convert)))
    return found


def catalogue_from_document(document: dict) -> c.Catalogue:
    """The plain values of a document: a whole configuration (every product; narrow it
    with `for_product`), or one product's document (its `product` already chosen)."""
    document = upgraded(document)
    if "products" not in document:
        return _catalogue_rows(whole_configuration(document))
    return _catalogue_rows(document)


def _catalogue_rows(document: dict) -> c.Catalogue:
    rows = {}
    for name, names in ENGINE_COLUMNS.items():
        table, nested = TABLE[name], TABLE[name].nested
        own = names[1:] if nested else names
        values_of = itemgetter(*own) if len(own) > 1 else lambda row, key=own[0]: (row[key],)
        converters = _converters(table, names, "document_to_engine")
        if nested is not None:
            ident = TABLE[nested.parent].ident
            parts = [
                (parent[ident], *values_of(child))
                for parent in document[nested.parent]
                for child in parent[nested.name]
            ]
        else:
            parts = [values_of(row) for row in document[name]]
        if converters:
            for number, values in enumerate(parts):
                values = list(values)
                for index, convert in converters:
                    if values[index] is not None:
                        values[index] = convert(values[index])
                parts[number] = tuple(values)
        rows[name] = parts
    return _catalogue(rows)


@dataclass(frozen=True, slots=True)
class DraftSnapshot:
    """The catalogue, and the database id behind each slug, for screens that link or filter rows."""

    catalogue: c.Catalogue
    model_ids: dict[str, int] = field(default_factory=dict)
    variant_ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (model, variant)
    rate_ids: dict[tuple[str, str, str | None, str], int] = field(
        default_factory=dict
    )  # (product, model, variant, meter)
    workflow_ids: dict[str, int] = field(default_factory=dict)


_LINKED = ("models", "variants", "credit_rates", "workflows")  # the tables whose ids a snapshot keeps


def draft_snapshot() -> DraftSnapshot:
    """The draft tables as the engine's catalogue (every product: narrow it with
    `for_product`), one query per table it reads, each table in its model's own order
    (the admin lists' order), with the ids of the rows screens link."""
    rows, ids = {}, {}
    for table in TABLES:
        names = ENGINE_COLUMNS.get(table.name)
        if names is None:
            continue
        converters = _converters(table, names, "to_engine")
        found = rows[table.name] = []
        key = itemgetter(*(names.index(part) for part in table.key)) if table.name in _LINKED else None
        keyed = ids[table.name] = {}
        for pk, *values in table.model.objects.values_list("pk", *_paths(table, names)):
            for index, convert in converters:
                if values[index] is not None:
                    values[index] = convert(values[index])
            values = tuple(values)
            found.append(values)
            if key is not None:
                keyed[key(values)] = pk
    return DraftSnapshot(
        catalogue=_catalogue(rows),
        model_ids=ids["models"],
        variant_ids=ids["variants"],
        rate_ids=ids["credit_rates"],
        workflow_ids=ids["workflows"],
    )


def catalogue_from_draft() -> c.Catalogue:
    return draft_snapshot().catalogue


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
        "variant": row.variant,
        "meter": row.meter,
        "per_units": row.per_units,
        "tier": row.tier,
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
        "revenue": {
            "lowest": dec(quote.revenue_lowest),
            "basis": dec(quote.revenue_basis),
            "currency": quote.reporting_currency,
        },
        "margin": {"lowest": _margin(quote.at_lowest), "basis": _margin(quote.at_basis)},
        "lines": lines,
    }


def with_margins(
    configuration: dict,
    *,
    on: date | None = None,
    catalogue: c.Catalogue | None = None,
    report: MarginReport | None = None,
) -> dict:
    """The configuration (one product's) with every computed figure added: revenue per
    credit, each model's margins and flags and each variant's default usage, each
    workflow's cost and margin, each offer's price per credit. `catalogue` and `report`:
    the configuration's own, when the caller has them (`ProductMargins`)."""
    catalogue = catalogue or catalogue_from_document(configuration)
    report = report or margin_report(catalogue, on=on)
    converter = Converter(catalogue.fx_rates, on=on)
    revenue = report.revenue
    document = dict(configuration)
    document["revenue_per_credit"] = {
        "currency": revenue.currency,
        "lowest": dec(revenue.lowest),
        "mean": dec(revenue.mean),
        "highest": dec(revenue.highest),
        "basis": dec(revenue.basis),
        "basis_name": revenue.basis_name,
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
        models.append(
            {
                **model,
                "variants": variants,
                "flags": list(model_report.flags),
                "margins": [price_row_document(row) for row in model_report.rows],
            }
        )
    document["models"] = models
    workflows = []
    for workflow in configuration["workflows"]:
        judged = report.workflows[workflow["slug"]]
        cost = judged.cost
        workflows.append(
            {
                **workflow,
                "cost": None if cost is None else {**_band(cost.expected), "currency": cost.currency},
                "revenue": {"lowest": dec(judged.revenue_lowest), "basis": dec(judged.revenue_basis)},
                "margin": {"lowest": _margin(judged.at_lowest), "basis": _margin(judged.at_basis)},
                "flags": list(judged.flags),
                "problems": list(judged.problems),
            }
        )
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


def configuration_of(document: dict) -> dict:
    """A document's own figures: everything a restore loads back, nothing computed."""

    def strip(value):
        if isinstance(value, dict):
            return {key: strip(item) for key, item in value.items() if key not in COMPUTED_KEYS}
        if isinstance(value, list):
            return [strip(item) for item in value]
        return value

    return strip(document)
