"""What the browser tests need that is not a fixture: which Chromium to drive, and
whether a machine without one skips the tests or fails them. Pure functions,
tested without a browser (test_browser_choice.py)."""

import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass

DEBIAN_CHROMIUM = "/usr/bin/chromium"
# Playwright cannot download its own browser here: it drives Debian's Chromium.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1440, "height": 900}
# Every user the browser tests sign in with has this password.
PASSWORD = "correct horse battery staple"

HOW_TO_INSTALL = "install it (apt-get install -y chromium) or set CHROMIUM_PATH=/path/to/chromium"
SKIPPED = f"browser tests skipped: no Chromium found; {HOW_TO_INSTALL}"


def chromium_find(
    env: Mapping[str, str],
    *,
    is_file: Callable[[str], bool] = os.path.isfile,
    which: Callable[[str], str | None] = shutil.which,
) -> str | None:
    """CHROMIUM_PATH when set, else Debian's /usr/bin/chromium, else `chromium` on the PATH.
    A CHROMIUM_PATH naming no file finds nothing: the run says so rather than driving another browser."""
    named = env.get("CHROMIUM_PATH", "")
    if named:
        return named if is_file(named) else None
    if is_file(DEBIAN_CHROMIUM):
        return DEBIAN_CHROMIUM
    return which("chromium")


@dataclass(frozen=True)
class BrowserChoice:
    action: str  # run | skip | fail
    message: str
    path: str | None = None


def browser_choice(found: str | None, env: Mapping[str, str]) -> BrowserChoice:
    """Run with the Chromium found. Without one, skip on a developer's machine, but
    fail in CI (CI set to anything) or when REQUIRE_BROWSER_TESTS=1: there a skip
    would pass unseen."""
    if found:
        return BrowserChoice("run", f"Chromium: {found}", found)
    required = bool(env.get("CI")) or env.get("REQUIRE_BROWSER_TESTS") == "1"
    if not required:
        return BrowserChoice("skip", SKIPPED)
    named = env.get("CHROMIUM_PATH", "")
    where = f"CHROMIUM_PATH={named} is not a file" if named else f"not at {DEBIAN_CHROMIUM} nor on the PATH"
    why = "CI is set" if env.get("CI") else "REQUIRE_BROWSER_TESTS=1"
    return BrowserChoice(
        "fail", f"Chromium is missing ({where}) and browser tests are required here ({why}): {HOW_TO_INSTALL}"
    )
