"""Releases: publish the draft as an immutable, versioned document; find the one
in force at a time. Services (writes) and selectors (reads) for the admin, the
API and the management commands."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from billingcfg.models import Product
from billingcfg.release_models import Release, ReleaseProduct, ReleaseWithdrawal
from billingcfg.releases.document import (
    canonical_bytes,
    draft_configuration,
    products_priced,
    sha256,
    timestamp,
    upgraded,
    whole_configuration,
)
from pricing.diff import document_diff

PUBLISH_PERMISSION = "billingcfg.publish_release"


def now() -> datetime:
    """The clock every release decision reads; tests replace it."""
    return timezone.now()


class PublishRefused(Exception):
    """The draft has blocking problems; `validation` lists each with its row and rule."""

    def __init__(self, validation):
        self.validation = validation
        count = len(validation.errors)
        super().__init__(
            f"publishing refused: {count} problem{'s' if count != 1 else ''} to fix first: "
            + "; ".join(problem.message for problem in validation.errors)
        )


class DraftChanged(Exception):
    """The draft is not the one the publisher reviewed: someone saved a change since."""

    def __init__(self, *, reviewed: str, current: str):
        self.reviewed, self.current = reviewed, current
        super().__init__(f"the draft changed since you read it (sha256 {reviewed}, now {current})")


class ScheduleRefused(ValueError):
    """When a release would take effect is refused: in the past, beyond the horizon, or another's instant."""


class WithdrawRefused(ValueError):
    """The release cannot be withdrawn: it has been in force, or was withdrawn already."""


@dataclass(frozen=True)
class Documents:
    """A configuration as a whole (every product's rows, no margins) and each product's
    document (its part, with its margins), by product slug: one side of a diff."""

    document: dict
    products: dict[str, dict]


@dataclass(frozen=True)
class DraftCheck(Documents):
    """The draft's documents and their validation: what the Publish page shows."""

    validation: object = None


def draft_check(*, at: datetime | None = None, configuration: dict | None = None) -> DraftCheck:
    """The draft (or `configuration`) with each product's margins at `at`'s exchange
    rates, and its validation (costs older than COST_STALE_DAYS warned of)."""
    from pricing.validation import validate_products

    on = (at or now()).date()
    configuration = draft_configuration() if configuration is None else configuration
    catalogue, priced = products_priced(configuration, on=on)
    validation = validate_products(
        catalogue,
        on=on,
        stale_after_days=settings.COST_STALE_DAYS,
        priced={slug: (part.catalogue, part.report) for slug, part in priced.items()},
    )
    products = {slug: part.document for slug, part in priced.items()}
    return DraftCheck(document=configuration, products=products, validation=validation)


def draft_sha256(document: dict) -> str:
    """What a publisher reviewed: the sha256 of the draft configuration's canonical bytes."""
    return sha256(canonical_bytes(document))


def configuration_diff(old: Documents | None, new: Documents) -> dict:
    """`old` → `new`: every entity added, removed or changed (products, shared tables and
    each product's rows), and each product's price table, changed price rows and margin
    warnings at its own credit, each tagged with its product."""
    diff = document_diff(old.document if old else {}, new.document)
    for key in ("prices", "rows", "warnings"):
        diff[key] = []
    slugs = dict.fromkeys((*new.products, *(old.products if old else ())))
    for slug in slugs:
        part = document_diff((old.products.get(slug) if old else None) or {}, new.products.get(slug) or {})
        for key in ("prices", "rows", "warnings"):
            diff[key].extend({**item, "product": slug} for item in part[key])
    return diff


