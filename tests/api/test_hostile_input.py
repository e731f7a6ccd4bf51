"""Hostile input to the API answers in its own error shape, never a 500: JSON
nested deeper than billingcfg.core.jsonlimits.MAX_DEPTH, instants outside what a
datetime and the database hold, bodies over the size limit, and bodies with
more unknown fields than an error list should name."""

import json

import pytest
from django.test import Client

from billingcfg.api.errors import capped
from billingcfg.release_models import Release
from tests.api.conftest import Api

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_release", "clock")]

DEEP = "[" * 5000 + "]" * 5000
TOO_DEEP = "JSON parse error: lists and objects nested more than 64 deep (the most this reads): "


def _publisher_api(publisher) -> Api:
    client = Client()
    client.force_login(publisher)
    return Api(client=client)


@pytest.mark.parametrize(
    ("path", "body", "place"),
    [
        ("/api/v1/quote/", '{"model": "sora-2-pro", "usage": ' + DEEP + "}", "line 1 column 97 (char 96)"),
        ("/api/v1/thresholds/evaluate/", '{"scope": "system", "value": ' + DEEP + "}", "line 1 column 93 (char 92)"),
        ("/api/v1/releases/", '{"note": ' + DEEP + "}", "line 1 column 73 (char 72)"),
    ],
)
def test_a_body_nested_5000_deep_is_a_400_naming_the_limit(publisher, api, path, body, place):
    caller = _publisher_api(publisher) if path == "/api/v1/releases/" else api

    response = caller.post(path, body)

    assert response.status_code == 400
    assert response.json() == {"errors": {"body": [TOO_DEEP + place]}}


RANGE = "an instant must lie from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z in UTC"


@pytest.mark.parametrize(
    ("at", "errors"),
    [
        (
            "9999-12-31T23:59:59-23:59",
            {"at": [f"'9999-12-31T23:59:59-23:59' is after 9999-12-31T23:59:59.999999Z in UTC; {RANGE}"]},
        ),
        (
            "0001-01-01T00:00:00+14:00",
            {"at": [f"'0001-01-01T00:00:00+14:00' is before 0001-01-01T00:00:00Z in UTC; {RANGE}"]},
        ),
    ],
)
def test_an_instant_beyond_what_a_datetime_holds_in_utc_is_a_400_naming_the_range(api, at, errors):
    response = api.client.get("/api/v1/config/", {"at": at}, headers=api.headers)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59+00:00"])
def test_the_last_instant_in_range_reads_the_release_in_force(api, at):
    response = api.client.get("/api/v1/config/", {"at": at}, headers=api.headers)

    assert response.status_code == 200
    assert response["X-Release-Version"] == "1"


def test_the_first_instants_in_range_are_read_in_utc(api):
    response = api.client.get("/api/v1/config/", {"at": "0001-01-02T00:00:00+14:00"}, headers=api.headers)

    assert response.status_code == 404
    assert response.json() == {
        "detail": "no release was in force at 0001-01-01T10:00:00Z; the first took effect at 2026-03-01T09:00:00Z"
    }


@pytest.mark.parametrize(
    ("effective_at", "side"),
    [
        ("9999-12-31T23:59:59-23:59", "after 9999-12-31T23:59:59.999999Z"),
        ("0001-01-01T00:00:00+14:00", "before 0001-01-01T00:00:00Z"),
    ],
)
def test_an_effective_at_beyond_what_a_datetime_holds_is_a_400_and_publishes_nothing(publisher, effective_at, side):
    response = _publisher_api(publisher).post("/api/v1/releases/", {"note": "Far away", "effective_at": effective_at})

    assert response.status_code == 400
    assert response.json() == {"errors": {"effective_at": [f"'{effective_at}' is {side} in UTC; {RANGE}"]}}
    assert Release.objects.count() == 1


def test_a_body_over_the_upload_limit_is_a_json_413_naming_the_limit(api):
    body = '{"model": "sora-2-pro", "quantity": 12, "note": "' + "a" * 2_621_440 + '"}'

    response = api.post("/api/v1/quote/", body)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "errors": {
            "body": [
                "the body is 2,621,491 bytes; the API reads bodies of at most 2,621,440 bytes (DATA_UPLOAD_MAX_MEMORY_SIZE)"
            ]
        }
    }


def test_200000_unknown_fields_are_counted_and_the_first_10_named(api):
    body = {"model": "sora-2-pro", "variant": "1080p", "quantity": 12} | {f"x{n}": 1 for n in range(200_000)}

    response = api.post("/api/v1/quote/", json.dumps(body, separators=(",", ":")))  # 2.2 MB

    unknown = ["unknown field; fields are: model, variant, quantity, usage, workflow, release"]
    assert response.status_code == 400
    assert response.json() == {
        "errors": {**{f"x{n}": unknown for n in range(10)}, "body": ["200,000 unknown fields; the first 10 are named"]}
    }


def test_an_error_list_shows_the_first_100_messages_and_counts_the_rest():
    errors = {f"usage.m{n}": [f"problem {n}a", f"problem {n}b"] for n in range(60)}

    shown = capped(errors)

    assert list(shown) == [*(f"usage.m{n}" for n in range(50)), "body"]
    assert shown["usage.m49"] == ["problem 49a", "problem 49b"]
    assert shown["body"] == ["and 20 more errors (the first 100 are shown)"]
    assert capped({"quantity": ["one"]}) == {"quantity": ["one"]}


def test_a_usage_naming_more_meters_than_any_model_has_is_refused_before_each_is_read(api):
    usage = {f"m{n}": "x" for n in range(150_000)}

    response = api.post("/api/v1/quote/", json.dumps({"model": "gemini-2-5-flash", "usage": usage}))

    assert response.status_code == 400
    assert response.json() == {"errors": {"usage": ["names 150,000 meters; a usage names at most 100"]}}
