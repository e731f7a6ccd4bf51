"""Rounding money for display: once, at the edge, with an explicit mode."""

from decimal import ROUND_HALF_EVEN, Decimal


def round_places(amount: Decimal, places: int, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def format_amount(amount: Decimal, currency_code: str, places: int) -> str:
    """'0.0393 USD': the amount rounded to `places`, with its currency."""
    return f"{round_places(amount, places):,f} {currency_code}"


def format_exact(value: Decimal, *, grouped: bool = True) -> str:
    """A stored decimal as exactly as it is, without its column's padding zeros:
    Decimal("2400000.0000") -> "2,400,000", Decimal("0.30000000") -> "0.3"."""
    return format(value.normalize(), ",f" if grouped else "f")
