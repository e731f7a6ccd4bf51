"""JSON bodies read exactly: a JSON number becomes a Decimal from its own text,
never a float (0.1 stays 0.1), NaN or Infinity is refused, and so is nesting
deeper than billingcfg.core.jsonlimits.MAX_DEPTH."""

import codecs
from decimal import Decimal, InvalidOperation

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from billingcfg.core.jsonlimits import load_json, refuse_constant


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:  # an exponent beyond any Decimal's: 1e-99999999999999999999
        raise ValueError(f"{text[:60]} is too large or too small a number") from None


class DecimalJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return load_json(text, parse_float=_decimal, parse_constant=refuse_constant)
        except ValueError as error:
            raise ParseError(f"JSON parse error: {error}") from None
