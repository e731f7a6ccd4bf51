"""One error body for every 400: `{"errors": {"<field>": ["message", …]}}`, where
the field is a request field ("model", "quantity"), a dotted path into one
("usage.input_tokens"), a query parameter ("at") or "body" for the request as a
whole; at most ERRORS_SHOWN messages, then a count of the rest. A body over
DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 in the same shape. Other errors (401, 403,
404, 429, and the 409 for a draft changed since it was read) keep DRF's
`{"detail": "message"}`."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from billingcfg.core.capping import MESSAGES_SHOWN
from billingcfg.releases.services import DraftChanged

BODY = "body"
ERRORS_SHOWN = MESSAGES_SHOWN  # the one cap on an answer's messages, imports' included


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


def capped(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The first ERRORS_SHOWN messages, in order, and under "body" how many more there are: an answer
    whose size grows with what a caller sends would let one request make a megabytes-long one."""
    total = sum(len(messages) for messages in errors.values())
    if total <= ERRORS_SHOWN:
        return errors
    shown, room = {}, ERRORS_SHOWN
    for field, messages in errors.items():
        if room == 0:
            break
        shown[field] = messages[:room]
        room -= len(shown[field])
    shown.setdefault(BODY, []).append(f"and {total - ERRORS_SHOWN:,} more errors (the first {ERRORS_SHOWN} are shown)")
    return shown


def _body_too_large(request) -> Response:
    """The 413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE, which Django refuses before any parser reads it."""
    size = request.META.get("CONTENT_LENGTH") or ""
    given = f"{int(size):,} bytes" if size.isdigit() else "over the limit"
    return Response(
        {
            "errors": {
                BODY: [
                    f"the body is {given}; the API reads bodies of at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes "
                    "(DATA_UPLOAD_MAX_MEMORY_SIZE)"
                ]
            }
        },
        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        return _body_too_large(context["request"])
    if isinstance(exc, DraftChanged):  # the service's refusal: the caller read a draft that moved since
        set_rollback()
        return Response({"detail": f"{exc}; read /api/v1/draft/ again"}, status=status.HTTP_409_CONFLICT)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 400:
        if isinstance(exc, exceptions.ValidationError):
            response.data = {"errors": capped(_flat(exc.detail))}
        else:  # a body that is not JSON
            response.data = {"errors": {BODY: [str(exc.detail)]}}
    return response
