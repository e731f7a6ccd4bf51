"""A publisher changes two credit rates, reads the Publish page's diff, publishes,
and a backend reads the new prices from the API with its key."""

import hashlib
from decimal import Decimal

from playwright.sync_api import expect

from pricing.money import dec, format_exact, format_percent
from tests.api.conftest import make_key
from tests.e2e.figures import basis_margins, draft_report

# (model, a variant whose price moves across the target, credits added per second by its one rate)
CHANGES = [("veo-3", "audio", -10), ("sora-2-pro", "1080p", +7)]
NOTE = "Veo 3 cheaper and Sora 2 Pro dearer, per second of video"


def test_publisher_reviews_the_diff_publishes_and_the_api_serves_the_new_prices(
    open_session, publisher, demo_release, shot
):
    from rates.models import CreditRate

    rates = {slug: CreditRate.objects.get(model__slug=slug, variant=None) for slug, _, _ in CHANGES}
    old = {slug: rate.credits for slug, rate in rates.items()}
    new = {slug: old[slug] + delta for slug, _, delta in CHANGES}
    report = draft_report()
    target, margins_before = report.target_gross_margin, basis_margins(report)

    page = open_session(publisher)
    for slug, _, _ in CHANGES:
        page.goto(f"/admin/rates/creditrate/{rates[slug].pk}/change/")
        credits = page.get_by_label("Credits:", exact=True)
        expect(credits).to_have_value(dec(old[slug]))
        credits.fill(dec(new[slug]))
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("ul.messagelist .success")).to_contain_text("was changed successfully")
    margins_after = basis_margins(draft_report())

    def flag(margin) -> str:
        return "Below target" if margin < target else "OK"

    for slug, variant, _ in CHANGES:  # each change moves its variant across the target, one way or the other
        assert flag(margins_before[(slug, variant)]) != flag(margins_after[(slug, variant)])

    page.goto("/admin/")
    page.get_by_role("link", name="Publish the draft").click()
    expect(page.get_by_role("heading", name="Publish the draft")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Changes: {demo_release} → draft")).to_be_visible()

    # Every price row of the two models changed (a rate for all variants prices each of them), nothing else.
    changed = [key for key in margins_before if key[0] in new]
    per_meter = page.locator("#diff-rows-video tbody tr")
    expect(per_meter).to_have_count(len(changed))
    prices = page.locator("#diff-prices-video tbody tr")
    expect(prices).to_have_count(len(changed))
    for slug, variant, _ in CHANGES:
        row = per_meter.filter(has=page.get_by_role("cell", name=slug, exact=True)).filter(
            has=page.get_by_role("cell", name=variant, exact=True)
        )
        expect(row.locator("td.old").first).to_have_text(format_exact(old[slug]))
        expect(row.locator("td").nth(6)).to_have_text(format_exact(new[slug]))
        price = prices.filter(has=page.get_by_role("cell", name=slug, exact=True)).filter(
            has=page.get_by_role("cell", name=variant, exact=True)
        )
        quantity = rates[slug].default_quantity
        expect(price.locator("td.num.old").first).to_have_text(format_exact(old[slug] * quantity))
        expect(price.locator("td.num").nth(1)).to_have_text(format_exact(new[slug] * quantity))
        basis_old, basis_new = price.locator("td.gm").nth(2), price.locator("td.gm").nth(3)
        expect(basis_old).to_have_text(format_percent(margins_before[(slug, variant)]))
        expect(basis_new).to_have_text(format_percent(margins_after[(slug, variant)]))
        expect(price.locator(".margin-flag")).to_have_text(
            [flag(margins_before[(slug, variant)]), flag(margins_after[(slug, variant)])]
        )

    page.get_by_label("Note").fill(NOTE)
    page.get_by_label("I have read the problems, the warnings and the diff above").check()
    shot(page, "publish-diff")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("ul.messagelist .success")).to_contain_text("Published v2, effective ")
    expect(page.get_by_role("heading", name="Release v2")).to_be_visible()
    expect(page.get_by_text(NOTE).first).to_be_visible()
    shot(page, "published")

    page.goto("/admin/billingcfg/release/")
    releases = page.locator("#result_list tbody tr")
    expect(releases.locator("th.field-version_label")).to_have_text(["v2", "v1"])
    expect(releases.locator("td.field-note")).to_have_text([NOTE, "Demo pricing"])
    expect(releases.locator("td.field-status")).to_have_text(["active", "superseded"])
    shot(page, "release-list")

    key, _ = make_key("config:read", products=("video",))
    response = page.context.request.get("/api/v1/products/video/config/", headers={"Authorization": f"Api-Key {key}"})
    assert response.status == 200
    body = response.body()
    assert response.headers["etag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    document = response.json()
    # The video backend reads its own product's document; the release is named in a header.
    assert response.headers["x-release-version"] == "2"
    assert document["product"]["slug"] == "video"
    models = {model["slug"]: model for model in document["models"]}
    for slug, variant, _ in CHANGES:
        (rate,) = models[slug]["credit_rates"]
        assert (rate["variant"], rate["meter"], Decimal(rate["credits"])) == (None, "seconds", new[slug])
        (priced,) = [found for found in models[slug]["variants"] if found["slug"] == variant]
        assert priced["default_usage"]["credits"] == new[slug] * rates[slug].default_quantity


def test_publisher_sees_a_scheduled_release_on_the_publish_page_and_withdraws_it(
    open_session, publisher, demo_release, shot
):
    from datetime import timedelta

    from billingcfg.releases import services as releases

    scheduled = releases.release_publish(note="Next quarter's prices", effective_at=releases.now() + timedelta(days=90))

    page = open_session(publisher)
    page.goto("/admin/billingcfg/release/publish/")
    warning = page.locator("#scheduled li.warning")
    expect(warning).to_contain_text(f"{scheduled} is scheduled to take effect at ")
    expect(warning).to_contain_text("from then on it replaces this release")
    warning.get_by_role("link", name=f"Withdraw {scheduled}…").click()
    expect(page.get_by_role("heading", name=f"Withdraw {scheduled}?")).to_be_visible()
    page.get_by_label("Reason").fill("The quarter's prices go out now instead")
    shot(page, "withdraw")
    page.get_by_role("button", name=f"Yes, withdraw {scheduled}").click()

    expect(page.locator("ul.messagelist .success")).to_have_text(
        f"Withdrew {scheduled}: it will not take effect; {demo_release} stays in force."
    )
    expect(page.locator("#withdrawal")).to_contain_text("The quarter's prices go out now instead")
    page.goto("/admin/billingcfg/release/")
    expect(page.locator("#result_list td.field-status")).to_have_text(["withdrawn", "active"])
    page.goto("/admin/billingcfg/release/publish/")
    expect(page.locator("#scheduled")).to_have_count(0)
