"""JSON read with a bound on nesting, for every JSON a user sends: API bodies,
price lists, per-table imports.

Python's json recurses once per nested list or object, so 5,000 `[` raise
RecursionError, and a document it did read would recurse again wherever it is
walked. The depth is counted on the text first, without recursion, and a
document nested deeper than MAX_DEPTH is refused before it is parsed.

MAX_DEPTH is 64: the API's bodies nest 2 deep (a quote's usage object),
LiteLLM's whole price map 6, and 64 is far below any stack limit however deep
the caller already is. Counting costs about what parsing does (28 ms against
21 ms for LiteLLM's 3.2 MB map)."""

import json
import re
from itertools import accumulate

MAX_DEPTH = 64

# A JSON string (quotes and escapes included), or one bracket outside a string. On the text the
# parser accepts, it tokenizes as the parser does, so the depth counted is the depth it would reach.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_STRINGS = re.compile(_STRING, re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STRING_OR_BRACKET = re.compile(rf"{_STRING}|[\[\]{{}}]", re.DOTALL)
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JSONTooDeep(json.JSONDecodeError):
    """A JSONDecodeError, so that whoever reports the parser's errors (with line and column) reports it too."""


def json_depth(text: str) -> int:
    """How deep the text's lists and objects nest (0 for a bare value); for text that is not JSON, at least
    as deep as the parser would go before finding out."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    return max(accumulate(_STEP[bracket] for bracket in brackets), default=0)


def too_deep_at(text: str, *, max_depth: int = MAX_DEPTH) -> int | None:
    """Where the text first nests deeper than `max_depth` (an offset into it), or None."""
    if text.count("[") + text.count("{") <= max_depth or json_depth(text) <= max_depth:
        return None
    depth = 0
    for token in _STRING_OR_BRACKET.finditer(text):
        depth += _STEP.get(token.group(), 0)
        if depth > max_depth:
            return token.start()
    return None


def refuse_constant(name: str):
    """For parse_constant: NaN, Infinity and -Infinity are not JSON numbers (RFC 8259 §6)."""
    raise ValueError(f"{name} is not a number JSON allows")


def load_json(text: str, *, max_depth: int = MAX_DEPTH, **options):
    """json.loads(text, **options), refusing with JSONTooDeep text nested deeper than `max_depth`."""
    at = too_deep_at(text, max_depth=max_depth)
    if at is not None:
        raise JSONTooDeep(f"lists and objects nested more than {max_depth} deep (the most this reads)", text, at)
    return json.loads(text, **options)
