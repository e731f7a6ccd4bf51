"""What changed between two configuration documents (two releases, or a release
and the draft): every added, removed or changed entity with its fields' old and
new values, and seed 003's "New Pricing vs Old" table of the prices a customer
sees, with their costs and margins before and after. Pure: it reads documents,
not the database; figures stay the documents' own exact strings."""

from collections import Counter
from decimal import Decimal

from pricing.money import dec
from pricing.report import BELOW_TARGET, FLAG_ORDER, LOSS

# What a document holds besides the draft's own figures: computed from them by the
# builder (billingcfg.releases.document), so a diff compares the figures only and a load
# back into the draft ignores them.
COMPUTED_KEYS = frozenset(
    {
        "release",
        "revenue_per_credit",
        "margins",
        "flags",
        "default_usage",
        "cost",
        "revenue",
        "margin",
        "price_per_credit",
        "problems",
    }
)

KINDS = (
    "product",
    "currency",
    "exchange_rate",
    "meter",
    "provider",
    "credit_pack",
    "subscription_plan",
    "model",
    "variant",
    "provider_cost",
    "credit_rate",
    "workflow",
    "workflow_step",
    "alert_threshold",
)
# Lists nested in an entity are entities of their own, compared one by one.
NESTED = frozenset({"variants", "provider_costs", "credit_rates", "steps"})
_SIMPLE = (
    ("product", "products", "slug"),
    ("currency", "currencies", "code"),
    ("meter", "meters", "slug"),
    ("provider", "providers", "slug"),
    ("credit_pack", "credit_packs", "slug"),
    ("subscription_plan", "subscription_plans", "slug"),
)


def document_diff(old: dict, new: dict) -> dict:
    """`old` → `new` as JSON: entity changes, the per-variant price table, the
    changed price rows and the rows of `new` that lose money or miss the target."""
    changes = _changes(old, new)
    rows = _row_changes(old, new)
    return {
        "old": _identity(old),
        "new": _identity(new),
        "summary": {
            change: sum(1 for item in changes if item["change"] == change) for change in ("added", "removed", "changed")
        },
        "changes": changes,
        "prices": _price_changes(old, new, {(row["model"], row["variant"]) for row in rows}),
        "rows": rows,
        "warnings": _warnings(new),
    }


def _identity(document: dict) -> dict:
    """A release's header (version, note, dates), or the draft's mark."""
    return dict(document["release"]) if document.get("release") else {"version": "draft"}


# ---- entities -------------------------------------------------------------------------------


def _own(entity: dict) -> dict:
    return {name: value for name, value in entity.items() if name not in COMPUTED_KEYS and name not in NESTED}


def _entities(document: dict):
    """(kind, ids, own fields) for every entity of a document, children after their parent."""
    if document.get("product"):  # one product's document
        yield "product", {"slug": document["product"]["slug"]}, document["product"]
    yield from (
        ("exchange_rate", {"from": rate["from"], "to": rate["to"], "as_of": rate["as_of"]}, rate)
        for rate in document.get("exchange_rates", [])
    )
    for kind, plural, key in _SIMPLE:
        yield from ((kind, {key: item[key]}, item) for item in document.get(plural, []))
    for model in document.get("models", []):
        slug = model["slug"]
        yield "model", {"slug": slug}, model
        yield from (
            ("variant", {"model": slug, "variant": variant["slug"]}, variant) for variant in model.get("variants", [])
        )
        yield from (
            (
                "provider_cost",
                {
                    "model": slug,
                    "variant": cost["variant"],
                    "meter": cost["meter"],
                    "supplier": cost.get("supplier"),
                    "tier_threshold": cost["tier_threshold"],
                },
                cost,
            )
            for cost in model.get("provider_costs", [])
        )
        yield from (
            (
                "credit_rate",
                {"product": rate.get("product"), "model": slug, "variant": rate["variant"], "meter": rate["meter"]},
                rate,
            )
            for rate in model.get("credit_rates", [])
        )
    for workflow in document.get("workflows", []):
        yield "workflow", {"slug": workflow["slug"]}, workflow
        yield from (
            ("workflow_step", {"workflow": workflow["slug"], "position": step["position"]}, step)
            for step in workflow.get("steps", [])
        )
    yield from (
        ("alert_threshold", {"slug": threshold["slug"]}, threshold)
        for threshold in document.get("alert_thresholds", [])
    )


def _index(document: dict) -> dict:
    """Entities by (kind, key values, occurrence): steps may share a position, so the
    second step at one position is its own entity rather than overwriting the first."""
    index, seen = {}, Counter()
    for kind, ids, entity in _entities(document):
        key = (kind, tuple(ids.values()))
        index[(*key, seen[key])] = (ids, _own(entity))
        seen[key] += 1
    return index


def _natural(value) -> tuple:
    """Sorts None first, numbers (and decimal text) by value, other text alphabetically."""
    if value is None:
        return (0, 0, "")
    if isinstance(value, int) or (isinstance(value, str) and value.replace(".", "", 1).isdecimal()):
        return (1, Decimal(value), "")
    return (2, 0, str(value))


def _order(key: tuple) -> tuple:
    kind, values, occurrence = key
    return KINDS.index(kind), tuple(_natural(value) for value in values), occurrence


def _key_text(kind: str, ids: dict, occurrence: int) -> str:
    parts = [
        "*" if value is None else str(value)
        for name, value in ids.items()
        if not (name == "tier_threshold" and value is None)
    ]
    text = " / ".join(parts) or kind
    return f"{text} #{occurrence + 1}" if occurrence else text


