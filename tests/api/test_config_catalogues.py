"""The config endpoint costs the same number of queries for a 10-model and a
1,000-model catalogue (DESIGN §8), and says so when nothing is published.
No demo here: each test builds the catalogue it measures."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from billingcfg.api import state
from billingcfg.models import Currency
from billingcfg.releases import services as releases
from rates.models import AIModel, CreditRate, Meter, Provider, ProviderCost, Variant
from tests import factories as f
from tests.api.conftest import Api, make_key

CONFIG = "/api/v1/config/"


def _catalogue_of(models: int, start: int = 0) -> None:
    """`models` more video models, each with two variants, a cost per variant and a credit rate, bulk-inserted."""
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
            price=Decimal(index % 50 + 1) / 100,
            as_of="2026-01-01",
        )
        for index, variant in enumerate(variants)
    )
    CreditRate.objects.bulk_create(CreditRate(model=model, meter=seconds, credits=Decimal(40)) for model in made)


def _base() -> None:
    f.policy(reporting_currency=f.usd())
    f.credit_pack(price=Decimal("15"), credits=250)
    f.meter(slug="seconds", name="Seconds", unit="second")
    f.provider(slug="bench", name="Bench")


def _config_queries(if_none_match: str | None = None) -> tuple[int, int]:
    """(status, queries) of a first config request from a new process with a new key."""
    state.clear()
    api = Api(make_key("config:read")[0])
    headers = {"if_none_match": if_none_match} if if_none_match else {}
    with CaptureQueriesContext(connection) as captured:
        response = api.get(CONFIG, **headers)
    with CaptureQueriesContext(connection) as again:
        api.get(CONFIG, **headers)
    return response.status_code, len(captured), len(again)


def test_the_config_costs_the_same_queries_for_10_and_1000_models(db):
    _base()
    _catalogue_of(10)
    small = releases.release_publish(note="10 models")
    small_counts = _config_queries(), _config_queries(small.etag)
    _catalogue_of(990, start=10)
    big = releases.release_publish(note="1,000 models")
    big_counts = _config_queries(), _config_queries(big.etag)

    assert len(big.document) > 50 * len(small.document)
    assert small_counts == big_counts
    (ok, ok_first, ok_next), (not_modified, not_modified_first, not_modified_next) = big_counts
    assert (ok, not_modified) == (200, 304)
    # A process reads a release's document once (the one query a 304 never needs), then serves it from memory.
    assert ok_first == not_modified_first + 1
    assert ok_next == not_modified_next


def test_nothing_published_is_a_404_saying_so(db):
    response = Api(make_key("config:read")[0]).get(CONFIG)

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
