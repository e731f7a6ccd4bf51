"""The one definition of formula-like text: text a spreadsheet program would run
as a formula (OWASP "CSV injection"). Pure: no Django.

Such text starts with = + - @, a tab or a carriage return, or with = + - @
after blanks (spreadsheet programs and their import dialogues may trim them);
a plain number such as -5 is not a formula. Every cell that takes text writes
it quoted (billingcfg.sheets.cells); a name, label or key may not be such text
at all (billingcfg.validators.name_validator on the models, and the spreadsheet
import's key columns), so whatever the admin accepts exports and imports back
unchanged.
"""

from decimal import Decimal, InvalidOperation

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_RULE = "names and keys cannot start with = + - @, a tab or a line break"


def is_number_text(text: str) -> bool:
    """A plain number such as -5 or 0.3; not with a tab, a line break or spaces around it."""
    if text != text.strip():
        return False
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def formula_start(text: str) -> str | None:
    """The character that makes `text` formula-like, or None when it is not."""
    if text.startswith(FORMULA_STARTS):  # "-5" is a number, "-5 " and "+0 " are not: a program may read them so
        return None if is_number_text(text) else text[0]
    bare = text.lstrip()  # "  =1+1": programs and their import dialogues may trim the blanks
    if bare.startswith(FORMULA_STARTS) and not is_number_text(bare.rstrip()):  # "  -5  " is a number in blanks
        return bare[0]
    return None


def looks_like_formula(text: str) -> bool:
    """Text a spreadsheet program would evaluate (see the module's rule)."""
    return formula_start(text) is not None


def formula_problem(text: str, *, shown: str | None = None) -> str | None:
    """Why `text` cannot be a name or a key, or None when it can; the message
    quotes `shown` (the cell as written, apostrophe and all) when given."""
    start = formula_start(text)
    if start is None:
        return None
    after = " after blanks" if start not in ("\t", "\r") and not text.startswith(start) else ""
    return (
        f"'{text if shown is None else shown}' starts with {start!r}{after}: a spreadsheet would run it as a "
        f"formula; {FORMULA_RULE}"
    )
