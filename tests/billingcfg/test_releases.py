"""Publishing the draft as an immutable, versioned release, and which release is in force when."""

import json
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from billingcfg.models import Product
from billingcfg.release_models import ImmutableError, Release, ReleaseWithdrawal
from billingcfg.releases import services as releases
from billingcfg.releases.document import canonical_bytes, configuration_of, draft_configuration, sha256
from billingcfg.releases.services import PublishRefused, active_release_get, release_publish
from rates.models import CreditRate, Meter

NOTE = "Per-second video pricing"


@pytest.fixture
def clock(monkeypatch):
    """Release decisions read `releases.now`; a test moves it."""
    current = {"now": timezone.now()}
    monkeypatch.setattr(releases, "now", lambda: current["now"])
    return current


def test_publish_stores_the_draft_as_canonical_json_whose_sha256_is_the_etag(demo, admin_user):
    release = release_publish(note=NOTE, user=admin_user)

    assert release.version == 1
    assert release.sha256 == sha256(release.document.encode())
    assert release.etag == f'"{release.sha256}"'
    document = json.loads(release.document)
    assert canonical_bytes(document) == release.body
    assert document["release"] == {
        "version": 1,
        "note": NOTE,
        "published_by": admin_user.username,
        "published_at": document["release"]["published_at"],
        "effective_at": document["release"]["published_at"],
    }
    assert configuration_of(document) == {**draft_configuration()}
    assert release.published_by == admin_user and release.published_by_name == admin_user.username


def test_versions_increase_and_the_newest_effective_release_is_active(demo):
    first = release_publish(note="one")
    second = release_publish(note="two")

    assert (first.version, second.version) == (1, 2)
    assert active_release_get() == second
    assert active_release_get(at=first.effective_at) == first
    assert active_release_get(at=first.effective_at - timedelta(seconds=1)) is None


def test_a_scheduled_release_becomes_active_when_its_time_passes(demo, clock):
    current = release_publish(note="now")
    takes_effect = clock["now"] + timedelta(days=7)
    scheduled = release_publish(note="next week", effective_at=takes_effect)

    assert active_release_get() == current
    clock["now"] = takes_effect - timedelta(microseconds=1)
    assert active_release_get() == current
    clock["now"] = takes_effect
    assert active_release_get() == scheduled


def test_of_releases_taking_effect_at_the_same_instant_the_newest_version_is_in_force(demo, clock):
    """Only a scheduled time is refused when another release has it: publishing now never is, so a tie is possible
    and the newer version wins it."""
    first, second = release_publish(note="one"), release_publish(note="two")
    assert first.effective_at == second.effective_at
    assert active_release_get() == second
    scheduled = release_publish(note="next week", effective_at=clock["now"] + timedelta(days=7))
    clock["now"] = scheduled.effective_at

    published_then = release_publish(note="at that very instant")

    assert published_then.effective_at == scheduled.effective_at
    assert active_release_get() == published_then


def test_a_draft_changed_since_it_was_reviewed_is_not_published(demo, clock):
    reviewed = releases.draft_sha256(releases.draft_check().document)
    CreditRate.objects.filter(model__slug="veo-3").update(credits=Decimal(70))

    with pytest.raises(releases.DraftChanged, match=f"sha256 {reviewed}, now "):
        release_publish(note=NOTE, reviewed_sha256=reviewed)
    assert not Release.objects.exists()


@pytest.mark.parametrize("days", [0, 30])
def test_the_reviewed_draft_is_published_now_or_scheduled(demo, clock, days):
    reviewed = releases.draft_sha256(releases.draft_check().document)

    release = release_publish(note=NOTE, reviewed_sha256=reviewed, effective_at=clock["now"] + timedelta(days=days))

    assert configuration_of(json.loads(release.document)) == draft_configuration()


def test_a_release_cannot_take_effect_in_the_past(demo, clock):
    with pytest.raises(ValueError, match="cannot take effect in the past"):
        release_publish(note="late", effective_at=clock["now"] - timedelta(minutes=1))
    assert not Release.objects.exists()


def test_a_release_needs_a_note(demo):
    with pytest.raises(ValueError, match="needs a note"):
        release_publish(note="  ")
    assert not Release.objects.exists()


def test_a_draft_with_a_blocking_problem_is_refused_and_nothing_is_written(demo):
    # An active credit rate on a meter the model has no provider cost for: the silent "$0 cost".
    rate = CreditRate.objects.get(model__slug="veo-3")
    CreditRate.objects.create(
        product=Product.objects.get(is_default=True),
        model=rate.model,
        meter=Meter.objects.get(slug="images"),
        credits=Decimal(5),
    )

    with pytest.raises(PublishRefused) as refused:
        release_publish(note=NOTE)

    assert not Release.objects.exists()
    errors = refused.value.validation.errors
    assert [(problem.rule, problem.place) for problem in errors] == [
        ("rate_without_cost", "product 'video', credit rate veo-3 / all variants / images"),
    ]
    assert "veo-3" in str(refused.value) and "images" in str(refused.value)


