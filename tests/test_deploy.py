"""A production deployment configured as the README says is locked down:
`check --deploy` finds nothing, and an app server started with those settings
redirects plain HTTP, sends HSTS, a Content-Security-Policy and secure cookies,
and serves its own static files."""

import http.client
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests import servers

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = ROOT / "deploy" / "production.env"
HOST = "billing.example.com"


def documented_settings() -> dict[str, str]:
    settings = {}
    for line in PRODUCTION_ENV.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            settings[name] = value
    return settings


def production_environment(**overrides: str) -> dict[str, str]:
    """The documented settings, a secret key as a secret store would give, and nothing from this shell's Django env."""
    env = {
        name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "DATABASE_", "GUNICORN_"))
    }
    env.update(documented_settings())
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["DJANGO_SETTINGS_MODULE"] = "billingcfg.settings"
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_readme_shows_every_documented_production_setting():
    readme = (ROOT / "README.md").read_text()
    missing = [f"{name}={value}" for name, value in documented_settings().items() if f"{name}={value}" not in readme]
    assert missing == []


def test_check_deploy_is_clean_under_the_documented_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    "override, warning",
    [
        ({"DJANGO_DEBUG": "1"}, "security.W018"),
        ({"DJANGO_SSL_REDIRECT": "0"}, "security.W008"),
        ({"DJANGO_HSTS_SECONDS": "0"}, "security.W004"),
        ({"DJANGO_SECURE_COOKIES": "0"}, "security.W012"),
    ],
)
def test_check_deploy_notices_a_setting_left_out(override, warning):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_environment(**override))
    assert result.returncode != 0
    assert warning in result.stderr + result.stdout


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": HOST, **headers})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    """gunicorn with deploy/gunicorn.conf.py and the documented settings (SQLite
    and a local cache stand in for the servers the example names)."""
    folder = tmp_path_factory.mktemp("production")
    port = servers.free_port()
    env = production_environment(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        DJANGO_CACHE_URL="locmem",
        DJANGO_STATIC_ROOT=str(folder / "static"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
    )
    collected = manage("collectstatic", "--noinput", env=env)
    assert collected.returncode == 0, collected.stderr
    with servers.gunicorn(env) as server:
        servers.wait_listening(port, server, "gunicorn")
        yield port


def test_plain_http_is_redirected_to_https(production_server):
    response, _ = _get(production_server, "/admin/login/", {})
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/admin/login/"


def test_pages_behind_the_tls_proxy_carry_the_security_headers(production_server):
    response, body = _get(production_server, "/admin/login/", {"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
    policy = response.getheader("Content-Security-Policy")
    assert "default-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert re.search(r"script-src 'self' 'nonce-[\w-]+'", policy)
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    cookies = response.msg.get_all("Set-Cookie")
    assert cookies and all("Secure" in cookie and "SameSite=Lax" in cookie for cookie in cookies)
    # The admin's stylesheets come from the app server itself, hashed and cached for a long time.
    stylesheets = re.findall(r'<link rel="stylesheet" href="(/static/[^"]+)"', body.decode())
    assert stylesheets and all(re.search(r"\.[0-9a-f]{12}\.css$", href) for href in stylesheets)
    for href in stylesheets:
        css, content = _get(production_server, href, {"X-Forwarded-Proto": "https"})
        assert css.status == 200 and content
        assert css.getheader("Content-Type").startswith("text/css")
        assert "max-age=315360000" in css.getheader("Cache-Control")


def test_swagger_ui_is_served_with_its_scripts_and_no_inline_code(production_server):
    response, body = _get(production_server, "/api/v1/docs/", {"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert "script-src 'self' 'nonce-" in response.getheader("Content-Security-Policy")
    page = body.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert "<script>" not in page  # every script is a file of this site, which the policy allows
    assert len(scripts) == 3
    for src in scripts:
        script, content = _get(production_server, src.replace("&amp;", "&"), {"X-Forwarded-Proto": "https"})
        assert script.status == 200 and content
        assert "javascript" in script.getheader("Content-Type")
