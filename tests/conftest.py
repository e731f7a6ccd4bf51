"""Fixtures shared by the whole suite: small and chained."""

import pytest


@pytest.fixture
def demo(db):
    """The demo configuration of the four seeds, loaded as `make run` loads it."""
    from billingcfg.demo import demo_load

    return demo_load()


@pytest.fixture(autouse=True)
def _app_server_memory():
    """What an app server remembers between requests (the release in force, API
    keys, parsed releases) belongs to one test's database, not the next one's."""
    from billingcfg.api import state

    state.clear()
    yield


@pytest.fixture
def publisher(db):
    """A staff user in the publisher group."""
    from tests.factories import staff_in

    return staff_in("publisher")
