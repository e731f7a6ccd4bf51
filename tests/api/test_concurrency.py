"""Readers during a publish, on PostgreSQL: every answer is one whole release,
its body hashing to its ETag, old or new, never half of one."""

import hashlib
import threading

import pytest
from django.db import connection
from django.test import Client

from billingcfg.releases import release_publish
from rates.models import CreditRate
from tests.api.conftest import make_key

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="concurrent connections need PostgreSQL; CI runs this there")


@pytest.mark.django_db(transaction=True)
def test_readers_during_publishes_always_get_a_body_whose_sha256_is_its_etag(settings):
    from billingcfg.demo import demo_load

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
                answers.append((response.status_code, response["ETag"].strip('"'),
                                hashlib.sha256(response.content).hexdigest()))
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
    assert seen <= {release.sha256 for release in published}
    assert len(seen) >= 2  # the readers did read across publishes
