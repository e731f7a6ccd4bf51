"""Which Chromium the browser tests drive, and what a machine without one does:
a developer's machine skips them with a hint, CI fails them. No browser, no database."""

import pytest

from tests.e2e.browser import DEBIAN_CHROMIUM, SKIPPED, browser_choice, chromium_find

FOUND = "/opt/chromium/chrome"


@pytest.mark.parametrize(
    ("found", "env", "action"),
    [
        (FOUND, {}, "run"),
        (FOUND, {"CI": "true"}, "run"),
        (FOUND, {"REQUIRE_BROWSER_TESTS": "1"}, "run"),
        (None, {}, "skip"),
        (None, {"CI": ""}, "skip"),
        (None, {"REQUIRE_BROWSER_TESTS": "0"}, "skip"),
        (None, {"CI": "true"}, "fail"),
        (None, {"CI": "1"}, "fail"),
        (None, {"REQUIRE_BROWSER_TESTS": "1"}, "fail"),
    ],
    ids=[
        "found",
        "found-ci",
        "found-required",
        "missing",
        "missing-ci-empty",
        "missing-required-0",
        "missing-ci",
        "missing-ci-1",
        "missing-required",
    ],
)
def test_browser_tests_run_skip_or_fail(found, env, action):
    assert browser_choice(found, env).action == action


def test_runs_the_chromium_found():
    assert browser_choice(FOUND, {"CI": "true"}).path == FOUND


def test_a_developer_without_chromium_is_told_how_to_get_it():
    assert browser_choice(None, {}).message == (
        "browser tests skipped: no Chromium found; install it (apt-get install -y chromium) "
        "or set CHROMIUM_PATH=/path/to/chromium"
    )
    assert SKIPPED == browser_choice(None, {}).message


@pytest.mark.parametrize(
    ("env", "named"),
    [({"CI": "true"}, "CI is set"), ({"REQUIRE_BROWSER_TESTS": "1"}, "REQUIRE_BROWSER_TESTS=1")],
)
def test_ci_without_chromium_fails_saying_what_is_missing_and_how_to_install_it(env, named):
    message = browser_choice(None, env).message
    assert message.startswith("Chromium is missing")
    assert named in message
    assert "apt-get install -y chromium" in message
    assert "CHROMIUM_PATH=/path/to/chromium" in message


def test_a_wrong_chromium_path_is_named_in_the_failure():
    message = browser_choice(None, {"CI": "true", "CHROMIUM_PATH": "/nowhere/chromium"}).message
    assert "CHROMIUM_PATH=/nowhere/chromium is not a file" in message


def _files(*paths):
    return lambda path: path in paths


@pytest.mark.parametrize(
    ("env", "files", "on_path", "found"),
    [
        ({"CHROMIUM_PATH": FOUND}, (FOUND, DEBIAN_CHROMIUM), "/usr/local/bin/chromium", FOUND),
        ({"CHROMIUM_PATH": "/nowhere"}, (DEBIAN_CHROMIUM,), "/usr/local/bin/chromium", None),
        ({}, (DEBIAN_CHROMIUM,), "/usr/local/bin/chromium", DEBIAN_CHROMIUM),
        ({"CHROMIUM_PATH": ""}, (DEBIAN_CHROMIUM,), None, DEBIAN_CHROMIUM),
        ({}, (), "/usr/local/bin/chromium", "/usr/local/bin/chromium"),
        ({}, (), None, None),
    ],
    ids=["chromium-path-first", "chromium-path-missing", "debian", "empty-chromium-path", "on-path", "none"],
)
def test_chromium_is_looked_for_in_chromium_path_then_debian_then_the_path(env, files, on_path, found):
    assert chromium_find(env, is_file=_files(*files), which=lambda name: on_path) == found
