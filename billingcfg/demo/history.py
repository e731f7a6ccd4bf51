"""The demo's two releases: seed 003's flat credits per video (v1), then its
per-second pricing (v2, the demo draft). Only the video product differs between
them: `GET /api/v1/releases/1/diff/2/` is then seed 003's "New Pricing vs Old"
table, with margins, and the other three products keep their ETags."""

from copy import deepcopy

from django.db import transaction

from billingcfg.release_models import Release

# Seed 003, "New Pricing vs Old": the old flat credits per video, by model and
# (where the new rate is per variant) variant. A video was 8 seconds.
OLD_FLAT_CREDITS = {
    ("sora-2", None): "80",
    ("sora-2-pro", None): "80",
    ("luma-ray-3", None): "40",
    ("kling-v2-1", None): "35",
    ("veo-3", None): "30",
    ("minimax-hailuo-02", None): "15",
    ("wan-2-1", "480p"): "5",  # WAN Draft
    ("wan-2-1", "720p"): "5",  # WAN Pro
    ("mochi-1", None): "30",
}
OLD_VIDEO_SECONDS = "8"
VIDEO = "video"  # the product whose rates v1 puts back: the other three are the same in both releases
V1_NOTE = "Seed 003's flat-rate video pricing: one price per 8-second video, whatever it costs us."
V2_NOTE = "Seed 003's per-second video pricing (January 2026): credits follow each model's cost per second."


def flat_rate_configuration(configuration: dict) -> dict:
    """The configuration with the video product's rates put back to seed 003's old flat
    credits: so many credits per 8-second video, and only 8-second videos."""
    old = deepcopy(configuration)
    for model in old["models"]:
        for rate in model["credit_rates"]:
            credits = OLD_FLAT_CREDITS.get((model["slug"], rate["variant"]))
            if credits is None or rate["meter"] != "seconds" or rate["product"] != VIDEO:
                continue
            rate.update(
                credits=credits,
                per_units=int(OLD_VIDEO_SECONDS),
                allowed_quantities=[OLD_VIDEO_SECONDS],
                min_quantity=None,
                max_quantity=None,
                default_quantity=OLD_VIDEO_SECONDS,
            )
    return old


@transaction.atomic
def demo_releases_publish(*, user=None) -> list[Release]:
    """Publish v1 (flat) and v2 (per second) from the demo draft, once: nothing
    happens when a release exists. The draft ends as it began."""
    from billingcfg.releases.document import draft_configuration
    from billingcfg.releases.restore import draft_load
    from billingcfg.releases.services import release_publish

    if Release.objects.exists():
        return []
    current = draft_configuration()
    draft_load(flat_rate_configuration(current), prune=True, reason="Demo: seed 003's old flat rates", user=user)
    v1 = release_publish(note=V1_NOTE, user=user)
    draft_load(current, prune=True, reason="Demo: seed 003's per-second rates", user=user)
    v2 = release_publish(note=V2_NOTE, user=user)
    return [v1, v2]
