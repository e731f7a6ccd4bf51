"""Benchmark: backends leaning on the API while ops staff publish, longer than
the test (tests/load/test_load_publish.py) and with the same harness
(tests/load/harness.py): gunicorn as deploy/gunicorn.conf.py runs it (gthread
workers, keep-alive) on PostgreSQL, client threads on loopback fetching the
configuration (with and without If-None-Match) and asking for quotes while a
release is published every few seconds. Prints
the requests served by kind, the errors, and the longest time a worker served
a superseded release after a publish; writes them to
bench-results/load_publish.json. Exits 1 when an answer was wrong or late.

    .venv/bin/python bench/load_publish.py [--workers 2] [--clients 8] [--publishes 20] [--gap 2]

Uses a scratch database (BENCH_LOAD_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/billingcfg_bench_load, dropped and
re-created) and Redis for the shared cache when it answers (else the database
cache).
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import recreate_database, setup_django  # noqa: E402
from tests.load import harness  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/billingcfg_bench_load"


def main() -> None:
    defaults = harness.Plan()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=defaults.workers)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--publishes", type=int, default=20)
    parser.add_argument("--gap", type=float, default=defaults.gap, help="seconds between publishes")
    parser.add_argument(
        "--check-seconds", type=float, default=defaults.check_seconds, help="the workers' RELEASE_CHECK_SECONDS"
    )
    arguments = parser.parse_args()
    plan = harness.Plan(
        workers=arguments.workers,
        clients=arguments.clients,
        publishes=arguments.publishes,
        gap=arguments.gap,
        check_seconds=arguments.check_seconds,
    )

    database = os.environ.get("BENCH_LOAD_DATABASE_URL", DEFAULT_DB)
    recreate_database(database)
    setup_django(
        {
            "DATABASE_URL": database,
            "DJANGO_SETTINGS_MODULE": "billingcfg.settings",
            "DJANGO_SECRET_KEY": "bench-only",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    key, first = harness.catalogue_prepare()
    figures = harness.measure(database, plan, key=key, first=first)

    results = ROOT / "bench-results"
    results.mkdir(exist_ok=True)
    (results / "load_publish.json").write_text(json.dumps(figures.as_json(), indent=2) + "\n")
    print(figures.summary())
    problems = [*figures.errors, *figures.missed, *figures.backwards]
    if figures.longest_stale > plan.bound:
        problems.append(
            f"a worker served a superseded release {figures.longest_stale:.3f} s after a publish, "
            f"more than {plan.bound:.1f} s"
        )
    if problems:
        print(f"\n{len(problems)} problems:", *problems[:20], *figures.server_messages, sep="\n")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
