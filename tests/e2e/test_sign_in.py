"""Signing in through the admin's login form, and the API's Swagger UI, both
under the Content-Security-Policy (every page of these tests is watched for
violations; see conftest.open_session)."""

from playwright.sync_api import expect

from tests.e2e.browser import PASSWORD, VIEWPORT

CSP_HEADER = "content-security-policy"


def test_staff_signs_in_through_the_login_form_and_sees_the_admin_index(open_session, superuser, shot):
    page = open_session()
    page.goto("/admin/")
    expect(page).to_have_url("/admin/login/?next=/admin/")
    shot(page, "login-form")

    page.get_by_label("Username").fill(superuser.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".errornote")).to_contain_text("Please enter the correct username and password")
    shot(page, "wrong-password")

    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_response(lambda response: response.url.endswith("/admin/")) as index:
        page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url("/admin/")
    expect(page.get_by_role("heading", name="Pricing control room")).to_be_visible()
    expect(page.get_by_role("link", name="Open the margins dashboard")).to_be_visible()
    expect(page.get_by_role("link", name="Publish the draft")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    shot(page, "admin-index")
    assert CSP_HEADER in index.value.headers, "the admin index is served without a Content-Security-Policy"


def test_staff_reads_the_api_docs_in_swagger_ui(open_session, superuser, shot):
    page = open_session(superuser)
    response = page.goto("/api/v1/docs/")
    assert CSP_HEADER in response.headers, "Swagger UI is served without a Content-Security-Policy"

    expect(page.get_by_role("heading", name="Billing configuration API")).to_be_visible()
    config = page.locator(".opblock-get").filter(has_text="/api/v1/products/{slug}/config/").first
    expect(config).to_be_visible()
    expect(page.locator(".opblock-post").filter(has_text="/api/v1/products/{slug}/quote/")).to_be_visible()
    # The unscoped routes are still documented, shown as deprecated.
    expect(page.locator(".opblock-deprecated").filter(has_text="/api/v1/config/").first).to_be_visible()
    shot(page, "swagger-ui")

    config.locator(".opblock-summary").click()
    expect(config.get_by_role("button", name="Try it out")).to_be_visible()
    shot(page, "config-operation")


def test_a_page_breaking_its_policy_is_caught(browser, live_server, page_problems):
    """The watch every browser test relies on: an inline script and an inline style
    without the nonce are refused by Chromium and reported, as is a script error."""
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    context.on("page", page_problems.watch)
    page = context.new_page()
    response = page.goto("/admin/login/")
    assert CSP_HEADER in response.headers
    with page.expect_event("pageerror"):  # the timer's error comes last
        page.evaluate("""() => {
            const script = document.createElement("script");
            script.textContent = "document.title = 'injected'";
            document.head.append(script);
            const style = document.createElement("style");
            style.textContent = "body { background: red }";
            document.head.append(style);
            setTimeout(() => { throw new Error("boom"); });
        }""")
    expect(page).not_to_have_title("injected")
    context.close()

    assert len(page_problems.found) == 3, page_problems.found
    script, style, error = sorted(page_problems.found, key=lambda found: ("script error" in found, "style" in found))
    assert all(found.startswith(f"{live_server.url}/admin/login/") for found in page_problems.found)
    assert "inline script" in script and "Content Security Policy" in script
    assert "inline style" in style and "Content Security Policy" in style
    assert "script error: boom" in error
