"""A product's config costs the same number of queries for a 10-model and a
1,000-model catalogue, and for a configuration of 1 product and of 20 (DESIGN §8,
issue 15), and says so when nothing is published. No demo here: each test builds
the catalogue it measures."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from billingcfg.api import state
from billingcfg.models import Currency, Product
from billingcfg.releases import services as releases
from rates.models import AIModel, CreditRate, Meter, Provider, ProviderCost, Variant
from tests import factories as f
from tests.api.conftest import Api, make_key

CONFIG = "/api/v1/config/"


def _catalogue_of(models: int, start: int = 0, *, products: tuple[Product, ...] = ()) -> None:
    """`models` more video models, each with two variants, a cost per variant and a credit rate in each
    of `products` (default: the default product), bulk-inserted."""
    usd = Currency.objects.get(code="USD")
    seconds = Meter.objects.get(slug="seconds")
    provider = Provider.objects.get(slug="bench")
    made = AIModel.objects.bulk_create(
        AIModel(slug=f"video-{n:04d}", name=f"Video {n}", provider=provider, modality="video")
        for n in range(start, start + models)
    )
    variants = Variant.objects.bulk_create(
        Variant(model=model, slug=slug, name=slug, is_default=slug == "720p", sort_order=k)
        for model in made
        for k, slug in enumerate(("720p", "1080p"))
    )
    ProviderCost.objects.bulk_create(
        ProviderCost(
            model_id=variant.model_id,
            variant=variant,
            meter=seconds,
            currency=usd,
            supplier=provider,
            price=Decimal(index % 50 + 1) / 100,
            as_of="2026-01-01",
        )
        for index, variant in enumerate(variants)
    )
    CreditRate.objects.bulk_create(
        CreditRate(product=product, model=model, meter=seconds, credits=Decimal(40 + number))
        for number, product in enumerate(products or (f.default_product(),))
        for model in made
    )


def _base() -> None:
    f.policy(reporting_currency=f.usd())
    f.credit_pack(price=Decimal("15"), credits=250)
    f.meter(slug="seconds", name="Seconds", unit="second")
    f.provider(slug="bench", name="Bench")


def _config_queries(path: str = CONFIG, if_none_match: str | None = None, **key) -> tuple[int, int, int]:
    """(status, queries) of a first config request from a new process with a new key, and of the next one."""
    state.clear()
    api = Api(make_key("config:read", **key)[0])
    headers = {"if_none_match": if_none_match} if if_none_match else {}
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, **headers)
    with CaptureQueriesContext(connection) as again:
        api.get(path, **headers)
    return response.status_code, len(captured), len(again)


def _etag(release, product: str = f.DEFAULT_PRODUCT) -> str:
    return f'"{release.products.get(product=product).sha256}"'


def test_the_config_costs_the_same_queries_for_10_and_1000_models(db):
    _base()
    _catalogue_of(10)
    small = releases.release_publish(note="10 models")
    small_counts = _config_queries(), _config_queries(if_none_match=_etag(small))
    _catalogue_of(990, start=10)
    big = releases.release_publish(note="1,000 models")
    big_counts = _config_queries(), _config_queries(if_none_match=_etag(big))

    assert len(big.document) > 50 * len(small.document)
    assert small_counts == big_counts
    (ok, ok_first, ok_next), (not_modified, not_modified_first, not_modified_next) = big_counts
    assert (ok, not_modified) == (200, 304)
    # A process reads a product's document once (the one query a 304 never needs), then serves it from memory.
    assert ok_first == not_modified_first + 1
    assert ok_next == not_modified_next


def _products(count: int) -> tuple[Product, ...]:
    """The default product and `count - 1` more, each selling a pack of its own."""
    made = [f.default_product()]
    for number in range(1, count):
        made.append(f.product(slug=f"app-{number:02d}", sort_order=number))
        f.credit_pack(product=made[-1], price=Decimal(10 + number), credits=250)
    return tuple(made)


def test_one_products_config_costs_the_same_queries_at_1_and_20_products(db):
    """Issue 15's scale figure: serving one product's configuration does not grow with the products.
    Printed figures: tests/api/test_config_catalogues.py in the README's API section."""
    _base()
    _catalogue_of(20, products=_products(1))
    one = releases.release_publish(note="1 product")
    path = "/api/v1/products/default/config/"
    at_one = _config_queries(path), _config_queries(path, _etag(one)), _config_queries(path, products=("default",))
    _catalogue_of(20, start=20, products=_products(20))
    twenty = releases.release_publish(note="20 products")
    at_twenty = (
        _config_queries(path),
        _config_queries(path, _etag(twenty)),
        _config_queries(path, products=("default",)),
    )

    assert twenty.products.count() == 20
    assert at_one == at_twenty
    (ok, first, following), (not_modified, *_), (scoped_ok, scoped_first, _) = at_twenty
    assert (ok, not_modified, scoped_ok) == (200, 304, 200)
    assert scoped_first == first  # a key's products are read with the key, in one more query however many
    print(f"\nqueries per request at 1 and 20 products: first {first}, then {following}")


def test_nothing_published_is_a_404_saying_so(db):
    f.default_product()

    for path in (CONFIG, "/api/v1/products/default/config/", "/api/v1/products/"):
        response = Api(make_key("config:read")[0]).get(path)

        assert response.status_code == 404
        assert response.json() == {"detail": "nothing published yet: publish a release first"}


def test_a_release_not_yet_due_is_not_served(db):
    _base()
    _catalogue_of(1)
    now = releases.now()
    releases.release_publish(note="tomorrow", effective_at=now.replace(year=now.year + 1))

    response = Api(make_key("config:read")[0]).get(CONFIG)

    assert response.status_code == 404
    assert response.json()["detail"].startswith("no release is in force yet; the first takes effect at ")
