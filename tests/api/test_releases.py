"""The release list, one release's document, diffs between releases and the
draft, and the draft itself. Release documents, diffs and the draft are the whole
configuration (every product's rows): staff and keys for all products; a key
scoped to products gets a 403 naming the product routes it may use."""

import json
from datetime import timedelta

import pytest

from billingcfg.releases import services as releases
from billingcfg.releases.document import canonical_bytes, draft_configuration, sha256
from rates.models import CreditRate
from tests.api.conftest import DEMO_NOTE, PUBLISHED_AT, Api, make_key

pytestmark = pytest.mark.usefixtures("demo_release")


def _raise_sora_2_pro() -> None:
    CreditRate.objects.filter(model__slug="sora-2-pro").update(credits=40)


def test_the_list_shows_each_release_and_its_status(api, demo_release, clock):
    _raise_sora_2_pro()
    second = releases.release_publish(note="Sora 2 Pro up")
    third = releases.release_publish(note="next week", effective_at=PUBLISHED_AT + timedelta(days=7))

    response = api.get("/api/v1/releases/")

    assert response.status_code == 200
    at = "2026-03-01T09:00:00Z"
    assert response.json() == [
        {
            "version": 3,
            "note": "next week",
            "published_by": "",
            "published_at": at,
            "effective_at": "2026-03-08T09:00:00Z",
            "sha256": third.sha256,
            "status": "scheduled",
            "withdrawal": None,
        },
        {
            "version": 2,
            "note": "Sora 2 Pro up",
            "published_by": "",
            "published_at": at,
            "effective_at": at,
            "sha256": second.sha256,
            "status": "active",
            "withdrawal": None,
        },
        {
            "version": 1,
            "note": DEMO_NOTE,
            "published_by": "",
            "published_at": at,
            "effective_at": at,
            "sha256": demo_release.sha256,
            "status": "superseded",
            "withdrawal": None,
        },
    ]
    clock["now"] = PUBLISHED_AT + timedelta(days=7)
    assert [row["status"] for row in api.get("/api/v1/releases/").json()] == ["active", "superseded", "superseded"]


def test_the_list_costs_the_same_queries_however_many_releases(api, django_assert_max_num_queries, settings):
    settings.RELEASE_CHECK_SECONDS = 60  # the key stays known between the requests, however slow the machine
    api.get("/api/v1/releases/")  # the key's last use is recorded once a minute, not per request
    with django_assert_max_num_queries(8) as few:
        api.get("/api/v1/releases/")
    for note in ("two", "three", "four"):
        releases.release_publish(note=note)
    with django_assert_max_num_queries(len(few)) as many:
        api.get("/api/v1/releases/")
    assert len(many) == len(few)


def test_one_release_is_served_as_stored_with_its_etag(editor_api, demo_release):
    _raise_sora_2_pro()
    releases.release_publish(note="Sora 2 Pro up")

    response = editor_api.get("/api/v1/releases/1/")
    not_modified = editor_api.get("/api/v1/releases/1/", if_none_match=demo_release.etag)

    assert response.status_code == 200
    assert response.content == demo_release.document.encode()
    assert response["ETag"] == demo_release.etag
    assert response["Cache-Control"] == "private, no-cache"
    assert (not_modified.status_code, not_modified.content, not_modified["ETag"]) == (304, b"", demo_release.etag)
    whole = json.loads(response.content)
    assert [product["slug"] for product in whole["products"]] == ["video", "coaching", "sora-prompts", "dev-flows"]
    assert "revenue_per_credit" not in whole  # margins are each product's, in its own document


@pytest.mark.parametrize(
    "path", ["/api/v1/releases/1/", "/api/v1/releases/1/diff/1/", "/api/v1/releases/1/diff/draft/", "/api/v1/draft/"]
)
def test_a_key_scoped_to_products_cannot_read_the_whole_configuration(db, path):
    key, row = make_key("config:read", "draft:read", products=("video", "coaching"))

    response = Api(key).get(path)

    assert response.status_code == 403
    assert response.json() == {
        "detail": f"API key {row.prefix} reads only products coaching, video, not the whole configuration (release "
        "documents, diffs, the draft), which needs a key for all products. It may use /api/v1/products/ (the "
        "list), /api/v1/products/<slug>/config/, /api/v1/products/<slug>/quote/ and "
        "/api/v1/products/<slug>/thresholds/evaluate/."
    }


