"""Provider price drift (DESIGN §5): a LiteLLM price list checked against the
draft — which of our provider costs differ and by how much, which credit rates'
margins that moves, worst first — and, applied, written into the draft.

`price_list_check` reads only. `price_list_apply` checks again in the same
transaction and writes through the one loader, `billingcfg.releases.restore.draft_load`,
so the history says who imported which file, and a failure writes nothing. It
writes only the provider-cost rows the list changes or adds: a row is matched by
(model, variant, meter, tier threshold); a matched row gets the list's price (at
the row's own per-N units, so "0.71 per 5 seconds" stays per 5 seconds), USD,
no price band, today's as-of date and LiteLLM's URL as source, and keeps its
notes and tier semantics; a row the draft lacks is added."""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billingcfg.releases.document import (
    catalogue_from_document,
    configuration_sha256,
    draft_configuration,
    sha256,
    with_margins,
)
from billingcfg.releases.history import change_reason
from billingcfg.releases.restore import LoadResult, draft_load
from billingcfg.releases.services import DraftChanged
from pricing.errors import MissingExchangeRate
from pricing.fx import Converter
from pricing.money import dec
from pricing.report import BELOW_TARGET, LOSS
from rates import price_list as pl


class ImportRefused(ValueError):
    """The import cannot run against this draft (an unknown provider, no USD …); nothing is written."""


@dataclass(frozen=True, slots=True)
class CostChange:
    """A provider cost the list prices differently: old → new, per `per_units` units."""

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


@dataclass(frozen=True, slots=True)
class NewCost:
    """A provider-cost row the draft lacks and the list prices."""

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


@dataclass(frozen=True, slots=True)
class MarginMove:
    """A credit rate whose margin the new costs move (one row of the diff's price rows)."""

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
    basis_old: str | None  # gross margin at the policy's basis figure
    basis_new: str | None
    flags_old: tuple[str, ...]
    flags_new: tuple[str, ...]

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
    reporting_currency: str
    target_gross_margin: Decimal
    entries: int
    matched: tuple[pl.MatchedEntry, ...]
    changes: tuple[CostChange, ...]  # largest rise first
    added: tuple[NewCost, ...]
    unchanged: int  # rows the list prices as the draft does
    margin_moves: tuple[MarginMove, ...]  # lowest new margin at the lowest credit price first
    request_prices: tuple[dict, ...]  # the diff's per-variant default requests, worst first
    skipped: tuple[pl.Skipped, ...]
    unmatched: tuple[str, ...]
    excluded: tuple[str, ...]
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


def catalogue_of(
    configuration: dict, *, aliases: dict[str, pl.Alias], providers: frozenset[str] | None
) -> pl.Catalogue:
    return pl.Catalogue(
        models={
            model["slug"]: pl.CatalogueModel(
                slug=model["slug"],
                provider=model["provider"],
                variants=tuple(pl.CatalogueVariant(v["slug"], v["resolution"] or "") for v in model["variants"]),
                priced=frozenset((cost["variant"], cost["meter"]) for cost in model["provider_costs"]),
            )
            for model in configuration["models"]
        },
        meters=frozenset(meter["slug"] for meter in configuration["meters"]),
        aliases=aliases,
        providers=providers,
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


@dataclass
class _Priced:
    configuration: dict
    changes: list[CostChange] = field(default_factory=list)
    added: list[NewCost] = field(default_factory=list)
    unchanged: int = 0
    touched: dict[str, list[dict]] = field(default_factory=dict)  # model slug → its rows to write


def _priced(configuration: dict, costs: tuple[pl.ProposedCost, ...], *, today: date) -> _Priced:
    result = _Priced(copy.deepcopy(configuration))
    converter = Converter(catalogue_from_document(configuration).fx_rates, on=today)
    models = {model["slug"]: model for model in result.configuration["models"]}
    stamp = {"currency": pl.CURRENCY, "price_high": None, "source_url": pl.SOURCE_URL, "as_of": today.isoformat()}
    for cost in costs:
        rows = models[cost.model]["provider_costs"]
        row = next(
            (
                row
                for row in rows
                if (row["variant"], row["meter"], _threshold(row["tier_threshold"]))
                == (cost.variant, cost.meter, cost.tier_threshold)
            ),
            None,
        )
        if row is None:
            row = {
                "variant": cost.variant,
                "meter": cost.meter,
                "price": dec(cost.price),
                "per_units": cost.per_units,
                "tier_threshold": dec(cost.tier_threshold),
                "tier_mode": cost.tier_mode,
                "tier_meter": cost.tier_meter,
                "notes": f"From LiteLLM's price list: {cost.entry} ({cost.key}).",
                **stamp,
            }
            rows.append(row)
            result.added.append(
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
                )
            )
            result.touched.setdefault(cost.model, []).append(row)
            continue
        price, per_units = _at_row_units(cost, row["per_units"])
        old_price, old_high = Decimal(row["price"]), _threshold(row["price_high"])
        if (row["currency"], old_price, old_high, row["per_units"]) == (pl.CURRENCY, price, None, per_units):
            result.unchanged += 1
            continue
        result.changes.append(
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
                change=_change(old_price / row["per_units"], row["currency"], cost.unit_price, converter),
                entry=cost.entry,
                key=cost.key,
                unrounded=cost.unrounded,
            )
        )
        row.update(price=dec(price), per_units=per_units, **stamp)
        result.touched.setdefault(cost.model, []).append(row)
    return result


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
    empty = (
        "currencies",
        "exchange_rates",
        "meters",
        "providers",
        "credit_packs",
        "subscription_plans",
        "workflows",
        "alert_thresholds",
    )
    return {
        "schema_version": configuration["schema_version"],
        "reporting_currency": configuration["reporting_currency"],
        "policy": configuration["policy"],
        **{name: [] for name in empty},
        "models": models,
    }


