"""Releases: publish the draft as an immutable, versioned document; find the one
in force at a time. Services (writes) and selectors (reads) for the admin, the
API and the management commands."""

import json
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from billingcfg.document import canonical_bytes, draft_configuration, sha256, timestamp, with_margins
from billingcfg.document import catalogue_from_document
from billingcfg.models import PricingPolicy
from billingcfg.release_models import Release


def now() -> datetime:
    """The clock every release decision reads; tests replace it."""
    return timezone.now()


class PublishRefused(Exception):
    """The draft has blocking problems; `validation` lists each with its row and rule."""

    def __init__(self, validation):
        self.validation = validation
        count = len(validation.errors)
        super().__init__(f"publishing refused: {count} problem{'s' if count != 1 else ''} to fix first: "
                         + "; ".join(problem.message for problem in validation.errors))


class DraftChanged(Exception):
    """The draft is not the one the publisher reviewed: someone saved a change since."""

    def __init__(self, *, reviewed: str, current: str):
        self.reviewed, self.current = reviewed, current
        super().__init__(f"the draft changed since you read it (sha256 {reviewed}, now {current})")


@dataclass(frozen=True)
class DraftCheck:
    """The draft's document (with margins) and its validation: what the Publish page shows."""

    document: dict
    validation: object


def draft_check(*, at: datetime | None = None, configuration: dict | None = None) -> DraftCheck:
    """The draft (or `configuration`) as a document with margins at `at`'s exchange rates, and its validation."""
    from billingcfg.validation import validate_catalogue

    on = (at or now()).date()
    document = with_margins(draft_configuration() if configuration is None else configuration, on=on)
    return DraftCheck(document=document, validation=validate_catalogue(catalogue_from_document(document), on=on))


def draft_sha256(document: dict) -> str:
    """What a publisher reviewed: the sha256 of the draft document's canonical bytes (GET /api/v1/draft/'s ETag)."""
    return sha256(canonical_bytes(document))


@transaction.atomic
def release_publish(*, note: str, user=None, effective_at: datetime | None = None,
                    reviewed_sha256: str | None = None) -> Release:
    """Validate the draft, build its document and store it as the next version.
    Publishers are serialised on the policy row, so two at once get two versions
    and each document is the draft as one transaction saw it. With
    `reviewed_sha256` (the draft document the publisher reviewed, as of today),
    a draft changed since is refused with DraftChanged, under the same lock."""
    note = (note or "").strip()
    if not note:
        raise ValueError("a release needs a note saying what changed")
    PricingPolicy.objects.select_for_update().first()
    published_at = now()
    effective_at = effective_at or published_at
    if effective_at < published_at:
        raise ValueError(f"a release cannot take effect in the past ({timestamp(effective_at)}); "
                         "choose now or a later time")
    configuration = draft_configuration()
    check = draft_check(at=effective_at, configuration=configuration)
    if reviewed_sha256 is not None:
        shown = check if effective_at.date() == published_at.date() else draft_check(
            at=published_at, configuration=configuration)
        current = draft_sha256(shown.document)
        if current != reviewed_sha256:
            raise DraftChanged(reviewed=reviewed_sha256, current=current)
    if not check.validation.ok:
        raise PublishRefused(check.validation)
    version = (Release.objects.aggregate(latest=Max("version"))["latest"] or 0) + 1
    who = "" if user is None else user.get_username()
    document = {
        "release": {"version": version, "note": note, "published_by": who,
                    "published_at": timestamp(published_at), "effective_at": timestamp(effective_at)},
        **check.document,
    }
    body = canonical_bytes(document)
    return Release.objects.create(
        version=version, document=body.decode(), sha256=sha256(body), note=note,
        published_by=user if user is not None and user.pk else None, published_by_name=who,
        published_at=published_at, effective_at=effective_at,
    )


ACTIVE, SCHEDULED, SUPERSEDED = "active", "scheduled", "superseded"


def release_status(*, version: int, effective_at: datetime, active_version: int | None, at: datetime) -> str:
    """active: the release in force at `at`; scheduled: takes effect later; superseded: replaced."""
    if version == active_version:
        return ACTIVE
    return SCHEDULED if effective_at > at else SUPERSEDED


def active_release_get(*, at: datetime | None = None) -> Release | None:
    """The release in force at `at` (default: now): the newest whose effective_at has passed."""
    return Release.objects.effective(at or now()).first()


def release_get(*, version: int) -> Release | None:
    return Release.objects.filter(version=version).first()


def release_document(release: Release) -> dict:
    return json.loads(release.document)
