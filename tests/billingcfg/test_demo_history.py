"""The demo's two releases: seed 003's flat credits per video (v1) and its
per-second credits (v2). Their diff is seed 003's "New Pricing vs Old" table;
the other three products are the same in both, and each product's backend reads
its own figures at its own credit through /api/v1/products/<slug>/config/."""

from decimal import Decimal

import pytest

from billingcfg.demo.history import V1_NOTE, V2_NOTE, demo_releases_publish
from billingcfg.release_models import Release, ReleaseProduct
from billingcfg.releases.document import draft_configuration
from tests.api.conftest import Api, make_key

# Seed 003, "New Pricing vs Old": old flat credits → new credits for 8 seconds, and the change.
NEW_VS_OLD = {
    ("sora-2", "720p"): (80, 80, "0"),
    ("sora-2-pro", "1080p"): (80, 280, "2.5"),
    ("luma-ray-3", "720p"): (40, 120, "2"),
    ("kling-v2-1", "standard"): (35, 64, "0.8285714285714285714285714286"),
    ("veo-3", "audio"): (30, 480, "15"),
    ("minimax-hailuo-02", "768p"): (15, 40, "1.666666666666666666666666667"),
    ("wan-2-1", "480p"): (5, 16, "2.2"),
    ("wan-2-1", "720p"): (5, 40, "7"),
    ("mochi-1", "default"): (30, 80, "1.666666666666666666666666667"),
}


@pytest.fixture
def demo_releases(demo):
    draft = draft_configuration()
    published = demo_releases_publish()
    return draft, published


def test_the_demo_publishes_flat_then_per_second_and_leaves_the_draft_as_it_was(demo_releases):
    draft, published = demo_releases

    assert [(release.version, release.note) for release in published] == [(1, V1_NOTE), (2, V2_NOTE)]
    assert draft_configuration() == draft
    assert demo_releases_publish() == []
    assert Release.objects.count() == 2


def test_the_diff_of_the_demo_releases_is_seed_003s_new_pricing_vs_old(demo_releases):
    key, _ = make_key("config:read", all_products=True)
    response = Api(key).get("/api/v1/releases/1/diff/2/")

    assert response.status_code == 200
    diff = response.json()
    assert diff["summary"] == {"added": 0, "removed": 0, "changed": 9}
    assert {row["product"] for row in diff["prices"]} == {"video"}
    prices = {
        (row["model"], row["variant"]): (row["credits"]["old"], row["credits"]["new"], row["change"])
        for row in diff["prices"]
    }
    assert {key: prices[key] for key in NEW_VS_OLD} == NEW_VS_OLD
    veo = next(row for row in diff["prices"] if (row["model"], row["variant"]) == ("veo-3", "audio"))
    # Seed 003: the old flat 30 credits lost money on every 8-second Veo 3 video; 480 credits keep 75% at $0.05.
    assert veo["margin"]["basis"] == {"old": "-3", "new": "0.75"}
    assert veo["flags"] == {"old": ["loss", "below_target"], "new": []}


def test_only_the_video_products_document_differs_between_the_demo_releases(demo_releases):
    """v1 → v2 changes video's rates only: the other three products' documents are byte for byte the same,
    so their backends keep their ETags (and 304s) across the publish."""
    fingerprints = {
        (part.release.version, part.product): part.sha256 for part in ReleaseProduct.objects.select_related("release")
    }

    assert {product for _, product in fingerprints} == {"video", "coaching", "sora-prompts", "dev-flows"}
    changed = {
        product
        for (version, product), sha in fingerprints.items()
        if version == 2 and fingerprints[(1, product)] != sha
    }
    assert changed == {"video"}


def _product_config(slug):
    key, _ = make_key("config:read", products=(slug,))
    response = Api(key).get(f"/api/v1/products/{slug}/config/")
    assert response.status_code == 200, response.content
    return response


def _workflow(document, slug):
    (found,) = [workflow for workflow in document["workflows"] if workflow["slug"] == slug]
    return found


