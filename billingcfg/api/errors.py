"""One error body for every 400: `{"errors": {"<field>": ["message", …]}}`, where
the field is a request field ("model", "quantity"), a dotted path into one
("usage.input_tokens"), a query parameter ("at") or "body" for the request as a
whole. Other errors (401, 403, 404, 429) keep DRF's `{"detail": "message"}`."""

from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

BODY = "body"


class RequestError(Exception):
    """A request the pricing engine refused, with the request field to blame."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)

    def as_validation_error(self) -> exceptions.ValidationError:
        return exceptions.ValidationError({self.field: [str(self)]})


def _flat(detail, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as dotted fields: {"usage": {"x": [...]}} → {"usage.x": [...]}."""
    if isinstance(detail, dict):
        flat = {}
        for key, value in detail.items():
            name = BODY if key == api_settings.NON_FIELD_ERRORS_KEY and not prefix else str(key)
            flat.update(_flat(value, f"{prefix}.{name}" if prefix else name))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flat(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or BODY: [str(message) for message in messages]}


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 400:
        if isinstance(exc, exceptions.ValidationError):
            response.data = {"errors": _flat(exc.detail)}
        else:  # a body that is not JSON
            response.data = {"errors": {BODY: [str(exc.detail)]}}
    return response