# ---- what moves ----------------------------------------------------------------------------


def _decimal_or_none(text) -> Decimal | None:
    return None if text is None else Decimal(text)


def _worst_first(lowest, basis, *names) -> tuple:
    lowest, basis = _decimal_or_none(lowest), _decimal_or_none(basis)
    return (lowest is None, lowest or 0, basis is None, basis or 0, *("" if name is None else name for name in names))


def _margin_moves(diff: dict) -> list[MarginMove]:
    moves = [
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
        )
        for row in diff["rows"]
        if row["credits"]["old"] is not None or row["credits"]["new"] is not None
    ]
    return sorted(
        moves,
        key=lambda move: _worst_first(move.lowest_new, move.basis_new, move.model, move.variant, move.meter, move.tier),
    )


def _request_prices(diff: dict) -> list[dict]:
    prices = [
        price for price in diff["prices"] if price["credits"]["old"] is not None or price["credits"]["new"] is not None
    ]
    return sorted(
        prices,
        key=lambda price: _worst_first(
            price["margin"]["lowest"]["new"], price["margin"]["basis"]["new"], price["model"], price["variant"]
        ),
    )


def _largest_rise_first(change: CostChange) -> tuple:
    return (
        change.change is None,
        -(change.change or 0),
        change.model,
        change.variant or "",
        change.meter,
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
) -> PriceListReport:
    entries = pl.parse_price_list(data, max_bytes=settings.IMPORT_MAX_BYTES)
    configuration = draft_configuration()
    wanted = _providers(configuration, providers)
    if pl.CURRENCY not in {currency["code"] for currency in configuration["currencies"]}:
        raise ImportRefused(
            f"the draft has no currency {pl.CURRENCY}, which LiteLLM's prices are in: add it, with "
            f"an exchange rate to {configuration['reporting_currency']}"
        )
    mapping = pl.price_list_map(
        entries, catalogue_of(configuration, aliases=_aliases(), providers=wanted), on_progress=on_progress
    )
    priced = _priced(configuration, mapping.costs, today=today)
    if priced.touched:
        from pricing.diff import document_diff

        diff = document_diff(with_margins(configuration, on=today), with_margins(priced.configuration, on=today))
    else:
        diff = {"rows": [], "prices": []}
    return PriceListReport(
        filename=filename,
        sha256=sha256(data),
        draft_sha256=configuration_sha256(configuration),
        providers=tuple(providers or ()),
        as_of=today,
        reporting_currency=configuration["reporting_currency"],
        target_gross_margin=Decimal(configuration["policy"]["target_gross_margin"]),
        entries=mapping.entries,
        matched=mapping.matched,
        changes=tuple(sorted(priced.changes, key=_largest_rise_first)),
        added=tuple(priced.added),
        unchanged=priced.unchanged,
        margin_moves=tuple(_margin_moves(diff)),
        request_prices=tuple(_request_prices(diff)),
        skipped=mapping.skipped,
        unmatched=mapping.unmatched,
        excluded=mapping.excluded,
        writes=_writes(configuration, priced.touched),
    )


def price_list_check(
    data: bytes,
    *,
    providers: list[str] | None = None,
    filename: str = "",
    on_progress: Callable[[int, int], None] | None = None,
) -> PriceListReport:
    """What the price list would change in the draft, and the margins it moves. Writes nothing.
    Raises PriceListInvalid (the file) or ImportRefused (the draft), each saying where and why."""
    return _check(data, providers=providers, filename=filename, on_progress=on_progress, today=timezone.localdate())


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
) -> tuple[PriceListReport, LoadResult]:
    """Check the list against the draft and write its changed and new provider costs,
    each row's history recording `user` and `reason` (default "Price list <filename>").
    `reviewed_draft_sha256`: the report the user read; DraftChanged when the draft
    moved since. One transaction: on any error nothing is written."""
    report = _check(data, providers=providers, filename=filename, on_progress=on_progress, today=timezone.localdate())
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
