"""Products in the browser: an ops person switches the margins dashboard from one
product to another and sees only that product's offers and prices, at its own credit;
a model bought by two products shows each product's margins on its page."""

from playwright.sync_api import expect

from pricing.money import format_percent
from tests.e2e.figures import product_report

SHARED_MODEL = "gemini-2-5-flash"  # coaching's report calls (Google) and sora-prompts' steps (the gateway)


def test_switching_products_on_the_dashboard(open_session, publisher, demo_release, shot):
    coaching = product_report("coaching")
    hour = coaching.workflows["coaching-session-hour"]
    hour_margin = format_percent(hour.at_basis.worst.gross_margin)
    assert coaching.product.target_gross_margin <= hour.at_basis.worst.gross_margin, "the demo no longer fits"

    page = open_session(publisher)
    page.goto("/admin/margins/")
    switcher = page.locator("#product-switcher")
    expect(switcher.locator(".current")).to_have_text("Video credits")
    expect(page.locator("#product-title")).to_contain_text("Video credits")
    expect(page.locator("#revenue-svg")).to_contain_text("Pack · Starter")
    expect(page.locator("#revenue-svg")).not_to_contain_text("Coaching")
    overview = page.locator("#all-products tbody tr")
    expect(overview).to_have_count(4)
    shot(page, "video")

    switcher.get_by_role("link", name="Coaching minutes").click()

    expect(page).to_have_url("/admin/margins/?product=coaching")
    expect(switcher.locator(".current")).to_have_text("Coaching minutes")
    expect(page.locator("#product-title")).to_contain_text("reports in TWD")
    expect(page.locator("#revenue-svg")).to_contain_text("Plan · Coaching Basic")
    expect(page.locator("#revenue-svg")).not_to_contain_text("Starter")
    session = page.locator("#workflow-table tbody tr").filter(has_text="Coaching session hour").first
    expect(session).to_contain_text(hour_margin)
    expect(page.locator("#all-products tr.current")).to_contain_text("Coaching minutes")
    shot(page, "coaching")

    page.locator("#all-products").get_by_role("link", name="Sora-2Ai prompts").click()
    expect(page).to_have_url("/admin/margins/?product=sora-prompts")
    expect(page.locator("#product-title")).to_contain_text("sells points")
    shot(page, "sora-prompts")


def test_a_model_page_shows_two_products_margins(open_session, publisher, demo_release, shot):
    from rates.models import AIModel

    page = open_session(publisher)
    page.goto(f"/admin/rates/aimodel/{AIModel.objects.get(slug=SHARED_MODEL).pk}/change/")

    coaching = page.locator("#margins-coaching")
    prompts = page.locator("#margins-sora-prompts")
    expect(coaching).to_contain_text("Coaching minutes")
    expect(coaching).to_contain_text("reports in TWD")
    expect(coaching).to_contain_text("costed on google")
    expect(coaching.locator("td.supplier").first).to_have_text("google")
    expect(prompts).to_contain_text("Sora-2Ai prompts")
    expect(prompts).to_contain_text("reports in PTS")
    expect(prompts).to_contain_text("costed on gateway")
    expect(prompts.locator("td.supplier").first).to_have_text("gateway")
    expect(page.locator("section.product-margins")).to_have_count(2)
    shot(page, "two-products")
