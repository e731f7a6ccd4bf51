"""Browser tests: Playwright drives Debian's Chromium, headless, against
pytest-django's live server. One browser per run; each user session is a
fresh browser context, signed in through the admin's login form.

Every page a test opens is watched: a Content-Security-Policy violation or an
uncaught script error on any of them fails the test when its sessions close.
Each step leaves a full-page screenshot in tests/e2e/screenshots/<test>/.

The live server reads the test's own database, so data is made per test in a
transactional database (flushed after each test): the demo catalogue, one
published release, the role groups the migrations made.
"""

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.browser import LAUNCH_ARGS, PASSWORD, VIEWPORT, browser_choice, chromium_find

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses
# to run in a thread with a running loop unless told it is safe, as it is here
# (one thread, no coroutine of ours touches the database).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOTS = Path(__file__).parent / "screenshots"
DEMO_NOTE = "Demo pricing"
# Long enough for a slow page on a busy 2-core machine, short enough to fail fast.
TIMEOUT_MS = 15_000
CSP_WORDS = ("Content Security Policy", "Content-Security-Policy", "Refused to")


# ---- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The Chromium to drive; without one, skip (a developer's machine) or fail (CI)."""
    choice = browser_choice(chromium_find(os.environ), os.environ)
    if choice.action == "skip":
        pytest.skip(choice.message)
    if choice.action == "fail":
        pytest.fail(choice.message, pytrace=False)
    return choice.path


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS)
        yield launched
        launched.close()


class PageProblems:
    """Content-Security-Policy violations and uncaught script errors seen on any
    page of the watched contexts, with the page they happened on."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def watch(self, page) -> None:
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.found.append(f"{page.url}: script error: {error}"))

    def _console(self, page, message) -> None:
        text = message.text
        if any(word in text for word in CSP_WORDS):
            self.found.append(f"{page.url}: {message.type}: {text}")


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def open_session(browser, live_server, page_problems, roles) -> Iterator[Callable]:
    """open_session(user) -> a page in a fresh browser context, signed in as `user`
    through the login form (or not signed in, without a user). Every page of
    every session is watched; the test fails if any showed a CSP violation or a
    script error."""
    contexts = []

    def open_session(user=None):
        context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", page_problems.watch)
        contexts.append(context)
        page = context.new_page()
        if user is not None:
            sign_in(page, user.username)
        return page

    yield open_session
    for context in contexts:
        context.close()
    assert page_problems.found == [], "pages broke their Content-Security-Policy or threw:\n" + "\n".join(
        page_problems.found
    )


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Through the admin's own login form, as a person does."""
    from playwright.sync_api import expect

    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


# ---- screenshots ----------------------------------------------------------------------------


@pytest.fixture
def shot(request) -> Callable:
    """shot(page, "step") saves tests/e2e/screenshots/<test>/<NN>-<step>.png, the whole page."""
    folder = SCREENSHOTS / request.node.originalname
    shutil.rmtree(folder, ignore_errors=True)
    taken = []

    def shot(page, step: str) -> Path:
        taken.append(step)
        path = folder / f"{len(taken):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        return path

    return shot


# ---- data -----------------------------------------------------------------------------------


@pytest.fixture
def roles(transactional_db) -> None:
    """The role groups (billingcfg.core.roles) as the migrations made them: the flush
    after every transactional test empties the groups table, and the live
    server's database is one of those."""
    from django.contrib.auth.models import Group, Permission

    from billingcfg.core.roles import ROLE_PERMISSIONS

    permissions = {
        (permission.content_type.app_label, permission.codename): permission
        for permission in Permission.objects.select_related("content_type")
    }
    for name, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([permissions[key] for key in wanted])


@pytest.fixture
def demo_release(transactional_db):
    """The demo catalogue, published as the active release."""
    from billingcfg.demo.load import demo_load
    from billingcfg.releases.services import release_publish

    demo_load()
    return release_publish(note=DEMO_NOTE)


def with_password(user):
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def superuser(transactional_db):
    from django.contrib.auth.models import User

    return with_password(User.objects.create_superuser("ops", email="ops@example.com"))


@pytest.fixture
def publisher(roles):
    from tests.factories import staff_in

    return with_password(staff_in("publisher"))


@pytest.fixture
def editor(roles):
    from tests.factories import staff_in

    return with_password(staff_in("editor"))
