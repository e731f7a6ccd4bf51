"""Provider price lists in LiteLLM's format (`model_prices_and_context_window.json`,
the most widely kept public cost map) mapped onto our catalogue as proposed
supplier-cost rows. Pure: bytes and plain values in, frozen dataclasses out,
Decimal throughout (the JSON is read with parse_float=Decimal), never float.

The file is one JSON object: entry name → {"litellm_provider", "mode", cost
keys …}. Its entry "sample_spec" documents the format and is ignored, and so
is every key without "cost" in its name (max_tokens, supports_*, …).

Matching an entry to one of our models, in this order:

1. An alias (rates.PriceListAlias) whose name is the entry's key: the alias's
   model and, when it names one, its variant.
2. Else the entry key's last "/" segment, lowercased with ".", "_" and spaces
   made "-", equals one of our model slugs ("gemini/gemini-2.5-flash" →
   gemini-2-5-flash) — unless an alias of that model is an entry of the same
   supplier: then only the aliased entry prices it for that supplier (the way
   to choose between entries of one supplier).
3. Else the entry is not in our catalogue: counted and listed, never created.

Whose price it is: the entry's `litellm_provider` through the price-list
suppliers (rates.PriceListSupplier: `gemini` → google, `vertex_ai-*` → google,
an exact name before the longest prefix). An entry is a supplier's cost only
when its provider maps to a supplier and that supplier is one of the model's
(it has costs for the model, or is the model's primary supplier); otherwise
the whole entry is passed over with the reason — a reseller's entry
(`kyma/gemini-3-flash`) never prices the vendor's row.

Prices (LiteLLM's are USD per one unit) → meters:

- input_cost_per_token → input_tokens, output_cost_per_token → output_tokens,
  cache_read_input_token_cost → cached_input_tokens: × 1,000,000, per 1,000,000.
- Any of those + "_above_<N>k_tokens" → a cliff tier above N,000 measured on
  input_tokens: long-context pricing switches the input *and* the output price
  once a request's input passes the threshold, for the whole request.
- output_cost_per_second, output_cost_per_video_per_second → seconds, per 1.
- output_cost_per_second_<res> (720p, 1080p, 4k …) → seconds of the model's
  variant whose slug or resolution is <res>; no such variant: skipped.
- output_cost_per_image → images, per 1.
- input_cost_per_pixel → megapixels: × 1,000,000, per 1.

A price without a variant (no alias variant, no resolution in the key) goes to
the model's all-variants row of that supplier. When the supplier prices that
meter per variant instead, an all-variants row would be shadowed by them and
change nothing, so the price goes to the one variant of a single-variant model
and is otherwise skipped (an alias naming the variant says which).

Skipped, each listed with its reason, never guessed: every other cost key
(batch, flex/priority, cache writes, audio, per-character …), a price for a
meter the catalogue lacks, null or table-valued prices. Entries of one supplier
that give one row different prices are ambiguous: each candidate is listed
with its figure and none is applied (an alias chooses the entry); entries that
agree give the row once.

Rejected, naming the entry, the key and the rule, before anything is mapped:
an empty or oversized file, text that is not JSON or nests deeper than
billingcfg.core.jsonlimits.MAX_DEPTH, an entry that is not an object, a price that
is not a number ("cheap", true, a list), is negative, or is a number beyond
what a price list's figures can be (1e99999999999999999999, 400 digits).
"""

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from billingcfg.core.jsonlimits import JSONTooDeep, load_json, refuse_constant
from billingcfg.core.uploads import size_problem
from billingcfg.digits import UNIT_PRICE
from pricing.money import dec

SOURCE_URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
CURRENCY = "USD"
DOCUMENTATION_ENTRY = "sample_spec"
PER_MILLION = 1_000_000
CLIFF = "cliff"
PROGRESS_EVERY = 500
ERRORS_SHOWN = 10
# A figure in the list is read as a number within these: beyond them it is no price, nor float noise on one,
# and arithmetic on it would overflow (1e99999999999999999999 is beyond any Decimal) or its text swamp a report.
NUMBER_DIGITS = 100
NUMBER_EXPONENT = 1000

