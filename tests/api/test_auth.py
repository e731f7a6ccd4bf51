"""Who may call the API: API keys by scope (missing, malformed, unknown,
revoked and out-of-scope keys are told apart), staff sessions, and per-key
throttling in the shared cache. A 304 is only ever an answer to a caller who
may read the document."""

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billingcfg import release_models
from billingcfg.api import authentication, throttling
from billingcfg.release_models import ApiKey
from tests.api.conftest import Api, make_key

CONFIG = "/api/v1/config/"

pytestmark = pytest.mark.usefixtures("demo_release")

MISSING = "No credentials: send 'Authorization: Api-Key <key>', or sign in with a staff account."
MALFORMED = "Malformed API key: expected 'Authorization: Api-Key <prefix>.<secret>' as it was shown when made."


def _with_header(value: str) -> Api:
    api = Api()
    api.headers = {"authorization": value}
    return api


def test_no_key_is_a_401_asking_for_one(db):
    response = Api().get(CONFIG)

    assert response.status_code == 401
    assert response.json() == {"detail": MISSING}
    assert response["WWW-Authenticate"] == "Api-Key"


@pytest.mark.parametrize("header", ["Api-Key", "Api-Key bck_1234", "Api-Key .secret", "Api-Key bck_1.a b"])
def test_a_malformed_key_is_a_401_saying_so(db, header):
    response = _with_header(header).get(CONFIG)

    assert response.status_code == 401
    assert response.json() == {"detail": MALFORMED}


def test_an_unknown_key_is_a_401(db):
    key, _ = make_key("config:read")
    prefix = key.partition(".")[0]

    for wrong in (f"{prefix}.not-the-secret", "bck_00000000.secret"):
        response = _with_header(f"Api-Key {wrong}").get(CONFIG)
        assert response.status_code == 401
        assert response.json() == {"detail": "Unknown API key."}


def test_a_revoked_key_is_a_401_saying_it_was_revoked(db):
    key, row = make_key("config:read")
    ApiKey.objects.filter(pk=row.pk).update(revoked_at=timezone.now())

    response = Api(key).get(CONFIG)

    assert response.status_code == 401
    assert response.json() == {"detail": f"API key {row.prefix} was revoked."}


def test_a_key_without_the_scope_is_a_403_naming_it(db):
    key, row = make_key("draft:read")

    response = Api(key).get(CONFIG)

    assert response.status_code == 403
    assert response.json() == {"detail": f"API key {row.prefix} lacks the 'config:read' scope."}


def test_a_key_records_when_it_was_last_used(api):
    row = ApiKey.objects.get(prefix=api.prefix)
    assert row.last_used_at is None

    api.get(CONFIG)

    row.refresh_from_db()
    assert row.last_used_at is not None


def test_a_staff_session_reads_and_quotes(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("ops", is_staff=True))
    api = Api(client=client)

    assert api.get(CONFIG).status_code == 200
    assert api.post("/api/v1/quote/", {"model": "veo-3"}).json()["credits"] == 480


def test_a_session_that_is_not_staff_is_a_403(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("customer"))

    response = Api(client=client).get(CONFIG)

    assert response.status_code == 403
    assert response.json() == {"detail": "Only staff accounts and API keys may use this API."}


def _video_etag(release) -> str:
    """The default product's ETag, which the deprecated /config/ serves."""
    return f'"{release.products.get(product="video").sha256}"'


def test_a_matching_etag_gets_a_304_only_with_a_valid_key(db, demo_release):
    revoked, revoked_row = make_key("config:read")
    ApiKey.objects.filter(pk=revoked_row.pk).update(revoked_at=timezone.now())
    callers = {
        "no key": Api(),
        "malformed": _with_header("Api-Key nonsense"),
        "unknown": _with_header("Api-Key bck_00000000.secret"),
        "revoked": Api(revoked),
        "out of scope": Api(make_key("draft:read")[0]),
        "valid": Api(make_key("config:read")[0]),
    }

    answers = {name: caller.get(CONFIG, if_none_match=_video_etag(demo_release)) for name, caller in callers.items()}

    assert {name: response.status_code for name, response in answers.items()} == {
        "no key": 401,
        "malformed": 401,
        "unknown": 401,
        "revoked": 401,
        "out of scope": 403,
        "valid": 304,
    }
    assert [name for name, response in answers.items() if response.has_header("ETag")] == ["valid"]


