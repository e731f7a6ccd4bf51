"""How many messages an answer lists (an import's preview and report, the API's errors):
the first MESSAGES_SHOWN, then how many more there are, so that an answer's size does not
grow with what a caller sends (a sheet of 100,000 bad rows is refused in a page, not in
megabytes). Pure: no Django."""

from collections.abc import Sequence

MESSAGES_SHOWN = 100


def first_and_rest[T](items: Sequence[T], shown: int = MESSAGES_SHOWN) -> tuple[list[T], int]:
    """The first `shown` items and how many more there are."""
    return list(items[:shown]), max(len(items) - shown, 0)
