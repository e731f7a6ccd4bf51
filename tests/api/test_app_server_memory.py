"""What an app server remembers between requests: the release in force and API
keys, re-read at least every RELEASE_CHECK_SECONDS, so a publish or a
revocation made through another server is seen within that bound."""

import pytest
from django.db.models.signals import post_save
from django.utils import timezone

from billingcfg.api import selectors
from billingcfg.api.authentication import forget_api_key
from billingcfg.release_models import ApiKey, Release
from billingcfg.releases import services as releases
from tests.api.conftest import Api, make_key

CONFIG = "/api/v1/config/"


@pytest.fixture
def another_server():
    """Writes made as another process would make them: this process is not told."""
    post_save.disconnect(dispatch_uid="forget_release_in_force", sender=Release)
    post_save.disconnect(dispatch_uid="forget_api_key", sender=ApiKey)
    yield
    post_save.connect(selectors.release_saved, sender=Release, dispatch_uid="forget_release_in_force")
    post_save.connect(forget_api_key, sender=ApiKey, dispatch_uid="forget_api_key")


@pytest.fixture
def monotonic(monkeypatch):
    clock = {"now": selectors.time.monotonic()}  # stands still from now on, unless a test moves it
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock["now"])
    return clock


def test_a_release_published_elsewhere_is_served_within_the_bound(demo, settings, another_server, monotonic):
    settings.RELEASE_CHECK_SECONDS = 1
    api = Api(make_key("config:read")[0])
    releases.release_publish(note="one")
    assert api.get(CONFIG)["X-Release-Version"] == "1"

    releases.release_publish(note="two")
    monotonic["now"] += 0.5
    assert api.get(CONFIG)["X-Release-Version"] == "1"
    monotonic["now"] += 0.6
    assert api.get(CONFIG)["X-Release-Version"] == "2"


def test_a_publish_in_this_process_is_served_at_once(demo, settings):
    settings.RELEASE_CHECK_SECONDS = 60
    api = Api(make_key("config:read")[0])
    releases.release_publish(note="one")
    assert api.get(CONFIG)["X-Release-Version"] == "1"

    releases.release_publish(note="two")
    assert api.get(CONFIG)["X-Release-Version"] == "2"


def test_a_revocation_applies_at_once_here_and_within_the_bound_elsewhere(demo, settings, another_server, monkeypatch):
    from billingcfg.api import authentication

    clock = {"now": 1000.0}
    monkeypatch.setattr(authentication.time, "monotonic", lambda: clock["now"])
    settings.RELEASE_CHECK_SECONDS = 1
    releases.release_publish(note="one")
    key, row = make_key("config:read")
    api = Api(key)
    assert api.get(CONFIG).status_code == 200

    ApiKey.objects.filter(pk=row.pk).update(revoked_at=timezone.now())  # on another server
    assert api.get(CONFIG).status_code == 200
    clock["now"] += 1.1
    refused = api.get(CONFIG)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