TOKEN_PRICES = {
    "input_cost_per_token": "input_tokens",
    "output_cost_per_token": "output_tokens",
    "cache_read_input_token_cost": "cached_input_tokens",
}
LONG_CONTEXT = re.compile(r"^(?P<base>[a-z_]+?)_above_(?P<count>\d+)(?P<thousands>k?)_tokens$")
LONG_CONTEXT_METER = "input_tokens"
SECONDS_PRICES = ("output_cost_per_second", "output_cost_per_video_per_second")
SECONDS_BY_RESOLUTION = re.compile(r"^output_cost_per_second_(?P<resolution>[0-9a-z]+)$")
# key → (meter, factor from LiteLLM's per-unit price, per_units)
UNIT_PRICES = {
    "output_cost_per_image": ("images", Decimal(1), 1),
    "input_cost_per_pixel": ("megapixels", Decimal(PER_MILLION), 1),
}
SERVICE_TIERS = ("flex", "priority", "auto", "fast", "ultrafast")


# ---- errors: the file itself is bad --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntryProblem:
    """One reason the file is refused: the entry and key it is at, and the rule."""

    entry: str
    key: str
    rule: str

    def __str__(self) -> str:
        place = " / ".join(part for part in (f"entry '{self.entry}'" if self.entry else "", self.key) if part)
        return f"{place}: {self.rule}" if place else self.rule


class PriceListInvalid(ValueError):
    """The file cannot be read as a price list; nothing is mapped, nothing written."""

    def __init__(self, problems: Iterable[EntryProblem]):
        self.problems = tuple(problems)
        shown = "; ".join(str(problem) for problem in self.problems[:ERRORS_SHOWN])
        more = len(self.problems) - ERRORS_SHOWN
        super().__init__(shown + (f"; and {more:,} more" if more > 0 else ""))


# ---- what the catalogue offers to map onto ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class CatalogueVariant:
    slug: str
    resolution: str = ""


@dataclass(frozen=True, slots=True)
class CatalogueModel:
    slug: str
    provider: str
    variants: tuple[CatalogueVariant, ...]
    # (variant or None, meter, supplier) of every supplier-cost row the model has now.
    priced: frozenset[tuple[str | None, str, str]] = frozenset()
    primary_supplier: str | None = None  # None: the model's provider

    @property
    def supplier(self) -> str:
        """Whom the model is bought from unless a rate or step names another."""
        return self.primary_supplier or self.provider

    @property
    def suppliers(self) -> frozenset[str]:
        """Its suppliers: those with a cost for it, and its primary supplier."""
        return frozenset(supplier for _, _, supplier in self.priced) | {self.supplier}

    def variants_at(self, resolution: str) -> tuple[str, ...]:
        wanted = resolution.lower()
        return tuple(v.slug for v in self.variants if wanted in (v.slug.lower(), v.resolution.lower()))

    def per_variant(self, meter: str, supplier: str) -> tuple[str, ...]:
        return tuple(
            sorted(
                variant
                for variant, priced, by in self.priced
                if (priced, by) == (meter, supplier) and variant is not None
            )
        )


@dataclass(frozen=True, slots=True)
class Alias:
    name: str
    model: str
    variant: str | None = None


WILDCARD = "*"


@dataclass(frozen=True, slots=True)
class SupplierName:
    """A price list's provider name (`litellm_provider`) → one of our suppliers:
    exactly, or every name a pattern ending in * begins (`vertex_ai-*`)."""

    pattern: str
    supplier: str

    @property
    def is_prefix(self) -> bool:
        return self.pattern.endswith(WILDCARD)

    def matches(self, provider: str) -> bool:
        if self.is_prefix:
            return provider.startswith(self.pattern[:-1])
        return provider == self.pattern


