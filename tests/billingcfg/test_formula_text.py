"""One rule for formula-like text, the same for a name the admin saves and a key a
spreadsheet import reads; and whatever name or note the admin accepts comes back
from an XLSX cell exactly as it was. No database: the admin's own field cleaning
stands in for the page."""

import io

import openpyxl
import pytest
from django import forms
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from billingcfg.core.formula_text import FORMULA_RULE, formula_problem, looks_like_formula
from billingcfg.fields import LineFeedFormField
from billingcfg.sheets.cells import CellError, neutralise, text_cell
from billingcfg.validators import name_validator, sheet_text_validator

# The names (tab, CR and leading blanks included), each refused the same way everywhere.
FORMULA_NAMES = [
    '=HYPERLINK("http://x","Veo")',
    "+cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    " \t@SUM(1)",
    "\n-2+3",
]
# Names a spreadsheet shows as text: the admin takes them, and they come back unchanged.
SAFE_NAMES = ["-5", "+5", "'=x", "''@y", "'", "5+3", "a=b", "Veo 3 (fast) -2", "\u22122+3", "\uff1dSUM(1)"]
# Each example writes and reads an XLSX file: no per-example deadline on a busy machine.
THROUGH_XLSX = settings(deadline=None)


def admin_name(text: str) -> str | None:
    """The name as the admin would save it from a text input, or None if it refuses it."""
    try:
        value = forms.CharField(max_length=1000).clean(text)
        name_validator(value)
    except ValidationError:
        return None
    return value


def admin_notes(text: str) -> str | None:
    """Notes as the admin would save them from a text area, or None if it refuses them."""
    try:
        value = LineFeedFormField(required=False).clean(text)
        sheet_text_validator(value)
    except ValidationError:
        return None
    return value


def through_xlsx(value: str):
    """One cell written as the workbook export writes it and read back as the import reads it."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("t")
    sheet.append([neutralise(value)])
    data = io.BytesIO()
    book.save(data)
    read = openpyxl.load_workbook(io.BytesIO(data.getvalue()), read_only=True)
    return next(read["t"].iter_rows(values_only=True))[0]


@pytest.mark.parametrize("name", FORMULA_NAMES)
def test_a_formula_like_name_is_refused_by_the_models_and_the_import_alike(name):
    with pytest.raises(ValidationError) as refused:
        name_validator(name)
    assert FORMULA_RULE in refused.value.messages[0]
    with pytest.raises(CellError) as read:
        text_cell(name, key=True)
    assert str(read.value) == refused.value.messages[0]


def test_the_message_says_which_character_and_the_rule():
    assert formula_problem("  =1+1") == (
        "'  =1+1' starts with '=' after blanks: a spreadsheet would run it as a "
        "formula; names and keys cannot start with = + - @, a tab or a line break"
    )
    assert formula_problem("-2+3") == (
        "'-2+3' starts with '-': a spreadsheet would run it as a formula; names and "
        "keys cannot start with = + - @, a tab or a line break"
    )


@pytest.mark.parametrize("name", SAFE_NAMES)
def test_a_name_a_spreadsheet_shows_as_text_is_taken_and_comes_back_unchanged(name):
    assert admin_name(name) == name
    assert text_cell(through_xlsx(name), key=True) == name


@THROUGH_XLSX
@given(st.text())
@example("'=x")
@example(" =1+1")
@example("a\x01b")
@example("\u2028=x")
def test_any_name_the_admin_accepts_comes_back_from_a_workbook_unchanged(text):
    name = admin_name(text)
    if name is not None:
        assert text_cell(through_xlsx(name), key=True) == name


@given(st.text())
@example("'=x")
@example("-5")
@example(" @x")
def test_the_admin_and_the_import_refuse_the_same_formula_like_names(text):
    """The same name, as the admin saves it and as an export writes it into a cell."""
    name = forms.CharField(required=False).clean(text.replace("\x00", ""))
    assert looks_like_formula(name) == (formula_problem(name) is not None)
    try:
        text_cell(neutralise(name), key=True)
        read = True
    except CellError:
        read = False
    assert read == (not looks_like_formula(name))


@THROUGH_XLSX
@given(st.text())
@example("first line\r\nsecond line")
@example("=1+1\r\n@x")
@example("tab\there")
def test_any_notes_the_admin_accept_come_back_from_a_workbook_unchanged(text):
    notes = admin_notes(text)
    if notes:
        assert text_cell(through_xlsx(notes)) == notes
