"""Files an import reads (spreadsheets, workbooks, price lists): the size limit
every import applies before reading a file, and where a file waits between its
preview and its confirmation. Importable without Django set up: the pure
price-list parser uses the size limit."""

import hashlib


def size_problem(size: int, *, name: str, limit: int | None = None) -> str | None:
    """Why a file of `size` bytes is refused, or None. `limit` defaults to the
    IMPORT_MAX_BYTES setting; `name` is how the message names the file."""
    if limit is None:
        from django.conf import settings

        limit = settings.IMPORT_MAX_BYTES
    if size <= limit:
        return None
    return f"{name} is {size:,} bytes; the largest file an import takes is {limit:,} bytes (IMPORT_MAX_BYTES)"


# ---- a file between its preview and its confirmation -----------------------------------------

# How long a previewed file waits for its confirmation.
WAIT_SECONDS = 3600


def _key(kind: str, digest: str) -> str:
    return f"upload:{kind}:{digest}"


def upload_keep(data: bytes, *, kind: str, **details) -> str:
    """Keep an uploaded file (and `details` such as its name) in the cache every
    app server shares, so the confirmation may reach any of them; returns its sha256."""
    from django.core.cache import cache

    digest = hashlib.sha256(data).hexdigest()
    cache.set(_key(kind, digest), {**details, "data": data}, WAIT_SECONDS)
    return digest


def upload_kept(digest: str, *, kind: str) -> dict | None:
    """The kept file with sha256 `digest` and its details, or None when it is gone or differs."""
    from django.core.cache import cache

    kept = cache.get(_key(kind, digest)) if digest else None
    if kept is None or hashlib.sha256(kept["data"]).hexdigest() != digest:
        return None
    return kept


def upload_forget(digest: str, *, kind: str) -> None:
    """Once confirmed, a file cannot be confirmed again."""
    from django.core.cache import cache

    cache.delete(_key(kind, digest))
