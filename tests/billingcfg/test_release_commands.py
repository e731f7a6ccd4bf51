"""`manage.py publish`, `create_api_key` and `restore_release`: what they print,
what they store, and their exit codes."""

import hashlib
import io
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, base, call_command
from django.core.management.base import BaseCommand

from billingcfg.management.commands import create_api_key, publish, restore_release
from billingcfg.release_models import ApiKey, Release
from billingcfg.releases import services as releases
from billingcfg.releases.services import release_publish
from rates.models import AIModel, CreditRate, Meter
from tests import factories

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    current = {"now": NOW}
    monkeypatch.setattr(releases, "now", lambda: current["now"])
    return current


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def shell(monkeypatch):
    """Commands run as from a shell, whose closing of every database connection
    at exit would end the test's transaction early: kept open here."""
    monkeypatch.setattr(base, "connections", SimpleNamespace(close_all=lambda: None))


def exit_code(command: BaseCommand, *args: str, capsys) -> tuple[int, str, str]:
    """Run as `manage.py` runs it from a shell: the exit status, stdout and stderr."""
    try:
        command.run_from_argv(["manage.py", "command", *args])
    except SystemExit as exit:
        code = exit.code
    else:
        code = 0
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def set_sora_credits(credits: str) -> None:
    rate = CreditRate.objects.get(model__slug="sora-2", meter__slug="seconds")
    rate.credits = Decimal(credits)
    rate.save()


def add_rate_without_cost() -> None:
    frames = factories.meter(slug="upscaled-frames", name="Upscaled frames", unit="frame")
    factories.credit_rate(model=AIModel.objects.get(slug="sora-2"), meter=frames, credits=Decimal("5"))


RATE_WITHOUT_COST = (
    "  product 'video', credit rate sora-2 / all variants / upscaled-frames [rate_without_cost]: product 'video': "
    "credit rate sora-2 / all variants / upscaled-frames: charges credits for upscaled-frames on 720p, but no "
    "provider cost from openai for upscaled-frames is known there, so that usage would cost 0; add the cost, cost "
    "the rate on another supplier, or deactivate the rate"
)


# ---- publish ---------------------------------------------------------------------------------


def test_publish_prints_the_version_effective_time_and_sha256(demo, clock):
    out, _ = run("publish", "--note", "Per-second video pricing")

    release = Release.objects.get()
    assert out == f"Published v1, effective 2026-11-23 09:30 UTC, sha256 {release.sha256}\n"
    assert (release.note, release.published_by, release.effective_at) == ("Per-second video pricing", None, NOW)


def test_publish_at_a_later_time_schedules_the_release(demo, clock):
    run("publish", "--note", "first")

    out, _ = run("publish", "--note", "December prices", "--at", "2026-12-01T00:00Z")

    scheduled = Release.objects.get(version=2)
    assert scheduled.effective_at == datetime(2026, 12, 1, tzinfo=UTC)
    assert out.startswith("Published v2, effective 2026-12-01 00:00 UTC, sha256 ")
    assert releases.active_release_get().version == 1


def test_publish_records_the_named_user(demo, clock, django_user_model):
    user = django_user_model.objects.create_user("ops")

    run("publish", "--note", "first", "--user", "ops")

    assert (Release.objects.get().published_by, Release.objects.get().published_by_name) == (user, "ops")


