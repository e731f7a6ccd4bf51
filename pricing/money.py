"""Money as plain values: rounding once, at the edge, with an explicit mode; amounts known as a range."""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal


def round_places(amount: Decimal, places: int, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def whole_up(amount: Decimal) -> int:
    """The smallest whole number not below `amount`: credits charged never undercharge."""
    return int(amount.to_integral_value(rounding=ROUND_CEILING))


def format_amount(amount: Decimal, currency_code: str, places: int) -> str:
    """'0.0393 USD': the amount rounded to `places`, with its currency."""
    return f"{round_places(amount, places):,f} {currency_code}"


def dec(value: Decimal | None) -> str | None:
    """The one exact text of a decimal: every digit it has, without its column's
    padding zeros, an exponent or a sign on zero: Decimal("0.10000000") -> "0.1",
    Decimal("1E+2") -> "100", Decimal("-0.00") -> "0". What documents, hashes,
    spreadsheet cells and form fields hold. Decimal.normalize() would round to the
    context's 28 digits, so it is not used."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def format_exact(value: Decimal) -> str:
    """`dec` for reading, its whole part grouped: Decimal("2400000.0000") -> "2,400,000"."""
    whole, point, fraction = dec(value).partition(".")
    return f"{Decimal(whole):,}{point}{fraction}"


def digits_and_places(value: Decimal) -> tuple[int, int]:
    """Significant digits and decimal places of a finite Decimal, counted exactly
    (trailing zeros are not significant): Decimal.normalize() would round to the
    context's 28 digits and flush a tiny exponent to 0, hiding both."""
    _sign, digits, exponent = value.as_tuple()
    text = "".join(map(str, digits))
    significant = text.rstrip("0")
    if not significant:
        return 1, 0  # zero
    exponent += len(text) - len(significant)
    return len(significant), max(0, -exponent)


MINUS = "\u2212"


def _signed(text: str) -> str:
    """A true minus sign, and no sign on a zero: "-0.0%" reads "0.0%"."""
    if not text.startswith("-"):
        return text
    return text[1:] if not any(char in "123456789" for char in text) else MINUS + text[1:]


def format_unit_price(amount: Decimal, significant: int = 5) -> str:
    """A price per unit for display: at least 2 places, enough for `significant`
    digits of a small amount (0.084507, 0.142, 12.50), grouped, half-even."""
    if amount == 0:
        return "0.00"
    places = max(2, significant - 1 - amount.adjusted())
    text = f"{round_places(amount, places):,f}"
    whole, _, fraction = text.partition(".")
    return _signed(f"{whole}.{fraction.rstrip('0').ljust(2, '0')}")


def format_percent(fraction: Decimal, places: int = 1) -> str:
    """0.8 → "80.0%"; −0.397 → "−39.7%"."""
    return _signed(f"{round_places(fraction * 100, places):,f}%")


def format_band(band: "Band", currency: str | None = None, significant: int = 5) -> str:
    """ "0.05–0.20 USD" for a range, "0.10 USD" for an exact amount; no code when a heading names it."""
    text = format_unit_price(band.low, significant)
    if not band.is_exact:
        text += "–" + format_unit_price(band.high, significant)
    return f"{text} {currency}" if currency else text


@dataclass(frozen=True, slots=True)
class Band:
    """An amount known as a range: a provider quoting ¥0.3–0.6 per 1M tokens, or
    the cost of a usage priced at both ends. An exact amount has low == high."""

    low: Decimal
    high: Decimal

    def __post_init__(self):
        if self.low > self.high:
            raise ValueError(f"a band runs from low to high, not {self.low} to {self.high}")

    @classmethod
    def exact(cls, amount: Decimal) -> "Band":
        return cls(amount, amount)

    @property
    def mid(self) -> Decimal:
        """The middle of the band: seed 000's "mid-range pricing"."""
        return (self.low + self.high) / 2

    @property
    def is_exact(self) -> bool:
        return self.low == self.high

    def __add__(self, other: "Band") -> "Band":
        return Band(self.low + other.low, self.high + other.high)

    def scale(self, factor: Decimal) -> "Band":
        """The band times a non-negative factor."""
        if factor < 0:
            raise ValueError("a band scales by a non-negative factor")
        return Band(self.low * factor, self.high * factor)


ZERO_BAND = Band(Decimal(0), Decimal(0))
