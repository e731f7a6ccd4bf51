"""Fixtures shared by the whole suite: small and chained."""

import pytest


@pytest.fixture
def demo(db):
    """The demo configuration of the four seeds, loaded as `make run` loads it."""
    from billingcfg.demo import demo_load

    return demo_load()
