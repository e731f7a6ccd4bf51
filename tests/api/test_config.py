"""GET /api/v1/config/: the release in force, as stored, cached by ETag."""

import json
from datetime import timedelta

import pytest

from billingcfg.releases import services as releases
from billingcfg.releases.document import sha256
from rates.models import CreditRate
from tests.api.conftest import DEMO_NOTE, PUBLISHED_AT

CONFIG = "/api/v1/config/"

pytestmark = pytest.mark.usefixtures("demo_release")


def test_the_active_release_is_served_as_stored_with_its_etag(api, demo_release):
    response = api.get(CONFIG)

    assert response.status_code == 200
    assert response.content == demo_release.document.encode()
    assert response["ETag"] == f'"{sha256(response.content)}"' == demo_release.etag
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "private, no-cache"
    assert response["Vary"] == "Authorization, Cookie"
    document = json.loads(response.content)
    assert document["release"] == {
        "version": 1,
        "note": DEMO_NOTE,
        "published_by": "",
        "published_at": "2026-03-01T09:00:00Z",
        "effective_at": "2026-03-01T09:00:00Z",
    }
    assert sorted(document) == [
        "alert_thresholds",
        "credit_packs",
        "currencies",
        "exchange_rates",
        "meters",
        "models",
        "policy",
        "providers",
        "release",
        "reporting_currency",
        "revenue_per_credit",
        "schema_version",
        "subscription_plans",
        "workflows",
    ]
    assert document["revenue_per_credit"] == {
        "currency": "USD",
        "lowest": "0.0358",
        "mean": "0.04837619047619047619047619047",
        "highest": "0.06",
        "basis": "0.05",
        "basis_name": "fixed",
    }


def test_a_matching_etag_is_answered_304_with_no_body(api, demo_release):
    response = api.get(CONFIG, if_none_match=demo_release.etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == demo_release.etag
    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize("held", ['"0000"', 'W/"0000"', ""])
def test_a_stale_or_absent_etag_gets_the_document(api, demo_release, held):
    response = api.get(CONFIG, if_none_match=held) if held else api.get(CONFIG)

    assert response.status_code == 200
    assert response.content == demo_release.document.encode()


def test_a_weak_or_listed_etag_matches_too(api, demo_release):
    assert api.get(CONFIG, if_none_match=f"W/{demo_release.etag}").status_code == 304
    assert api.get(CONFIG, if_none_match=f'"0000", {demo_release.etag}').status_code == 304


def test_a_new_release_changes_the_etag_and_the_old_one_stops_matching(api, demo_release):
    CreditRate.objects.filter(model__slug="veo-3").update(credits=70)
    second = releases.release_publish(note="Veo 3 up")

    response = api.get(CONFIG, if_none_match=demo_release.etag)

    assert response.status_code == 200
    assert response["ETag"] == second.etag != demo_release.etag
    assert json.loads(response.content)["release"]["version"] == 2


def test_a_scheduled_release_becomes_active_when_its_time_passes(api, demo_release, clock):
    due = PUBLISHED_AT + timedelta(days=7)
    scheduled = releases.release_publish(note="next week", effective_at=due)

    clock["now"] = due - timedelta(seconds=1)
    before = api.get(CONFIG)
    clock["now"] = due
    after = api.get(CONFIG, if_none_match=demo_release.etag)

    assert before["ETag"] == demo_release.etag
    assert after.status_code == 200
    assert after["ETag"] == scheduled.etag
    assert json.loads(after.content)["release"]["version"] == 2


def test_at_gives_the_release_in_force_then(api, demo_release, clock):
    due = PUBLISHED_AT + timedelta(days=7)
    scheduled = releases.release_publish(note="next week", effective_at=due)

    assert api.client.get(CONFIG, {"at": "2026-03-05T00:00:00Z"}, headers=api.headers)["ETag"] == demo_release.etag
    assert api.client.get(CONFIG, {"at": "2026-03-08T09:00:00+00:00"}, headers=api.headers)["ETag"] == scheduled.etag
    # Without an offset, UTC: 09:00 in Taipei is 01:00 UTC, a week less eight hours after publishing.
    assert api.client.get(CONFIG, {"at": "2026-03-08T09:00:00+08:00"}, headers=api.headers)["ETag"] == demo_release.etag
    assert api.client.get(CONFIG, {"at": "2026-03-08T09:00:00"}, headers=api.headers)["ETag"] == scheduled.etag


@pytest.mark.parametrize("at", ["yesterday", "2026-13-01T00:00:00Z", "1700000000", "2026-03-01"])
def test_at_must_be_a_date_time(api, at):
    response = api.client.get(CONFIG, {"at": at}, headers=api.headers)

    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "at": [
                f"'{at}' is not a date-time; use ISO 8601, e.g. 2026-03-01T09:00:00Z (a time without an offset is UTC)"
            ]
        }
    }


def test_before_the_first_release_is_a_404_saying_when_it_took_effect(api):
    response = api.client.get(CONFIG, {"at": "2026-01-01T00:00:00Z"}, headers=api.headers)

    assert response.status_code == 404
    assert response.json() == {
        "detail": "no release was in force at 2026-01-01T00:00:00Z; the first took effect at 2026-03-01T09:00:00Z"
    }


@pytest.mark.django_db
def test_a_slow_read_begun_before_a_newer_one_does_not_replace_it(monkeypatch):
    """Two threads of one worker read the release in force at once; the one that
    began first (before a publish) finishes last. The worker keeps the newer read."""
    from billingcfg.api import selectors

    old = selectors.ReleaseHead(1, "a" * 64, PUBLISHED_AT)
    new = selectors.ReleaseHead(2, "b" * 64, PUBLISHED_AT)
    reads = []

    def read(*, at=None):
        reads.append(at)
        if len(reads) == 1:  # the slow first read: a second thread reads the newer release meanwhile
            assert selectors.release_head_in_force() == new
            return old
        return new

    monkeypatch.setattr(selectors, "release_head_active", read)
    assert selectors.release_head_in_force() == old  # the slow request answers with what it read
    assert selectors.release_head_in_force() == new  # later requests: the newer read was kept
    assert len(reads) == 2
