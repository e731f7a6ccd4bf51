"""Publishing and serving cost a number of queries that grows with neither products nor rows:
publishing 2 products or 20 (each with its models, costs, rates and pack) takes the same queries,
and serving one product's configuration takes the same with 1 product or with 20.
(Their times are measured by `make bench`, bench/products.py: no timing here.)"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billingcfg.models import Product
from billingcfg.release_models import ApiKey, ApiScope, ReleaseProduct
from billingcfg.releases.api_keys import api_key_issue
from billingcfg.releases.services import release_publish
from rates.models import Meter
from tests import factories

pytestmark = pytest.mark.django_db


def add_products(count: int, *, models_each: int = 2) -> None:
    """`count` more products, each selling `models_each` models of its own (a cost and a rate each) and a pack."""
    seconds = Meter.objects.filter(slug="seconds").first() or factories.meter(slug="seconds")
    have = Product.objects.count()
    for n in range(have, have + count):
        product = factories.product(slug=f"app-{n:02}", sort_order=n, is_default=n == 0)
        factories.credit_pack(product=product, price=Decimal("10"), credits=200)
        for _ in range(models_each):
            model = factories.ai_model()
            factories.provider_cost(model=model, meter=seconds, price=Decimal("0.01"))
            factories.credit_rate(product=product, model=model, meter=seconds, credits=Decimal("2"))


def publishing_queries(note: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        release = release_publish(note=note)
    assert ReleaseProduct.objects.filter(release=release).count() == Product.objects.count()
    return len(captured)


def test_publishing_2_products_or_20_with_more_rows_costs_the_same_queries():
    add_products(2)
    two = publishing_queries("two products")

    add_products(18, models_each=5)
    twenty = publishing_queries("twenty products, more rows each")

    assert ReleaseProduct.objects.filter(release__version=2).count() == 20
    assert twenty == two


def serving_queries(client, key: str) -> tuple[int, int]:
    """Queries of GET /api/v1/products/app-00/config/, answered, then again with its ETag (304). A
    first request is not counted: it may record when the key was last used (once a while)."""
    url = "/api/v1/products/app-00/config/"
    headers = {"authorization": f"Api-Key {key}"}
    assert client.get(url, headers=headers).status_code == 200
    with CaptureQueriesContext(connection) as answered:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content
    with CaptureQueriesContext(connection) as unchanged:
        again = client.get(url, headers={**headers, "if-none-match": response["ETag"]})
    assert again.status_code == 304
    return len(answered), len(unchanged)


def test_serving_one_products_configuration_costs_the_same_queries_with_1_product_or_20(client):
    add_products(1)
    key = api_key_issue(
        ApiKey(name="app-00 backend", scopes=[ApiScope.CONFIG_READ]), products=[Product.objects.get(slug="app-00")]
    )
    release_publish(note="one product")
    one = serving_queries(client, key)

    add_products(19, models_each=5)
    release_publish(note="twenty products")
    twenty = serving_queries(client, key)

    assert twenty == one