def test_warnings_do_not_block_publishing(demo):
    # The demo prices WAN 2.1 at a loss at the lowest revenue per credit: a warning, not a blocker.
    check = releases.draft_check()
    assert check.validation.ok
    # The demo's costs were read in 2025: every one is stale by now, a warning too.
    assert {problem.rule for problem in check.validation.warnings} == {"loss", "below_target", "stale_cost"}
    assert release_publish(note=NOTE).version == 1


def test_a_release_is_immutable_through_the_orm(demo):
    release = release_publish(note=NOTE)

    release.note = "rewritten"
    with pytest.raises(ImmutableError):
        release.save()
    with pytest.raises(ImmutableError):
        release.delete()
    with pytest.raises(ImmutableError):
        Release.objects.filter(pk=release.pk).update(note="rewritten")
    with pytest.raises(ImmutableError):
        Release.objects.all().delete()
    assert Release.objects.get().note == NOTE


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ({"version": 0}, "release_version_positive"),
        ({"effective_at_offset": timedelta(seconds=-1)}, "release_effective_not_before_publish"),
    ],
)
def test_the_database_refuses_a_release_row_that_breaks_its_rules(db, change, constraint):
    from django.db import IntegrityError, transaction

    published_at = timezone.now()
    row = {
        "version": 1,
        "document": "{}",
        "sha256": sha256(b"{}"),
        "note": "n",
        "published_by_name": "",
        "published_at": published_at,
        "effective_at": published_at + change.pop("effective_at_offset", timedelta(0)),
    }
    row.update(change)
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Release.objects.create(**row)