def test_publish_refused_prints_each_problem_and_exits_non_zero(demo, clock, shell, capsys):
    add_rate_without_cost()

    code, out, err = exit_code(publish.Command(), "--note", "will not go out", capsys=capsys)

    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "Problems that block publishing (1):",
        RATE_WITHOUT_COST,
        "CommandError: publishing refused: 1 problem to fix first; nothing was published",
    ]
    assert not Release.objects.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "--note is required: say what changed and why"),
        (("--note", " "), "--note is required: say what changed and why"),
        (
            ("--note", "late", "--at", "2026-11-01T00:00Z"),
            "a release cannot take effect in the past (2026-11-01T00:00:00Z); choose now or a later time",
        ),
        (
            ("--note", "typo", "--at", "next tuesday"),
            "Error: argument --at: 'next tuesday' is not an ISO 8601 date-time; write e.g. 2026-12-01T00:00Z",
        ),
        (("--note", "who", "--user", "nobody"), "there is no user 'nobody'"),
        (
            ("--note", "far", "--at", "2028-11-23T09:30:01Z"),
            "2028-11-23T09:30:01Z is beyond the scheduling horizon of 730 days (DJANGO_RELEASE_HORIZON_DAYS): choose a "
            "time up to 2028-11-22T09:30:00Z",
        ),
        (
            ("--note", "forever", "--at", "9999-12-31T23:59:59-23:59"),
            "that time is beyond the scheduling horizon of 730 days (DJANGO_RELEASE_HORIZON_DAYS): choose a time up to "
            "2028-11-22T09:30:00Z",
        ),
    ],
)
def test_publish_refuses_bad_arguments_and_writes_nothing(demo, clock, args, message):
    with pytest.raises(CommandError) as refused:
        run("publish", *args)

    assert str(refused.value) == message
    assert not Release.objects.exists()


def test_publish_refuses_a_second_release_at_a_scheduled_instant(demo, clock):
    run("publish", "--note", "December prices", "--at", "2026-12-01T00:00Z")

    with pytest.raises(CommandError) as refused:
        run("publish", "--note", "also December", "--at", "2026-12-01T01:00+01:00")

    assert str(refused.value) == (
        "v1 is already scheduled to take effect at 2026-12-01T00:00:00Z; two releases "
        "cannot take effect at the same instant: choose another time, or withdraw v1 first"
    )
    assert Release.objects.count() == 1


def test_publish_now_before_a_scheduled_release_warns_naming_it(demo, clock):
    run("publish", "--note", "December prices", "--at", "2026-12-01T00:00Z")

    dry, _ = run("publish", "--dry-run")
    out, err = run("publish", "--note", "now")

    warning = (
        "v1 is scheduled to take effect at 2026-12-01T00:00:00Z: from then on it replaces this release, and it "
        "does not have this release's changes. Withdraw v1 if this release should stay in force; otherwise "
        "publish these changes again, scheduled after it."
    )
    assert f"Scheduled: {warning}" in dry.splitlines()
    assert out.startswith("Published v2, effective 2026-11-23 09:30 UTC")
    assert err == f"Warning: {warning}\n"


def test_dry_run_prints_validation_and_each_products_price_changes_and_publishes_nothing(demo, clock, settings):
    settings.COST_STALE_DAYS = 3650  # the demo's costs are dated early 2026: no stale-cost warnings here
    release_publish(note="Per-second video pricing")
    set_sora_credits("12")

    out, _ = run("publish", "--dry-run")

    lines = out.splitlines()
    assert lines[0] == (
        "Draft compared with the active release v1 (effective 2026-11-23 09:30 UTC): Per-second video pricing"
    )
    assert lines[1] == "Problems that block publishing: none."
    assert lines[2] == "Warnings (6):"
    assert (
        "  product 'video', price wan-2-1 / 720p / seconds [loss]: product 'video': price wan-2-1 / 720p / seconds: "
        "loses money at the lowest revenue per credit (gross margin −39.7%); gross margin 0.0% at the fixed revenue "
        "per credit (0.05 USD)"
    ) in lines
    assert lines[-7:] == [
        "Changes: 0 added, 0 removed, 1 changed.",
        "Product video (Video credits; credits in USD, target 75.0%): prices (1):",
        "  sora-2 / 720p: credits 80 → 96 (+20.0%); gross margin at lowest 72.1% → 76.7%, at basis 80.0% → 83.3%",
        "Product coaching (Coaching minutes; minutes in TWD, target 40.0%–50.0%): no price changes.",
        "Product sora-prompts (Sora-2Ai prompts; points in PTS, target 75.0%): no price changes.",
        "Product dev-flows (Developer flows; credits in USD, target 75.0%): no price changes.",
        "Dry run: nothing was published.",
    ]
    assert Release.objects.count() == 1