def _field_changes(old: dict | None, new: dict | None) -> dict:
    """Every field of an added or removed entity; only differing fields of a changed one."""
    names = dict.fromkeys([*(old or {}), *(new or {})])
    return {
        name: {"old": None if old is None else old.get(name), "new": None if new is None else new.get(name)}
        for name in names
        if old is None or new is None or old.get(name) != new.get(name)
    }


def _changes(old: dict, new: dict) -> list[dict]:
    before, after = _index(old), _index(new)
    changes = []
    for key in sorted(before.keys() | after.keys(), key=_order):
        old_ids, old_fields = before.get(key, (None, None))
        new_ids, new_fields = after.get(key, (None, None))
        if old_fields == new_fields:
            continue
        change = "added" if old_fields is None else "removed" if new_fields is None else "changed"
        ids = new_ids if new_ids is not None else old_ids
        changes.append(
            {
                "kind": key[0],
                "key": _key_text(key[0], ids, key[2]),
                "ids": ids,
                "change": change,
                "fields": _field_changes(old_fields, new_fields),
            }
        )
    return changes


# ---- prices: what a customer pays and what it earns us ---------------------------------------


def _price_rows(document: dict) -> dict:
    """Each model's computed price rows by (model, variant, meter, tier)."""
    return {
        (model["slug"], row["variant"], row["meter"], row["tier"]): row
        for model in document.get("models", [])
        for row in model.get("margins", [])
    }


def _worst(margin: dict | None) -> str | None:
    """The gross margin at the cost band's high end: the figure the flags judge."""
    return None if margin is None else margin["gross_margin"]["worst"]


def _row_view(row: dict | None) -> dict:
    if row is None:
        return dict.fromkeys(("per_units", "credits", "cost", "lowest", "basis", "flags"))
    return {
        "per_units": row["per_units"],
        "credits": row["credits"],
        "cost": row["cost"],
        "lowest": _worst(row["margin"]["lowest"]),
        "basis": _worst(row["margin"]["basis"]),
        "flags": row["flags"],
    }


def _pair(old: dict, new: dict, name: str) -> dict:
    return {"old": old[name], "new": new[name]}


def _row_changes(old: dict, new: dict) -> list[dict]:
    before, after = _price_rows(old), _price_rows(new)
    rows = []
    for key in sorted(before.keys() | after.keys()):
        was, now = _row_view(before.get(key)), _row_view(after.get(key))
        if was == now:
            continue
        rows.append(
            {
                **dict(zip(("model", "variant", "meter", "tier"), key, strict=True)),
                **{name: _pair(was, now, name) for name in ("per_units", "credits", "cost")},
                "margin": {"lowest": _pair(was, now, "lowest"), "basis": _pair(was, now, "basis")},
                "flags": _pair(was, now, "flags"),
            }
        )
    return rows


def _variant_flags(rows: dict, model: str, variant: str) -> list[str]:
    present = {flag for key, row in rows.items() if key[:2] == (model, variant) for flag in row["flags"]}
    return [flag for flag in FLAG_ORDER if flag in present] + sorted(present - set(FLAG_ORDER))


def _usages(document: dict) -> dict:
    return {
        (model["slug"], variant["slug"]): variant.get("default_usage")
        for model in document.get("models", [])
        for variant in model.get("variants", [])
    }


def _usage_view(usage: dict | None, flags: list[str]) -> dict:
    if usage is None:
        return {"usage": None, "credits": None, "cost": None, "lowest": None, "basis": None, "flags": flags}
    return {
        "usage": usage["usage"],
        "credits": usage["credits"],
        "cost": usage["cost"]["reporting"],
        "lowest": _worst(usage["margin"]["lowest"]),
        "basis": _worst(usage["margin"]["basis"]),
        "flags": flags,
    }


def _fraction(old, new) -> str | None:
    """(new − old) / old as text, "15" for +1500% (exact unless it does not terminate: then
    28 significant digits); None when there is nothing to compare with."""
    if old is None or new is None or Decimal(old) == 0:
        return None
    return dec((Decimal(new) - Decimal(old)) / Decimal(old))


def _price_changes(old: dict, new: dict, rows_changed: set) -> list[dict]:
    """One line per (model, variant) whose default usage or price rows changed."""
    before, after = _usages(old), _usages(new)
    old_rows, new_rows = _price_rows(old), _price_rows(new)
    prices = []
    for model, variant in sorted(before.keys() | after.keys()):
        key = (model, variant)
        if before.get(key) == after.get(key) and key not in rows_changed:
            continue
        was = _usage_view(before.get(key), _variant_flags(old_rows, model, variant))
        now = _usage_view(after.get(key), _variant_flags(new_rows, model, variant))
        prices.append(
            {
                "model": model,
                "variant": variant,
                "usage_old": was["usage"],
                "usage_new": now["usage"],
                "credits": _pair(was, now, "credits"),
                "change": _fraction(was["credits"], now["credits"]),
                "cost": _pair(was, now, "cost"),
                "margin": {"lowest": _pair(was, now, "lowest"), "basis": _pair(was, now, "basis")},
                "flags": _pair(was, now, "flags"),
            }
        )
    return prices


def _warnings(new: dict) -> list[dict]:
    """Every price row of `new` that loses money or misses the target margin, changed or not."""
    return [
        {
            "model": model,
            "variant": variant,
            "meter": meter,
            "tier": tier,
            "flags": row["flags"],
            "margin_basis": _worst(row["margin"]["basis"]),
        }
        for (model, variant, meter, tier), row in sorted(_price_rows(new).items())
        if LOSS in row["flags"] or BELOW_TARGET in row["flags"]
    ]
