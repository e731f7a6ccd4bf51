"""What each app-server process keeps in memory, keyed by a document's sha256
(its ETag) so it can never serve a stale one: the stored bytes of recent
releases and of recent products' documents, the products each release holds, and recent
product documents parsed for pricing (catalogue, revenue per credit, exchange
rates). A product's document is the same bytes in every release that leaves the
product unchanged, so it is read and parsed once for all of them. Every request
still asks the database which release is in force and its product's sha256 (small
queries, as many with 20 products as with 1), so a newly published or newly due
release is picked up at once, by every process."""

import json
import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from billingcfg.api.errors import RequestError
from billingcfg.api.selectors import (
    ProductHead,
    ReleaseHead,
    release_product_head_get,
    release_product_text_get,
    release_text_get,
)
from billingcfg.releases.document import catalogue_from_document, upgraded, whole_configuration
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
_products: dict[str, tuple[dict, ...]] = {}
# (release sha256, product slug) → the product's head: a release and its products' documents never change.
_product_heads: dict[tuple[str, str], ProductHead] = {}
PRODUCT_HEADS_KEPT = 1000
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
        _products.clear()
        _product_heads.clear()
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


def product_body(head: ProductHead) -> bytes:
    """A product's stored document bytes in a release; read from the database only on a miss
    (and not again for a later release holding the same bytes)."""
    body = _bodies.get(head.sha256)
    if body is None:
        body = release_product_text_get(version=head.version, product=head.product).encode()
        _remember(_bodies, head.sha256, body)
    return body


def product_head(head: ReleaseHead, product: str) -> ProductHead | None:
    """`product`'s document in release `head`, or None when the release has none: read from the
    database once per process for each release and product (a release is never changed)."""
    key = (head.sha256, product)
    found = _product_heads.get(key)
    if found is None:
        found = release_product_head_get(version=head.version, product=product)
        if found is not None:
            with _lock:
                if len(_product_heads) >= PRODUCT_HEADS_KEPT:
                    _product_heads.clear()
                _product_heads[key] = found
    return found


def default_product(head: ReleaseHead) -> str | None:
    """The slug of the product release `head` published as the default (the draft's default
    changes nothing a backend reads until it is published)."""
    return next((product["slug"] for product in release_products(head) if product.get("is_default")), None)


def release_products(head: ReleaseHead) -> tuple[dict, ...]:
    """The products a release holds, as it published them (its whole document's `products`;
    a release from before products: its one product)."""
    products = _products.get(head.sha256)
    if products is None:
        products = tuple(whole_configuration(json.loads(release_body(head)))["products"])
        _remember(_products, head.sha256, products)
    return products


@dataclass(frozen=True)
class PricedRelease:
    """One product's document in a release, parsed for the pure engine, with exchange rates
    as of `on`. Kept by the document's sha256: the same for every release that leaves the
    product unchanged."""

    product: str
    sha256: str
    on: date
    catalogue: Catalogue
    revenue: RevenuePerCredit
    converter: Converter
    providers: frozenset[str]
    currencies: tuple[str, ...]

    @classmethod
    def of(cls, head: ProductHead, document: dict, *, on: date) -> "PricedRelease":
        document = upgraded(document)  # a schema-1 body, from before products
        catalogue = catalogue_from_document(document)
        converter = Converter(catalogue.fx_rates, on=on)
        return cls(
            product=head.product,
            sha256=head.sha256,
            on=on,
            catalogue=catalogue,
            revenue=revenue_per_credit(catalogue.offers, catalogue.product, converter),
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
                    field,
                    f"no {field} '{name}'; {plural.get(field, field + 's')} are: {', '.join(known[field]) or 'none'}",
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


def priced_release(head: ProductHead, *, on: date) -> PricedRelease:
    """A product's document in a release parsed for pricing, from memory when this process has
    parsed the same bytes today."""
    key = (head.sha256, on)
    priced = _priced.get(key)
    if priced is None:
        priced = PricedRelease.of(head, json.loads(product_body(head)), on=on)
        _remember(_priced, key, priced)
    return priced