def _schedule_check(effective_at: datetime, *, published_at: datetime) -> datetime:
    """`effective_at` in UTC, or ScheduleRefused naming the rule: not in the past, within
    RELEASE_HORIZON_DAYS, and not the instant another standing release takes effect
    (which of two would be in force must never be a tie)."""
    horizon = settings.RELEASE_HORIZON_DAYS
    limit = published_at + timedelta(days=horizon)
    try:
        effective_at = effective_at.astimezone(UTC)
    except OverflowError:  # beyond year 9999 once in UTC
        effective_at = None
    if effective_at is None or effective_at > limit:
        shown = "that time" if effective_at is None else timestamp(effective_at)
        raise ScheduleRefused(
            f"{shown} is beyond the scheduling horizon of {horizon} days "
            f"(DJANGO_RELEASE_HORIZON_DAYS): choose a time up to {timestamp(limit)}"
        )
    if effective_at < published_at:
        raise ScheduleRefused(
            f"a release cannot take effect in the past ({timestamp(effective_at)}); choose now or a later time"
        )
    if effective_at > published_at:
        same = Release.objects.standing().filter(effective_at=effective_at).order_by("version").first()
        if same is not None:
            raise ScheduleRefused(
                f"{same} is already scheduled to take effect at {timestamp(effective_at)}; two "
                f"releases cannot take effect at the same instant: choose another time, or "
                f"withdraw {same} first"
            )
    return effective_at


@transaction.atomic
def release_publish(
    *, note: str, user=None, effective_at: datetime | None = None, reviewed_sha256: str | None = None
) -> Release:
    """Validate the draft, build its document and store it as the next version.
    Publishers are serialised on the policy row, so two at once get two versions
    and each document is the draft as one transaction saw it. With
    `reviewed_sha256` (the draft document the publisher reviewed, as of today),
    a draft changed since is refused with DraftChanged, under the same lock.
    When it takes effect is refused with ScheduleRefused (see _schedule_check)."""
    note = (note or "").strip()
    if not note:
        raise ValueError("a release needs a note saying what changed")
    _lock_publishing()
    published_at = now()
    effective_at = published_at if effective_at is None else _schedule_check(effective_at, published_at=published_at)
    configuration = draft_configuration()
    check = draft_check(at=effective_at, configuration=configuration)
    if reviewed_sha256 is not None:
        shown = (
            check
            if effective_at.date() == published_at.date()
            else draft_check(at=published_at, configuration=configuration)
        )
        current = draft_sha256(shown.document)
        if current != reviewed_sha256:
            raise DraftChanged(reviewed=reviewed_sha256, current=current)
    if not check.validation.ok:
        raise PublishRefused(check.validation)
    version = (Release.objects.aggregate(latest=Max("version"))["latest"] or 0) + 1
    who = "" if user is None else user.get_username()
    document = {
        "release": {
            "version": version,
            "note": note,
            "published_by": who,
            "published_at": timestamp(published_at),
            "effective_at": timestamp(effective_at),
        },
        **check.document,
    }
    body = canonical_bytes(document)
    release = Release.objects.create(
        version=version,
        document=body.decode(),
        sha256=sha256(body),
        note=note,
        published_by=user if user is not None and user.pk else None,
        published_by_name=who,
        published_at=published_at,
        effective_at=effective_at,
    )
    parts = []
    for slug, part in check.products.items():
        part_body = canonical_bytes(part)
        parts.append(
            ReleaseProduct(release=release, product=slug, document=part_body.decode(), sha256=sha256(part_body))
        )
    ReleaseProduct.objects.bulk_create(parts)
    return release


