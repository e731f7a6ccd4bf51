"""Reads of releases for the API, each one small query: the head of a release
(version, sha256, effective_at) without its document, the document text only
when the process does not hold it yet."""

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction

from billingcfg.release_models import Release, ReleaseProduct
from billingcfg.releases import services as releases

_HEAD = ("version", "sha256", "effective_at")


@dataclass(frozen=True, slots=True)
class ReleaseHead:
    version: int
    sha256: str
    effective_at: datetime

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'


def release_head_active(*, at: datetime | None = None) -> ReleaseHead | None:
    """The head of the release in force at `at` (default: now)."""
    row = Release.objects.effective(at or releases.now()).values_list(*_HEAD).first()
    return None if row is None else ReleaseHead(*row)


class _InForce:
    """The head of the release in force, as this process last read it: valid for
    RELEASE_CHECK_SECONDS and only between the time it was read for and the next
    scheduled release's effective_at. A publish or a withdrawal in this process forgets it at
    once (`forget_release_in_force`); other processes see it within the bound.

    Threads of one process may read at the same time: only a read that began
    after the one kept (and after the last forget) replaces it, so a slow read
    begun before a publish never overwrites a newer one."""

    lock = threading.Lock()
    head: ReleaseHead | None = None
    read_at: datetime | None = None
    next_at: datetime | None = None
    fresh_until = 0.0  # time.monotonic()
    began = float("-inf")  # time.monotonic() when the kept read began, or of the last forget


def forget_release_in_force() -> None:
    with _InForce.lock:
        _InForce.fresh_until = 0.0
        _InForce.began = time.monotonic()


def release_saved(**_signal) -> None:
    """A release or withdrawal row written in this process: forget the release in force now, and
    again when the write commits, so a read made in between (which still saw the
    old release) is not kept."""
    forget_release_in_force()
    transaction.on_commit(forget_release_in_force)


def release_head_in_force() -> ReleaseHead | None:
    """The head of the release in force now, read from the database at most once
    per RELEASE_CHECK_SECONDS per process (0 reads it on every request)."""
    at = releases.now()
    with _InForce.lock:
        if (
            _InForce.fresh_until > time.monotonic()
            and _InForce.read_at <= at
            and (_InForce.next_at is None or at < _InForce.next_at)
        ):
            return _InForce.head
    began = time.monotonic()
    head = release_head_active(at=at)
    next_at = (
        Release.objects.standing()
        .filter(effective_at__gt=at)
        .order_by("effective_at")
        .values_list("effective_at", flat=True)
        .first()
    )
    with _InForce.lock:
        if began >= _InForce.began:
            _InForce.head, _InForce.read_at, _InForce.next_at = head, at, next_at
            _InForce.began = began
            _InForce.fresh_until = began + settings.RELEASE_CHECK_SECONDS
    return head


def release_head_get(*, version: int) -> ReleaseHead | None:
    row = Release.objects.filter(version=version).values_list(*_HEAD).first()
    return None if row is None else ReleaseHead(*row)


def release_text_get(*, version: int) -> str:
    """A release's stored document: canonical JSON, exactly as served."""
    return Release.objects.filter(version=version).values_list("document", flat=True).get()


@dataclass(frozen=True, slots=True)
class ProductHead:
    """One product's document in a release, without its bytes: its ETag is its own sha256, which
    stays the same from release to release while the product's figures do."""

    version: int
    product: str
    sha256: str


def release_product_head_get(*, version: int, product: str) -> ProductHead | None:
    """The head of `product`'s document in release `version`: one query however many products."""
    sha = (
        ReleaseProduct.objects.filter(release__version=version, product=product)
        .values_list("sha256", flat=True)
        .first()
    )
    return None if sha is None else ProductHead(version, product, sha)


def release_product_slugs(*, version: int) -> list[str]:
    """The products release `version` holds a document of, by slug."""
    return list(
        ReleaseProduct.objects.filter(release__version=version).order_by("product").values_list("product", flat=True)
    )


def release_product_text_get(*, version: int, product: str) -> str:
    """A product's stored document in a release: canonical JSON, exactly as served."""
    return (
        ReleaseProduct.objects.filter(release__version=version, product=product)
        .values_list("document", flat=True)
        .get()
    )


def release_versions() -> list[int]:
    return list(Release.objects.order_by("version").values_list("version", flat=True))


def release_first_effective_at() -> datetime | None:
    return Release.objects.standing().order_by("effective_at").values_list("effective_at", flat=True).first()


_ROW = (
    "version",
    "note",
    "published_by_name",
    "published_at",
    "effective_at",
    "sha256",
    "withdrawal__withdrawn_by_name",
    "withdrawal__withdrawn_at",
    "withdrawal__reason",
)


def _release_row(row: dict, *, active_version: int | None, at: datetime) -> dict:
    """A row of `_ROW` values as the release list shows it: its withdrawal, if any, and its status at `at`."""
    withdrawal = {
        "withdrawn_by": row.pop("withdrawal__withdrawn_by_name"),
        "withdrawn_at": row.pop("withdrawal__withdrawn_at"),
        "reason": row.pop("withdrawal__reason"),
    }
    row["withdrawal"] = withdrawal if withdrawal["withdrawn_at"] is not None else None
    row["status"] = releases.release_status(
        version=row["version"],
        effective_at=row["effective_at"],
        active_version=active_version,
        at=at,
        withdrawn=row["withdrawal"] is not None,
    )
    row["published_by"] = row.pop("published_by_name")
    return row


def release_list(*, at: datetime | None = None) -> list[dict]:
    """Every release, newest version first, without documents, each with its status
    at `at`: active (in force), scheduled (takes effect later), superseded or
    withdrawn (with who withdrew it, when and why)."""
    at = at or releases.now()
    rows = list(Release.objects.order_by("-version").values(*_ROW))
    active = release_head_active(at=at)  # the one rule for what is in force (Release.objects.effective)
    return [_release_row(row, active_version=active and active.version, at=at) for row in rows]


def release_row(*, version: int, at: datetime | None = None) -> dict:
    """Release `version` as release_list shows it, in two small queries however many releases there are."""
    at = at or releases.now()
    row = Release.objects.filter(version=version).values(*_ROW).get()
    active = release_head_active(at=at)
    return _release_row(row, active_version=active and active.version, at=at)