@pytest.mark.parametrize("version", ["9", "0", "v1", "latest", "99999999999999999999999"])
def test_an_unknown_version_is_a_404_listing_the_versions(editor_api, version):
    response = editor_api.get(f"/api/v1/releases/{version}/")

    assert response.status_code == 404
    assert response.json() == {"detail": f"no release {version}; releases are: 1"}


def test_the_diff_between_two_releases_shows_the_price_change_with_margins(editor_api):
    _raise_sora_2_pro()
    releases.release_publish(note="Sora 2 Pro up")

    response = editor_api.get("/api/v1/releases/1/diff/2/")

    assert response.status_code == 200
    diff = response.json()
    assert (diff["old"]["version"], diff["new"]["version"]) == (1, 2)
    assert diff["summary"] == {"added": 0, "removed": 0, "changed": 1}
    assert diff["changes"] == [
        {
            "kind": "credit_rate",
            "key": "video / sora-2-pro / * / seconds",
            "ids": {"product": "video", "model": "sora-2-pro", "variant": None, "meter": "seconds"},
            "change": "changed",
            "fields": {"credits": {"old": "35", "new": "40"}},
        }
    ]
    sora_1080p = next(row for row in diff["rows"] if row["variant"] == "1080p")
    assert sora_1080p["product"] == "video"  # margins at the video app's own credit
    assert (sora_1080p["credits"], sora_1080p["margin"]["basis"]) == (
        {"old": "35", "new": "40"},
        {"old": "0.7142857142857142857142857143", "new": "0.75"},
    )


def test_a_diff_against_the_draft_needs_the_draft_scope(api, editor_api):
    _raise_sora_2_pro()

    refused = api.get("/api/v1/releases/1/diff/draft/")
    allowed = editor_api.get("/api/v1/releases/1/diff/draft/")

    assert refused.status_code == 403
    assert refused.json() == {"detail": f"API key {api.prefix} lacks the 'draft:read' scope."}
    assert editor_api.get("/api/v1/releases/1/diff/1/").json()["summary"] == {"added": 0, "removed": 0, "changed": 0}
    assert allowed.status_code == 200
    assert allowed.json()["new"] == {"version": "draft"}
    assert allowed.json()["summary"] == {"added": 0, "removed": 0, "changed": 1}


@pytest.mark.parametrize("path, name", [("1/diff/7", "7"), ("x/diff/1", "x"), ("1/diff/drafts", "drafts")])
def test_a_diff_with_an_unknown_side_is_a_404_naming_the_sides_there_are(editor_api, path, name):
    response = editor_api.get(f"/api/v1/releases/{path}/")

    assert response.status_code == 404
    assert response.json() == {"detail": f"no release {name}; names are: draft, 1"}


def test_the_draft_is_served_to_draft_keys_only(api, editor_api):
    _raise_sora_2_pro()

    refused = api.get("/api/v1/draft/")
    response = editor_api.get("/api/v1/draft/")

    assert refused.status_code == 403
    assert response.status_code == 200
    assert response["ETag"] == f'"{sha256(response.content)}"'
    assert response.content == canonical_bytes(draft_configuration())
    assert response["ETag"] == f'"{releases.draft_sha256(releases.draft_check().document)}"'  # what publish takes
    draft = json.loads(response.content)
    assert "release" not in draft and "revenue_per_credit" not in draft
    assert len(draft["products"]) == 4
    sora = next(model for model in draft["models"] if model["slug"] == "sora-2-pro")
    assert sora["credit_rates"][0]["credits"] == "40"
    assert editor_api.get("/api/v1/draft/", if_none_match=response["ETag"]).status_code == 304


def test_a_staff_user_may_read_the_draft_with_the_permission_to_view_rates(client, admin_user, django_user_model):
    client.force_login(admin_user)
    assert Api(client=client).get("/api/v1/draft/").status_code == 200

    staff = django_user_model.objects.create_user("ops", is_staff=True)
    client.force_login(staff)
    response = Api(client=client).get("/api/v1/draft/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Your account lacks the permission rates.view_creditrate."}


def test_keys_reach_the_releases_by_their_scope(db):
    draft_only = Api(make_key("draft:read", all_products=True)[0])

    assert draft_only.get("/api/v1/releases/").status_code == 403
    assert draft_only.get("/api/v1/draft/").status_code == 200


