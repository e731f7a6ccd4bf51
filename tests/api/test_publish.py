"""Publishing through the API: only a publisher's staff session may (with its
CSRF token); API keys never can. A refused draft lists its blocking problems, a
stale draft_sha256 is a 409, and nothing is written unless a 201 says so."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from billingcfg.models import Product
from billingcfg.release_models import Release
from rates.models import CreditRate, Meter
from tests.api.conftest import Api, make_key
from tests.factories import staff_in

RELEASES = "/api/v1/releases/"
NOTE = "Sora 2 Pro up to 40 credits a second"
AT = "2026-03-01T09:00:00Z"  # the clock: PUBLISHED_AT

# A database test like the rest: pytest-django runs tests without the db mark after the
# transactional ones, whose flush empties the groups the roles migration made.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_release", "clock")]


def _session(user, client: Client | None = None) -> Api:
    client = client or Client()
    client.force_login(user)
    return Api(client=client)


def _raise_sora_2_pro() -> None:
    CreditRate.objects.filter(model__slug="sora-2-pro").update(credits=40)


def _versions() -> list[int]:
    return list(Release.objects.order_by("version").values_list("version", flat=True))


def test_a_publisher_publishes_the_draft_as_the_next_release(publisher):
    _raise_sora_2_pro()

    response = _session(publisher).post(RELEASES, {"note": NOTE})

    assert response.status_code == 201
    release = Release.objects.get(version=2)
    assert response.json() == {
        "version": 2,
        "note": NOTE,
        "published_by": "publisher",
        "published_at": AT,
        "effective_at": AT,
        "sha256": release.sha256,
        "status": "active",
        "withdrawal": None,
        "warnings": [],
    }
    assert response["Location"] == "/api/v1/releases/2/"
    assert (release.note, release.published_by) == (NOTE, publisher)
    quote = {"model": "sora-2-pro", "variant": "1080p", "quantity": 12}
    sora = Api(make_key("config:read")[0]).post("/api/v1/quote/", quote).json()
    assert (sora["release"], sora["credits"]) == (2, 480)  # 12 seconds at 40 credits, in force at once


def test_an_editor_may_not_publish_and_nothing_is_written():
    response = _session(staff_in("editor")).post(RELEASES, {"note": NOTE})

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your account lacks the permission billingcfg.publish_release: only publishers may publish."
    }
    assert _versions() == [1]


def test_an_account_that_is_not_staff_may_not_publish(django_user_model):
    response = _session(django_user_model.objects.create_user("customer")).post(RELEASES, {"note": NOTE})

    assert response.status_code == 403
    assert response.json() == {"detail": "Only staff accounts may publish."}
    assert _versions() == [1]


@pytest.mark.parametrize("scopes", [("config:read",), ("draft:read",), ("config:read", "draft:read")])
def test_no_api_key_may_publish_whatever_its_scopes(scopes):
    key = Api(make_key(*scopes)[0])

    response = key.post(RELEASES, {"note": NOTE})

    assert response.status_code == 403
    assert response.json() == {
        "detail": "API keys cannot publish; a publisher publishes from the admin or with a staff session"
    }
    assert key.get(RELEASES).status_code == (200 if "config:read" in scopes else 403)  # reading is unchanged
    assert _versions() == [1]


def test_publishing_without_credentials_is_a_401():
    response = Api().post(RELEASES, {"note": NOTE})

    assert response.status_code == 401
    assert response.json() == {
        "detail": "No credentials: send 'Authorization: Api-Key <key>', or sign in with a staff account."
    }
    assert _versions() == [1]


def test_a_session_must_send_its_csrf_token(publisher):
    api = _session(publisher, Client(enforce_csrf_checks=True))

    refused = api.post(RELEASES, {"note": NOTE})

    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF Failed: CSRF cookie not set."}
    assert _versions() == [1]
    secret = "publishtesttokenpublishtesttoken"  # any 32 letters or digits: Django's CSRF secret
    api.client.cookies[settings.CSRF_COOKIE_NAME] = secret
    assert api.post(RELEASES, {"note": NOTE}, x_csrftoken=secret).status_code == 201


def test_a_draft_with_a_blocking_problem_is_refused_naming_the_row(publisher):
    # An active credit rate on a meter veo-3 has no provider cost for: the silent "$0 cost".
    veo = CreditRate.objects.get(model__slug="veo-3")
    CreditRate.objects.create(
        product=Product.objects.get(is_default=True),
        model=veo.model,
        meter=Meter.objects.get(slug="images"),
        credits=Decimal(5),
    )

    response = _session(publisher).post(RELEASES, {"note": NOTE})

    assert response.status_code == 400
    body = response.json()
    assert [(problem["place"], problem["rule"]) for problem in body["problems"]] == [
        ("product 'video', credit rate veo-3 / all variants / images", "rate_without_cost")
    ]
    assert body["errors"] == {"draft": [body["problems"][0]["message"]]}
    assert "veo-3" in body["problems"][0]["message"] and "images" in body["problems"][0]["message"]
    assert _versions() == [1]


def test_the_draft_etag_read_before_publishing_is_accepted(publisher):
    api = _session(publisher)
    _raise_sora_2_pro()
    etag = api.get("/api/v1/draft/")["ETag"]

    response = api.post(RELEASES, {"note": NOTE, "draft_sha256": etag})

    assert response.status_code == 201
    assert _versions() == [1, 2]


def test_a_draft_changed_since_it_was_read_is_a_409_and_nothing_is_written(publisher):
    api = _session(publisher)
    read = api.get("/api/v1/draft/")["ETag"].strip('"')
    _raise_sora_2_pro()
    now = api.get("/api/v1/draft/")["ETag"].strip('"')

    response = api.post(RELEASES, {"note": NOTE, "draft_sha256": read})

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"the draft changed since you read it (sha256 {read}, now {now}); read /api/v1/draft/ again"
    }
    assert read != now
    assert _versions() == [1]


def test_a_later_effective_at_schedules_the_release(publisher):
    _raise_sora_2_pro()

    response = _session(publisher).post(RELEASES, {"note": "next week", "effective_at": "2026-03-08T09:00:00Z"})

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["effective_at"]) == ("scheduled", "2026-03-08T09:00:00Z")
    assert [row["status"] for row in _session(publisher).get(RELEASES).json()] == ["scheduled", "active"]


def test_an_effective_at_without_an_offset_is_utc(publisher):
    response = _session(publisher).post(RELEASES, {"note": "later", "effective_at": "2026-03-08T09:00:00"})

    assert (response.status_code, response.json()["effective_at"]) == (201, "2026-03-08T09:00:00Z")


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"note": NOTE, "effective_at": "2026-03-01T08:59:00Z"},
            {
                "effective_at": [
                    "a release cannot take effect in the past (2026-03-01T08:59:00Z); choose now or a later time"
                ]
            },
        ),
        (
            {"note": NOTE, "effective_at": "2026-03-08"},
            {
                "effective_at": [
                    "'2026-03-08' is not a date-time; use ISO 8601, e.g. 2026-03-01T09:00:00Z "
                    "(a time without an offset is UTC)"
                ]
            },
        ),
        (
            {"note": NOTE, "effective_at": 1772960400},
            {
                "effective_at": [
                    "int is not a date-time; use ISO 8601, e.g. 2026-03-01T09:00:00Z (a time without an offset is UTC)"
                ]
            },
        ),
        ({"note": "   "}, {"note": ["a release needs a note saying what changed"]}),
        ({}, {"note": ["a release needs a note saying what changed"]}),
        (
            {"note": NOTE, "draft_sha256": "abc"},
            {"draft_sha256": ["must be the draft's sha256 (64 hex digits): the ETag of GET /api/v1/draft/"]},
        ),
        (
            {"note": NOTE, "effective": "2026-03-08T09:00:00Z"},
            {"effective": ["unknown field; fields are: note, effective_at, draft_sha256"]},
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(publisher, body, errors):
    response = _session(publisher).post(RELEASES, body)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert _versions() == [1]


# ---- scheduled releases: the horizon, one release per instant, publishing before one ---------------


@pytest.mark.parametrize(
    ("effective_at", "message"),
    [
        (
            "2028-03-01T09:00:01Z",
            "2028-03-01T09:00:01Z is beyond the scheduling horizon of 730 days "
            "(DJANGO_RELEASE_HORIZON_DAYS): choose a time up to 2028-02-29T09:00:00Z",
        ),
        (
            "9999-12-31T00:00:00Z",
            "9999-12-31T00:00:00Z is beyond the scheduling horizon of 730 days "
            "(DJANGO_RELEASE_HORIZON_DAYS): choose a time up to 2028-02-29T09:00:00Z",
        ),
    ],
)
def test_an_effective_at_beyond_the_horizon_is_a_400_naming_it(publisher, effective_at, message):
    response = _session(publisher).post(RELEASES, {"note": NOTE, "effective_at": effective_at})

    assert (response.status_code, response.json()) == (400, {"errors": {"effective_at": [message]}})
    assert _versions() == [1]


def test_a_second_release_at_a_scheduled_instant_is_a_400_naming_the_first(publisher):
    api = _session(publisher)
    assert api.post(RELEASES, {"note": "next week", "effective_at": "2026-03-08T09:00:00Z"}).status_code == 201

    response = api.post(RELEASES, {"note": "also next week", "effective_at": "2026-03-08T10:00:00+01:00"})

    assert (response.status_code, response.json()) == (
        400,
        {
            "errors": {
                "effective_at": [
                    "v2 is already scheduled to take effect at 2026-03-08T09:00:00Z; two releases cannot take effect at the "
                    "same instant: choose another time, or withdraw v2 first"
                ]
            }
        },
    )
    assert _versions() == [1, 2]


def test_publishing_now_while_a_later_release_is_scheduled_warns_naming_it(publisher):
    api = _session(publisher)
    api.post(RELEASES, {"note": "2027 prices", "effective_at": "2027-01-01T00:00:00Z"})
    _raise_sora_2_pro()

    response = api.post(RELEASES, {"note": NOTE})

    assert response.status_code == 201
    assert response.json()["warnings"] == [
        {
            "release": 2,
            "effective_at": "2027-01-01T00:00:00Z",
            "message": "v2 is scheduled to take effect at 2027-01-01T00:00:00Z: from then on it replaces this release, "
            "and it does not have this release's changes. Withdraw v2 if this release should stay in force; "
            "otherwise publish these changes again, scheduled after it.",
        }
    ]
    scheduled_after = api.post(RELEASES, {"note": "2028 prices", "effective_at": "2028-01-01T00:00:00Z"})
    assert scheduled_after.json()["warnings"] == []


def test_a_withdrawn_later_release_is_not_warned_about(publisher):
    api = _session(publisher)
    api.post(RELEASES, {"note": "2027 prices", "effective_at": "2027-01-01T00:00:00Z"})
    withdrawn = api.post("/api/v1/releases/2/withdraw/", {"reason": "the 2027 prices are not agreed"})
    _raise_sora_2_pro()

    response = api.post(RELEASES, {"note": NOTE})

    assert withdrawn.json()["status"] == "withdrawn"
    assert (response.status_code, response.json()["status"], response.json()["warnings"]) == (201, "active", [])
