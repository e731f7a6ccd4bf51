"""Fixtures for the API tests. Publishing the demo takes about a second, so a
module publishes it once (`demo_release`) inside a transaction of its own; each
test runs in a savepoint on top of it and leaves it as it found it. The clock
that release decisions read (`billingcfg.releases.services.now`) stands still at
PUBLISHED_AT for the module, so timestamps in expected bodies are literal."""

import json
from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.test import Client

from billingcfg.api import state
from billingcfg.models import Product
from billingcfg.release_models import ApiKey
from billingcfg.releases import services as releases

PUBLISHED_AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DEMO_NOTE = "Demo pricing"


@pytest.fixture(scope="module")
def demo_release(django_db_setup, django_db_blocker):
    """The demo configuration, published as v1 at PUBLISHED_AT; rolled back after the module."""
    from billingcfg.demo.load import demo_load

    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock():
        patch.setattr(releases, "now", lambda: PUBLISHED_AT)
        with transaction.atomic():
            demo_load()
            release = releases.release_publish(note=DEMO_NOTE)
            yield release
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_process():
    """Each test starts as a new app-server process would, with nothing in memory."""
    state.clear()
    yield
    state.clear()


@pytest.fixture
def clock(monkeypatch):
    """Release decisions read `releases.now`; a test moves it with clock["now"] = …"""
    current = {"now": PUBLISHED_AT}
    monkeypatch.setattr(releases, "now", lambda: current["now"])
    return current


def make_key(
    *scopes: str, name: str = "checkout service", products: tuple[str, ...] | None = None, all_products: bool = False
) -> tuple[str, ApiKey]:
    """A key with `scopes` reading `products` (slugs), or all products; by default the default
    product only (a backend's key, reading the deprecated unscoped routes)."""
    key, prefix, hashed = ApiKey.generate()
    api_key = ApiKey.objects.create(
        name=name, prefix=prefix, hashed_key=hashed, scopes=list(scopes), all_products=all_products
    )
    if products is None and not all_products:
        api_key.products.set(Product.objects.filter(is_default=True))
    elif products:
        api_key.products.set(Product.objects.filter(slug__in=products))
    return key, api_key


class Api:
    """A backend calling the API with one key (or none)."""

    def __init__(self, key: str | None = None, client: Client | None = None):
        self.client = client or Client()
        self.headers = {"authorization": f"Api-Key {key}"} if key else {}
        self.prefix = key.partition(".")[0] if key else None

    def get(self, path: str, **headers):
        return self.client.get(path, headers={**self.headers, **headers})

    def post(self, path: str, body, **headers):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(path, data, content_type="application/json", headers={**self.headers, **headers})


@pytest.fixture
def api(db):
    """A backend with a config:read key."""
    return Api(make_key("config:read")[0])


@pytest.fixture
def editor_api(db):
    """A key with both scopes for all products, for the whole configuration: the draft and diffs."""
    return Api(make_key("config:read", "draft:read", name="pricing tools", all_products=True)[0])
