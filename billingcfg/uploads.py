"""Files an import reads (spreadsheets, workbooks, price lists): the size limit
every import applies before reading a file. Importable without Django set up:
the pure price-list parser uses it too."""


def size_problem(size: int, *, name: str, limit: int | None = None) -> str | None:
    """Why a file of `size` bytes is refused, or None. `limit` defaults to the
    IMPORT_MAX_BYTES setting; `name` is how the message names the file."""
    if limit is None:
        from django.conf import settings

        limit = settings.IMPORT_MAX_BYTES
    if size <= limit:
        return None
    return f"{name} is {size:,} bytes; the largest file an import takes is {limit:,} bytes (IMPORT_MAX_BYTES)"