def test_dry_run_names_a_product_new_since_the_active_release_and_its_price_at_its_own_credit(demo, clock, settings):
    settings.COST_STALE_DAYS = 3650
    release_publish(note="Per-second video pricing")
    podcast = factories.product(slug="podcast", name="Podcast minutes", credit_name="minutes", sort_order=9)
    factories.credit_pack(product=podcast, price=Decimal("10"), credits=100)  # 0.10 USD a minute
    factories.credit_rate(
        product=podcast,
        model=AIModel.objects.get(slug="sora-2"),
        meter=Meter.objects.get(slug="seconds"),
        credits=4,
        default_quantity=Decimal(8),
    )

    out, _ = run("publish", "--dry-run")

    lines = out.splitlines()
    assert lines[-4:] == [
        "Product dev-flows (Developer flows; credits in USD, target 75.0%): no price changes.",
        "Product podcast (Podcast minutes; minutes in USD, target 75.0%): new in this release; prices (1):",
        "  sora-2 / 720p: credits — → 32; gross margin at lowest — → 75.0%, at basis — → 75.0%",
        "Dry run: nothing was published.",
    ]


def test_dry_run_of_a_blocked_draft_exits_non_zero(demo, clock, shell, capsys):
    add_rate_without_cost()

    code, out, err = exit_code(publish.Command(), "--dry-run", capsys=capsys)

    assert code == 1
    assert out.splitlines()[:3] == [
        "No release yet: everything in the draft is new.",
        "Problems that block publishing (1):",
        RATE_WITHOUT_COST,
    ]
    assert err == "CommandError: dry run: publishing would be refused (1 problem); nothing was published\n"
    assert not Release.objects.exists()


# ---- create_api_key --------------------------------------------------------------------------


def test_create_api_key_prints_the_key_once_then_its_prefix(db):
    out, _ = run(
        "create_api_key", "checkout service", "--all-products", "--scope", "config:read", "--scope", "draft:read"
    )

    key, note = out.splitlines()
    stored = ApiKey.objects.get()
    assert key.startswith(f"{stored.prefix}.")
    assert stored.hashed_key == hashlib.sha256(key.encode()).hexdigest()
    assert (stored.name, stored.scopes) == ("checkout service", ["config:read", "draft:read"])
    assert note == (
        f"prefix {stored.prefix}, scopes config:read, draft:read, reads all products. "
        "Copy the key above now: it is not stored and cannot be shown again."
    )
    assert out.count(key) == 1


def test_create_api_key_reads_the_configuration_of_the_products_named(db):
    factories.product(slug="video")
    factories.product(slug="coaching")

    out, _ = run("create_api_key", "video backend", "--product", "video")

    stored = ApiKey.objects.get()
    assert (stored.scopes, stored.all_products) == (["config:read"], False)
    assert list(stored.products.values_list("slug", flat=True)) == ["video"]
    assert out.splitlines()[1].endswith(
        "scopes config:read, reads products video. Copy the key above now: it is not stored and cannot be shown again."
    )


def test_create_api_key_refuses_an_unknown_product_or_none(db, shell, capsys):
    factories.product(slug="video")

    unknown = exit_code(create_api_key.Command(), "backend", "--product", "podcast", capsys=capsys)
    none = exit_code(create_api_key.Command(), "backend", capsys=capsys)

    assert unknown[0] == none[0] == 1
    assert unknown[2] == "CommandError: products: no product 'podcast'; products are: video\n"
    assert none[2].startswith("CommandError: products: choose the products the key may read, or 'all products'")
    assert not ApiKey.objects.exists()


def test_create_api_key_refuses_an_unknown_scope(db, shell, capsys):
    code, out, err = exit_code(create_api_key.Command(), "reports", "--scope", "admin", capsys=capsys)

    assert code == 2
    assert "argument --scope: invalid choice: 'admin' (choose from 'config:read', 'draft:read')" in err
    assert not ApiKey.objects.exists()


# ---- restore_release -------------------------------------------------------------------------


