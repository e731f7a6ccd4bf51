"""A deploy that runs `migrate` and nothing else serves the API: the cache table
(DJANGO_CACHE_URL left to the database) is made by `migrate`, also after the
cache was switched back to the database; an app server started without it
refuses, naming the command. Each test uses a database of its own, on the suite's
own kind of database: a copy of one that `migrate` alone made from nothing, once
for the module (a migrate from nothing takes about 5 s)."""

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE_TABLE = "billingcfg_cache"

# What an app server does with the environment it is given: load the WSGI or ASGI
# application (argv[2]; its start-up checks included) and answer one API request.
SERVE_ONE_REQUEST = """
import importlib, sys
importlib.import_module("billingcfg." + sys.argv[2])
from django.test import Client
response = Client(raise_request_exception=False).get(
    "/api/v1/releases/", HTTP_AUTHORIZATION="Api-Key " + sys.argv[1])
print(response.status_code, response.content.decode()[:300])
"""


@contextmanager
def postgres_database(url: str, name: str, *, template: str | None = None) -> Iterator[str]:
    """A database `name` beside the one `url` names (empty, or a copy of `template`): its URL; dropped after."""
    import psycopg

    base = url.rpartition("/")[0]
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory) -> Iterator[str]:
    """The URL of a database of the kind the suite runs on, made from nothing by `migrate` alone."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        migrated = f"sqlite:///{tmp_path_factory.mktemp('deployed') / 'migrated.sqlite3'}"
        manage("migrate", "--noinput", env=deployed_env(migrated))
        yield migrated
        return
    with postgres_database(url, f"{url.rpartition('/')[2]}_migrated_{os.getpid()}") as migrated:
        manage("migrate", "--noinput", env=deployed_env(migrated))
        yield migrated


@pytest.fixture
def deployed_database(migrated_database, tmp_path) -> Iterator[str]:
    """The URL of a copy of `migrated_database` for one test."""
    if migrated_database.startswith("sqlite:///"):
        copy = tmp_path / "deployed.sqlite3"
        shutil.copyfile(migrated_database.removeprefix("sqlite:///"), copy)
        yield f"sqlite:///{copy}"
        return
    template = migrated_database.rpartition("/")[2]
    with postgres_database(migrated_database, f"{template}_copy", template=template) as copy:
        yield copy


def table_drop(database_url: str, table: str) -> None:
    if database_url.startswith("sqlite:///"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as connection, connection:
            connection.execute(f'DROP TABLE "{table}"')
        return
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(f'DROP TABLE "{table}"')


def deployed_env(database_url: str, **overrides: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="billingcfg.settings",
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_DEBUG="1",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    env.update(overrides)
    return env


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def manage(*args: str, env: dict[str, str]) -> str:
    result = run("manage.py", *args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def api_key(env: dict[str, str]) -> str:
    return manage("create_api_key", "deploy check", "--all-products", env=env).splitlines()[0]


def test_after_migrate_alone_the_api_serves(deployed_database):
    env = deployed_env(deployed_database)

    served = run("-c", SERVE_ONE_REQUEST, api_key(env), "wsgi", env=env)

    assert served.returncode == 0, served.stderr
    assert served.stdout.startswith("200 "), served.stdout


@pytest.mark.parametrize("server", ["wsgi", "asgi"])
def test_switching_the_cache_back_to_the_database_needs_only_migrate(deployed_database, server):
    # Deployed first with another cache: every table but the cache's (a migrate with
    # DJANGO_CACHE_URL=locmem makes none). Then DJANGO_CACHE_URL is unset.
    table_drop(deployed_database, CACHE_TABLE)
    env = deployed_env(deployed_database)
    key = api_key(env)

    refused = run("-c", SERVE_ONE_REQUEST, key, server, env=env)
    assert refused.returncode != 0
    assert (
        "The cache table billingcfg_cache is missing from the database, and every API request needs it: "
        "run `python manage.py migrate`"
    ) in refused.stderr

    manage("migrate", "--noinput", env=env)
    served = run("-c", SERVE_ONE_REQUEST, key, server, env=env)
    assert served.returncode == 0, served.stderr
    assert served.stdout.startswith("200 "), served.stdout
