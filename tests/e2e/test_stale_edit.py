"""Two people open the same credit rate; the first saves. The second's save, from a
page that no longer shows what is stored, is refused instead of silently
overwriting the first's; after reopening the page, the second can save."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from pricing.money import dec, format_exact


def test_an_edit_from_a_stale_page_is_refused_until_the_page_is_reopened(
    open_session, publisher, editor, demo_release, shot
):
    from rates.models import CreditRate

    rate = CreditRate.objects.get(model__slug="veo-3", variant=None, meter__slug="seconds")
    url = f"/admin/rates/creditrate/{rate.pk}/change/"
    first, second = Decimal(55), Decimal(65)
    assert rate.credits not in (first, second)

    alice, bob = open_session(publisher), open_session(editor)
    for page in (alice, bob):
        page.goto(url)
        expect(page.get_by_label("Credits:", exact=True)).to_have_value(dec(rate.credits))

    alice.get_by_label("Credits:", exact=True).fill(format_exact(first))
    alice.get_by_role("button", name="Save and continue editing").click()
    expect(alice.locator("ul.messagelist .success")).to_contain_text("was changed successfully")
    shot(alice, "first-saves")

    bob.get_by_label("Credits:", exact=True).fill(format_exact(second))
    bob.get_by_role("button", name="Save and continue editing").click()
    expect(bob.locator("p.errornote")).to_be_visible()
    refusal = bob.locator("ul.errorlist.nonfield")
    expect(refusal).to_contain_text(re.compile(r"was changed by publisher on .+ after you opened this page"))
    expect(refusal).to_contain_text("Your changes were not saved")
    expect(bob.locator("ul.messagelist .success")).to_have_count(0)
    shot(bob, "second-refused")
    rate.refresh_from_db()
    assert rate.credits == first

    bob.get_by_role("button", name="Save and continue editing").click()
    expect(refusal).to_contain_text("after you opened this page")
    rate.refresh_from_db()
    assert rate.credits == first, "submitting the refused page again wrote over the first edit"

    bob.goto(url)
    credits = bob.get_by_label("Credits:", exact=True)
    expect(credits).to_have_value(format_exact(first))
    credits.fill(format_exact(second))
    bob.get_by_role("button", name="Save and continue editing").click()
    expect(bob.locator("ul.messagelist .success")).to_contain_text("was changed successfully")
    expect(credits).to_have_value(format_exact(second))
    shot(bob, "second-saves-after-reopening")
    rate.refresh_from_db()
    assert rate.credits == second
