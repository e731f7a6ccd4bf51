"""An ops person lowers a credit rate on a model's page and sees what it does to the
margin: the figure and the flag on the model page and on the margins dashboard."""

from decimal import Decimal

from playwright.sync_api import expect

from pricing.money import format_percent
from tests.e2e.figures import basis_margin, draft_report

MODEL, MODEL_NAME = "veo-3", "Veo 3"
VARIANT, VARIANT_NAME = "audio", "With audio"
OTHER_VARIANT = "no-audio"


def test_lowering_a_credit_rate_below_target_shows_on_the_model_page_and_the_dashboard(
    open_session, publisher, demo_release, shot
):
    from rates.models import AIModel

    report = draft_report()
    rows = {row.variant: row for row in report.models[MODEL].rows}
    target, audio, no_audio = report.target_gross_margin, rows[VARIANT], rows[OTHER_VARIANT]
    # Ten credits a second fewer than the target needs: below target at the basis, still no loss.
    new_credits = Decimal(audio.suggested_credits - 10)
    was = audio.at_basis.worst.gross_margin
    expected = basis_margin(new_credits, audio, report)
    expected_other = basis_margin(new_credits, no_audio, report)
    assert was >= target > expected > 0 and expected_other >= target, "the demo data no longer fits this story"

    page = open_session(publisher)
    page.goto("/admin/margins/")
    below_target = page.locator("#headline dl").filter(has_text="Below target").locator("dd")
    flagged_before = int(below_target.inner_text())

    page.goto(f"/admin/rates/aimodel/{AIModel.objects.get(slug=MODEL).pk}/change/")
    margins = page.locator("table.price-rows")
    audio_row = margins.get_by_role("row").filter(has=page.get_by_role("cell", name=VARIANT, exact=True))
    expect(audio_row.locator("td.margin").last).to_have_text(format_percent(was))
    expect(audio_row.locator(".margin-flag")).to_have_text(["OK"])
    shot(page, "model-page-before")

    rates = page.get_by_role("group", name="Credit rates")
    rate = rates.get_by_role("row").filter(has=page.locator("td.field-credits"))
    expect(rate).to_have_count(1)  # one rate for all of Veo 3's variants, per second
    credits = rate.locator("td.field-credits input")
    expect(credits).to_have_value(f"{audio.credits.normalize():f}")
    credits.fill(f"{new_credits:f}")
    shot(page, "credits-lowered")
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.locator("ul.messagelist")).to_contain_text(f"The AI model “{MODEL_NAME}” was changed successfully.")
    expect(credits).to_have_value(f"{new_credits:f}")
    expect(audio_row.locator("td.margin").last).to_have_text(format_percent(expected))
    expect(audio_row.locator(".margin-flag")).to_have_text(["Below target"])
    other_row = margins.get_by_role("row").filter(has=page.get_by_role("cell", name=OTHER_VARIANT, exact=True))
    expect(other_row.locator("td.margin").last).to_have_text(format_percent(expected_other))
    expect(other_row.locator(".margin-flag")).to_have_text(["OK"])
    shot(page, "model-page-after")

    page.goto("/admin/margins/")
    price = (
        page.locator("#price-table tbody tr")
        .filter(has=page.get_by_role("cell", name=MODEL_NAME, exact=True))
        .filter(has=page.get_by_role("cell", name=VARIANT_NAME, exact=True))
    )
    expect(price.locator("td.gm.basis")).to_have_text(format_percent(expected))
    expect(price.locator("td.flags .badge")).to_have_text(["Below target"])
    expect(below_target).to_have_text(str(flagged_before + 1))
    expect(page.locator("#margin-svg")).to_be_visible()
    shot(page, "margins-dashboard")
