"""GET /api/v1/products/<slug>/config/: a product's document in the release in force,
as stored, cached by its own ETag; GET /api/v1/products/: the products a key may read;
the deprecated GET /api/v1/config/: the default product's (the video app's in the demo)."""

import json
from datetime import timedelta

import pytest

from billingcfg.models import Product
from billingcfg.releases import services as releases
from billingcfg.releases.document import sha256
from plans.models import SubscriptionPlan
from rates.models import CreditRate
from tests.api.conftest import PUBLISHED_AT, Api, make_key

VIDEO = "/api/v1/products/video/config/"
COACHING = "/api/v1/products/coaching/config/"
CONFIG = VIDEO
DEPRECATED = "/api/v1/config/"
PRODUCTS = "/api/v1/products/"

pytestmark = pytest.mark.usefixtures("demo_release")


def _part(release, product: str = "video"):
    return release.products.get(product=product)


def _etag(release, product: str = "video") -> str:
    return f'"{_part(release, product).sha256}"'


def test_a_products_document_is_served_as_stored_with_its_own_etag(api, demo_release):
    response = api.get(VIDEO)

    assert response.status_code == 200
    assert response.content == _part(demo_release).document.encode()
    assert response["ETag"] == f'"{sha256(response.content)}"' == _etag(demo_release) != demo_release.etag
    assert response["X-Release-Version"] == "1"
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "private, no-cache"
    assert response["Vary"] == "Authorization, Cookie"
    document = json.loads(response.content)
    assert "release" not in document  # the version is in X-Release-Version: the bytes outlive a release
    assert sorted(document) == [
        "alert_thresholds",
        "credit_packs",
        "currencies",
        "exchange_rates",
        "meters",
        "models",
        "product",
        "providers",
        "reporting_currency",
        "revenue_per_credit",
        "schema_version",
        "subscription_plans",
        "workflows",
    ]
    assert (document["schema_version"], document["product"]["slug"], document["reporting_currency"]) == (
        2,
        "video",
        "USD",
    )
    assert document["revenue_per_credit"] == {
        "currency": "USD",
        "lowest": "0.0358",
        "mean": "0.04837619047619047619047619047",
        "highest": "0.06",
        "basis": "0.05",
        "basis_name": "fixed",
    }
    # Only the video app's own offers, at its own credit.
    assert {plan["slug"] for plan in document["subscription_plans"]} == {"explorer", "creator", "agency"}


def test_each_product_is_priced_at_its_own_credit_and_currency(editor_api):
    coaching = json.loads(editor_api.get(COACHING).content)

    assert (coaching["product"]["slug"], coaching["reporting_currency"]) == ("coaching", "TWD")
    assert (coaching["product"]["target_gross_margin"], coaching["product"]["target_gross_margin_high"]) == (
        "0.4",
        "0.5",
    )
    assert {plan["slug"] for plan in coaching["subscription_plans"]} == {"coach-basic", "coach-standard", "coach-pro"}
    assert coaching["revenue_per_credit"]["currency"] == "TWD"


def test_the_deprecated_config_serves_the_default_products_document(api, demo_release):
    response = api.get(DEPRECATED)

    assert response.status_code == 200
    assert response.content == api.get(VIDEO).content
    assert response["ETag"] == _etag(demo_release)
    assert response["X-Release-Version"] == "1"
    assert api.get(DEPRECATED, if_none_match=_etag(demo_release)).status_code == 304


def test_the_deprecated_routes_serve_the_default_product_the_release_published_not_the_drafts(editor_api, demo_release):
    """Making coaching the default in the draft changes nothing a backend reads until it is published."""
    Product.objects.filter(slug="video").update(is_default=False)
    Product.objects.filter(slug="coaching").update(is_default=True)
    key, _ = make_key("config:read", products=("video", "coaching"))
    backend = Api(key)

    assert backend.get(DEPRECATED).content == backend.get(VIDEO).content
    quote = backend.post("/api/v1/quote/", {"model": "veo-3", "variant": "audio", "quantity": 8})
    assert (quote.status_code, quote.json()["product"], quote.json()["credits"]) == (200, "video", 480)


