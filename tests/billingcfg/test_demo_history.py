"""The demo's two releases: seed 003's flat credits per video (v1) and its
per-second credits (v2). Their diff is seed 003's "New Pricing vs Old" table."""

import pytest

from billingcfg.demo.history import V1_NOTE, V2_NOTE, demo_releases_publish
from billingcfg.release_models import Release
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
    key, _ = make_key("config:read")
    response = Api(key).get("/api/v1/releases/1/diff/2/")

    assert response.status_code == 200
    diff = response.json()
    assert diff["summary"] == {"added": 0, "removed": 0, "changed": 9}
    prices = {
        (row["model"], row["variant"]): (row["credits"]["old"], row["credits"]["new"], row["change"])
        for row in diff["prices"]
    }
    assert {key: prices[key] for key in NEW_VS_OLD} == NEW_VS_OLD
    veo = next(row for row in diff["prices"] if (row["model"], row["variant"]) == ("veo-3", "audio"))
    # Seed 003: the old flat 30 credits lost money on every 8-second Veo 3 video; 480 credits keep 75% at $0.05.
    assert veo["margin"]["basis"] == {"old": "-3", "new": "0.75"}
    assert veo["flags"] == {"old": ["loss", "below_target"], "new": []}