def test_each_release_keeps_its_own_document_when_the_draft_moves_on(demo):
    before = release_publish(note="before")
    CreditRate.objects.filter(model__slug="veo-3").update(credits=Decimal(70))
    after = release_publish(note="after")

    def veo_credits(release):
        veo = next(m for m in json.loads(release.document)["models"] if m["slug"] == "veo-3")
        return veo["credit_rates"][0]["credits"]

    assert (veo_credits(before), veo_credits(after)) == ("60", "70")
    assert before.sha256 != after.sha256


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; CI runs this there")
@pytest.mark.django_db(transaction=True)
def test_two_publishes_at_once_get_two_distinct_versions(monkeypatch):
    from billingcfg.demo.load import demo_load

    demo_load()
    # Widen the window between choosing a version and storing it, so that
    # without the lock both publishers would choose the same one.
    hash_slowly = releases.sha256

    def slow_sha256(body):
        time.sleep(0.5)
        return hash_slowly(body)

    monkeypatch.setattr(releases, "sha256", slow_sha256)
    barrier = threading.Barrier(2)
    results, failures = [], []

    def publish(note):
        try:
            barrier.wait()
            results.append(release_publish(note=note).version)
        except Exception as failure:  # noqa: BLE001 - reported below
            failures.append(failure)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(f"at once {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sorted(results) == [1, 2]
    assert sorted(Release.objects.values_list("version", flat=True)) == [1, 2]


@pytest.mark.parametrize(
    ("version", "offset", "status"),
    [
        (2, timedelta(days=-1), "active"),
        (1, timedelta(days=-2), "superseded"),
        (3, timedelta(days=1), "scheduled"),
    ],
)
def test_a_release_is_active_scheduled_or_superseded(version, offset, status):
    at = timezone.now()
    assert releases.release_status(version=version, effective_at=at + offset, active_version=2, at=at) == status


def test_a_withdrawn_release_shows_as_withdrawn_whatever_its_time():
    at = timezone.now()
    assert (
        releases.release_status(version=2, effective_at=at - timedelta(days=1), active_version=2, at=at, withdrawn=True)
        == "withdrawn"
    )


# ---- withdrawing a scheduled release -----------------------------------------------------------


def test_a_withdrawn_scheduled_release_never_takes_effect_and_its_row_stays_as_published(demo, clock, publisher):
    current = release_publish(note="now")
    takes_effect = clock["now"] + timedelta(days=7)
    scheduled = release_publish(note="next week", effective_at=takes_effect)
    clock["now"] += timedelta(hours=1)

    withdrawal = releases.release_withdraw(
        version=scheduled.version, reason="  Prices agreed again next week  ", user=publisher
    )

    assert (withdrawal.withdrawn_by, withdrawal.withdrawn_by_name, withdrawal.withdrawn_at, withdrawal.reason) == (
        publisher,
        "publisher",
        clock["now"],
        "Prices agreed again next week",
    )
    clock["now"] = takes_effect + timedelta(days=1)
    assert active_release_get() == current
    assert active_release_get(at=takes_effect) == current
    stored = Release.objects.get(version=scheduled.version)
    assert (stored.document, stored.sha256, stored.effective_at) == (
        scheduled.document,
        scheduled.sha256,
        scheduled.effective_at,
    )
    with pytest.raises(ImmutableError):
        withdrawal.delete()


def test_the_database_refuses_a_withdrawal_without_a_reason(demo, clock):
    from django.db import IntegrityError, transaction

    scheduled = release_publish(note="next week", effective_at=clock["now"] + timedelta(days=7))

    with pytest.raises(IntegrityError, match="release_withdrawal_has_reason"), transaction.atomic():
        ReleaseWithdrawal.objects.create(release=scheduled, withdrawn_by_name="", withdrawn_at=clock["now"], reason="")


def test_a_release_in_force_cannot_be_withdrawn_and_nothing_is_written(demo, clock, publisher):
    current = release_publish(note="now")

    with pytest.raises(releases.WithdrawRefused, match="v1 took effect at .*cannot be withdrawn"):
        releases.release_withdraw(version=current.version, reason="oops", user=publisher)
    assert not ReleaseWithdrawal.objects.exists()


def test_a_scheduled_release_whose_time_has_come_cannot_be_withdrawn(demo, clock, publisher):
    scheduled = release_publish(note="tomorrow", effective_at=clock["now"] + timedelta(days=1))
    clock["now"] += timedelta(days=1)

    with pytest.raises(releases.WithdrawRefused, match="v1 took effect at"):
        releases.release_withdraw(version=scheduled.version, reason="too late", user=publisher)
    assert not ReleaseWithdrawal.objects.exists()


def test_a_release_is_withdrawn_once_and_a_withdrawal_needs_a_reason(demo, clock, publisher):
    scheduled = release_publish(note="tomorrow", effective_at=clock["now"] + timedelta(days=1))

    with pytest.raises(ValueError, match="needs a reason"):
        releases.release_withdraw(version=scheduled.version, reason=" ", user=publisher)
    releases.release_withdraw(version=scheduled.version, reason="first", user=publisher)
    with pytest.raises(releases.WithdrawRefused, match="v1 was withdrawn already, by publisher at .*: first"):
        releases.release_withdraw(version=scheduled.version, reason="second", user=publisher)
    assert list(ReleaseWithdrawal.objects.values_list("reason", flat=True)) == ["first"]


def test_publishing_before_a_scheduled_release_names_it(demo, clock):
    scheduled = release_publish(note="2030 prices", effective_at=clock["now"] + timedelta(days=200))
    now = release_publish(note="now")

    later = releases.releases_scheduled_after(at=now.effective_at)

    assert later == [scheduled]
    assert releases.later_release_warning(scheduled).startswith(
        f"v1 is scheduled to take effect at {releases.timestamp(scheduled.effective_at)}: from then on it "
        "replaces this release, and it does not have this release's changes. Withdraw v1"
    )


# ---- when a release may take effect --------------------------------------------------------------


def test_a_release_beyond_the_horizon_is_refused_naming_it(demo, clock):
    limit = clock["now"] + timedelta(days=730)

    with pytest.raises(
        releases.ScheduleRefused,
        match="beyond the scheduling horizon of 730 days "
        r"\(DJANGO_RELEASE_HORIZON_DAYS\): choose a time up to ",
    ):
        release_publish(note="far", effective_at=limit + timedelta(seconds=1))
    assert not Release.objects.exists()
    assert release_publish(note="just in", effective_at=limit).effective_at == limit


def test_the_horizon_is_a_setting(demo, clock, settings):
    settings.RELEASE_HORIZON_DAYS = 30

    with pytest.raises(releases.ScheduleRefused, match="horizon of 30 days"):
        release_publish(note="far", effective_at=clock["now"] + timedelta(days=31))


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-23:59", "9999-12-31T00:00:00+00:00"])
def test_the_end_of_time_is_beyond_the_horizon(demo, clock, moment):
    from datetime import datetime

    with pytest.raises(releases.ScheduleRefused, match="beyond the scheduling horizon of 730 days"):
        release_publish(note="forever", effective_at=datetime.fromisoformat(moment))
    assert not Release.objects.exists()


def test_two_releases_cannot_be_scheduled_for_the_same_instant(demo, clock, publisher):
    at = clock["now"] + timedelta(days=7)
    first = release_publish(note="first", effective_at=at)

    with pytest.raises(
        releases.ScheduleRefused,
        match=f"v1 is already scheduled to take effect at "
        f"{releases.timestamp(at)}; two releases cannot take effect "
        "at the same instant",
    ):
        release_publish(note="second", effective_at=at)
    assert list(Release.objects.values_list("version", flat=True)) == [1]

    releases.release_withdraw(version=first.version, reason="replaced by the second", user=publisher)
    assert release_publish(note="second", effective_at=at).version == 2
    clock["now"] = at
    assert active_release_get().version == 2
