"""Reads of releases for the API, each one small query: the head of a release
(version, sha256, effective_at) without its document, the document text only
when the process does not hold it yet."""

from dataclasses import dataclass
from datetime import datetime

from billingcfg import releases
from billingcfg.release_models import Release

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


def release_head_get(*, version: int) -> ReleaseHead | None:
    row = Release.objects.filter(version=version).values_list(*_HEAD).first()
    return None if row is None else ReleaseHead(*row)


def release_text_get(*, version: int) -> str:
    """A release's stored document: canonical JSON, exactly as served."""
    return Release.objects.filter(version=version).values_list("document", flat=True).get()


def release_versions() -> list[int]:
    return list(Release.objects.order_by("version").values_list("version", flat=True))


def release_first_effective_at() -> datetime | None:
    return Release.objects.order_by("effective_at").values_list("effective_at", flat=True).first()


def release_list(*, at: datetime | None = None) -> list[dict]:
    """Every release, newest version first, without documents, each with its status
    at `at`: active (in force), scheduled (takes effect later) or superseded."""
    at = at or releases.now()
    rows = list(Release.objects.order_by("-version").values(
        "version", "note", "published_by_name", "published_at", "effective_at", "sha256"))
    in_force = [row for row in rows if row["effective_at"] <= at]
    active = max(in_force, key=lambda row: (row["effective_at"], row["version"]), default=None)
    for row in rows:
        if row["effective_at"] > at:
            row["status"] = "scheduled"
        elif row is active:
            row["status"] = "active"
        else:
            row["status"] = "superseded"
        row["published_by"] = row.pop("published_by_name")
    return rows
