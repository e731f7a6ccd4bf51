"""Provider price drift (DESIGN §5): a LiteLLM price list checked against the
draft — which of our suppliers' costs differ and by how much, which credit rates'
margins that moves in each product, worst first — and, applied, written into the draft.

`price_list_check` reads only. `price_list_apply` checks again in the same
transaction and writes through the one loader, `billingcfg.releases.restore.draft_load`,
so the history says who imported which file, and a failure writes nothing. It
writes only the supplier-cost rows the list changes or adds: a row is matched by
(model, variant, meter, supplier, tier threshold); a matched row gets the list's
price (at the row's own per-N units, so "0.71 per 5 seconds" stays per 5 seconds),
USD, no price band, today's as-of date and LiteLLM's URL as source, and keeps its
notes and tier semantics; a row the draft lacks is added, bought from the supplier
the entry's provider maps to.

Never written: a cost marked negotiated (a contract price: the report shows it
kept, beside the list's figure), a row entries disagree on (ambiguous), and a
held row — a move of more than PRICE_LIST_HOLD_SHARE of the cost (0.5: ±50 %),
to or from zero, or one that cannot be measured (no exchange rate) — until it is
confirmed by its row id (rates.price_list.row_id)."""

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billingcfg.releases.document import (
    catalogue_from_document,
    configuration_sha256,
    draft_configuration,
    product_documents,
    sha256,
)
from billingcfg.releases.history import change_reason
from billingcfg.releases.restore import LoadResult, draft_load
from billingcfg.releases.services import DraftChanged
from billingcfg.releases.tables import TABLES
from pricing.errors import MissingExchangeRate
from pricing.fx import Converter
from pricing.money import dec
from pricing.report import BELOW_TARGET, LOSS
from rates import price_list as pl


class ImportRefused(ValueError):
    """The import cannot run against this draft (an unknown provider, no USD …); nothing is written."""


HELD_TO_ZERO = "a move to zero"
HELD_FROM_ZERO = "a move from zero"
HELD_NEW_ZERO = "a new cost of zero"


@dataclass(frozen=True, slots=True)
class CostChange:
    """A supplier cost the list prices differently: old → new, per `per_units` units."""

    model: str
    variant: str | None
    meter: str
    tier_threshold: Decimal | None
    old_price: Decimal
    old_price_high: Decimal | None
    old_currency: str
    old_per_units: int
    new_price: Decimal
    per_units: int
    change: Decimal | None  # (new − old) / old per unit, in USD at today's rates; None if it cannot be told
    entry: str
    key: str
    unrounded: Decimal | None = None
    new_currency: str = pl.CURRENCY
    supplier: str = ""
    agreeing: tuple[str, ...] = ()  # other entries giving the same price
    held: str = ""  # why it waits for a confirmation; "" when it does not
    confirmed: bool = False

    @property
    def row_id(self) -> str:
        return pl.row_id(self.model, self.variant, self.meter, self.supplier, self.tier_threshold)


@dataclass(frozen=True, slots=True)
class NewCost:
    """A supplier-cost row the draft lacks and the list prices."""

    model: str
    variant: str | None
    meter: str
    tier_threshold: Decimal | None
    tier_meter: str | None
    price: Decimal
    per_units: int
    entry: str
    key: str
    unrounded: Decimal | None = None
    currency: str = pl.CURRENCY
    supplier: str = ""
    agreeing: tuple[str, ...] = ()
    held: str = ""
    confirmed: bool = False

    @property
    def row_id(self) -> str:
        return pl.row_id(self.model, self.variant, self.meter, self.supplier, self.tier_threshold)


@dataclass(frozen=True, slots=True)
class KeptCost:
    """A negotiated cost (a contract price) the list prices differently: kept as it is."""

    model: str
    variant: str | None
    meter: str
    supplier: str
    tier_threshold: Decimal | None
    price: Decimal
    price_high: Decimal | None
    currency: str
    per_units: int
    list_price: Decimal  # at `list_per_units`, USD
    list_per_units: int
    entry: str
    key: str

    @property
    def row_id(self) -> str:
        return pl.row_id(self.model, self.variant, self.meter, self.supplier, self.tier_threshold)


