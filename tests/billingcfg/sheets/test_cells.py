"""What a spreadsheet cell may hold, both ways (billingcfg.sheets.cells): pure, no database."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billingcfg import digits
from billingcfg.sheets.cells import (
    CellError,
    boolean_cell,
    date_cell,
    decimal_cell,
    decimal_text,
    decimal_value,
    integer_cell,
    neutralise,
    restore,
    text_cell,
)

SIZES = {name: value for name, value in vars(digits).items() if isinstance(value, digits.DecimalSize)}
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


# ---- formula safety ----------------------------------------------------------------------------


@given(st.text())
def test_restore_gives_back_whatever_text_neutralise_was_given(text):
    assert restore(neutralise(text)) == text


@given(st.sampled_from(FORMULA_STARTS), st.text())
def test_formula_like_text_is_written_with_a_leading_apostrophe(start, rest):
    text = start + rest
    if _is_number(text):  # -5 or +5: numbers are never formulas (a tab before one is text)
        assert neutralise(text) == text
    else:
        assert neutralise(text) == "'" + text


@given(st.decimals(allow_nan=False, allow_infinity=False) | st.integers() | st.floats(allow_nan=False))
def test_neutralise_never_changes_a_number(number):
    assert neutralise(number) == number
    assert type(neutralise(number)) is type(number)


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_neutralise_never_changes_a_number_written_as_text(number):
    text = decimal_text(number)
    assert neutralise(text) == text
    assert neutralise(f"{number:f}") == f"{number:f}"


@pytest.mark.parametrize("text", ["-5", "+5", "-0.30", "-1E+3", " -5 "])
def test_negative_and_signed_number_text_stays_as_it_is(text):
    assert neutralise(text) == text
    assert restore(text) == text


@pytest.mark.parametrize(
    ("written", "cell"),
    [
        ("=SUM(A1:A3)", "'=SUM(A1:A3)"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("\t5", "'\t5"),
        ("+0 ", "'+0 "),  # a sign and a blank after the number: not the number itself, so quoted (hypothesis found it)
        ("\rline", "'\rline"),
        ("'=already quoted", "''=already quoted"),
        ("plain text", "plain text"),
        ("'apostrophe first", "'apostrophe first"),
        ("", ""),
    ],
)
def test_neutralised_cells(written, cell):
    assert neutralise(written) == cell
    assert restore(cell) == written


def test_an_apostrophe_a_user_typed_before_ordinary_text_is_kept():
    assert restore("'tis the season") == "'tis the season"
    assert text_cell("'tis the season") == "'tis the season"


@pytest.mark.parametrize("key", [False, True])
def test_a_nul_character_in_text_is_refused(key):
    """PostgreSQL cannot store it and SQLite would: refused on both, where the cell is read."""
    with pytest.raises(CellError) as refused:
        text_cell("Sora\x00 2", key=key)
    assert str(refused.value) == "contains a NUL character (byte 0) at position 5; text cannot hold one"


def test_a_text_cell_is_read_back_without_the_apostrophe_export_added():
    assert text_cell("'=1+1") == "=1+1"
    assert text_cell(None) == ""
    assert text_cell(5) == "5"
    assert text_cell(0.1) == "0.1"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            '=HYPERLINK("http://x")',
            "'=HYPERLINK(\"http://x\")' starts with '=': a spreadsheet would run it as a "
            "formula; names and keys cannot start with = + - @, a tab or a line break",
        ),
        (
            "'=cmd",
            "''=cmd' starts with '=': a spreadsheet would run it as a formula; names and keys cannot start "
            "with = + - @, a tab or a line break",
        ),
        (
            "@evil",
            "'@evil' starts with '@': a spreadsheet would run it as a formula; names and keys cannot start "
            "with = + - @, a tab or a line break",
        ),
        (
            "+plan",
            "'+plan' starts with '+': a spreadsheet would run it as a formula; names and keys cannot start "
            "with = + - @, a tab or a line break",
        ),
        (
            "\tname",
            "'\tname' starts with '\\t': a spreadsheet would run it as a formula; names and keys cannot "
            "start with = + - @, a tab or a line break",
        ),
    ],
)
def test_a_name_or_key_that_a_spreadsheet_would_run_is_refused(value, message):
    with pytest.raises(CellError) as refused:
        text_cell(value, key=True)
    assert str(refused.value) == message


def test_a_key_is_trimmed_and_a_negative_number_is_a_key_like_any_other():
    assert text_cell("  kling-v2-1 ", key=True) == "kling-v2-1"
    assert text_cell("-5", key=True) == "-5"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "True is a yes/no value; text is expected here"),
        (date(2026, 1, 31), "2026-01-31 is a date; text is expected here"),
        (datetime(2026, 1, 31, 0, 0), "2026-01-31T00:00:00 is a date; text is expected here"),
    ],
)
def test_a_text_cell_refuses_what_is_not_text(value, message):
    with pytest.raises(CellError) as refused:
        text_cell(value)
    assert str(refused.value) == message


# ---- decimals ----------------------------------------------------------------------------------


def test_a_spreadsheet_number_is_read_by_its_shortest_exact_text():
    assert decimal_cell(0.1) == Decimal("0.1")
    assert str(decimal_cell(0.1)) == "0.1"
    assert str(decimal_cell(7.1)) == "7.1"
    assert decimal_cell(1600000) == Decimal("1600000")


def test_decimal_text_is_read_exactly_as_written():
    assert decimal_cell("0.30").as_tuple() == Decimal("0.30").as_tuple()
    assert decimal_cell(" 0.0000003 ") == Decimal("0.0000003")
    assert decimal_cell("-5") == Decimal("-5")
    assert decimal_cell("1,234.5") == Decimal("1234.5")
    assert decimal_cell("'0.5") == Decimal("0.5")
    assert decimal_cell(Decimal("2.50")) == Decimal("2.50")


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_an_empty_number_cell_is_none(empty):
    assert decimal_cell(empty) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "'abc' is not a number"),
        ("NaN", "'NaN' is not a number"),
        ("Infinity", "'Infinity' is not a number"),
        (float("inf"), "'inf' is not a number"),
        (True, "True is a yes/no value, not a number"),
        (False, "False is a yes/no value, not a number"),
        ("=B2*2", "'=B2*2' is a formula; write the number itself (paste values)"),
        ("'=B2*2", "''=B2*2' is a formula; write the number itself (paste values)"),
        (date(2026, 1, 31), "2026-01-31 is a date, not a number"),
        (datetime(2026, 1, 2), "2026-01-02 is a date, not a number"),
        (
            "1,5",
            "'1,5' is not a number: write a point before the decimals and commas only between thousands, e.g. 1,234.5",
        ),
        (
            "0,30",
            "'0,30' is not a number: write a point before the decimals and commas only between thousands, e.g. 1,234.5",
        ),
    ],
)
def test_what_is_not_a_number_is_refused_with_what_was_found(value, message):
    with pytest.raises(CellError) as refused:
        decimal_cell(value)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0.30000000"), "0.3"),
        (Decimal("1E+6"), "1000000"),
        (Decimal("3E-7"), "0.0000003"),
        (Decimal("-0.000"), "0"),
        (Decimal("0"), "0"),
        (None, ""),
    ],
)
def test_decimal_text_has_no_padding_zeros_and_no_exponent(value, text):
    assert decimal_text(value) == text


def test_decimal_value_is_a_whole_number_cell_when_it_can_be():
    assert decimal_value(Decimal("8.0000")) == 8
    assert type(decimal_value(Decimal("8.0000"))) is int
    assert type(decimal_value(Decimal("0.05"))) is float
    assert decimal_value(None) is None


EXTREMES = [
    pytest.param(size_value, id=f"{name}-{which}")
    for name, size in SIZES.items()
    for which, size_value in (
        ("largest", size.largest),
        ("step", size.step),
        ("negative-largest", -size.largest),
        ("largest-minus-step", size.largest - size.step),
    )
]


@pytest.mark.parametrize("value", EXTREMES)
def test_every_column_size_reads_back_exactly_from_a_number_cell(value):
    cell = decimal_value(value)
    assert Decimal(repr(cell)) == value
    assert decimal_cell(cell) == value


@pytest.mark.parametrize("value", EXTREMES)
def test_every_column_size_reads_back_exactly_from_a_text_cell(value):
    assert decimal_cell(decimal_text(value)) == value


@given(st.sampled_from(list(SIZES.values())), st.data())
def test_any_value_a_column_keeps_reads_back_exactly(size, data):
    places = size.decimal_places
    whole = data.draw(st.integers(min_value=-int(size.largest * 10**places), max_value=int(size.largest * 10**places)))
    value = Decimal(whole).scaleb(-places)
    assert decimal_cell(decimal_value(value)) == value
    assert decimal_cell(decimal_text(value)) == value


# ---- yes/no, dates, whole numbers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        (1.0, True),
        ("TRUE", True),
        ("false", False),
        ("Yes", True),
        ("no", False),
        (" y ", True),
        ("N", False),
        ("1", True),
        ("0", False),
        ("on", True),
        ("off", False),
    ],
)
def test_yes_and_no(value, expected):
    assert boolean_cell(value, nullable=False) is expected


@pytest.mark.parametrize(("value", "expected"), [("=TRUE()", True), ("=FALSE()", False), ("=true()", True)])
def test_libreoffice_yes_and_no_constants_are_read_as_their_value(value, expected):
    """LibreOffice Calc saves every yes/no cell as one of these formulas."""
    assert boolean_cell(value, nullable=False) is expected


@pytest.mark.parametrize("formula", ["=IF(A2>1,TRUE(),FALSE())", "=NOT(FALSE())", "=B2", "=TRUE()+0"])
def test_any_other_formula_in_a_yes_no_cell_is_refused(formula):
    with pytest.raises(CellError) as refused:
        boolean_cell(formula, nullable=True)
    assert str(refused.value) == f"'{formula}' is a formula; write TRUE or FALSE itself (paste values)"


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_an_empty_yes_no_cell_is_not_applicable_only_where_the_column_allows_it(empty):
    assert boolean_cell(empty, nullable=True) is None
    with pytest.raises(CellError) as refused:
        boolean_cell(empty, nullable=False)
    assert str(refused.value) == "is empty; write TRUE or FALSE"


@pytest.mark.parametrize("value", ["maybe", 2, "2", -1])
def test_what_is_not_yes_or_no_is_refused(value):
    with pytest.raises(CellError) as refused:
        boolean_cell(value, nullable=True)
    assert str(refused.value) == f"'{value}' is not yes or no; write TRUE or FALSE"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 1, 31), date(2026, 1, 31)),
        (date(2026, 1, 31), date(2026, 1, 31)),
        ("2026-01-31", date(2026, 1, 31)),
        (" 2026-01-31 ", date(2026, 1, 31)),
        (None, None),
        ("", None),
    ],
)
def test_dates(value, expected):
    assert date_cell(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (datetime(2026, 1, 31, 9, 30), "2026-01-31T09:30:00 has a time of day; a date such as 2026-01-31 is expected"),
        ("31/01/2026", "'31/01/2026' is not a date such as 2026-01-31"),
        (46053, "'46053' is not a date such as 2026-01-31"),
    ],
)
def test_what_is_not_a_date_is_refused(value, message):
    with pytest.raises(CellError) as refused:
        date_cell(value)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("value", "expected"), [(8, 8), (8.0, 8), ("8", 8), ("1,000", 1000), (None, None), ("", None), (Decimal("-3"), -3)]
)
def test_whole_numbers(value, expected):
    assert integer_cell(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (8.5, "'8.5' is not a whole number"),
        ("8.5", "'8.5' is not a whole number"),
        ("eight", "'eight' is not a number"),
        (True, "True is a yes/no value, not a number"),
    ],
)
def test_what_is_not_a_whole_number_is_refused(value, message):
    with pytest.raises(CellError) as refused:
        integer_cell(value)
    assert str(refused.value) == message


def _is_number(text: str) -> bool:
    if text != text.strip():
        return False
    try:
        return Decimal(text).is_finite()
    except ArithmeticError:
        return False
