"""Fixtures shared by the whole suite: small and chained."""

import pytest
from pytest_django.fixtures import validate_django_db

# pytest-django makes these tests commit for real and empties the tables after each.
TRANSACTIONAL_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


class HeldDemo:
    """The demo loaded once in a transaction that stays open while consecutive
    tests ask for it. Each of those tests runs in a savepoint inside it (the
    `db` fixture's) that is rolled back, so each sees the demo exactly as
    loaded. Loading it takes about 0.6 s; about 180 tests ask for it.

    It is rolled back before any test that does not ask for the demo, so no
    other test sees it, and it never spans a transactional test."""

    def __init__(self) -> None:
        self.blocker = None  # pytest-django's django_db_blocker, once the test database exists
        self.wanted = False  # the test being set up asks for the demo (and is not transactional)
        self.loaded = None  # what demo_load() returned, while the transaction is open
        self._atomic = None

    @property
    def is_open(self) -> bool:
        return self._atomic is not None

    def open(self) -> None:
        from django.db import connection, transaction

        from billingcfg.demo.load import demo_load

        if self.is_open or self.blocker is None:
            return
        with self.blocker.unblock():
            if connection.in_atomic_block:  # inside a module's own transaction: the test loads its own
                return
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                self.loaded = demo_load()
            except BaseException as failure:
                transaction.set_rollback(True)
                atomic.__exit__(type(failure), failure, failure.__traceback__)
                raise
            self._atomic = atomic

    def close(self) -> None:
        from django.db import transaction

        if not self.is_open:
            return
        atomic, self._atomic, self.loaded = self._atomic, None, None
        with self.blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


HELD_DEMO = HeldDemo()


def wants_held_demo(item: pytest.Item) -> bool:
    """The test asks for `demo` (itself or through a fixture) in pytest-django's
    rolled-back transaction, not in a transactional test that commits."""
    names = set(getattr(item, "fixturenames", ()))
    if "demo" not in names or names & TRANSACTIONAL_FIXTURES:
        return False
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return True
    transactional, reset_sequences, *_ = validate_django_db(marker)
    return not (transactional or reset_sequences)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    # Before any fixture of the test (a module's own transaction, pytest-django's
    # per-test one): open the demo's transaction for a test that wants it, or
    # roll it back for any other, which may use the database its own way.
    HELD_DEMO.wanted = wants_held_demo(item)
    if HELD_DEMO.wanted:
        HELD_DEMO.open()
    else:
        HELD_DEMO.close()
    return (yield)


@pytest.fixture(scope="session")
def _held_demo(django_db_setup, django_db_blocker):
    """The held demo of this test session (one per xdist worker); rolled back
    before the test database is destroyed."""
    HELD_DEMO.blocker = django_db_blocker
    if HELD_DEMO.wanted:
        HELD_DEMO.open()
    yield HELD_DEMO
    HELD_DEMO.close()
    HELD_DEMO.blocker = None


@pytest.fixture
def demo(_held_demo, db):
    """The demo configuration of the four seeds, loaded as `make run` loads it:
    loaded once for consecutive tests that ask for it, each test's changes
    rolled back (see HeldDemo); a transactional test loads its own."""
    from billingcfg.demo.load import demo_load

    return _held_demo.loaded if _held_demo.is_open else demo_load()


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