@dataclass(frozen=True, slots=True)
class MarginMove:
    """A credit rate whose margin the new costs move (one row of a product's diff's price rows)."""

    model: str
    variant: str
    meter: str
    tier: str
    credits: str | None
    per_units: int | None
    cost_old: dict | None  # {"low", "high", "currency"} per `per_units`
    cost_new: dict | None
    lowest_old: str | None  # gross margin at the lowest credit price (at the cost band's high end)
    lowest_new: str | None
    basis_old: str | None  # gross margin at the product's basis figure
    basis_new: str | None
    flags_old: tuple[str, ...]
    flags_new: tuple[str, ...]
    product: str = ""

    @property
    def loss(self) -> bool:
        return LOSS in self.flags_new

    @property
    def below_target(self) -> bool:
        return BELOW_TARGET in self.flags_new


@dataclass(frozen=True, slots=True)
class WorkflowMove:
    """A workflow whose cost per unit the new costs move, in one product (its reporting currency)."""

    product: str
    workflow: str
    unit_label: str
    credits: str | None  # credits per unit, when the workflow is sold
    cost_old: dict | None  # {"low", "high", "currency"} per unit
    cost_new: dict | None
    lowest_old: str | None  # gross margin at the lowest credit price, at the cost's high end
    lowest_new: str | None
    basis_old: str | None
    basis_new: str | None
    flags_new: tuple[str, ...] = ()

    @property
    def loss(self) -> bool:
        return LOSS in self.flags_new

    @property
    def below_target(self) -> bool:
        return BELOW_TARGET in self.flags_new


@dataclass(frozen=True, slots=True)
class PriceListReport:
    filename: str
    sha256: str  # of the file's bytes
    draft_sha256: str  # of the draft configuration the report was computed on
    providers: tuple[str, ...]  # the --provider filter; () for all
    as_of: date
    targets: dict  # product slug → its target gross margin (the low end of a range)
    entries: int
    matched: tuple[pl.MatchedEntry, ...]
    changes: tuple[CostChange, ...]  # written (or to be): largest rise first
    added: tuple[NewCost, ...]
    unchanged: int  # rows the list prices as the draft does
    margin_moves: tuple[MarginMove, ...]  # lowest new margin at the lowest credit price first
    request_prices: tuple[dict, ...]  # the diffs' per-variant default requests, worst first, with "product"
    skipped: tuple[pl.Skipped, ...]
    unmatched: tuple[str, ...]
    excluded: tuple[str, ...]
    held: tuple[CostChange | NewCost, ...] = ()  # waiting for a confirmation: not written
    kept: tuple[KeptCost, ...] = ()  # negotiated: never written
    ambiguous: tuple[pl.Ambiguous, ...] = ()  # entries disagree: not written
    hold_share: Decimal = Decimal("0.5")
    supplier_names: int = 0  # price-list supplier rows the entries were mapped through
    workflow_moves: tuple[WorkflowMove, ...] = ()  # lowest new margin first, then cost-only workflows
    # The slim configuration draft_load writes: the touched models' changed and added cost rows.
    writes: dict = field(repr=False, compare=False, default_factory=dict)

    @property
    def changes_draft(self) -> bool:
        return bool(self.changes or self.added)


# ---- the catalogue the list is mapped onto ---------------------------------------------------


def _aliases() -> dict[str, pl.Alias]:
    from rates.models import PriceListAlias

    return {
        name: pl.Alias(name, model, variant)
        for name, model, variant in PriceListAlias.objects.values_list("name", "model__slug", "variant__slug")
    }


def _supplier_names() -> tuple[pl.SupplierName, ...]:
    """The price-list suppliers; ImportRefused naming a stored row whose pattern cannot be used
    (written past the admin's and the sheet's checks), rather than let `*` take every entry."""
    from rates.models import PriceListSupplier

    names = tuple(
        pl.SupplierName(pattern, supplier)
        for pattern, supplier in PriceListSupplier.objects.order_by("pattern").values_list("pattern", "supplier__slug")
    )
    for name in names:
        problem = pl.pattern_problem(name.pattern)
        if problem:
            raise ImportRefused(
                f"price-list supplier '{name.pattern}' → {name.supplier}: {problem}; correct it in the admin first"
            )
    return names