def test_the_video_backend_reads_seed_003s_figures_as_before(demo_releases):
    video = _product_config("video").json()

    assert (video["product"]["slug"], video["reporting_currency"]) == ("video", "USD")
    assert (video["revenue_per_credit"]["lowest"], video["revenue_per_credit"]["basis"]) == ("0.0358", "0.05")
    (veo,) = [model for model in video["models"] if model["slug"] == "veo-3"]
    (audio,) = [variant for variant in veo["variants"] if variant["slug"] == "audio"]
    # Seed 003: "8-second Veo 3 with audio: 480 credits, API cost $6.00, Revenue $24.00".
    assert audio["default_usage"]["credits"] == 480
    assert audio["default_usage"]["cost"]["reporting"] == {"low": "6", "high": "6", "currency": "USD"}
    assert audio["default_usage"]["revenue"]["basis"] == "24"


def test_the_coaching_backend_reads_the_hour_at_its_own_minute(demo_releases):
    """100 TWD / 180 minutes: the hour earns 33.33 TWD (≈ $1.04 at 32 TWD to the dollar) for 18.7728 TWD of
    cost, 43.7 % inside the 40–50 % target; the 100 TWD plan's minute is the basis."""
    coaching = _product_config("coaching").json()
    hour = _workflow(coaching, "coaching-session-hour")
    (basic,) = [plan for plan in coaching["subscription_plans"] if plan["slug"] == "coach-basic"]

    assert coaching["product"]["target_gross_margin"] == "0.4"
    assert coaching["product"]["target_gross_margin_high"] == "0.5"
    assert coaching["revenue_per_credit"]["basis"] == basic["price_per_credit"]
    assert hour["cost"] == {"low": "18.7728", "high": "18.7728", "currency": "TWD"}
    assert round(Decimal(hour["revenue"]["basis"]) / 32, 2) == Decimal("1.04")
    assert round(Decimal(hour["margin"]["basis"]["gross_margin"]["worst"]), 3) == Decimal("0.437")
    assert hour["flags"] == []


def test_the_sora_prompts_backend_reads_its_costs_in_points(demo_releases):
    """The middle of each band: 12.4 / 31.5 / 189 points a call, ~24.3 points a prompt."""
    sora = _product_config("sora-prompts").json()
    middle = {
        slug: (Decimal(_workflow(sora, slug)["cost"]["low"]) + Decimal(_workflow(sora, slug)["cost"]["high"])) / 2
        for slug in ("prompt-call-2-5-flash", "prompt-call-3-flash", "prompt-call-3-pro", "prompt-production")
    }

    assert sora["reporting_currency"] == "PTS"
    assert {_workflow(sora, slug)["cost"]["currency"] for slug in middle} == {"PTS"}
    assert [round(middle[slug], 1) for slug in ("prompt-call-2-5-flash", "prompt-call-3-flash")] == [
        Decimal("12.4"),
        Decimal("31.5"),
    ]
    assert round(middle["prompt-call-3-pro"]) == 189
    assert round(middle["prompt-production"], 1) == Decimal("24.3")


def test_the_dev_flows_backend_reads_costs_budgets_and_breakers(demo_releases):
    flows = _product_config("dev-flows").json()

    assert _workflow(flows, "project")["cost"] == {"low": "0.235455", "high": "0.235455", "currency": "USD"}
    assert (flows["credit_packs"], flows["subscription_plans"]) == ([], [])
    assert {threshold["slug"] for threshold in flows["alert_thresholds"]} >= {
        "system-spend-alert",
        "breaker-system-spend-day",
        "free-requests-hour",
        "paid-tokens-day",
    }


def test_a_key_for_the_video_app_cannot_read_the_coaching_app(demo_releases):
    key, _ = make_key("config:read", products=("video",))

    response = Api(key).get("/api/v1/products/coaching/config/")

    assert response.status_code == 403
    assert "coaching" in response.content.decode()