def pattern_problem(pattern: str) -> str | None:
    """Why a price-list supplier pattern cannot be used, or None."""
    if not pattern.strip():
        return "a pattern names a price list's provider (openai) or a prefix ending in * (vertex_ai-*); it is empty"
    if pattern.strip() == WILDCARD:
        return (
            "'*' alone would take every provider's prices as this supplier's; name the provider (openai) "
            "or a prefix ending in * (vertex_ai-*)"
        )
    if WILDCARD in pattern[:-1]:
        return f"'{pattern}': a * may only end a pattern, as in vertex_ai-*"
    if pattern != pattern.strip():
        return f"'{pattern}' begins or ends with a space; a provider name has none"
    return None


def supplier_of(provider: str, names: Iterable[SupplierName]) -> SupplierName | None:
    """The rule that maps `provider`: an exact name before any prefix, a longer prefix before a shorter."""
    found = [name for name in names if name.matches(provider)]
    if not found:
        return None
    return max(found, key=lambda name: (not name.is_prefix, len(name.pattern)))


@dataclass(frozen=True, slots=True)
class Catalogue:
    models: Mapping[str, CatalogueModel]
    meters: frozenset[str]
    aliases: Mapping[str, Alias] = field(default_factory=dict)
    # Only models of these providers are priced; None: every provider.
    providers: frozenset[str] | None = None
    # The price-list suppliers: whose cost an entry is. None of them: no entry is anyone's.
    supplier_names: tuple[SupplierName, ...] = ()


# ---- what the list proposes ------------------------------------------------------------------


def row_id(model: str, variant: str | None, meter: str, supplier: str, tier_threshold: Decimal | None = None) -> str:
    """A supplier-cost row as one word, to confirm a held row by:
    gemini-3-pro/*/input_tokens/google, …/above-200000 for a tier."""
    tier = f"/above-{dec(tier_threshold)}" if tier_threshold is not None else ""
    return f"{model}/{variant or WILDCARD}/{meter}/{supplier}{tier}"


@dataclass(frozen=True, slots=True)
class ProposedCost:
    """A supplier-cost row as the list prices it: `price` USD per `per_units` of `meter`."""

    model: str
    variant: str | None
    meter: str
    price: Decimal
    per_units: int
    tier_threshold: Decimal | None
    tier_mode: str
    tier_meter: str | None
    entry: str
    key: str
    unrounded: Decimal | None = None  # the list's figure, when it had more places than the column keeps
    currency: str = CURRENCY
    supplier: str = ""
    agreeing: tuple[str, ...] = ()  # other entries giving the same price for the row

    @property
    def row_key(self) -> tuple:
        """The supplier-cost row it is for: (model, variant, meter, supplier, tier threshold)."""
        return self.model, self.variant, self.meter, self.supplier, self.tier_threshold

    @property
    def row_id(self) -> str:
        return row_id(self.model, self.variant, self.meter, self.supplier, self.tier_threshold)

    @property
    def unit_price(self) -> Decimal:
        return self.price / self.per_units


@dataclass(frozen=True, slots=True)
class Skipped:
    """A cost key (or, with key "", a whole entry) the import leaves alone, and why.
    Reasons name no entry, so a report can count entries by reason."""

    entry: str
    key: str
    reason: str
    model: str | None = None


@dataclass(frozen=True, slots=True)
class MatchedEntry:
    name: str
    model: str
    variant: str | None
    via: str  # "alias" or "name"
    provider: str  # LiteLLM's litellm_provider
    mode: str
    supplier: str = ""  # ours, the provider maps to


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """A row entries of one supplier price differently: each candidate, none applied."""

    candidates: tuple[ProposedCost, ...]

    @property
    def row_key(self) -> tuple:
        return self.candidates[0].row_key

    @property
    def row_id(self) -> str:
        return self.candidates[0].row_id