def catalogue_of(
    configuration: dict,
    *,
    aliases: dict[str, pl.Alias],
    providers: frozenset[str] | None,
    supplier_names: tuple[pl.SupplierName, ...] = (),
) -> pl.Catalogue:
    return pl.Catalogue(
        models={
            model["slug"]: pl.CatalogueModel(
                slug=model["slug"],
                provider=model["provider"],
                variants=tuple(pl.CatalogueVariant(v["slug"], v["resolution"] or "") for v in model["variants"]),
                priced=frozenset(
                    (cost["variant"], cost["meter"], cost["supplier"]) for cost in model["provider_costs"]
                ),
                primary_supplier=model.get("primary_supplier"),
            )
            for model in configuration["models"]
        },
        meters=frozenset(meter["slug"] for meter in configuration["meters"]),
        aliases=aliases,
        providers=providers,
        supplier_names=supplier_names,
    )


def _providers(configuration: dict, providers: list[str] | None) -> frozenset[str] | None:
    if not providers:
        return None
    known = sorted(provider["slug"] for provider in configuration["providers"])
    unknown = [slug for slug in providers if slug not in known]
    if unknown:
        raise ImportRefused(
            f"there is no provider {', '.join(repr(slug) for slug in unknown)}; the providers are: {', '.join(known)}"
        )
    return frozenset(providers)


def hold_share() -> Decimal:
    """PRICE_LIST_HOLD_SHARE as a Decimal: the share of a cost a price list may move it by unconfirmed."""
    text = str(settings.PRICE_LIST_HOLD_SHARE).strip()
    try:
        share = Decimal(text)
    except ArithmeticError:
        share = None
    if share is None or not share.is_finite() or share < 0:
        raise ImportRefused(
            f"PRICE_LIST_HOLD_SHARE (DJANGO_PRICE_LIST_HOLD_SHARE) is '{text}'; it is a share of a cost "
            "such as 0.5 (±50 %), 0 or more"
        )
    return share


# ---- the list's prices put into a copy of the draft -----------------------------------------


def _threshold(text) -> Decimal | None:
    return None if text is None else Decimal(text)


def _at_row_units(cost: pl.ProposedCost, per_units: int) -> tuple[Decimal, int]:
    """The proposed price per `per_units` units when that is exact in the column, else at the list's own units."""
    fitted = pl.fit_price(cost.unit_price * per_units)
    if isinstance(fitted, tuple) and not fitted[1]:
        return fitted[0], per_units
    return cost.price, cost.per_units


def _change(old_unit: Decimal, currency: str, new_unit: Decimal, converter: Converter) -> Decimal | None:
    try:
        old_usd = converter.convert(old_unit, currency, pl.CURRENCY)
    except MissingExchangeRate:
        return None
    return None if old_usd == 0 else (new_unit - old_usd) / old_usd


def _held(old_unit: Decimal, currency: str, new_unit: Decimal, change: Decimal | None, share: Decimal) -> str:
    """Why a move waits for a confirmation, or "" when it does not."""
    if new_unit == 0 and old_unit != 0:
        return HELD_TO_ZERO
    if old_unit == 0:
        return HELD_FROM_ZERO if new_unit != 0 else ""
    if change is None:
        return f"a move that cannot be measured: no exchange rate from {currency} to {pl.CURRENCY}"
    if abs(change) > share:
        return f"a move of more than ±{dec(share * 100)} %"
    return ""


@dataclass
class _Priced:
    configuration: dict
    changes: list[CostChange] = field(default_factory=list)
    added: list[NewCost] = field(default_factory=list)
    held: list[CostChange | NewCost] = field(default_factory=list)
    kept: list[KeptCost] = field(default_factory=list)
    unchanged: int = 0
    touched: dict[str, list[dict]] = field(default_factory=dict)  # model slug → its rows to write


def _row_of(rows: list[dict], cost: pl.ProposedCost) -> dict | None:
    wanted = (cost.variant, cost.meter, cost.supplier, cost.tier_threshold)
    return next(
        (
            row
            for row in rows
            if (row["variant"], row["meter"], row["supplier"], _threshold(row["tier_threshold"])) == wanted
        ),
        None,
    )


