"""What the OpenAPI schema says beyond drf-spectacular's defaults (imported by
billingcfg.api.urls): the API-key security scheme, and request bodies that say
what the serializers refuse."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from rest_framework import serializers


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "billingcfg.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Api-Key <key>"}


class StrictRequestScheme(OpenApiSerializerExtension):
    """A StrictSerializer refuses fields it does not know, and a DictField with
    allow_empty=False refuses {}: the schema says both."""

    target_class = "billingcfg.api.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        for name, field in self.target.fields.items():
            if isinstance(field, serializers.DictField) and not field.allow_empty:
                schema["properties"][name]["minProperties"] = 1
        return schema