@dataclass(frozen=True, slots=True)
class PriceListMapping:
    entries: int  # entries read, "sample_spec" not counted
    matched: tuple[MatchedEntry, ...]
    costs: tuple[ProposedCost, ...]  # one per row key, in entry order
    skipped: tuple[Skipped, ...]
    unmatched: tuple[str, ...]  # not in our catalogue
    excluded: tuple[str, ...]  # ours, but of a provider the import was not asked for
    ambiguous: tuple[Ambiguous, ...] = ()


# ---- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A JSON number beyond what the list's figures can be, kept as its text: refused where it is a price,
    naming the entry and key, and ignored where it is not (a max_tokens the import does not read)."""

    text: str

    def __str__(self) -> str:
        return self.text if len(self.text) <= 40 else f"{self.text[:40]}… ({len(self.text):,} characters)"


def _number(text: str) -> Decimal | Unreadable:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return Unreadable(text)
    digits = len(value.as_tuple().digits)
    if digits > NUMBER_DIGITS or not -NUMBER_EXPONENT <= value.adjusted() <= NUMBER_EXPONENT:
        return Unreadable(text)
    return value


def parse_price_list(data: bytes, *, max_bytes: int | None = None) -> dict:
    """The file's entries, numbers as Decimal; PriceListInvalid when it is not a price list."""
    too_large = max_bytes is not None and size_problem(len(data), name="the file", limit=max_bytes)
    if too_large:
        raise PriceListInvalid([EntryProblem("", "", too_large)])
    if not data.strip():
        raise PriceListInvalid([EntryProblem("", "", "the file is empty")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PriceListInvalid([EntryProblem("", "", f"the file is not UTF-8 text (byte {error.start:,})")]) from None
    try:
        document = load_json(text, parse_float=_number, parse_int=_number, parse_constant=refuse_constant)
    except JSONTooDeep as error:
        raise PriceListInvalid(
            [EntryProblem("", "", f"{error.msg} at line {error.lineno:,} column {error.colno:,}")]
        ) from None
    except json.JSONDecodeError as error:
        raise PriceListInvalid(
            [EntryProblem("", "", f"not JSON: {error.msg} at line {error.lineno:,} column {error.colno:,}")]
        ) from None
    except ValueError as error:
        raise PriceListInvalid([EntryProblem("", "", f"not JSON: {error}")]) from None
    if not isinstance(document, dict):
        raise PriceListInvalid(
            [
                EntryProblem(
                    "",
                    "",
                    "not a LiteLLM price list: the file must hold one JSON object "
                    "of entries keyed by model name, not "
                    f"{_json_kind(document)}",
                )
            ]
        )
    return document


def _json_kind(value) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, Decimal | Unreadable):
        return "a number"
    if value is None:
        return "null"
    return {str: "text", list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def is_cost_key(key: str) -> bool:
    return "cost" in key.lower()


def entry_problems(name: str, entry) -> list[EntryProblem]:
    """What makes one entry unreadable: not an object, a price that is not a number, a negative price."""
    if not isinstance(entry, dict):
        return [EntryProblem(name, "", f"an entry must be an object of keys and prices, not {_json_kind(entry)}")]
    problems = []
    for key, value in entry.items():
        if not is_cost_key(key) or value is None or isinstance(value, dict | list):
            continue  # not a price; null and tables of prices are skipped later, with a reason
        if isinstance(value, Unreadable):
            problems.append(
                EntryProblem(
                    name,
                    key,
                    f"{value} is not a number a price can be; a price has at most "
                    f"{NUMBER_DIGITS} digits and lies between "
                    f"1e-{NUMBER_EXPONENT} and 1e+{NUMBER_EXPONENT}",
                )
            )
        elif isinstance(value, bool) or not isinstance(value, Decimal):
            problems.append(
                EntryProblem(
                    name,
                    key,
                    f"{json.dumps(value, default=str)} is not a number; a price is a JSON number such as 0.0000025",
                )
            )
        elif value < 0:
            problems.append(EntryProblem(name, key, f"{dec(value)} is negative; a price is 0 or more"))
    return problems


def name_slug(name: str) -> str:
    """An entry key as our slugs are written: its last "/" segment, lowercased, ".", "_" and spaces made "-"."""
    last = name.rsplit("/", 1)[-1].strip().lower()
    return re.sub(r"[._ ]", "-", last)


# ---- mapping one price ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    meter: str
    factor: Decimal
    per_units: int
    tier_threshold: Decimal | None = None
    resolution: str | None = None


def _target(key: str) -> _Target | str:
    """Where a LiteLLM cost key goes, or why it goes nowhere."""
    if key in TOKEN_PRICES:
        return _Target(TOKEN_PRICES[key], Decimal(PER_MILLION), PER_MILLION)
    if key in SECONDS_PRICES:
        return _Target("seconds", Decimal(1), 1)
    if key in UNIT_PRICES:
        meter, factor, per_units = UNIT_PRICES[key]
        return _Target(meter, factor, per_units)
    if key.endswith("_batches"):
        return "a batch-API price; the catalogue holds the standard price"
    for tier in SERVICE_TIERS:
        if key.endswith(f"_{tier}"):
            return f"a '{tier}' service-tier price; the catalogue holds the standard tier's"
    long_context = LONG_CONTEXT.match(key)
    if long_context:
        base = long_context["base"]
        if base not in TOKEN_PRICES:
            return f"a long-context tier of {base}, which the import does not map"
        threshold = Decimal(long_context["count"]) * (1000 if long_context["thousands"] else 1)
        return _Target(TOKEN_PRICES[base], Decimal(PER_MILLION), PER_MILLION, tier_threshold=threshold)
    by_resolution = SECONDS_BY_RESOLUTION.match(key)
    if by_resolution:
        return _Target("seconds", Decimal(1), 1, resolution=by_resolution["resolution"])
    if key.startswith("cache_creation"):
        return "a cache-write price; the catalogue has no meter for cache writes"
    return (
        "not a price the import maps (it maps token, cached-token, long-context, per-second, per-image "
        "and per-pixel prices)"
    )


def fit_price(value: Decimal) -> tuple[Decimal, bool] | str:
    """`value` as the provider-cost column holds it: (price, rounded?), or why it cannot.
    Figures with more places than the column keeps (float noise such as
    2.5000000000000002) are rounded half-even to its places."""
    if value > UNIT_PRICE.largest:
        return f"{dec(value)} is above the largest price the catalogue holds ({dec(UNIT_PRICE.largest)})"
    rounded = value.quantize(UNIT_PRICE.step, rounding=ROUND_HALF_EVEN)
    if rounded == 0 and value != 0:
        return f"{dec(value)} is below the smallest price the catalogue holds ({dec(UNIT_PRICE.step)})"
    return rounded, rounded != value


def _variant_for(
    model: CatalogueModel, target: _Target, alias_variant: str | None, supplier: str
) -> str | None | tuple[str]:
    """The variant a price is for: a slug, None for all variants, or (reason,) when it cannot be told."""
    if target.resolution is not None:
        found = model.variants_at(target.resolution)
        if alias_variant is not None:
            if alias_variant in found:
                return alias_variant
            return (f"the alias names variant '{alias_variant}', and this price is for {target.resolution}",)
        if not found:
            return (f"{model.slug} has no variant whose slug or resolution is {target.resolution}",)
        if len(found) > 1:
            return (
                f"{model.slug} has several variants at {target.resolution} ({', '.join(found)}); "
                "an alias with a variant says which",
            )
        return found[0]
    if alias_variant is not None:
        return alias_variant
    if (None, target.meter, supplier) in model.priced:
        return None
    per_variant = model.per_variant(target.meter, supplier)
    if not per_variant:
        return None
    if len(model.variants) == 1:
        return model.variants[0].slug
    return (
        f"{model.slug} prices {target.meter} from {supplier} per variant ({', '.join(per_variant)}) and this "
        "entry names none; an alias with a variant says which",
    )


def _entry_costs(
    name: str, entry: dict, model: CatalogueModel, alias_variant: str | None, meters: frozenset[str], supplier: str
) -> tuple[list[ProposedCost], list[Skipped]]:
    costs, skipped = [], []

    def skip(key: str, reason: str) -> None:
        skipped.append(Skipped(name, key, reason, model.slug))

    for key, value in entry.items():
        if not is_cost_key(key):
            continue
        if value is None:
            skip(key, "no price given (null)")
            continue
        if isinstance(value, dict | list):
            skip(key, "a table of prices, not one price")
            continue
        target = _target(key)
        if isinstance(target, str):
            skip(key, target)
            continue
        tier_meter = LONG_CONTEXT_METER if target.tier_threshold is not None else None
        missing = [meter for meter in (target.meter, tier_meter) if meter is not None and meter not in meters]
        if missing:
            skip(key, f"no meter '{missing[0]}' in the catalogue")
            continue
        variant = _variant_for(model, target, alias_variant, supplier)
        if isinstance(variant, tuple):
            skip(key, variant[0])
            continue
        if target.tier_threshold is not None and not _has_base(entry, key, model, variant, target.meter, supplier):
            skip(key, f"a long-context tier without a base price for {target.meter}")
            continue
        fitted = fit_price(value * target.factor)
        if isinstance(fitted, str):
            skip(key, fitted)
            continue
        price, rounded = fitted
        costs.append(
            ProposedCost(
                model=model.slug,
                variant=variant,
                meter=target.meter,
                price=price,
                per_units=target.per_units,
                tier_threshold=target.tier_threshold,
                tier_mode=CLIFF if target.tier_threshold is not None else "",
                tier_meter=tier_meter,
                entry=name,
                key=key,
                unrounded=value * target.factor if rounded else None,
                supplier=supplier,
            )
        )
    return costs, skipped


def _has_base(entry: dict, key: str, model: CatalogueModel, variant: str | None, meter: str, supplier: str) -> bool:
    base = LONG_CONTEXT.match(key)["base"]
    return entry.get(base) is not None or (variant, meter, supplier) in model.priced


# ---- mapping the whole list ------------------------------------------------------------------


def _match(name: str, catalogue: Catalogue) -> tuple[str, str | None, str] | None:
    """(model, variant, via) for an entry, or None when it is not in our catalogue."""
    alias = catalogue.aliases.get(name)
    if alias is not None and alias.model in catalogue.models:
        return alias.model, alias.variant, "alias"
    slug = name_slug(name)
    if slug in catalogue.models:
        return slug, None, "name"
    return None


def _provider(entry: dict) -> str:
    provider = entry.get("litellm_provider")
    return provider.strip() if isinstance(provider, str) else ""


def _supplier_problem(provider: str, model: CatalogueModel, catalogue: Catalogue) -> tuple[str | None, str | None]:
    """(our supplier, None) when the entry is a cost of one of the model's suppliers, else (None, why not)."""
    if not provider:
        return None, "the entry names no provider (litellm_provider), so whose price it is cannot be told"
    rule = supplier_of(provider, catalogue.supplier_names)
    if rule is None:
        return None, f"its provider '{provider}' is none of our suppliers (no price-list supplier matches it)"
    if rule.supplier not in model.suppliers:
        return None, (
            f"its provider '{provider}' is our supplier {rule.supplier} ({rule.pattern}), which is not a supplier of "
            f"{model.slug}: no cost of it from {rule.supplier}, and its primary supplier is {model.supplier}"
        )
    return rule.supplier, None


def _aliased(entries: Mapping[str, object], catalogue: Catalogue) -> dict[tuple[str, str], list[str]]:
    """(model, supplier) → the aliases that price it: an alias's supplier is its entry's, or
    the model's primary supplier when its entry is not in this file."""
    aliased: dict[tuple[str, str], list[str]] = defaultdict(list)
    for alias in catalogue.aliases.values():
        model = catalogue.models.get(alias.model)
        if model is None:
            continue
        entry = entries.get(alias.name)
        if isinstance(entry, dict):
            rule = supplier_of(_provider(entry), catalogue.supplier_names)
            supplier = rule.supplier if rule is not None else None
        else:
            supplier = model.supplier
        if supplier is not None:
            aliased[(model.slug, supplier)].append(alias.name)
    return aliased


def _one_per_row(costs: list[ProposedCost]) -> tuple[list[ProposedCost], list[Ambiguous]]:
    """One proposal per supplier-cost row. Entries agreeing on a row's price give it once
    (the first, naming the others); entries disagreeing give it not at all: which holds is not guessed."""
    by_row: dict[tuple, list[ProposedCost]] = defaultdict(list)
    for cost in costs:
        by_row[cost.row_key].append(cost)
    kept, ambiguous = [], []
    for proposals in by_row.values():
        prices = {proposal.unit_price for proposal in proposals}
        if len(prices) == 1:
            first = proposals[0]
            others = tuple(dict.fromkeys(p.entry for p in proposals[1:] if p.entry != first.entry))
            kept.append(replace(first, agreeing=others) if others else first)
        else:
            ambiguous.append(Ambiguous(tuple(proposals)))
    return kept, ambiguous


def price_list_map(
    entries: Mapping[str, object], catalogue: Catalogue, *, on_progress: Callable[[int, int], None] | None = None
) -> PriceListMapping:
    """Every entry checked, then matched and mapped. PriceListInvalid listing every
    bad entry and key when any is bad. `on_progress(done, total)` is called every
    PROGRESS_EVERY entries and at the end."""
    names = [name for name in entries if name != DOCUMENTATION_ENTRY]
    total = len(names)
    found_so_far = _Found(aliased=_aliased(entries, catalogue))
    problems: list[EntryProblem] = []
    for done, name in enumerate(names, start=1):
        entry = entries[name]
        found = entry_problems(name, entry)
        problems.extend(found)
        if not found:
            _map_entry(name, entry, catalogue, found_so_far)
        if on_progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            on_progress(done, total)
    if problems:
        raise PriceListInvalid(problems)
    kept, ambiguous = _one_per_row(found_so_far.costs)
    return PriceListMapping(
        entries=total,
        matched=tuple(found_so_far.matched),
        costs=tuple(kept),
        skipped=tuple(found_so_far.skipped),
        unmatched=tuple(found_so_far.unmatched),
        excluded=tuple(found_so_far.excluded),
        ambiguous=tuple(ambiguous),
    )


@dataclass
class _Found:
    aliased: dict[tuple[str, str], list[str]]
    matched: list[MatchedEntry] = field(default_factory=list)
    costs: list[ProposedCost] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


def _map_entry(name: str, entry: dict, catalogue: Catalogue, found: _Found) -> None:
    match = _match(name, catalogue)
    if match is None:
        found.unmatched.append(name)
        return
    slug, variant, via = match
    model = catalogue.models[slug]
    if catalogue.providers is not None and model.provider not in catalogue.providers:
        found.excluded.append(name)
        return
    provider = _provider(entry)
    supplier, passed_over = _supplier_problem(provider, model, catalogue)
    if supplier is None:
        found.skipped.append(Skipped(name, "", passed_over, slug))
        return
    aliases = found.aliased.get((slug, supplier), ())
    if via == "name" and aliases:
        found.skipped.append(
            Skipped(
                name,
                "",
                f"{slug} is priced for {supplier} from its alias {', '.join(sorted(aliases))}; this entry is ignored",
                slug,
            )
        )
        return
    found.matched.append(MatchedEntry(name, slug, variant, via, provider, str(entry.get("mode") or ""), supplier))
    entry_costs, entry_skipped = _entry_costs(name, entry, model, variant, catalogue.meters, supplier)
    found.costs.extend(entry_costs)
    found.skipped.extend(entry_skipped)