def _priced(
    configuration: dict,
    costs: tuple[pl.ProposedCost, ...],
    *,
    today: date,
    share: Decimal,
    confirmed: frozenset[str],
    confirm_all_held: bool,
) -> _Priced:
    result = _Priced(copy.deepcopy(configuration))
    converter = Converter(catalogue_from_document(configuration).fx_rates, on=today)
    models = {model["slug"]: model for model in result.configuration["models"]}
    stamp = {"currency": pl.CURRENCY, "price_high": None, "source_url": pl.SOURCE_URL, "as_of": today.isoformat()}

    def goes_ahead(row_change: CostChange | NewCost) -> CostChange | NewCost | None:
        """The change as written (marked confirmed when it was held), or None when it stays held."""
        if not row_change.held:
            return row_change
        if confirm_all_held or row_change.row_id in confirmed:
            return _confirmed(row_change)
        result.held.append(row_change)
        return None

    for cost in costs:
        rows = models[cost.model]["provider_costs"]
        row = _row_of(rows, cost)
        if row is None:
            added = goes_ahead(
                NewCost(
                    cost.model,
                    cost.variant,
                    cost.meter,
                    cost.tier_threshold,
                    cost.tier_meter,
                    cost.price,
                    cost.per_units,
                    cost.entry,
                    cost.key,
                    cost.unrounded,
                    supplier=cost.supplier,
                    agreeing=cost.agreeing,
                    held=HELD_NEW_ZERO if cost.price == 0 else "",
                )
            )
            if added is None:
                continue
            row = {
                "variant": cost.variant,
                "meter": cost.meter,
                "supplier": cost.supplier,
                "price": dec(cost.price),
                "per_units": cost.per_units,
                "tier_threshold": dec(cost.tier_threshold),
                "tier_mode": cost.tier_mode,
                "tier_meter": cost.tier_meter,
                "negotiated": False,
                "notes": f"From LiteLLM's price list: {cost.entry} ({cost.key}).",
                **stamp,
            }
            rows.append(row)
            result.added.append(added)
            result.touched.setdefault(cost.model, []).append(row)
            continue
        price, per_units = _at_row_units(cost, row["per_units"])
        old_price, old_high = Decimal(row["price"]), _threshold(row["price_high"])
        if (row["currency"], old_price, old_high, row["per_units"]) == (pl.CURRENCY, price, None, per_units):
            result.unchanged += 1
            continue
        if row.get("negotiated"):
            result.kept.append(
                KeptCost(
                    cost.model,
                    cost.variant,
                    cost.meter,
                    cost.supplier,
                    cost.tier_threshold,
                    old_price,
                    old_high,
                    row["currency"],
                    row["per_units"],
                    price,
                    per_units,
                    cost.entry,
                    cost.key,
                )
            )
            continue
        old_unit = old_price / row["per_units"]
        change = _change(old_unit, row["currency"], cost.unit_price, converter)
        proposed = goes_ahead(
            CostChange(
                model=cost.model,
                variant=cost.variant,
                meter=cost.meter,
                tier_threshold=cost.tier_threshold,
                old_price=old_price,
                old_price_high=old_high,
                old_currency=row["currency"],
                old_per_units=row["per_units"],
                new_price=price,
                per_units=per_units,
                change=change,
                entry=cost.entry,
                key=cost.key,
                unrounded=cost.unrounded,
                supplier=cost.supplier,
                agreeing=cost.agreeing,
                held=_held(old_unit, row["currency"], cost.unit_price, change, share),
            )
        )
        if proposed is None:
            continue
        result.changes.append(proposed)
        row.update(price=dec(price), per_units=per_units, **stamp)
        result.touched.setdefault(cost.model, []).append(row)
    return result


def _confirmed(row_change: CostChange | NewCost) -> CostChange | NewCost:
    return replace(row_change, confirmed=True)


def _writes(configuration: dict, touched: dict[str, list[dict]]) -> dict:
    """What draft_load writes (without pruning): the touched models' cost rows; every
    other table empty, so rows edited meanwhile elsewhere in the draft are left alone."""
    models = [
        {
            **{
                name: value
                for name, value in model.items()
                if name not in ("variants", "provider_costs", "credit_rates")
            },
            "variants": [],
            "provider_costs": touched[model["slug"]],
            "credit_rates": [],
        }
        for model in configuration["models"]
        if model["slug"] in touched
    ]
    return {
        "schema_version": configuration["schema_version"],
        **{table.name: [] for table in TABLES if table.nested is None},
        "models": models,
    }