def test_restore_release_loads_it_into_the_draft(demo, clock):
    release_publish(note="Per-second video pricing")
    set_sora_credits("12")
    release_publish(note="Sora 2 up to 12 credits a second")

    out, _ = run("restore_release", "1")

    assert out.splitlines() == [
        "Restored v1 into the draft: credit rates: 1 updated.",
        "Review it with `python manage.py publish --dry-run`, then publish.",
    ]
    assert CreditRate.objects.get(model__slug="sora-2", meter__slug="seconds").credits == Decimal("10")
    assert Release.objects.count() == 2


def test_restore_of_an_unknown_version_exits_non_zero(demo, clock, shell, capsys):
    release_publish(note="Per-second video pricing")

    code, _, err = exit_code(restore_release.Command(), "7", capsys=capsys)

    assert code == 1
    # The rest of the message (which versions exist) is billingcfg.releases.restore's.
    assert err.startswith("CommandError: v7 was not restored and the draft is unchanged: there is no release v7")


# ---- withdraw_release ------------------------------------------------------------------------


def test_withdraw_release_withdraws_a_scheduled_release(demo, clock, django_user_model):
    from billingcfg.release_models import ReleaseWithdrawal

    release_publish(note="Per-second video pricing")
    release_publish(note="December prices", effective_at=datetime(2026, 12, 1, tzinfo=UTC))
    factories.staff_in("publisher")

    out, _ = run("withdraw_release", "2", "--reason", "December stays as it is", "--user", "publisher")

    assert out == "Withdrew v2 (scheduled for 2026-12-01 00:00 UTC): it will not take effect; v1 stays in force.\n"
    withdrawal = ReleaseWithdrawal.objects.get()
    assert (withdrawal.release.version, withdrawal.withdrawn_by_name, withdrawal.reason) == (
        2,
        "publisher",
        "December stays as it is",
    )
    clock["now"] = datetime(2026, 12, 2, tzinfo=UTC)
    assert releases.active_release_get().version == 1


def test_withdraw_release_without_a_user_records_none(demo, clock):
    """As `publish` without --user: the documented usage, `withdraw_release VERSION --reason "…"`."""
    from billingcfg.release_models import ReleaseWithdrawal

    release_publish(note="December prices", effective_at=datetime(2026, 12, 1, tzinfo=UTC))

    out, _ = run("withdraw_release", "1", "--reason", "December stays as it is")

    assert out == "Withdrew v1 (scheduled for 2026-12-01 00:00 UTC): it will not take effect.\n"
    withdrawal = ReleaseWithdrawal.objects.get()
    assert (withdrawal.withdrawn_by, withdrawal.withdrawn_by_name, withdrawal.reason) == (
        None,
        "",
        "December stays as it is",
    )
    with pytest.raises(CommandError) as refused:
        run("withdraw_release", "1", "--reason", "again")
    assert str(refused.value) == (
        "v1 was not withdrawn: v1 was withdrawn already, by a command at 2026-11-23T09:30:00Z: December stays as it is"
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("1", "--reason", "oops"),
            "v1 was not withdrawn: v1 took effect at 2026-11-23T09:30:00Z: a release that has "
            "been in force cannot be withdrawn. Publish a new release instead (restore an "
            "earlier one into the draft first to go back to it).",
        ),
        (("2",), "v2 was not withdrawn: a withdrawal needs a reason saying why"),
        (("7", "--reason", "typo"), "v7 was not withdrawn: there is no release v7: releases run from v1 to v2"),
        (
            ("2", "--reason", "no", "--user", "editor"),
            "v2 was not withdrawn: withdrawing a release needs the permission to publish releases (the publisher role)",
        ),
    ],
)
def test_withdraw_release_refuses_and_writes_nothing(demo, clock, args, message):
    from billingcfg.release_models import ReleaseWithdrawal

    release_publish(note="Per-second video pricing")
    release_publish(note="December prices", effective_at=datetime(2026, 12, 1, tzinfo=UTC))
    factories.staff_in("editor")

    with pytest.raises(CommandError) as refused:
        run("withdraw_release", *args)

    assert str(refused.value) == message
    assert not ReleaseWithdrawal.objects.exists()
