"""Hostile input to the API answers in its own error shape, never a 500: JSON
nested deeper than billingcfg.jsonlimits.MAX_DEPTH, instants outside what a
datetime and the database hold, bodies over the size limit, and bodies with
more unknown fields than an error list should name."""

import pytest
from django.test import Client

from tests.api.conftest import Api

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_release", "clock")]

DEEP = "[" * 5000 + "]" * 5000
TOO_DEEP = "JSON parse error: lists and objects nested more than 64 deep (the most this reads): "


def _publisher_api(publisher) -> Api:
    client = Client()
    client.force_login(publisher)
    return Api(client=client)


@pytest.mark.parametrize(("path", "body", "place"), [
    ("/api/v1/quote/", '{"model": "sora-2-pro", "usage": ' + DEEP + "}", "line 1 column 97 (char 96)"),
    ("/api/v1/thresholds/evaluate/", '{"scope": "system", "value": ' + DEEP + "}", "line 1 column 93 (char 92)"),
    ("/api/v1/releases/", '{"note": ' + DEEP + "}", "line 1 column 73 (char 72)"),
])
def test_a_body_nested_5000_deep_is_a_400_naming_the_limit(publisher, api, path, body, place):
    caller = _publisher_api(publisher) if path == "/api/v1/releases/" else api

    response = caller.post(path, body)

    assert response.status_code == 400
    assert response.json() == {"errors": {"body": [TOO_DEEP + place]}}
