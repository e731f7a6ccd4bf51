"""What a spreadsheet cell may hold, both ways: exact decimals, yes/no, and text
that a spreadsheet program would run as a formula. Pure: no Django.

Formula safety (OWASP "CSV injection"): formula-like text (billingcfg.core.formula_text:
beginning with = + - @, a tab or a carriage return) is written with a leading
apostrophe, which spreadsheet programs show as text and never run. Reading a
file back, that one apostrophe is taken off again, so export → import is exact.
Numbers are never touched: a negative number is a number, not a formula.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from billingcfg.core.formula_text import formula_problem, looks_like_formula
from pricing.money import dec

QUOTE = "'"
THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


class CellError(ValueError):
    """A cell's value breaks a rule; the message says which and what is expected."""


def _needs_quote(text: str) -> bool:
    """Formula-like text, or such text behind apostrophes ("'=x" itself gets one
    more, or reading it back would take its own apostrophe off)."""
    while text.startswith(QUOTE):
        text = text[1:]
    return looks_like_formula(text)


def neutralise(value):
    """A value as it is safe to write into a cell: formula-like text gets a leading
    apostrophe; everything else, numbers included, is returned as it is."""
    if isinstance(value, str) and _needs_quote(value):
        return QUOTE + value
    return value


def restore(text: str) -> str:
    """The text `neutralise` was given: one leading apostrophe before formula-like text is dropped."""
    if text.startswith(QUOTE) and _needs_quote(text[1:]):
        return text[1:]
    return text


def text_cell(value, *, key: bool = False) -> str:
    """A text cell's value. Empty cells are "". In a key or a name (`key`),
    formula-like text is refused, neutralised or not: such a name is a trap in
    every spreadsheet it is copied into."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise CellError(f"{value} is a yes/no value; text is expected here")
    if isinstance(value, float | int | Decimal):
        text = decimal_text(decimal_cell(value))
    elif isinstance(value, datetime | date):
        raise CellError(f"{value.isoformat()} is a date; text is expected here")
    else:
        text = str(value)
    if "\x00" in text:
        # PostgreSQL cannot store it and SQLite would; the admin's forms refuse it too.
        raise CellError(f"contains a NUL character (byte 0) at position {text.index(chr(0)) + 1}; text cannot hold one")
    if key:
        # Read back as any text cell is (an apostrophe export added comes off), so a
        # name the models accept, "'=x" included, is the same name after a round trip.
        name = restore(text)
        problem = formula_problem(name, shown=text)
        if problem:
            raise CellError(problem)
        return name.strip()
    return restore(text)


def display(value) -> str:
    """A cell's value as a message shows it: 2026-01-31, 0.3, TRUE, or "" when empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | int | Decimal):
        return decimal_text(Decimal(repr(value)) if isinstance(value, float) else Decimal(value))
    return str(value).strip()


def decimal_cell(value) -> Decimal | None:
    """A number cell as an exact Decimal. Text is read as written ("0.30" → 0.30);
    a spreadsheet's number (a float) by its shortest exact text, so 0.1 is 0.1.
    Empty is None. Anything else is refused with what was found."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(f"{value} is a yes/no value, not a number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if text == "":
            return None
        if text.startswith(QUOTE):
            text = text[1:]
        if text.startswith("="):
            raise CellError(f"'{value}' is a formula; write the number itself (paste values)")
        if "," in text:
            # 1,234.5 is a thousand and more; 1,5 (a decimal comma) is not read as 15.
            if not THOUSANDS.fullmatch(text):
                raise CellError(
                    f"'{value}' is not a number: write a point before the decimals and commas only "
                    "between thousands, e.g. 1,234.5"
                )
            text = text.replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(f"'{value}' is not a number") from None
    elif isinstance(value, date):
        raise CellError(f"{display(value)} is a date, not a number")
    else:
        raise CellError(f"{value!r} is not a number")
    if not number.is_finite():
        raise CellError(f"'{value}' is not a number")
    return number


def decimal_text(value: Decimal | None) -> str:
    """A decimal as exact text without padding zeros or an exponent: 0.3, 1000000, 0.0000003; empty for None."""
    return "" if value is None else dec(value)


def decimal_value(value: Decimal | None):
    """A decimal as a spreadsheet number cell. Every column keeps at most 15
    significant digits (billingcfg.digits), which a double holds exactly, so the
    cell reads back as the same Decimal."""
    if value is None:
        return None
    number = value.normalize()
    if number == number.to_integral_value():
        return int(number)
    return float(number)


TRUE_WORDS = frozenset({"1", "true", "yes", "y", "t", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "f", "off"})
# LibreOffice Calc saves every yes/no cell as the formula =TRUE() or =FALSE() (with its
# value cached): constants, not calculations, so they are read as the value they name.
TRUE_FORMULAS = frozenset({"=true()"})
FALSE_FORMULAS = frozenset({"=false()"})


def boolean_cell(value, *, nullable: bool) -> bool | None:
    """Yes/no from TRUE/FALSE, 1/0, yes/no or LibreOffice's =TRUE() / =FALSE(). An
    empty cell is None where the column allows "not applicable" (`nullable`), else
    an error. Any other formula is refused: its value is whatever it last computed."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal) and value in (0, 1):
        return bool(value)
    text = "" if value is None else str(value).strip().lower()
    if text == "":
        if nullable:
            return None
        raise CellError("is empty; write TRUE or FALSE")
    if text in TRUE_WORDS or text.replace(" ", "") in TRUE_FORMULAS:
        return True
    if text in FALSE_WORDS or text.replace(" ", "") in FALSE_FORMULAS:
        return False
    if text.startswith("="):
        raise CellError(f"'{value}' is a formula; write TRUE or FALSE itself (paste values)")
    raise CellError(f"'{value}' is not yes or no; write TRUE or FALSE")


def date_cell(value) -> date | None:
    """A date from a spreadsheet date cell or ISO text (2026-01-31); empty is None."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise CellError(f"{value.isoformat()} has a time of day; a date such as 2026-01-31 is expected")
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise CellError(f"'{value}' is not a date such as 2026-01-31") from None


def integer_cell(value) -> int | None:
    """A whole number; 8.0 from a spreadsheet is 8, 8.5 is refused."""
    number = decimal_cell(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(f"'{value}' is not a whole number")
    return int(number)
