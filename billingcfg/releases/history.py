"""What the draft's history records besides who and when: the reason for a change."""

# django-simple-history's history_change_reason column holds 100 characters.
REASON_MAX_LENGTH = 100


def change_reason(text: str) -> str:
    """`text` as a history reason: cut to the column's length with an ellipsis
    (a long file name would otherwise fail the whole import on PostgreSQL)."""
    text = " ".join(text.split())
    return text if len(text) <= REASON_MAX_LENGTH else text[: REASON_MAX_LENGTH - 1] + "…"