def _unknown_confirmations(confirmed: frozenset[str], priced: _Priced) -> None:
    could_be = {row.row_id for row in (*priced.held, *priced.changes, *priced.added) if row.held}
    unknown = sorted(confirmed - could_be)
    if unknown:
        held = ", ".join(sorted(could_be)) or "none"
        raise ImportRefused(
            f"{', '.join(repr(row) for row in unknown)}: not a row this price list holds back, so there is nothing "
            f"to confirm there; the held rows are: {held}"
        )


# ---- what moves ----------------------------------------------------------------------------


def _decimal_or_none(text) -> Decimal | None:
    return None if text is None else Decimal(text)


def _worst_first(lowest, basis, *names) -> tuple:
    lowest, basis = _decimal_or_none(lowest), _decimal_or_none(basis)
    return (lowest is None, lowest or 0, basis is None, basis or 0, *("" if name is None else name for name in names))


def _margin_moves(diff: dict, product: str) -> list[MarginMove]:
    return [
        MarginMove(
            model=row["model"],
            variant=row["variant"],
            meter=row["meter"],
            tier=row["tier"],
            credits=row["credits"]["new"] if row["credits"]["new"] is not None else row["credits"]["old"],
            per_units=row["per_units"]["new"] if row["per_units"]["new"] is not None else row["per_units"]["old"],
            cost_old=row["cost"]["old"],
            cost_new=row["cost"]["new"],
            lowest_old=row["margin"]["lowest"]["old"],
            lowest_new=row["margin"]["lowest"]["new"],
            basis_old=row["margin"]["basis"]["old"],
            basis_new=row["margin"]["basis"]["new"],
            flags_old=tuple(row["flags"]["old"] or ()),
            flags_new=tuple(row["flags"]["new"] or ()),
            product=product,
        )
        for row in diff["rows"]
        if row["credits"]["old"] is not None or row["credits"]["new"] is not None
    ]


def _request_prices(diff: dict, product: str) -> list[dict]:
    return [
        {**price, "product": product}
        for price in diff["prices"]
        if price["credits"]["old"] is not None or price["credits"]["new"] is not None
    ]


def _worst_margin(workflow: dict, at: str) -> str | None:
    margin = (workflow.get("margin") or {}).get(at)
    return None if margin is None else margin["gross_margin"]["worst"]


def _workflow_moves(before: dict, after: dict, product: str) -> list[WorkflowMove]:
    old = {workflow["slug"]: workflow for workflow in before["workflows"]}
    moves = []
    for workflow in after["workflows"]:
        was = old.get(workflow["slug"])
        if was is None or was.get("cost") == workflow.get("cost"):
            continue
        moves.append(
            WorkflowMove(
                product=product,
                workflow=workflow["slug"],
                unit_label=workflow["unit_label"],
                credits=workflow.get("credits_per_unit"),
                cost_old=was.get("cost"),
                cost_new=workflow.get("cost"),
                lowest_old=_worst_margin(was, "lowest"),
                lowest_new=_worst_margin(workflow, "lowest"),
                basis_old=_worst_margin(was, "basis"),
                basis_new=_worst_margin(workflow, "basis"),
                flags_new=tuple(workflow.get("flags") or ()),
            )
        )
    return moves


def _moves(
    configuration: dict, priced: _Priced, *, today: date
) -> tuple[list[MarginMove], list[dict], list[WorkflowMove]]:
    """Each product's credit rates, default requests and workflows the written costs move, worst first."""
    if not priced.touched:
        return [], [], []
    from pricing.diff import document_diff

    before = product_documents(configuration, on=today)
    after = product_documents(priced.configuration, on=today)
    moves, requests, workflows = [], [], []
    for slug, document in before.items():
        diff = document_diff(document, after[slug])
        moves += _margin_moves(diff, slug)
        requests += _request_prices(diff, slug)
        workflows += _workflow_moves(document, after[slug], slug)
    moves.sort(key=lambda m: _worst_first(m.lowest_new, m.basis_new, m.product, m.model, m.variant, m.meter, m.tier))
    requests.sort(
        key=lambda p: _worst_first(
            p["margin"]["lowest"]["new"], p["margin"]["basis"]["new"], p["product"], p["model"], p["variant"]
        )
    )
    workflows.sort(key=lambda w: _worst_first(w.lowest_new, w.basis_new, w.product, w.workflow))
    return moves, requests, workflows


