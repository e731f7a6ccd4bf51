"""What each app-server process keeps in memory, keyed by the release's sha256
(its ETag) so it can never serve a stale release: the stored bytes of recent
releases, and recent releases parsed for pricing (catalogue, revenue per credit,
exchange rates). Every request still asks the database which release is in
force (one small query), so a newly published or newly due release is picked
up at once, by every process."""

import json
import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from billingcfg.api.errors import RequestError
from billingcfg.api.selectors import ReleaseHead, release_text_get
from billingcfg.releases.document import catalogue_from_document
from pricing.catalogue import Catalogue
from pricing.errors import MissingExchangeRate, PricingError, QuantityError, UnknownName
from pricing.fx import Converter
from pricing.quote import Quote, quantity_meter, quote_model, quote_workflow
from pricing.revenue import RevenuePerCredit, revenue_per_credit
from pricing.thresholds import Crossing, Observation, thresholds_crossed

# Releases held per process: the active one, the next scheduled one, a few old
# ones clients still ask for. Oldest entry out first.
KEEP = 8

_lock = threading.Lock()
_bodies: dict[str, bytes] = {}
_priced: dict[tuple[str, date], "PricedRelease"] = {}


def _remember(store: dict, key, value) -> None:
    with _lock:
        store[key] = value
        while len(store) > KEEP:
            store.pop(next(iter(store)))


def clear() -> None:
    """Forget everything this process remembers between requests, as a new process would."""
    from billingcfg.api.authentication import forget_api_keys
    from billingcfg.api.selectors import forget_release_in_force

    with _lock:
        _bodies.clear()
        _priced.clear()
    forget_release_in_force()
    forget_api_keys()


def release_body(head: ReleaseHead) -> bytes:
    """The release's stored document bytes; read from the database only on a miss."""
    body = _bodies.get(head.sha256)
    if body is None:
        body = release_text_get(version=head.version).encode()
        _remember(_bodies, head.sha256, body)
    return body


@dataclass(frozen=True)
class PricedRelease:
    """A release parsed for the pure engine, with exchange rates as of `on`."""

    version: int
    sha256: str
    on: date
    catalogue: Catalogue
    revenue: RevenuePerCredit
    converter: Converter
    providers: frozenset[str]
    currencies: tuple[str, ...]

    @classmethod
    def of(cls, head: ReleaseHead, document: dict, *, on: date) -> "PricedRelease":
        catalogue = catalogue_from_document(document)
        converter = Converter(catalogue.fx_rates, on=on)
        return cls(
            version=head.version,
            sha256=head.sha256,
            on=on,
            catalogue=catalogue,
            revenue=revenue_per_credit(catalogue.offers, catalogue.policy, converter),
            converter=converter,
            providers=frozenset(provider["slug"] for provider in document["providers"]),
            currencies=tuple(currency["code"] for currency in document["currencies"]),
        )

    # ---- quotes ------------------------------------------------------------------------------

    def quote_model(
        self, *, model: str, variant: str | None, quantity: Decimal | None, usage: dict[str, Decimal] | None
    ) -> Quote:
        """One request on a model. `quantity` is the quantity of the model's only
        charged meter (or, when it is not sold, its only costed meter); `usage`
        names a quantity per meter; neither charges each meter its default."""
        named = usage is not None
        try:
            if not named:
                meter = None if quantity is None else quantity_meter(self.catalogue, model, variant)
                usage = {} if meter is None else {meter: quantity}
            return quote_model(self.catalogue, model, variant, usage, revenue=self.revenue, converter=self.converter)
        except UnknownName as error:
            raise RequestError(error.field, str(error)) from None
        except QuantityError as error:
            if error.meter in ("usage", "quantity"):
                field = error.meter
            else:
                field = f"usage.{error.meter}" if named else "quantity"
            raise RequestError(field, str(error)) from None
        except (PricingError, MissingExchangeRate) as error:
            raise RequestError("model", f"{model}: {error}") from None

    def quote_workflow(self, *, workflow: str, quantity: Decimal | None) -> Quote:
        try:
            return quote_workflow(self.catalogue, workflow, quantity, revenue=self.revenue, converter=self.converter)
        except UnknownName as error:
            raise RequestError(error.field, str(error)) from None
        except QuantityError as error:
            raise RequestError("quantity", str(error)) from None
        except (PricingError, MissingExchangeRate) as error:
            raise RequestError("workflow", f"{workflow}: {error}") from None

    # ---- thresholds ----------------------------------------------------------------------------

    def thresholds_crossed(
        self, *, scope: str, metric: str, window: str, value: Decimal, tier: str = "", **targets: str | None
    ) -> tuple[Crossing, ...]:
        """The release's thresholds that an observed value crosses. `targets`:
        currency, meter, provider, model, plan; each must be one the release knows."""
        plural = {"currency": "currencies"}
        known = {
            "currency": self.currencies,
            "meter": tuple(self.catalogue.meters),
            "provider": tuple(sorted(self.providers)),
            "model": tuple(self.catalogue.models),
            "plan": tuple(plan.slug for plan in self.catalogue.plans),
        }
        for field, name in targets.items():
            if name is not None and name not in known[field]:
                raise RequestError(
                    field, f"no {field} '{name}'; {plural.get(field, field + 's')} are: {', '.join(known[field])}"
                )
        try:
            seen = Observation(scope=scope, metric=metric, window=window, value=value, tier=tier, **targets)
        except ValueError as error:
            field, _, message = str(error).partition(": ")
            raise RequestError(field, message) from None
        try:
            return thresholds_crossed(self.catalogue.thresholds, seen, self.converter)
        except MissingExchangeRate as error:
            raise RequestError("currency", str(error)) from None


def priced_release(head: ReleaseHead, *, on: date) -> PricedRelease:
    """The release parsed for pricing, from memory when this process has parsed it today."""
    key = (head.sha256, on)
    priced = _priced.get(key)
    if priced is None:
        priced = PricedRelease.of(head, json.loads(release_body(head)), on=on)
        _remember(_priced, key, priced)
    return priced
