"""Backends lean on the API while ops staff publish: gunicorn as
deploy/gunicorn.conf.py runs it (2 gthread workers here) on PostgreSQL, 6
client threads on loopback fetching the configuration (with and without
If-None-Match) and asking for quotes for about 13 s while this test publishes
5 releases. tests/load/harness.py says what is measured; bench/load_publish.py
runs it longer."""

import pytest
from django.db import connection

from tests.load import harness

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="gunicorn workers share one database: needs PostgreSQL; CI runs it there"
)


@pytest.mark.django_db(transaction=True)
def test_every_worker_serves_each_new_release_within_the_bound_and_nothing_fails(capsys):
    plan = harness.Plan()
    key, first = harness.catalogue_prepare()

    figures = harness.measure(harness.database_url(connection.settings_dict), plan, key=key, first=first)
    with capsys.disabled():
        print(f"\n{figures.summary()}")

    assert figures.errors == [], "\n".join([*figures.errors[:20], *figures.server_messages])
    assert figures.publishes == plan.publishes
    # Every kind of request was answered; a revalidation got 304 while its release held, a new body after a publish.
    assert {kind: set(statuses) for kind, statuses in figures.requests.items()} == {
        harness.CONFIG: {"200"},
        harness.REVALIDATE: {"200", "304"},
        harness.QUOTE: {"200"},
    }
    # A request that started more than plan.bound after a publish committed got the new release, on every worker.
    assert figures.longest_stale <= plan.bound, figures.summary()
    assert figures.missed == []
    assert figures.backwards == []
