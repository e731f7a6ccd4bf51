"""A deploy that runs `migrate` and nothing else serves the API: the cache table
(DJANGO_CACHE_URL left to the database) is made by `migrate`, also after the
cache was switched back to the database; an app server started without it
refuses, naming the command. Each test uses a database of its own, fresh, on the
suite's own kind of database."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What an app server does with the environment it is given: load the WSGI
# application (its start-up checks included) and answer one API request.
SERVE_ONE_REQUEST = """
import sys
from billingcfg.wsgi import application
from django.test import Client
response = Client(raise_request_exception=False).get(
    "/api/v1/releases/", HTTP_AUTHORIZATION="Api-Key " + sys.argv[1])
print(response.status_code, response.content.decode()[:300])
"""


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of an empty database of the kind the suite runs on."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    import psycopg

    base, _, name = url.rpartition("/")
    fresh = f"{name}_fresh_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{fresh}"')
    yield f"{base}/{fresh}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def deployed_env(database_url: str, **overrides: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "DATABASE_"))}
    env.update(DJANGO_SETTINGS_MODULE="billingcfg.settings", DATABASE_URL=database_url,
               DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_DEBUG="1", DJANGO_ALLOWED_HOSTS="testserver")
    env.update(overrides)
    return env


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def manage(*args: str, env: dict[str, str]) -> str:
    result = run("manage.py", *args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def api_key(env: dict[str, str]) -> str:
    return manage("create_api_key", "deploy check", env=env).splitlines()[0]


def test_after_migrate_alone_the_api_serves(fresh_database):
    env = deployed_env(fresh_database)
    manage("migrate", "--noinput", env=env)

    served = run("-c", SERVE_ONE_REQUEST, api_key(env), env=env)

    assert served.returncode == 0, served.stderr
    assert served.stdout.startswith("200 "), served.stdout


def test_switching_the_cache_back_to_the_database_needs_only_migrate(fresh_database):
    # Deployed first with another cache (no table made), then DJANGO_CACHE_URL is unset.
    manage("migrate", "--noinput", env=deployed_env(fresh_database, DJANGO_CACHE_URL="locmem"))
    env = deployed_env(fresh_database)
    key = api_key(env)

    refused = run("-c", SERVE_ONE_REQUEST, key, env=env)
    assert refused.returncode != 0
    assert ("The cache table billingcfg_cache is missing from the database, and every API request needs it: "
            "run `python manage.py migrate`") in refused.stderr

    manage("migrate", "--noinput", env=env)
    served = run("-c", SERVE_ONE_REQUEST, key, env=env)
    assert served.returncode == 0, served.stderr
    assert served.stdout.startswith("200 "), served.stdout
