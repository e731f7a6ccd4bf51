"""Parsing of quantity lists such as the allowed video durations "4, 8, 12"."""

from decimal import Decimal, InvalidOperation

from pricing.money import dec


def parse_quantity_list(text: str) -> tuple[Decimal, ...]:
    """Parse "4, 8, 12" into ascending, distinct positive Decimals; "" is the empty tuple.

    Raises ValueError naming the offending item.
    """
    values = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            value = Decimal(item)
        except InvalidOperation:
            raise ValueError(f"'{item}' is not a number; write quantities like 4, 8, 12") from None
        if not value.is_finite() or value <= 0:
            raise ValueError(f"'{item}' is not a positive quantity")
        values.append(value)
    if len(set(values)) != len(values):
        raise ValueError("a quantity is listed twice")
    return tuple(sorted(values))


def format_quantity_list(values: tuple[Decimal, ...]) -> str:
    """The canonical text of a quantity list: "4, 8, 12", each quantity's exact text."""
    return ", ".join(dec(value) for value in values)
