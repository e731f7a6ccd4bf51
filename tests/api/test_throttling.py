"""The per-key budget is a fixed window in the shared cache: counted once per
request, refilled when the window turns."""

import warnings

import pytest
from django.core.cache import cache
from django.core.cache.backends.base import CacheKeyWarning
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from rest_framework.test import APIRequestFactory

from billingcfg.api import throttling
from billingcfg.api.throttling import PerClientThrottle, parse_rate


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [("6000/minute", (6000, 60)), ("5/second", (5, 1)), ("100/hour", (100, 3600)), ("1/day", (1, 86400))],
)
def test_rates_read_as_requests_per_period(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["6000", "many/minute", "5/fortnight", "5/"])
def test_a_bad_rate_names_the_format(rate):
    with pytest.raises(ImproperlyConfigured, match="<requests>/<second|minute|hour|day>"):
        parse_rate(rate)


def test_the_budget_refills_when_the_window_turns(db, settings, monkeypatch):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"client": "2/minute"}}
    cache.clear()
    clock = {"now": 1_800_000_000.0}  # the start of a minute
    monkeypatch.setattr(throttling.time, "time", lambda: clock["now"])
    request = APIRequestFactory().get("/api/v1/config/")
    request.user = None

    def allowed():
        return PerClientThrottle().allow_request(request, None)

    assert [allowed(), allowed(), allowed()] == [True, True, False]
    throttle = PerClientThrottle()
    clock["now"] += 45
    assert throttle.allow_request(request, None) is False and throttle.wait() == 15
    clock["now"] += 15
    assert [allowed(), allowed(), allowed()] == [True, True, False]


@pytest.mark.parametrize("forwarded", ["9" * 300, "10.0.0.1\x00"], ids=["300 characters", "a NUL"])
def test_a_long_or_odd_x_forwarded_for_is_counted_not_a_server_error(db, settings, forwarded):
    # SQLite stores such a cache key; PostgreSQL's cache table refuses it (255 characters, no NUL).
    settings.TRUSTED_PROXIES = 1  # behind a proxy, where X-Forwarded-For is read at all
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        response = Client().get("/api/v1/schema/", headers={"x-forwarded-for": forwarded})

    assert response.status_code == 200
