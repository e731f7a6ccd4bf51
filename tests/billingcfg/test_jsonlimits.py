"""Bounded JSON: nesting is counted on the text, brackets inside strings not counted, and text nested
deeper than MAX_DEPTH refused before Python's recursive parser sees it."""

import json

import pytest

from billingcfg.core.jsonlimits import MAX_DEPTH, JSONTooDeep, json_depth, load_json


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("12", 0),
        ('"[[[{{{"', 0),
        ('{"a": [1, {"b": []}]}', 4),
        (r'["\"]]]]", ["\\"]]', 2),  # an escaped quote does not end the string; an escaped backslash does not escape it
        ("[" * 5000, 5000),
    ],
)
def test_depth_is_counted_outside_strings(text, depth):
    assert json_depth(text) == depth


def test_text_nested_to_the_limit_is_read():
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert load_json(text) == json.loads(text)


def test_text_nested_deeper_is_a_decode_error_at_the_first_bracket_too_deep():
    text = '{"usage": ' + "[" * 5000 + "]" * 5000 + "}"

    with pytest.raises(json.JSONDecodeError) as refused:
        load_json(text)

    assert isinstance(refused.value, JSONTooDeep)
    assert str(refused.value) == (
        "lists and objects nested more than 64 deep (the most this reads): line 1 column 74 (char 73)"
    )


def test_brackets_inside_strings_do_not_count_towards_the_limit():
    text = json.dumps({"note": "[" * 5000})
    assert load_json(text) == {"note": "[" * 5000}