def test_the_test_database_has_the_shared_cache_table(db, settings):
    if "DatabaseCache" not in settings.CACHES["default"]["BACKEND"]:
        pytest.skip("DJANGO_CACHE_URL names another shared cache")
    assert "billingcfg_cache" in connection.introspection.table_names()


def test_each_key_has_its_own_budget_and_going_over_is_a_429(db, settings, demo_release, monkeypatch):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"client": "2/minute"}}
    cache.clear()
    monkeypatch.setattr(throttling.time, "time", lambda: 1_800_000_030.0)  # mid-minute: the window cannot turn
    busy, quiet = Api(make_key("config:read")[0]), Api(make_key("config:read")[0])

    statuses = [busy.get(CONFIG).status_code, busy.get(CONFIG, if_none_match=_video_etag(demo_release)).status_code]
    throttled = busy.get(CONFIG)

    assert statuses == [200, 304]
    assert throttled.status_code == 429
    assert throttled.json()["detail"].startswith("Request was throttled. Expected available in ")
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert quiet.get(CONFIG).status_code == 200
    assert busy.post("/api/v1/quote/", {"model": "veo-3"}).status_code == 429


def test_failed_key_checks_from_one_address_are_throttled_then_no_key_from_it_is_checked(db, settings, monkeypatch):
    settings.API_KEY_FAILURES = 3
    cache.clear()
    monkeypatch.setattr(authentication.time, "time", lambda: 1_800_000_030.0)  # 30 s into a 300 s window
    key, _ = make_key("config:read")
    prefix = key.partition(".")[0]
    guesses = [f"Api-Key {prefix}.guess", "Api-Key bck_00000000.guess", "Api-Key bck_0"]

    failures = [_with_header(guess).get(CONFIG).status_code for guess in guesses]
    refused = Api(key).get(CONFIG)

    assert failures == [401, 401, 401]
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": (
            "Too many failed API key checks from this address (at most 3 in 300 seconds, DJANGO_API_KEY_FAILURES); "
            "no key from it is checked until then. Expected available in 270 seconds."
        )
    }
    assert refused["Retry-After"] == "270"
    assert Api(key, client=Client(REMOTE_ADDR="10.0.0.2")).get(CONFIG).status_code == 200


def test_failed_key_checks_counted_by_another_app_server_refuse_keys_here_too(db, settings, monkeypatch):
    settings.API_KEY_FAILURES = 3
    cache.clear()
    monkeypatch.setattr(authentication.time, "time", lambda: 1_800_000_030.0)  # 30 s into a 300 s window
    key, _ = make_key("config:read")
    failures = [_with_header("Api-Key bck_00000000.guess").get(CONFIG).status_code for _ in range(3)]
    authentication.forget_api_keys()  # this process forgets what it counted: the count is another server's

    refused = Api(key).get(CONFIG)

    assert failures == [401, 401, 401]
    assert (refused.status_code, refused["Retry-After"]) == (429, "270")


def test_an_unknown_prefix_costs_what_a_known_one_with_a_wrong_secret_does(db, settings, monkeypatch):
    settings.RELEASE_CHECK_SECONDS = 60
    hashed = []
    real_hash = release_models.secret_hash
    monkeypatch.setattr(release_models, "secret_hash", lambda secret: hashed.append(secret) or real_hash(secret))
    key, _ = make_key("config:read")
    prefix = key.partition(".")[0]

    def work(wrong: str) -> list[tuple[int, int]]:
        """(hashes, key lookups) for each of two tries."""
        tries = []
        for _ in range(2):
            hashed.clear()
            with CaptureQueriesContext(connection) as queries:
                assert _with_header(f"Api-Key {wrong}").get(CONFIG).status_code == 401
            tries.append((len(hashed), sum("billingcfg_apikey" in query["sql"] for query in queries)))
        return tries

    assert work(f"{prefix}.guess") == [(1, 1), (1, 0)]
    assert work("bck_00000000.guess") == [(1, 1), (1, 0)]


def test_a_good_key_reads_its_address_failure_count_once_per_release_check(db, settings, monkeypatch):
    settings.RELEASE_CHECK_SECONDS = 60
    shared = caches["default"]
    reads = []
    real_get = shared.get
    monkeypatch.setattr(
        shared,
        "get",
        lambda key, *args, **kwargs: (
            (reads.append(key) if key.startswith("api-key-failures:") else None) or real_get(key, *args, **kwargs)
        ),
    )
    api = Api(make_key("config:read")[0])

    assert [api.get(CONFIG).status_code for _ in range(3)] == [200, 200, 200]
    assert len(reads) == 1