def test_a_matching_etag_is_answered_304_with_no_body(api, demo_release):
    response = api.get(CONFIG, if_none_match=_etag(demo_release))

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == _etag(demo_release)
    assert response["Cache-Control"] == "private, no-cache"
    assert response["X-Release-Version"] == "1"


@pytest.mark.parametrize("held", ['"0000"', 'W/"0000"', ""])
def test_a_stale_or_absent_etag_gets_the_document(api, demo_release, held):
    response = api.get(CONFIG, if_none_match=held) if held else api.get(CONFIG)

    assert response.status_code == 200
    assert response.content == _part(demo_release).document.encode()


def test_a_weak_or_listed_etag_matches_too(api, demo_release):
    assert api.get(CONFIG, if_none_match=f"W/{_etag(demo_release)}").status_code == 304
    assert api.get(CONFIG, if_none_match=f'"0000", {_etag(demo_release)}').status_code == 304


def test_a_release_changing_the_product_changes_its_etag_and_the_old_one_stops_matching(api, demo_release):
    CreditRate.objects.filter(model__slug="veo-3").update(credits=70)
    second = releases.release_publish(note="Veo 3 up")

    response = api.get(CONFIG, if_none_match=_etag(demo_release))

    assert response.status_code == 200
    assert response["ETag"] == _etag(second) != _etag(demo_release)
    assert response["X-Release-Version"] == "2"


def test_a_publish_changing_only_one_product_leaves_the_others_etags_unchanged(editor_api, demo_release):
    """Issue 15: the coaching app's plan price moves; the video app's backend keeps getting 304s."""
    video_before = editor_api.get(VIDEO)
    coaching_before = editor_api.get(COACHING)
    SubscriptionPlan.objects.filter(slug="coach-basic").update(price="120")  # a coaching-only row
    second = releases.release_publish(note="Coaching basic at 120 TWD")

    video = editor_api.get(VIDEO, if_none_match=video_before["ETag"])
    coaching = editor_api.get(COACHING, if_none_match=coaching_before["ETag"])

    assert video.status_code == 304
    assert (video["ETag"], video["X-Release-Version"]) == (video_before["ETag"], "2")
    assert _etag(second) == _etag(demo_release)  # the same stored bytes in v1 and v2
    assert coaching.status_code == 200
    assert coaching["ETag"] == _etag(second, "coaching") != coaching_before["ETag"]
    assert coaching["X-Release-Version"] == "2"
    plans = {plan["slug"]: plan["price"] for plan in json.loads(coaching.content)["subscription_plans"]}
    assert plans["coach-basic"] == "120"
    for product in ("sora-prompts", "dev-flows"):
        assert _etag(second, product) == _etag(demo_release, product)


def test_a_scheduled_release_becomes_active_when_its_time_passes(api, demo_release, clock):
    due = PUBLISHED_AT + timedelta(days=7)
    CreditRate.objects.filter(model__slug="veo-3").update(credits=70)
    scheduled = releases.release_publish(note="next week", effective_at=due)

    clock["now"] = due - timedelta(seconds=1)
    before = api.get(CONFIG)
    clock["now"] = due
    after = api.get(CONFIG, if_none_match=_etag(demo_release))

    assert (before["ETag"], before["X-Release-Version"]) == (_etag(demo_release), "1")
    assert after.status_code == 200
    assert (after["ETag"], after["X-Release-Version"]) == (_etag(scheduled), "2")


def test_at_gives_the_release_in_force_then(api, demo_release, clock):
    due = PUBLISHED_AT + timedelta(days=7)
    CreditRate.objects.filter(model__slug="veo-3").update(credits=70)
    scheduled = releases.release_publish(note="next week", effective_at=due)

    def etag_at(at: str) -> str:
        return api.client.get(CONFIG, {"at": at}, headers=api.headers)["ETag"]

    assert etag_at("2026-03-05T00:00:00Z") == _etag(demo_release)
    assert etag_at("2026-03-08T09:00:00+00:00") == _etag(scheduled)
    # Without an offset, UTC: 09:00 in Taipei is 01:00 UTC, a week less eight hours after publishing.
    assert etag_at("2026-03-08T09:00:00+08:00") == _etag(demo_release)
    assert etag_at("2026-03-08T09:00:00") == _etag(scheduled)
    assert api.client.get(DEPRECATED, {"at": "2026-03-05T00:00:00Z"}, headers=api.headers)["ETag"] == _etag(
        demo_release
    )


