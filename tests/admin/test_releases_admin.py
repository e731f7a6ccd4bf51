"""Releases and API keys in the admin, used the way ops staff use them: the
Publish page with its problems and diff, the release list and pages, restore,
and API keys shown once."""

import hashlib
import html
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billingcfg.api.authentication import ApiKeyAuthentication
from billingcfg.models import Product
from billingcfg.release_models import ApiKey, Release
from billingcfg.releases import services as releases
from billingcfg.releases.services import release_document, release_publish
from rates.models import AIModel, CreditRate
from tests import factories
from tests.admin.pages import table_rows
from tests.factories import staff_in

PUBLISH = "/admin/billingcfg/release/publish/"
RELEASES = "/admin/billingcfg/release/"
KEYS = "/admin/billingcfg/apikey/"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
STALE = "The draft changed since you opened this page; review the new diff."


@pytest.fixture
def clock(monkeypatch):
    """Release decisions (publish time, schedule, status, the form's "in the past") read `releases.now`."""
    current = {"now": NOW}
    monkeypatch.setattr(releases, "now", lambda: current["now"])
    return current


@pytest.fixture
def as_publisher(client: Client, publisher: User) -> Client:
    client.force_login(publisher)
    return client


@pytest.fixture
def as_editor(client: Client, db) -> Client:
    client.force_login(staff_in("editor"))
    return client