def _largest_rise_first(change: CostChange | NewCost) -> tuple:
    move = getattr(change, "change", None)
    return (
        move is None,
        -(move or 0),
        change.model,
        change.variant or "",
        change.meter,
        change.supplier,
        change.tier_threshold or 0,
    )


# ---- the services --------------------------------------------------------------------------


def _check(
    data: bytes,
    *,
    providers: list[str] | None,
    filename: str,
    on_progress: Callable[[int, int], None] | None,
    today: date,
    confirmed: Iterable[str] = (),
    confirm_all_held: bool = False,
) -> PriceListReport:
    entries = pl.parse_price_list(data, max_bytes=settings.IMPORT_MAX_BYTES)
    share = hold_share()
    configuration = draft_configuration()
    wanted = _providers(configuration, providers)
    if pl.CURRENCY not in {currency["code"] for currency in configuration["currencies"]}:
        raise ImportRefused(f"the draft has no currency {pl.CURRENCY}, which LiteLLM's prices are in: add it")
    names = _supplier_names()
    mapping = pl.price_list_map(
        entries,
        catalogue_of(configuration, aliases=_aliases(), providers=wanted, supplier_names=names),
        on_progress=on_progress,
    )
    confirmed = frozenset(row.strip() for row in confirmed if row.strip())
    priced = _priced(
        configuration,
        mapping.costs,
        today=today,
        share=share,
        confirmed=confirmed,
        confirm_all_held=confirm_all_held,
    )
    _unknown_confirmations(confirmed, priced)
    moves, requests, workflows = _moves(configuration, priced, today=today)
    return PriceListReport(
        filename=filename,
        sha256=sha256(data),
        draft_sha256=configuration_sha256(configuration),
        providers=tuple(providers or ()),
        as_of=today,
        targets={product["slug"]: Decimal(product["target_gross_margin"]) for product in configuration["products"]},
        entries=mapping.entries,
        matched=mapping.matched,
        changes=tuple(sorted(priced.changes, key=_largest_rise_first)),
        added=tuple(priced.added),
        unchanged=priced.unchanged,
        margin_moves=tuple(moves),
        request_prices=tuple(requests),
        skipped=mapping.skipped,
        unmatched=mapping.unmatched,
        excluded=mapping.excluded,
        held=tuple(sorted(priced.held, key=_largest_rise_first)),
        kept=tuple(priced.kept),
        ambiguous=mapping.ambiguous,
        hold_share=share,
        supplier_names=len(names),
        workflow_moves=tuple(workflows),
        writes=_writes(configuration, priced.touched),
    )


def price_list_check(
    data: bytes,
    *,
    providers: list[str] | None = None,
    filename: str = "",
    on_progress: Callable[[int, int], None] | None = None,
    confirmed: Iterable[str] = (),
    confirm_all_held: bool = False,
) -> PriceListReport:
    """What the price list would change in the draft, and the margins it moves. Writes nothing.
    `confirmed`: row ids of held rows to count as confirmed (or every held row, `confirm_all_held`).
    Raises PriceListInvalid (the file) or ImportRefused (the draft, a confirmation of no held row),
    each saying where and why."""
    return _check(
        data,
        providers=providers,
        filename=filename,
        on_progress=on_progress,
        today=timezone.localdate(),
        confirmed=confirmed,
        confirm_all_held=confirm_all_held,
    )


def reason_for(filename: str) -> str:
    return change_reason(f"Price list {filename}")


