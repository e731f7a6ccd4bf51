import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from billingcfg.core.formula_text import formula_problem

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$",
    "Use lowercase letters, digits and single hyphens or underscores between them, e.g. sora-2-pro.",
    code="invalid_slug",
)

currency_code_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{2,9}$",
    "Use 3 to 10 capital letters or digits, starting with a letter, e.g. USD or PTS.",
    code="invalid_currency_code",
)


# Characters an XLSX file cannot hold (XML 1.0): every control character but tab, line feed and carriage return.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _refuse(value: str, pattern: re.Pattern, why: str) -> None:
    found = pattern.search(value)
    if found:
        raise ValidationError(
            f"contains the control character {found.group()!r} at position {found.start() + 1}; {why}",
            code="control_character",
        )


def sheet_text_validator(value: str) -> None:
    """Free text that goes into spreadsheets (notes, descriptions): anything an XLSX
    file can hold. Formula-like text is fine here: cells write it quoted."""
    _refuse(value, _UNWRITABLE, "a spreadsheet cannot hold it")


def one_line_validator(value: str) -> None:
    """One line of text (a source, a name): no control characters, line breaks included."""
    _refuse(value, _CONTROL, "this is one line of text")


def name_validator(value: str) -> None:
    """A name, label or key: one line, and not text a spreadsheet would run as a
    formula (billingcfg.core.formula_text), so that it exports and imports back as it is."""
    problem = formula_problem(value)
    if problem:
        raise ValidationError(problem, code="formula_like")
    one_line_validator(value)