# ---- withdrawing a scheduled release -----------------------------------------------------------


@pytest.fixture
def publisher_api(publisher):
    """A publisher's staff session."""
    from django.test import Client

    client = Client()
    client.force_login(publisher)
    return Api(client=client)


def test_a_publisher_withdraws_a_scheduled_release_and_it_is_never_served(api, publisher_api, demo_release, clock):
    _raise_sora_2_pro()
    scheduled = releases.release_publish(note="next week", effective_at=PUBLISHED_AT + timedelta(days=7))
    clock["now"] = PUBLISHED_AT + timedelta(hours=1)

    response = publisher_api.post("/api/v1/releases/2/withdraw/", {"reason": "Sora 2 Pro stays at 35"})

    withdrawn = {
        "withdrawn_by": "publisher",
        "withdrawn_at": "2026-03-01T10:00:00Z",
        "reason": "Sora 2 Pro stays at 35",
    }
    assert response.status_code == 200
    assert response.json() == {
        "version": 2,
        "note": "next week",
        "published_by": "",
        "published_at": "2026-03-01T09:00:00Z",
        "effective_at": "2026-03-08T09:00:00Z",
        "sha256": scheduled.sha256,
        "status": "withdrawn",
        "withdrawal": withdrawn,
    }
    clock["now"] = PUBLISHED_AT + timedelta(days=8)
    video = f'"{demo_release.products.get(product="video").sha256}"'
    for config in ("/api/v1/config/", "/api/v1/products/video/config/"):
        assert (api.get(config)["ETag"], api.get(config)["X-Release-Version"]) == (video, "1")
        assert api.get(config, QUERY_STRING="at=2026-03-09T00:00:00Z")["ETag"] == video
    for quote in ("/api/v1/quote/", "/api/v1/products/video/quote/"):
        assert api.post(quote, {"model": "sora-2-pro", "variant": "1080p", "quantity": 12}).json()["release"] == 1
    rows = api.get("/api/v1/releases/").json()
    assert [(row["version"], row["status"], row["withdrawal"]) for row in rows] == [
        (2, "withdrawn", withdrawn),
        (1, "active", None),
    ]


def test_a_release_in_force_cannot_be_withdrawn(publisher_api, demo_release):
    response = publisher_api.post("/api/v1/releases/1/withdraw/", {"reason": "oops"})

    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "release": [
                "v1 took effect at 2026-03-01T09:00:00Z: a release that has been in force cannot be withdrawn. Publish a new "
                "release instead (restore an earlier one into the draft first to go back to it)."
            ]
        }
    }
    assert releases.ReleaseWithdrawal.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"reason": ["a withdrawal needs a reason saying why"]}),
        ({"reason": "  "}, {"reason": ["a withdrawal needs a reason saying why"]}),
        ({"reason": "x", "why": "y"}, {"why": ["unknown field; fields are: reason"]}),
    ],
)
def test_a_withdrawal_needs_a_reason_and_nothing_else(publisher_api, demo_release, body, errors):
    releases.release_publish(note="next week", effective_at=PUBLISHED_AT + timedelta(days=7))

    response = publisher_api.post("/api/v1/releases/2/withdraw/", body)

    assert (response.status_code, response.json()) == (400, {"errors": errors})
    assert releases.ReleaseWithdrawal.objects.count() == 0


def test_an_unknown_release_cannot_be_withdrawn(publisher_api):
    response = publisher_api.post("/api/v1/releases/7/withdraw/", {"reason": "typo"})

    assert (response.status_code, response.json()) == (404, {"detail": "no release 7; releases are: 1"})


def test_only_a_publisher_may_withdraw(db, demo_release):
    from django.test import Client

    from tests.factories import staff_in

    releases.release_publish(note="next week", effective_at=PUBLISHED_AT + timedelta(days=7))
    key, _ = make_key("config:read", "draft:read")
    editor = Client()
    editor.force_login(staff_in("editor"))

    by_key = Api(key).post("/api/v1/releases/2/withdraw/", {"reason": "no"})
    by_editor = Api(client=editor).post("/api/v1/releases/2/withdraw/", {"reason": "no"})

    assert by_key.status_code == 403 and "API keys cannot publish" in by_key.json()["detail"]
    assert by_editor.status_code == 403
    assert "billingcfg.publish_release" in by_editor.json()["detail"]
    assert releases.ReleaseWithdrawal.objects.count() == 0