def _lock_publishing() -> None:
    """Publishers and withdrawers queue on the product rows (every one, in one order): two
    publishes at once get two versions, each of the draft as one transaction saw it."""
    list(Product.objects.select_for_update().order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def release_withdraw(*, version: int, reason: str, user=None) -> ReleaseWithdrawal:
    """Withdraw a scheduled release before it takes effect: it is then never in force,
    at any time. Serialised with publishing on the policy row, so the clock read
    here comes after any publish under way. Release.DoesNotExist for an unknown
    version; WithdrawRefused when it has taken effect or was withdrawn already;
    PermissionDenied for a user who may not publish."""
    if user is not None and not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("withdrawing a release needs the permission to publish releases (the publisher role)")
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a withdrawal needs a reason saying why")
    _lock_publishing()
    release = release_named(version=version)
    moment = now()
    problem = withdraw_problem(release, at=moment)
    if problem is not None:
        raise WithdrawRefused(problem)
    who = "" if user is None else user.get_username()
    withdrawal = ReleaseWithdrawal(
        release=release,
        withdrawn_by=user if user is not None and user.pk else None,
        withdrawn_by_name=who,
        withdrawn_at=moment,
        reason=reason,
    )
    # A command run without --user withdraws as nobody: the name stays blank, as a release it publishes does.
    withdrawal.full_clean(exclude=None if who else ["withdrawn_by_name"])
    withdrawal.save()
    return withdrawal


def withdraw_problem(release: Release, *, at: datetime) -> str | None:
    """Why `release` cannot be withdrawn at `at` (it has taken effect, or was withdrawn), or None."""
    withdrawn = ReleaseWithdrawal.objects.filter(release=release).first()
    if withdrawn is not None:
        return (
            f"{release} was withdrawn already, by {withdrawn.withdrawn_by_name or 'a command'} at "
            f"{timestamp(withdrawn.withdrawn_at)}: {withdrawn.reason}"
        )
    if release.effective_at <= at:
        return (
            f"{release} took effect at {timestamp(release.effective_at)}: a release that has been in force "
            "cannot be withdrawn. Publish a new release instead (restore an earlier one into the draft first "
            "to go back to it)."
        )
    return None


def later_release_warning(later: Release) -> str:
    """What publishing before a scheduled release means: once `later` takes effect, what is
    published now is replaced by a document made without its changes."""
    return (
        f"{later} is scheduled to take effect at {timestamp(later.effective_at)}: from then on it replaces "
        f"this release, and it does not have this release's changes. Withdraw {later} if this release "
        "should stay in force; otherwise publish these changes again, scheduled after it."
    )


def releases_scheduled_after(*, at: datetime) -> list[Release]:
    """Standing releases that take effect after `at`, soonest first."""
    return list(Release.objects.standing().filter(effective_at__gt=at).order_by("effective_at", "version"))


ACTIVE, SCHEDULED, SUPERSEDED, WITHDRAWN = "active", "scheduled", "superseded", "withdrawn"


def release_status(
    *, version: int, effective_at: datetime, active_version: int | None, at: datetime, withdrawn: bool = False
) -> str:
    """active: the release in force at `at`; scheduled: takes effect later; superseded: replaced;
    withdrawn: taken back before it took effect, never in force."""
    if withdrawn:
        return WITHDRAWN
    if version == active_version:
        return ACTIVE
    return SCHEDULED if effective_at > at else SUPERSEDED


def active_release_get(*, at: datetime | None = None) -> Release | None:
    """The release in force at `at` (default: now): the newest standing one whose effective_at has passed."""
    return Release.objects.effective(at or now()).first()


def release_get(*, version: int) -> Release | None:
    return Release.objects.filter(version=version).first()


def release_previous_get(*, version: int) -> Release | None:
    """The standing release before `version`: what a release changed is against it (a withdrawn one was never in
    force, so it is skipped)."""
    return Release.objects.standing().filter(version__lt=version).order_by("-version").first()


def release_named(*, version: int) -> Release:
    """Release `version`, or Release.DoesNotExist saying which versions there are."""
    release = release_get(version=version)
    if release is None:
        versions = list(Release.objects.order_by("version").values_list("version", flat=True))
        if not versions:
            known = "nothing is published yet"
        elif len(versions) == 1:
            known = f"the only release is v{versions[0]}"
        else:
            known = f"releases run from v{versions[0]} to v{versions[-1]}"
        raise Release.DoesNotExist(f"there is no release v{version}: {known}")
    return release


def release_document(release: Release) -> dict:
    """A release's whole configuration (a release from before products: its one product's)."""
    return whole_configuration(json.loads(release.document))


def release_documents(release: Release) -> Documents:
    """A release's whole configuration and each product's document, as published."""
    parts = {
        slug: upgraded(json.loads(text))
        for slug, text in ReleaseProduct.objects.filter(release=release).values_list("product", "document")
    }
    header = json.loads(release.document).get("release")
    whole = release_document(release)
    if header is not None:
        whole = {"release": header, **whole}
    return Documents(document=whole, products=parts)
