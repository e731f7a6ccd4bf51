"""Publishes at once, and readers during publishes.

On SQLite, as `make run` serves it (a file database, runserver's threads),
publishes are serialised too: four at once through the API, or four
`manage.py publish` in parallel, give four versions and no error. On
PostgreSQL, readers during publishes always get one whole release, its body
hashing to its ETag, old or new, never half of one."""

import hashlib
import http.client
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from billingcfg.releases.services import release_publish
from rates.models import CreditRate
from tests import servers
from tests.api.conftest import make_key

ROOT = Path(__file__).resolve().parent.parent.parent
CSRF = "concurrencytestsecretconcurrency"  # any 32 letters or digits: Django's CSRF secret
AT_ONCE = 4


def _environment(database: Path) -> dict[str, str]:
    """The test settings on a file SQLite database, as `make run` has one; nothing from this shell's Django env."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="billingcfg.settings_test",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
    )
    return env


def _manage(database: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_environment(database),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def sqlite_demo(tmp_path_factory) -> tuple[Path, str]:
    """A file SQLite database as `make run` leaves it (migrated, the demo loaded, nothing
    published) with a publisher signed in: the database file and the session key."""
    database = tmp_path_factory.mktemp("sqlite") / "db.sqlite3"
    migrated = _manage(database, "migrate", "--noinput")  # which makes the cache table too
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    # One process for the demo and the sign-in: each `manage.py` start costs about a second.
    signed_in = _manage(
        database,
        "shell",
        "-c",
        (
            "from django.core.management import call_command; from django.test import Client; "
            "from tests.factories import staff_in; call_command('load_demo'); client = Client(); "
            "client.force_login(staff_in('publisher')); print(client.cookies['sessionid'].value)"
        ),
    )
    assert signed_in.returncode == 0, signed_in.stderr
    return database, signed_in.stdout.split()[-1]


@pytest.fixture
def sqlite_database(sqlite_demo, tmp_path) -> tuple[Path, str]:
    """A copy of the module's database for one test."""
    database, session = sqlite_demo
    copy = tmp_path / "db.sqlite3"
    shutil.copyfile(database, copy)
    return copy, session


def _versions(database: Path) -> list[int]:
    with sqlite3.connect(database) as stored:
        return [version for (version,) in stored.execute("SELECT version FROM billingcfg_release ORDER BY version")]


def _publish(port: int, session: str, note: str) -> tuple[int, dict | str]:
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection_.request(
            "POST",
            "/api/v1/releases/",
            body=json.dumps({"note": note}),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": CSRF,
                "Cookie": f"sessionid={session}; csrftoken={CSRF}",
            },
        )
        response = connection_.getresponse()
        body = response.read().decode()
        try:
            return response.status, json.loads(body)
        except ValueError:
            return response.status, body[:300]
    finally:
        connection_.close()


def test_four_publishes_at_once_through_runserver_on_sqlite_get_four_versions(sqlite_database):
    database, session = sqlite_database
    port = servers.free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=_environment(database),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        servers.wait_listening(port, server, "runserver")
        barrier = threading.Barrier(AT_ONCE)
        answers = []

        def publish(note: str) -> None:
            barrier.wait()
            try:
                answers.append(_publish(port, session, note))
            except Exception as failure:  # noqa: BLE001 - reported below
                answers.append((None, repr(failure)))

        threads = [threading.Thread(target=publish, args=(f"at once {number}",)) for number in range(1, AT_ONCE + 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)

    assert [status for status, _ in answers] == [201] * AT_ONCE, answers
    assert sorted(body["version"] for _, body in answers) == [1, 2, 3, 4]
    assert _versions(database) == [1, 2, 3, 4]


def test_four_manage_py_publish_in_parallel_on_sqlite_get_four_versions(sqlite_database):
    database, _ = sqlite_database
    env = _environment(database)
    commands = [
        subprocess.Popen(
            [sys.executable, "manage.py", "publish", "--note", f"in parallel {number}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for number in range(1, AT_ONCE + 1)
    ]
    finished = [(command.wait(timeout=300), *command.communicate()) for command in commands]

    assert [(code, err) for code, _, err in finished] == [(0, "")] * AT_ONCE
    assert sorted(out.split(",")[0] for _, out, _ in finished) == [
        "Published v1",
        "Published v2",
        "Published v3",
        "Published v4",
    ]
    assert _versions(database) == [1, 2, 3, 4]


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL; CI runs this there"
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_readers_during_publishes_always_get_a_body_whose_sha256_is_its_etag(settings):
    from billingcfg.demo.load import demo_load

    settings.RELEASE_CHECK_SECONDS = 0  # every request asks the database which release is in force
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"client": None}}
    demo_load()
    first = release_publish(note="before")
    key, _ = make_key("config:read")
    stop = threading.Event()
    answers, failures = [], []

    def read():
        client = Client(headers={"authorization": f"Api-Key {key}"})
        try:
            while not stop.is_set():
                response = client.get("/api/v1/config/")
                answers.append(
                    (response.status_code, response["ETag"].strip('"'), hashlib.sha256(response.content).hexdigest())
                )
        except Exception as failure:  # noqa: BLE001 - reported below
            failures.append(failure)
        finally:
            connection.close()

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    published = [first]
    for credits in (61, 62, 63):
        CreditRate.objects.filter(model__slug="veo-3").update(credits=credits)
        published.append(release_publish(note=f"Veo 3 at {credits}"))
    stop.set()
    for reader in readers:
        reader.join()

    assert failures == []
    assert len(answers) > 10
    assert {status for status, _, _ in answers} == {200}
    assert all(etag == digest for _, etag, digest in answers)
    seen = {etag for _, etag, _ in answers}
    assert seen <= {release.products.get(product="video").sha256 for release in published}  # the default product's
    assert len(seen) >= 2  # the readers did read across publishes
