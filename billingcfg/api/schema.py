"""What the OpenAPI schema says beyond drf-spectacular's defaults (imported by
billingcfg.api.urls): the API-key security scheme, request bodies that say
what the serializers refuse, and the 413 every operation reading a body can answer."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from billingcfg.api.serializers import ErrorsSerializer

_TOO_LARGE = OpenApiResponse(
    ErrorsSerializer,
    description=(
        "The body is larger than the API reads (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB by default): "
        '{"errors": {"body": ["the body is … bytes; …"]}}.'
    ),
)


class ApiAutoSchema(AutoSchema):
    """Any operation that reads a body answers a body over DATA_UPLOAD_MAX_MEMORY_SIZE with a 413
    (billingcfg.api.errors), whichever view it is: said once here, not on each view."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and self.method in ("POST", "PUT", "PATCH"):
            operation["responses"]["413"] = self._get_response_for_code(_TOO_LARGE, "413")
        return operation


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "billingcfg.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Api-Key <key>"}


class StrictRequestScheme(OpenApiSerializerExtension):
    """A StrictSerializer refuses fields it does not know, a DictField with
    allow_empty=False refuses {}, and one with max_entries more entries: the schema says all three."""

    target_class = "billingcfg.api.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        for name, field in self.target.fields.items():
            if isinstance(field, serializers.DictField) and not field.allow_empty:
                schema["properties"][name]["minProperties"] = 1
            if getattr(field, "max_entries", None) is not None:
                schema["properties"][name]["maxProperties"] = field.max_entries
        return schema
