"""Benchmark: the API under gunicorn (2 workers) on PostgreSQL, loaded by wrk
on loopback. Requests per second of GET /api/v1/config/ (200 and 304) and of
POST /api/v1/quote/, each as a ratio against a bare Django view in the same
server returning the same bytes with no authentication, in the same run; for
the demo catalogue and a generated 5,000-variant one. Also the time to publish
the 5,000-variant draft.

    .venv/bin/python bench/api.py [--seconds 8] [--variants 5000]

Needs wrk (apt-get install wrk) and PostgreSQL; uses a scratch database
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/billingcfg_bench,
dropped and re-created) and Redis for the shared throttle cache when it answers
(else the database cache).
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/billingcfg_bench"
PORT = 8901
QUOTE = {"model": "sora-2-pro", "variant": "1080p", "quantity": 12}

from tests.load.harness import redis_answers  # noqa: E402  (after ROOT is on the path)


def _environment(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_SECRET_KEY": "bench-only",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_DEBUG": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            # Throttling stays on (every request counts in the shared cache); the budget is above what wrk sends.
            "API_THROTTLE_RATE": "100000000/minute",
            "PYTHONPATH": f"{ROOT}{os.pathsep}{env.get('PYTHONPATH', '')}",
        }
    )
    if redis_answers():
        env["DJANGO_CACHE_URL"] = "redis://127.0.0.1:6379/3"
    return env


def recreate_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _wrk(url: str, seconds: int, headers: dict, script: str | None = None) -> float:
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses under load\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def _serve(env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            "billingcfg.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def _stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=20)


def _measure(env: dict, key: str, seconds: int, folder: str) -> dict:
    """Requests per second of each path; the bare view is measured before and after
    each endpoint and averaged, so drift on a shared machine hits both sides alike."""
    from billingcfg.releases.services import active_release_get

    etag = active_release_get().etag
    auth = {"Authorization": f"Api-Key {key}"}
    quote_script = Path(folder) / "quote.lua"
    quote_script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(json.dumps(QUOTE))}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    base = f"http://127.0.0.1:{PORT}"
    server = _serve(env)
    try:
        _wrk(f"{base}/bench/bare/", 2, {})  # warm both workers
        _wrk(f"{base}/api/v1/config/", 2, auth)
        _wrk(f"{base}/api/v1/quote/", 2, auth, str(quote_script))
        figures = {}
        for label, url, headers, script in (
            ("config", "/api/v1/config/", auth, None),
            ("config 304", "/api/v1/config/", {**auth, "If-None-Match": etag}, None),
            ("quote", "/api/v1/quote/", auth, str(quote_script)),
        ):
            bare_before = _wrk(f"{base}/bench/bare/", seconds, {})
            measured = _wrk(f"{base}{url}", seconds, headers, script)
            bare_after = _wrk(f"{base}/bench/bare/", seconds, {})
            bare = (bare_before + bare_after) / 2
            figures[label] = (measured, bare, measured / bare)
        return figures
    finally:
        _stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=8, help="length of each wrk run")
    parser.add_argument("--variants", type=int, default=5000)
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    recreate_database(database_url)
    env = _environment(database_url)
    setup_django(env)

    from margins import generate

    from billingcfg.demo.load import demo_load
    from billingcfg.release_models import ApiKey, ApiScope, Release
    from billingcfg.releases.services import release_publish

    demo_load()
    release_publish(note="bench: demo")
    key, prefix, hashed = ApiKey.generate()
    ApiKey.objects.create(name="bench", prefix=prefix, hashed_key=hashed, scopes=[ApiScope.CONFIG_READ])
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        demo_size = len(Release.objects.get(version=1).document)
        rows.append(("demo", demo_size, _measure(env, key, arguments.seconds, folder)))
        generate(arguments.variants)
        started = time.perf_counter()
        release = release_publish(note=f"bench: {arguments.variants} variants")
        publish_seconds = time.perf_counter() - started
        rows.append(
            (f"{arguments.variants:,} variants", len(release.document), _measure(env, key, arguments.seconds, folder))
        )

    print(
        f"\nAPI under gunicorn -w 2 on PostgreSQL, wrk -t2 -c16, {arguments.seconds} s per run; "
        f"cache: {'Redis' if 'DJANGO_CACHE_URL' in env else 'database'}"
    )
    print(f"{'catalogue':<18}{'document':>12}  {'path':<12}{'req/s':>10}{'bare req/s':>12}{'ratio':>8}  goal")
    for label, size, figures in rows:
        for path, (measured, bare, ratio) in figures.items():
            goal = "≥ 0.5" if path == "quote" else "≥ 0.9"
            print(f"{label:<18}{size / 1024:>10.0f} KB  {path:<12}{measured:>10.0f}{bare:>12.0f}{ratio:>8.2f}  {goal}")
    print(f"\nPublishing the {arguments.variants:,}-variant draft: {publish_seconds:.1f} s")


if __name__ == "__main__":
    main()
