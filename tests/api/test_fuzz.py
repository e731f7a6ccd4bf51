"""Schemathesis fuzzes every operation of the API's own OpenAPI schema, served at
/api/v1/schema/, through the WSGI app: no request, however odd, gets a 5xx, and
every answer has a status code, content type, headers and body the schema
documents. The figures ("schemathesis: N cases run …") print in pytest's summary."""

import json
import logging
from datetime import timedelta

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.meta import TestPhase

from billingcfg.release_models import ApiScope
from billingcfg.releases import services as releases
from rates.models import CreditRate
from tests.api.conftest import make_key

pytestmark = pytest.mark.django_db  # the publisher's role group must exist (see tests/conftest.py)

SCHEMA_PATH = "/api/v1/schema/?format=json"
CSRF_SECRET = "fuzzertokenfuzzertokenfuzzertoke"  # any 32 letters or digits: Django's CSRF secret

# Every check call_and_validate runs by default in schemathesis 4 stays on: not_a_server_error,
# status_code_conformance, content_type_conformance, response_schema_conformance,
# response_headers_conformance, positive_data_acceptance, negative_data_rejection, ignored_auth,
# missing_required_header, unsupported_method and the rest. The one opt-in check, max_response_time,
# is a speed limit, not correctness, and stays off. One check is told one thing:
CHECKS = """
[[operations]]
include-name = ["POST /api/v1/quote/", "POST /api/v1/thresholds/evaluate/", "POST /api/v1/releases/",
                "POST /api/v1/releases/{version}/withdraw/", "POST /api/v1/products/{slug}/quote/",
                "POST /api/v1/products/{slug}/thresholds/evaluate/"]
# A body the schema allows may still be refused with a 400 naming the field, for what no schema can
# say: quotes and thresholds name catalogue entries (model, variant, workflow, meter, currency,
# provider, plan) that exist only in the release's data, and quantities a rate bounds; a publish's
# effective_at must not be in the past nor beyond the horizon, and only a scheduled release can be
# withdrawn. The documented examples, which name real entries, must be accepted: asserted below.
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429"]
"""
# Deterministic (derandomize) so CI repeats the same cases. This file takes about 30 s on SQLite on
# two cores, most of it schemathesis building and sending its coverage cases.
FUZZ = settings(
    max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


def _schema(app, key: str, config: str) -> schemathesis.schemas.BaseSchema:
    """The schema /api/v1/schema/ serves a caller with `key`, with `config` and CHECKS."""
    return schemathesis.openapi.from_wsgi(
        SCHEMA_PATH,
        app,
        config=SchemathesisConfig.from_str(config + CHECKS),
        headers={"Authorization": f"Api-Key {key}"},
    )


def _auth(scheme: str, value: str) -> str:
    """Credentials for a security scheme, given to schemathesis: it sends them, and leaves them out
    where it tests their absence."""
    return f"[auth.openapi.{scheme}]\napi_key = {json.dumps(value)}\n"


class Tally:
    """Cases sent and cases that failed a check, printed in pytest's terminal summary."""

    def __init__(self):
        self.cases = 0
        self.failures = 0
        self.operations = set()

    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.write_line(
            f"schemathesis: {self.cases} cases run over {len(self.operations)} operations, {self.failures} failures"
        )

    def call(self, case, **kwargs):
        self.operations.add(case.operation.label)
        self.cases += 1
        try:
            return case.call_and_validate(**kwargs)
        except BaseException:
            self.failures += 1
            raise


@pytest.fixture(scope="session")
def tally(pytestconfig):
    tally = Tally()
    pytestconfig.pluginmanager.register(tally, "schemathesis-tally")
    return tally


@pytest.fixture(scope="module")
def two_releases(django_db_setup, django_db_blocker):
    """The demo catalogue published as v1, then v2 with one price changed, and v3 scheduled a month
    ahead (the withdrawal's documented example); rolled back after the module."""
    from billingcfg.demo.load import demo_load

    with django_db_blocker.unblock(), transaction.atomic():
        demo_load()
        first = releases.release_publish(note="Demo pricing")
        CreditRate.objects.filter(model__slug="veo-3").update(credits=61)
        second = releases.release_publish(note="Veo 3 at 61 credits")
        releases.release_publish(note="Next month", effective_at=timezone.now() + timedelta(days=30))
        yield first, second
        transaction.set_rollback(True)


@pytest.fixture
def app(two_releases, settings):
    """The project's WSGI application as an app server runs it, on the test's database connection."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"client": None}}
    # Thousands of bad keys from one address: each must be checked and answered 401, not throttled (test_auth).
    settings.API_KEY_FAILURES = 10**9
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # werkzeug's test client's host
    # As Django's test client does: the test's transaction outlives each request's start and end.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    application = get_wsgi_application()  # django.setup() configures logging afresh
    # Thousands of refused requests each log a warning; a server error still logs (and fails its check).
    logging.getLogger("django.request").setLevel(logging.ERROR)
    yield application
    logging.getLogger("django.request").setLevel(logging.NOTSET)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def full_key():
    """A key with every scope the API knows, for all products, so every operation a key may use is reachable."""
    return make_key(*ApiScope.values, name="fuzzer", all_products=True)[0]


@pytest.fixture
def key_schema(app, full_key):
    return _schema(app, full_key, _auth("ApiKey", f"Api-Key {full_key}"))


@pytest.fixture
def publisher_schema(app, full_key, publisher):
    """Publishing takes a publisher's session cookie (its CSRF token is sent with each request)."""
    client = Client()
    client.force_login(publisher)
    return _schema(app, full_key, _auth("cookieAuth", client.cookies[django_settings.SESSION_COOKIE_NAME].value))


@pytest.fixture
def anonymous_schema(app, full_key):
    """No credentials of schemathesis's own: the test sends none, or bad ones. Every request stops at
    authentication, before its parameters or body are read, so the coverage phase's variations of
    them would test nothing more than fuzzing does, and take much of this file's time."""
    return _schema(
        app, full_key, "[generation]\nwith-security-parameters = false\n[phases.coverage]\nenabled = false\n"
    )


@pytest.fixture
def bad_credentials():
    """No Authorization header, or one that names no usable key."""
    revoked, api_key = make_key(*ApiScope.values, name="revoked")
    api_key.revoked_at = timezone.now()
    api_key.save()
    return {
        "none": {},
        "another scheme": {"Authorization": "Bearer abc"},
        "malformed": {"Authorization": "Api-Key no-dot-in-it"},
        "unknown": {"Authorization": "Api-Key bck_00000000.not-a-key-anyone-was-given"},
        # gunicorn refuses a NUL in a header; the app must too (PostgreSQL cannot compare text holding one).
        "a NUL": {"Authorization": "Api-Key bck_\x00.x"},
        "revoked": {"Authorization": f"Api-Key {revoked}"},
    }


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    """schemathesis 4.32's lazy schema reads and renames `request.node._nodeid`, which pytest 9.2
    no longer has (a node's id lives in `_id`): give it the attribute to read."""
    request.node._nodeid = request.node.nodeid


def _example_accepted(case, response):
    if case.meta.phase.name == TestPhase.EXAMPLES:
        assert 200 <= response.status_code < 300, (
            f"{case.operation.label}: the documented example answered {response.status_code}: {response.text}"
        )


# Publishing and withdrawing (POST /releases/, POST /releases/{version}/withdraw/) are left to the
# next test: their only security scheme is a staff session, so a key never reaches them (test_publish
# and test_releases check that a key gets a 403), and here every request would be an unauthenticated
# 401. The next test fuzzes them with a publisher's session.
PUBLISHING = r"^/api/v1/releases/(\{version\}/withdraw/)?$"


@schemathesis.pytest.from_fixture("key_schema").exclude(method="POST", path_regex=PUBLISHING).parametrize()
@FUZZ
def test_every_operation_answers_a_key_as_the_schema_documents(case, tally):
    """With a key holding every scope the API knows."""
    response = tally.call(case)

    _example_accepted(case, response)


@schemathesis.pytest.from_fixture("publisher_schema").include(method="POST", path_regex=PUBLISHING).parametrize()
@FUZZ
def test_publishing_answers_a_publisher_as_the_schema_documents(case, tally):
    # Each case meets the same releases: what one publishes or withdraws is undone after it, so the
    # documented example still finds v3 scheduled whichever cases ran before it.
    with transaction.atomic():
        response = tally.call(
            case, headers={"X-CSRFToken": CSRF_SECRET}, cookies={django_settings.CSRF_COOKIE_NAME: CSRF_SECRET}
        )
        transaction.set_rollback(True)

    _example_accepted(case, response)


@schemathesis.pytest.from_fixture("anonymous_schema").parametrize()
@settings(FUZZ, max_examples=10)
def test_every_operation_answers_no_key_or_a_bad_one_with_a_documented_401(case, bad_credentials, tally):
    for credentials in bad_credentials.values():
        response = tally.call(case, headers=credentials)

        assert response.status_code == 401