def cells(response, table_id: str) -> list[list[str]]:
    """The body rows of the table `table_id`, as lists of cell texts (a changelist's link column is a th)."""
    page = response.content.decode()
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert table, f"no table {table_id}"
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(0), re.S).group(1)
    return [
        [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def shown_hash(response) -> str:
    return response.context["form"]["draft_sha256"].value()


def publish_form(response, **fields) -> dict:
    return {
        "note": "Sora 2 up to 12 credits a second",
        "when": "now",
        "effective_at": "",
        "confirm": "on",
        "draft_sha256": shown_hash(response),
        **fields,
    }


def sora_rate() -> CreditRate:
    return CreditRate.objects.get(model__slug="sora-2", meter__slug="seconds")


def set_sora_credits(credits: str) -> None:
    rate = sora_rate()
    rate.credits = Decimal(credits)
    rate.save()


def page_text(response) -> str:
    """The page's text as a reader sees it: tags out, entities read, runs of spaces one."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# ---- the Publish page ------------------------------------------------------------------------


def test_publish_page_shows_a_changed_credit_rate_with_old_and_new_credits_and_margins(as_publisher, demo, clock):
    release_publish(note="Per-second video pricing")
    set_sora_credits("12")

    response = as_publisher.get(PUBLISH)

    assert response.status_code == 200
    assert "It is compared here with the active release" in response.content.decode()
    prices = [row for row in cells(response, "diff-prices-video") if row[:2] == ["sora-2", "720p"]]
    # model, variant, change, request old/new, credits old/new/Δ, cost old/new, margin lowest old/new, basis old/new
    assert prices == [
        [
            "sora-2",
            "720p",
            "changed",
            "8 seconds",
            "8 seconds",
            "80",
            "96",
            "+20.0%",
            "0.80 USD",
            "0.80 USD",
            "72.1%",
            "76.7%",
            "80.0%",
            "83.3%",
            "OK",
            "OK",
        ]
    ]
    assert cells(response, "diff-rows-video") == [
        [
            "sora-2",
            "720p",
            "seconds",
            "",
            "changed",
            "10",
            "12",
            "0.10 USD",
            "0.10 USD",
            "72.1%",
            "76.7%",
            "80.0%",
            "83.3%",
            "OK",
            "OK",
        ],
    ]
    assert cells(response, "diff-changes") == [
        ["Credit rates", "video / sora-2 / * / seconds", "changed", "credits", "10", "12"]
    ]
    assert "0 added, 0 removed, 1 changed" in response.content.decode()


def test_a_price_row_charged_per_a_different_unit_shows_both_units(as_publisher, demo, clock):
    release_publish(note="Per-second video pricing")
    rate = sora_rate()
    rate.credits, rate.per_units = Decimal("80"), 8
    rate.save()

    response = as_publisher.get(PUBLISH)

    assert cells(response, "diff-rows-video")[0][:7] == ["sora-2", "720p", "seconds", "1 → 8", "changed", "10", "80"]


def test_publish_page_shows_the_warnings_without_blocking(as_publisher, demo, clock):
    response = as_publisher.get(PUBLISH)

    rows = table_rows(response)
    assert (
        "product 'video', price wan-2-1 / 720p / seconds loss product 'video': price wan-2-1 / 720p / seconds: "
        "loses money at the lowest revenue per credit (gross margin −39.7%); gross margin 0.0% at the fixed "
        "revenue per credit (0.05 USD)"
    ) in rows
    assert "Video credits (video) (6)" in rows  # the warnings are grouped by product
    assert "None: every charged price has a provider cost" in response.content.decode()
    assert 'value="Publish" name="_publish">' in response.content.decode()


def test_first_publish_compares_with_nothing_and_everything_is_added(as_publisher, demo, clock):
    response = as_publisher.get(PUBLISH)

    assert "There is no release yet: everything in the draft is new." in response.content.decode()
    sora = [row for row in cells(response, "diff-prices-video") if row[:2] == ["sora-2", "720p"]]
    assert sora == [
        [
            "sora-2",
            "720p",
            "added",
            "",
            "8 seconds",
            "—",
            "80",
            "",
            "—",
            "0.80 USD",
            "—",
            "72.1%",
            "—",
            "80.0%",
            "",
            "OK",
        ]
    ]
    assert response.context["summary"]["removed"] == 0 and response.context["summary"]["changed"] == 0


def test_publisher_publishes_with_a_note_and_lands_on_the_new_release(as_publisher, publisher, demo, clock):
    release_publish(note="Per-second video pricing")
    set_sora_credits("12")
    page = as_publisher.get(PUBLISH)

    response = as_publisher.post(PUBLISH, publish_form(page), follow=True)

    release = Release.objects.get(version=2)
    assert (release.note, release.published_by, release.published_by_name) == (
        "Sora 2 up to 12 credits a second",
        publisher,
        "publisher",
    )
    assert release.effective_at == NOW
    assert response.redirect_chain == [(reverse("admin:billingcfg_release_change", args=[release.pk]), 302)]
    assert page_messages(response) == ["Published v2, effective 2026-11-23 09:30 UTC."]
    assert 'class="status active"' in response.content.decode()


def test_a_note_and_the_confirmation_are_required(as_publisher, demo, clock):
    page = as_publisher.get(PUBLISH)

    response = as_publisher.post(PUBLISH, publish_form(page, note=" ", confirm=""))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"note", "confirm"}
    assert not Release.objects.exists()


def test_a_blocking_problem_names_its_row_and_publishing_writes_nothing(as_publisher, demo, clock):
    frames = factories.meter(slug="upscaled-frames", name="Upscaled frames", unit="frame")
    video = Product.objects.get(slug="video")
    factories.credit_rate(model=AIModel.objects.get(slug="sora-2"), meter=frames, credits=Decimal("5"), product=video)

    page = as_publisher.get(PUBLISH)
    rows = table_rows(page)
    problems = [row for row in rows if "rate_without_cost" in row]
    assert problems == [
        "product 'video', credit rate sora-2 / all variants / upscaled-frames rate_without_cost "
        "product 'video': credit rate sora-2 / all variants / upscaled-frames: charges credits for upscaled-frames "
        "on 720p, but no provider cost from openai for upscaled-frames is known there, so that usage would cost 0; "
        "add the cost, cost the rate on another supplier, or deactivate the rate"
    ]
    assert "Video credits (video) (1)" in rows  # under its product's heading
    assert "Fix the 1 problem above first." in page.content.decode()

    response = as_publisher.post(PUBLISH, publish_form(page))

    assert response.status_code == 200
    assert "Publishing was refused and nothing was written." in response.content.decode()
    assert any("rate_without_cost" in row for row in table_rows(response))
    assert not Release.objects.exists()


def test_a_draft_changed_since_the_page_was_opened_is_not_published(as_publisher, demo, clock):
    page = as_publisher.get(PUBLISH)
    set_sora_credits("12")

    response = as_publisher.post(PUBLISH, publish_form(page))

    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert not Release.objects.exists()
    assert response.context["form"]["note"].value() == "Sora 2 up to 12 credits a second"
    sora = [row for row in cells(response, "diff-prices-video") if row[:2] == ["sora-2", "720p"]]
    assert sora[0][6] == "96"

    again = as_publisher.post(PUBLISH, publish_form(response))

    assert again.status_code == 302
    sora = next(model for model in release_document(Release.objects.get())["models"] if model["slug"] == "sora-2")
    assert [rate["credits"] for rate in sora["credit_rates"]] == ["12"]


def test_a_draft_saved_while_publishing_is_not_published(as_publisher, demo, clock, monkeypatch):
    from billingcfg.releases import services as releases

    page = as_publisher.get(PUBLISH)
    read_draft = releases.draft_configuration
    reads = []

    def saved_meanwhile():  # another session's save lands after the page's check, before the publish reads
        reads.append(1)
        if len(reads) == 2:
            set_sora_credits("12")
        return read_draft()

    monkeypatch.setattr(releases, "draft_configuration", saved_meanwhile)
    response = as_publisher.post(PUBLISH, publish_form(page))

    assert len(reads) >= 2  # the page checked the draft, then the publish read it again
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert not Release.objects.exists()


def test_a_future_effective_time_schedules_the_release(as_publisher, demo, clock):
    release_publish(note="Per-second video pricing")
    set_sora_credits("12")
    page = as_publisher.get(PUBLISH)

    response = as_publisher.post(
        PUBLISH, publish_form(page, when="later", effective_at="2026-12-01T00:00"), follow=True
    )

    scheduled = Release.objects.get(version=2)
    assert scheduled.effective_at == datetime(2026, 12, 1, tzinfo=UTC)
    assert page_messages(response) == ["Published v2, effective 2026-12-01 00:00 UTC; v1 stays active until then."]
    statuses = {row[0]: row[-1] for row in cells(as_publisher.get(RELEASES), "result_list")}
    assert statuses == {"v2": "scheduled", "v1": "active"}

    clock["now"] = datetime(2026, 12, 1, tzinfo=UTC)
    statuses = {row[0]: row[-1] for row in cells(as_publisher.get(RELEASES), "result_list")}
    assert statuses == {"v2": "active", "v1": "superseded"}


def test_an_effective_time_in_the_past_is_refused(as_publisher, demo, clock):
    page = as_publisher.get(PUBLISH)

    response = as_publisher.post(PUBLISH, publish_form(page, when="later", effective_at="2026-11-23T09:00"))

    assert response.context["form"].errors == {
        "effective_at": ["2026-11-23 09:00 UTC is in the past: choose now or a later time."]
    }
    assert not Release.objects.exists()


# ---- who may publish ---------------------------------------------------------------------------


def test_an_editor_finds_no_publish_button_and_is_refused(as_editor, demo, clock):
    release = release_publish(note="Per-second video pricing")

    index = as_editor.get("/admin/").content.decode()
    listing = as_editor.get(RELEASES).content.decode()
    detail = as_editor.get(reverse("admin:billingcfg_release_change", args=[release.pk])).content.decode()

    assert 'id="releases-entry"' in index
    for page in (index, listing, detail):
        assert PUBLISH not in page
        assert "Publish the draft" not in page
        assert "Restore into the draft" not in page
    refused = as_editor.get(PUBLISH)
    assert refused.status_code == 403
    assert "Publishing needs the publisher role." in refused.content.decode()
    assert as_editor.post(PUBLISH, {"note": "sneaky", "when": "now", "confirm": "on"}).status_code == 403
    restore = as_editor.post(reverse("admin:billingcfg_release_restore", args=[release.pk]))
    assert restore.status_code == 403
    assert "Restoring a release into the draft needs the publisher role." in restore.content.decode()
    assert Release.objects.count() == 1


def test_a_publisher_finds_the_publish_button_on_the_index_and_the_release_list(as_publisher, demo, clock):
    for url in ("/admin/", RELEASES):
        assert f'href="{PUBLISH}"' in as_publisher.get(url).content.decode()


# ---- releases: list, page, restore -------------------------------------------------------------


def test_releases_offer_no_add_change_or_delete(admin_client, demo, clock):
    release = release_publish(note="Per-second video pricing")

    assert admin_client.get(reverse("admin:billingcfg_release_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:billingcfg_release_delete", args=[release.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert (
        admin_client.post(
            reverse("admin:billingcfg_release_change", args=[release.pk]), {"note": "rewritten"}
        ).status_code
        == 403
    )
    assert Release.objects.get().note == "Per-second video pricing"


def test_the_release_list_finds_the_active_release_with_one_query(
    admin_client, admin_user, demo, clock, django_assert_max_num_queries
):
    release_publish(note="one")
    with CaptureQueriesContext(connection) as one:
        admin_client.get(RELEASES)
    for number in range(2, 7):
        release_publish(note=f"release {number}")
    # Scheduled and withdrawn rows too: a withdrawal read per row would show here.
    release_publish(note="release 7", effective_at=datetime(2027, 1, 1, tzinfo=UTC))
    release_publish(note="release 8", effective_at=datetime(2027, 2, 1, tzinfo=UTC))
    releases.release_withdraw(version=7, reason="not after all", user=admin_user)
    with django_assert_max_num_queries(len(one)):
        response = admin_client.get(RELEASES)
    assert [row[:2] + row[-1:] for row in cells(response, "result_list")] == [
        ["v8", "release 8", "scheduled"],
        ["v7", "release 7", "withdrawn"],
        ["v6", "release 6", "active"],
        ["v5", "release 5", "superseded"],
        ["v4", "release 4", "superseded"],
        ["v3", "release 3", "superseded"],
        ["v2", "release 2", "superseded"],
        ["v1", "one", "superseded"],
    ]


def test_a_release_page_shows_its_header_and_its_diff_against_the_version_before(as_publisher, demo, clock):
    release_publish(note="Per-second video pricing")
    set_sora_credits("12")
    second = release_publish(note="Sora 2 up to 12 credits a second")

    response = as_publisher.get(reverse("admin:billingcfg_release_change", args=[second.pk]))
    page = response.content.decode()

    assert response.status_code == 200
    assert 'href="/api/v1/releases/2/"' in page
    assert second.sha256 in page
    assert "Changes: v1 → v2" in page
    assert [row for row in cells(response, "diff-prices-video") if row[:2] == ["sora-2", "720p"]][0][5:8] == [
        "80",
        "96",
        "+20.0%",
    ]
    assert cells(response, "diff-changes") == [
        ["Credit rates", "video / sora-2 / * / seconds", "changed", "credits", "10", "12"]
    ]
    assert "Restore into the draft" in page


def test_restore_from_the_release_page_loads_the_old_release_into_the_draft(as_publisher, demo, clock):
    first = release_publish(note="Per-second video pricing")
    set_sora_credits("12")
    release_publish(note="Sora 2 up to 12 credits a second")
    restore_url = reverse("admin:billingcfg_release_restore", args=[first.pk])

    confirm = as_publisher.get(restore_url)
    assert "Yes, restore v1 into the draft" in confirm.content.decode()
    assert sora_rate().credits == Decimal("12")

    response = as_publisher.post(restore_url, follow=True)

    assert response.redirect_chain == [(PUBLISH, 302)]
    assert page_messages(response) == [
        "Restored v1 into the draft (credit rates: 1 updated). Review the diff below and publish when it is right; "
        "no release was changed."
    ]
    assert sora_rate().credits == Decimal("10")
    assert sora_rate().history.first().history_change_reason == "Restored from release v1"
    assert [row for row in cells(response, "diff-prices-video") if row[:2] == ["sora-2", "720p"]][0][5:8] == [
        "96",
        "80",
        "−16.7%",
    ]
    assert Release.objects.count() == 2


# ---- scheduled releases: withdrawing one, publishing before one, the horizon ----------------------


def test_the_publish_page_warns_of_a_later_release_and_offers_to_withdraw_it(as_publisher, publisher, demo, clock):
    release_publish(note="Per-second video pricing")
    scheduled = release_publish(note="2027 prices", effective_at=datetime(2027, 1, 1, tzinfo=UTC))
    set_sora_credits("12")

    page = as_publisher.get(PUBLISH)

    text = page_text(page)
    assert (
        "v2 is scheduled to take effect at 2027-01-01T00:00:00Z: from then on it replaces this release, and it "
        "does not have this release's changes. Withdraw v2 if this release should stay in force"
    ) in text
    withdraw_url = reverse("admin:billingcfg_release_withdraw", args=[scheduled.pk])
    assert f'href="{withdraw_url}"' in page.content.decode()

    confirm = as_publisher.get(withdraw_url)
    assert "Yes, withdraw v2" in confirm.content.decode()
    response = as_publisher.post(withdraw_url, {"reason": "Sora 2 goes up now instead"}, follow=True)

    assert page_messages(response) == ["Withdrew v2: it will not take effect; v1 stays in force."]
    assert "Withdrawn by publisher at 2026-11-23 09:30:00 UTC: Sora 2 goes up now instead" in page_text(response)
    statuses = {row[0]: row[-1] for row in cells(as_publisher.get(RELEASES), "result_list")}
    assert statuses == {"v2": "withdrawn", "v1": "active"}
    assert "Already scheduled" not in as_publisher.get(PUBLISH).content.decode()
    entry = LogEntry.objects.get(object_id=str(scheduled.pk))
    assert (entry.user, entry.action_flag, entry.change_message) == (
        publisher,
        CHANGE,
        "Withdrew v2: Sora 2 goes up now instead",
    )
    clock["now"] = datetime(2027, 1, 2, tzinfo=UTC)
    assert releases.active_release_get().version == 1


def test_publishing_now_before_a_scheduled_release_says_so_after_publishing(as_publisher, demo, clock):
    release_publish(note="Per-second video pricing")
    release_publish(note="2027 prices", effective_at=datetime(2027, 1, 1, tzinfo=UTC))
    set_sora_credits("12")
    page = as_publisher.get(PUBLISH)

    response = as_publisher.post(PUBLISH, publish_form(page), follow=True)

    assert page_messages(response)[0] == "Published v3, effective 2026-11-23 09:30 UTC."
    assert page_messages(response)[1].startswith("v2 is scheduled to take effect at 2027-01-01T00:00:00Z")


def test_a_release_in_force_cannot_be_withdrawn_and_the_page_says_why(as_publisher, demo, clock):
    release = release_publish(note="Per-second video pricing")
    withdraw_url = reverse("admin:billingcfg_release_withdraw", args=[release.pk])

    page = as_publisher.get(withdraw_url).content.decode()
    posted = as_publisher.post(withdraw_url, {"reason": "oops"}).content.decode()

    for shown in (page, posted):
        assert (
            "v1 took effect at 2026-11-23T09:30:00Z: a release that has been in force cannot be withdrawn."
            in html.unescape(shown)
        )
        assert "Yes, withdraw" not in shown
    assert (
        "withdraw-link"
        not in as_publisher.get(reverse("admin:billingcfg_release_change", args=[release.pk])).content.decode()
    )
    assert not releases.ReleaseWithdrawal.objects.exists()


def test_a_withdrawal_needs_a_reason(as_publisher, demo, clock):
    scheduled = release_publish(note="2027 prices", effective_at=datetime(2027, 1, 1, tzinfo=UTC))

    response = as_publisher.post(reverse("admin:billingcfg_release_withdraw", args=[scheduled.pk]), {"reason": " "})

    assert response.context["form"].errors == {"reason": ["This field is required."]}
    assert not releases.ReleaseWithdrawal.objects.exists()


def test_an_editor_cannot_withdraw(as_editor, demo, clock):
    scheduled = release_publish(note="2027 prices", effective_at=datetime(2027, 1, 1, tzinfo=UTC))
    withdraw_url = reverse("admin:billingcfg_release_withdraw", args=[scheduled.pk])

    assert as_editor.get(withdraw_url).status_code == 403
    assert as_editor.post(withdraw_url, {"reason": "no"}).status_code == 403
    assert (
        "withdraw-link"
        not in as_editor.get(reverse("admin:billingcfg_release_change", args=[scheduled.pk])).content.decode()
    )
    assert not releases.ReleaseWithdrawal.objects.exists()


def test_a_release_after_a_withdrawn_one_shows_its_diff_against_the_one_in_force(as_publisher, publisher, demo, clock):
    release_publish(note="Per-second video pricing")
    set_sora_credits("14")
    scheduled = release_publish(note="2027 prices", effective_at=datetime(2027, 1, 1, tzinfo=UTC))
    releases.release_withdraw(version=scheduled.version, reason="not after all", user=publisher)
    set_sora_credits("12")
    third = release_publish(note="Sora 2 up to 12 credits a second")

    response = as_publisher.get(reverse("admin:billingcfg_release_change", args=[third.pk]))

    assert "Changes: v1 → v3" in response.content.decode()
    assert cells(response, "diff-changes") == [
        ["Credit rates", "video / sora-2 / * / seconds", "changed", "credits", "10", "12"]
    ]


@pytest.mark.parametrize(
    ("effective_at", "error"),
    [
        (
            "2028-11-23T09:31",
            "2028-11-23T09:31:00Z is beyond the scheduling horizon of 730 days "
            "(DJANGO_RELEASE_HORIZON_DAYS): choose a time up to 2028-11-22T09:30:00Z",
        ),
        (
            "9999-12-31T23:59",
            "9999-12-31T23:59:00Z is beyond the scheduling horizon of 730 days "
            "(DJANGO_RELEASE_HORIZON_DAYS): choose a time up to 2028-11-22T09:30:00Z",
        ),
    ],
)
def test_an_effective_time_beyond_the_horizon_is_refused(as_publisher, demo, clock, effective_at, error):
    page = as_publisher.get(PUBLISH)

    response = as_publisher.post(PUBLISH, publish_form(page, when="later", effective_at=effective_at))

    assert response.context["form"].errors == {"effective_at": [error]}
    assert not Release.objects.exists()


def test_a_second_release_at_a_scheduled_instant_is_refused_naming_the_first(as_publisher, demo, clock):
    release_publish(note="2027 prices", effective_at=datetime(2027, 1, 1, tzinfo=UTC))
    page = as_publisher.get(PUBLISH)

    response = as_publisher.post(PUBLISH, publish_form(page, when="later", effective_at="2027-01-01T00:00"))

    assert response.context["form"].errors == {
        "effective_at": [
            "v1 is already scheduled to take effect at 2027-01-01T00:00:00Z; two releases cannot take effect at the "
            "same instant: choose another time, or withdraw v1 first"
        ]
    }
    assert Release.objects.count() == 1


# ---- API keys --------------------------------------------------------------------------------


def key_in(message: str) -> str:
    found = re.search(r"is (bck_[0-9a-f]+\.\S+) — copy it now", message)
    assert found, message
    return found.group(1)


def authenticate(key: str):
    from rest_framework.test import APIRequestFactory

    request = APIRequestFactory().get("/api/v1/config/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    return ApiKeyAuthentication().authenticate(request)


def test_adding_an_api_key_shows_it_once_and_stores_only_its_hash(admin_client, admin_user, demo, clock):
    release_publish(note="Per-second video pricing")

    video = Product.objects.get(slug="video")
    response = admin_client.post(
        reverse("admin:billingcfg_apikey_add"),
        {"name": "checkout service", "scopes": ["config:read"], "products": [video.pk]},
        follow=True,
    )

    shown = [message for message in page_messages(response) if "copy it now" in message]
    assert len(shown) == 1
    key = key_in(shown[0])
    stored = ApiKey.objects.get()
    assert (stored.name, stored.scopes, stored.created_by) == ("checkout service", ["config:read"], admin_user)
    assert (list(stored.products.all()), stored.all_products) == ([video], False)
    assert key.startswith(stored.prefix + ".")
    assert stored.hashed_key == hashlib.sha256(key.encode()).hexdigest()
    assert key not in (stored.prefix, stored.hashed_key, stored.name)
    assert "cannot be shown again" in shown[0]

    later = (
        admin_client.get(KEYS).content.decode()
        + admin_client.get(reverse("admin:billingcfg_apikey_change", args=[stored.pk])).content.decode()
    )
    assert key not in later
    assert stored.hashed_key not in later
    assert stored.prefix in later

    config = Client().get("/api/v1/products/video/config/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert config.status_code == 200
    assert config["ETag"] == f'"{Release.objects.get().products.get(product="video").sha256}"'
    coaching = Client().get("/api/v1/products/coaching/config/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert coaching.status_code == 403


def test_a_key_reading_no_product_is_refused_with_a_message_and_not_made(admin_client, demo):
    response = admin_client.post(reverse("admin:billingcfg_apikey_add"), {"name": "nobody", "scopes": ["config:read"]})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "products": [
            "choose the products the key may read, or 'all products' (the whole configuration, for staff tools); a "
            "key reading no product could read nothing"
        ]
    }
    assert not ApiKey.objects.exists()


def test_a_key_for_all_products_needs_no_product(admin_client, demo):
    response = admin_client.post(
        reverse("admin:billingcfg_apikey_add"), {"name": "tools", "scopes": ["config:read"], "all_products": "on"}
    )

    assert response.status_code == 302
    assert ApiKey.objects.get().all_products is True


def test_the_key_list_shows_name_prefix_scopes_and_use(admin_client, demo):
    api_key = ApiKey(name="reports", scopes=["config:read", "draft:read"])
    from billingcfg.releases.api_keys import api_key_issue

    key = api_key_issue(api_key, products=Product.objects.filter(slug__in=["video", "coaching"]))

    rows = cells(admin_client.get(KEYS), "result_list")
    # checkbox, name, prefix, scopes, products, created, created by, last used, revoked
    assert [row[1:5] + row[6:] for row in rows] == [
        ["reports", api_key.prefix, "config:read, draft:read", "video, coaching", "-", "-", "-"]
    ]
    authenticate(key)
    last_used = cells(admin_client.get(KEYS), "result_list")[0][7]
    assert last_used != "-"


def test_the_revoke_action_revokes_and_records_it(admin_client, admin_user, demo):
    from billingcfg.releases.api_keys import api_key_issue

    api_key = ApiKey(name="old batch job", scopes=["config:read"], all_products=True)
    key = api_key_issue(api_key)
    assert authenticate(key)[1] == api_key

    response = admin_client.post(KEYS, {"action": "revoke", "_selected_action": [api_key.pk]}, follow=True)

    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert page_messages(response) == [
        f"Revoked 1 key: old batch job ({api_key.prefix}). Requests with them are refused from now on."
    ]
    entry = LogEntry.objects.get(object_id=str(api_key.pk))
    assert (entry.user, entry.action_flag, entry.get_change_message()) == (
        admin_user,
        CHANGE,
        f"Revoked the key {api_key.prefix}.",
    )
    from rest_framework.exceptions import AuthenticationFailed

    with pytest.raises(AuthenticationFailed, match="was revoked"):
        authenticate(key)
    assert api_key.prefix in Client().get("/api/v1/config/", HTTP_AUTHORIZATION=f"Api-Key {key}").content.decode()


def test_api_keys_are_revoked_not_deleted(admin_client, demo):
    from billingcfg.releases.api_keys import api_key_issue

    api_key = ApiKey(name="kept", scopes=["config:read"], all_products=True)
    api_key_issue(api_key)

    assert (
        admin_client.post(reverse("admin:billingcfg_apikey_delete", args=[api_key.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert ApiKey.objects.filter(pk=api_key.pk).exists()


def test_a_key_can_be_renamed_and_rescoped_but_its_secret_stays(admin_client, demo):
    from billingcfg.releases.api_keys import api_key_issue

    video = Product.objects.get(slug="video")
    api_key = ApiKey(name="reports", scopes=["config:read"])
    key = api_key_issue(api_key, products=[video])
    url = reverse("admin:billingcfg_apikey_change", args=[api_key.pk])
    checked = re.findall(
        r'<input type="checkbox" name="scopes" value="([^"]+)"[^>]* checked>', admin_client.get(url).content.decode()
    )
    assert checked == ["config:read"]

    response = admin_client.post(
        url, {"name": "reports (staging)", "scopes": ["config:read", "draft:read"], "products": [video.pk]}
    )

    assert response.status_code == 302
    changed = ApiKey.objects.get()
    assert (changed.name, changed.scopes, changed.prefix) == (
        "reports (staging)",
        ["config:read", "draft:read"],
        api_key.prefix,
    )
    assert list(changed.products.all()) == [video]
    assert changed.matches(key)
