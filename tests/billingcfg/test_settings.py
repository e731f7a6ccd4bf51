"""Settings come from the environment, and the defaults are the safe ones."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
READ_SETTINGS = """
import json
from billingcfg import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "debug": s.DEBUG, "secret_key": s.SECRET_KEY, "allowed_hosts": s.ALLOWED_HOSTS,
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "secure_cookies": s.SESSION_COOKIE_SECURE, "proxy_header": s.SECURE_PROXY_SSL_HEADER,
    "options": db.get("OPTIONS", {}), "release_horizon_days": s.RELEASE_HORIZON_DAYS,
}))
"""


def _settings_with(env: dict[str, str]) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    out = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=PROJECT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_without_environment_nothing_is_open():
    settings = _settings_with({})

    assert settings["debug"] is False
    assert settings["secret_key"] == ""
    assert settings["allowed_hosts"] == []
    assert settings["secure_cookies"] is True
    assert settings["proxy_header"] is None


def test_default_database_is_sqlite_in_the_project_folder():
    settings = _settings_with({})

    assert settings["engine"] == "django.db.backends.sqlite3"
    assert Path(settings["name"]) == PROJECT / "db.sqlite3"


def test_database_url_selects_postgresql():
    settings = _settings_with({"DATABASE_URL": "postgres://ops:pw@db.internal:5432/billing"})

    assert (settings["engine"], settings["name"], settings["host"]) == (
        "django.db.backends.postgresql",
        "billing",
        "db.internal",
    )
    assert "transaction_mode" not in settings["options"]  # PostgreSQL serialises publishes with a row lock


@pytest.mark.parametrize("url", [None, "sqlite:////srv/billing/db.sqlite3"])
def test_sqlite_writers_take_the_write_lock_when_they_begin_and_wait_for_it(url):
    settings = _settings_with({} if url is None else {"DATABASE_URL": url})

    assert settings["options"] == {"transaction_mode": "IMMEDIATE", "timeout": 30}


def test_the_release_horizon_is_two_years_unless_set():
    assert _settings_with({})["release_horizon_days"] == 730
    assert _settings_with({"DJANGO_RELEASE_HORIZON_DAYS": "90"})["release_horizon_days"] == 90


@pytest.mark.parametrize("value", ["1", "true", "yes", "on", "TRUE"])
def test_debug_is_opt_in(value):
    assert _settings_with({"DJANGO_DEBUG": value})["debug"] is True


@pytest.mark.parametrize("value", ["0", "false", "no", ""])
def test_debug_stays_off_for_anything_else(value):
    assert _settings_with({"DJANGO_DEBUG": value})["debug"] is False


def test_hosts_key_and_proxy_come_from_the_environment():
    settings = _settings_with(
        {
            "DJANGO_ALLOWED_HOSTS": "billing.example.com, admin.example.com",
            "DJANGO_SECRET_KEY": "from-the-vault",
            "DJANGO_BEHIND_TLS_PROXY": "1",
        }
    )

    assert settings["allowed_hosts"] == ["billing.example.com", "admin.example.com"]
    assert settings["secret_key"] == "from-the-vault"
    assert settings["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