def test_an_unknown_product_is_a_404_listing_the_products(editor_api, api):
    response = editor_api.get("/api/v1/products/podcast/config/")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "no product 'podcast' in release v1; products are: coaching, dev-flows, sora-prompts, video"
    }
    for odd in ("a%00b", "x" * 81, "caf%C3%A9"):
        assert editor_api.get(f"/api/v1/products/{odd}/config/").status_code == 404


def test_a_key_for_the_video_app_cannot_read_the_coaching_app(db):
    key, row = make_key("config:read", products=("video",), name="video backend")
    video = Api(key)

    response = video.get(COACHING)

    assert response.status_code == 403
    assert response.json() == {
        "detail": f"API key {row.prefix} may not read product 'coaching': it reads only products video. "
        "Use /api/v1/products/<slug>/config/ with one of them."
    }
    # Not even a 304 for a caller holding the ETag: permission is checked before the document is.
    assert video.get(COACHING, if_none_match="*").status_code == 403
    assert video.get(VIDEO).status_code == 200


def test_a_key_without_the_default_product_is_refused_on_the_deprecated_routes(db):
    key, row = make_key("config:read", products=("coaching",))

    response = Api(key).get(DEPRECATED)

    assert response.status_code == 403
    assert response.json() == {
        "detail": f"API key {row.prefix} may not read /api/v1/config/ serves the default product 'video', which: "
        "it reads only products coaching. Use /api/v1/products/<slug>/config/ with one of them."
    }


def test_the_product_list_shows_what_the_key_may_read(db, editor_api):
    key, _ = make_key("config:read", products=("coaching", "video"))

    everything = editor_api.get(PRODUCTS)
    mine = Api(key).get(PRODUCTS)

    assert everything.status_code == 200
    assert everything["X-Release-Version"] == "1"
    assert [product["slug"] for product in everything.json()] == ["video", "coaching", "sora-prompts", "dev-flows"]
    assert mine.json() == [
        {
            "slug": "video",
            "name": "Video credits",
            "credit_name": "credits",
            "reporting_currency": "USD",
            "target_gross_margin": "0.75",
            "target_gross_margin_high": None,
            "is_default": True,
            "config": "http://testserver/api/v1/products/video/config/",
        },
        {
            "slug": "coaching",
            "name": "Coaching minutes",
            "credit_name": "minutes",
            "reporting_currency": "TWD",
            "target_gross_margin": "0.4",
            "target_gross_margin_high": "0.5",
            "is_default": False,
            "config": "http://testserver/api/v1/products/coaching/config/",
        },
    ]


def test_the_list_shows_the_products_as_the_release_in_force_published_them(editor_api):
    Product.objects.filter(slug="coaching").update(name="Coaching (renamed in the draft)")

    assert editor_api.get(PRODUCTS).json()[1]["name"] == "Coaching minutes"


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


def test_a_key_given_another_product_reads_it_at_once_and_one_taken_away_is_refused_at_once(db, demo_release):
    """This process forgets what it remembered of a key when its products change (not only
    within RELEASE_CHECK_SECONDS): a key given coaching reads it on the next request."""
    key, row = make_key("config:read", products=("video",))
    backend = Api(key)
    assert backend.get("/api/v1/products/coaching/config/").status_code == 403

    row.products.add(Product.objects.get(slug="coaching"))
    assert backend.get("/api/v1/products/coaching/config/").status_code == 200

    Product.objects.get(slug="coaching").api_keys.remove(row)
    assert backend.get("/api/v1/products/coaching/config/").status_code == 403
