"""Quantity lists such as the allowed video durations "4, 8, 12"."""

from decimal import Decimal

import pytest

from pricing.quantities import format_quantity_list, parse_quantity_list

D = Decimal


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("4, 8, 12", (D(4), D(8), D(12))),
        ("12,4,8", (D(4), D(8), D(12))),
        (" 12 ,  4,8 ", (D(4), D(8), D(12))),
        ("5, 10", (D(5), D(10))),
        ("0.5, 1.5", (D("0.5"), D("1.5"))),
        ("4, 8, 12,", (D(4), D(8), D(12))),
        ("", ()),
        ("   ", ()),
    ],
)
def test_parse(text, values):
    assert parse_quantity_list(text) == values


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4, 8, 8", "a quantity is listed twice"),
        ("4, 4.0", "a quantity is listed twice"),
        ("4, eight, 12", "'eight' is not a number; write quantities like 4, 8, 12"),
        ("4 8 12", "'4 8 12' is not a number; write quantities like 4, 8, 12"),
        ("4s, 8s", "'4s' is not a number; write quantities like 4, 8, 12"),
        ("-4, 8", "'-4' is not a positive quantity"),
        ("0, 4", "'0' is not a positive quantity"),
        ("4, Infinity", "'Infinity' is not a positive quantity"),
        ("NaN", "'NaN' is not a positive quantity"),
    ],
)
def test_a_bad_list_is_refused_naming_the_item(text, message):
    with pytest.raises(ValueError) as refused:
        parse_quantity_list(text)

    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("values", "text"),
    [
        ((D(4), D(8), D(12)), "4, 8, 12"),
        ((D("4.0000"), D("8.5000")), "4, 8.5"),
        ((D("1E+1"), D("1E+2")), "10, 100"),
        # 32 digits: every one kept, where Decimal.normalize() rounds to the context's 28
        ((D("12345678901234567890123456789012"),), "12345678901234567890123456789012"),
        ((), ""),
    ],
)
def test_format(values, text):
    assert format_quantity_list(values) == text


@pytest.mark.parametrize("text", ["12, 4, 8", "8.50,4", "0.25, 3600, 60", "1, 1.00000000000000000000000000001"])
def test_format_of_parse_is_canonical_and_stable(text):
    canonical = format_quantity_list(parse_quantity_list(text))

    assert format_quantity_list(parse_quantity_list(canonical)) == canonical
    assert parse_quantity_list(canonical) == parse_quantity_list(text)