@transaction.atomic
def price_list_apply(
    data: bytes,
    *,
    providers: list[str] | None = None,
    user=None,
    reason: str | None = None,
    filename: str = "",
    reviewed_draft_sha256: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    confirmed: Iterable[str] = (),
    confirm_all_held: bool = False,
) -> tuple[PriceListReport, LoadResult]:
    """Check the list against the draft and write its changed and new supplier costs,
    each row's history recording `user` and `reason` (default "Price list <filename>").
    Held rows are written only when `confirmed` names them (or `confirm_all_held`).
    `reviewed_draft_sha256`: the report the user read; DraftChanged when the draft
    moved since. One transaction: on any error nothing is written."""
    report = _check(
        data,
        providers=providers,
        filename=filename,
        on_progress=on_progress,
        today=timezone.localdate(),
        confirmed=confirmed,
        confirm_all_held=confirm_all_held,
    )
    if reviewed_draft_sha256 is not None and reviewed_draft_sha256 != report.draft_sha256:
        raise DraftChanged(reviewed=reviewed_draft_sha256, current=report.draft_sha256)
    if not report.changes_draft:
        return report, LoadResult()
    reason = (reason or "").strip() or reason_for(filename)
    result = draft_load(report.writes, prune=False, reason=change_reason(reason), user=user)
    return report, result


@transaction.atomic
def price_list_aliases_load(rows: list[dict], *, reason: str, user=None) -> int:
    """Aliases {"name", "model", "variant", "notes"} (model and variant by slug) into the
    alias table, matched by name and written only when they differ (so loading twice
    writes nothing), each validated and recorded in history with `reason` and `user`.
    Returns how many rows were written. Used by the demo loader."""
    from django.core.exceptions import ValidationError

    from rates.models import AIModel, PriceListAlias, Variant

    written = 0
    for row in rows:
        model = AIModel.objects.get(slug=row["model"])
        variant = Variant.objects.get(model=model, slug=row["variant"]) if row.get("variant") else None
        alias = PriceListAlias.objects.filter(name=row["name"]).first() or PriceListAlias(name=row["name"])
        wanted = {"model_id": model.pk, "variant_id": variant.pk if variant else None, "notes": row.get("notes", "")}
        if alias.pk is not None and all(getattr(alias, name) == value for name, value in wanted.items()):
            continue
        for name, value in wanted.items():
            setattr(alias, name, value)
        try:
            alias.full_clean()
        except ValidationError as error:
            raise ImportRefused(f"price-list alias {row['name']}: {'; '.join(error.messages)}") from None
        alias._change_reason = reason
        if user is not None:
            alias._history_user = user
        alias.save()
        written += 1
    return written


@transaction.atomic
def price_list_suppliers_load(rows: list[dict], *, reason: str, user=None) -> int:
    """Price-list suppliers {"pattern", "supplier", "notes"} (supplier by slug) into their
    table, matched by pattern and written only when they differ (loading twice writes
    nothing), each recorded in history with `reason` and `user`. ImportRefused naming the
    row and the rule for an unknown supplier or a pattern that is empty or takes every
    provider; then nothing is written. Returns how many rows were written. Used by the demo loader."""
    from django.core.exceptions import ValidationError

    from rates.models import PriceListSupplier, Provider

    suppliers = dict(Provider.objects.values_list("slug", "pk"))
    written = 0
    for number, row in enumerate(rows, start=1):
        pattern = str(row.get("pattern") or "")
        where = f"price-list supplier {number} ('{pattern}')"
        problem = pl.pattern_problem(pattern)
        if problem:
            raise ImportRefused(f"{where}: {problem}")
        supplier = suppliers.get(row.get("supplier"))
        if supplier is None:
            raise ImportRefused(
                f"{where}: there is no supplier '{row.get('supplier')}'; the suppliers are: {', '.join(sorted(suppliers))}"
            )
        found = PriceListSupplier.objects.filter(pattern=pattern).first() or PriceListSupplier(pattern=pattern)
        wanted = {"supplier_id": supplier, "notes": row.get("notes", "")}
        if found.pk is not None and all(getattr(found, name) == value for name, value in wanted.items()):
            continue
        for name, value in wanted.items():
            setattr(found, name, value)
        try:
            found.full_clean()
        except ValidationError as error:
            raise ImportRefused(f"{where}: {'; '.join(error.messages)}") from None
        found._change_reason = reason
        if user is not None:
            found._history_user = user
        found.save()
        written += 1
    return written
