"""An editor edits the draft but cannot publish it: no way to the Publish page, and
the page itself refuses them."""

from playwright.sync_api import expect


def test_editor_finds_no_way_to_publish(open_session, editor, demo_release, shot):
    from billingcfg.release_models import Release

    page = open_session(editor)
    expect(page.get_by_role("heading", name="Pricing control room")).to_be_visible()
    releases = page.locator("#releases-entry")
    expect(releases.get_by_role("link", name="Releases").first).to_be_visible()
    expect(page.get_by_role("link", name="Open the margins dashboard")).to_be_visible()
    expect(page.get_by_role("link", name="Publish the draft")).to_have_count(0)
    expect(page.get_by_text("Publish the draft")).to_have_count(0)
    shot(page, "admin-index")

    releases.get_by_role("link", name="Releases").first.click()
    expect(page.get_by_role("heading", name="Select release to view")).to_be_visible()
    expect(page.locator("#result_list tbody th.field-version_label")).to_have_text([str(demo_release)])
    expect(page.get_by_role("link", name="Publish the draft")).to_have_count(0)
    expect(page.get_by_role("link", name="Publish", exact=False)).to_have_count(0)
    shot(page, "release-list")

    response = page.goto("/admin/billingcfg/release/publish/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_text("Publishing needs the publisher role.")).to_be_visible()
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    shot(page, "publish-refused")
    assert list(Release.objects.values_list("version", flat=True)) == [demo_release.version]
