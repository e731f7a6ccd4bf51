"""The OpenAPI schema describes every endpoint, its status codes and the API-key
scheme; the Swagger UI works with no internet (the sidecar's static files)."""

import re

import pytest
from django.core.management import call_command

from tests.api.conftest import Api

READ = {"200", "401", "403", "429"}
EXPECTED_CODES = {
    ("/api/v1/products/", "get"): READ | {"404"},
    ("/api/v1/products/{slug}/config/", "get"): READ | {"304", "400", "404"},
    ("/api/v1/products/{slug}/quote/", "post"): READ | {"400", "404", "413", "415"},
    ("/api/v1/products/{slug}/thresholds/evaluate/", "post"): READ | {"400", "404", "413", "415"},
    ("/api/v1/config/", "get"): READ | {"304", "400", "404"},
    ("/api/v1/releases/", "get"): READ,
    ("/api/v1/releases/", "post"): {"201", "400", "401", "403", "409", "413", "415", "429"},
    ("/api/v1/releases/{version}/", "get"): READ | {"304", "404"},
    ("/api/v1/releases/{version}/withdraw/", "post"): {"200", "400", "401", "403", "404", "413", "415", "429"},
    ("/api/v1/releases/{a}/diff/{b}/", "get"): READ | {"404"},
    ("/api/v1/draft/", "get"): READ | {"304"},
    ("/api/v1/quote/", "post"): READ | {"400", "404", "413", "415"},
    ("/api/v1/thresholds/evaluate/", "post"): READ | {"400", "404", "413", "415"},
}


@pytest.fixture
def schema(db):
    response = Api().client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_every_endpoint_lists_its_status_codes(schema):
    operations = {
        (path, method): operation for path, item in schema["paths"].items() for method, operation in item.items()
    }

    assert {key: set(operation["responses"]) for key, operation in operations.items()} == EXPECTED_CODES
    publishing = {("/api/v1/releases/", "post"), ("/api/v1/releases/{version}/withdraw/", "post")}
    assert all(
        {"ApiKey": []} in operation["security"] for key, operation in operations.items() if key not in publishing
    )
    # API keys only read: publishing and withdrawing take a publisher's staff session.
    assert all(operations[key]["security"] == [{"cookieAuth": []}] for key in publishing)


def test_the_unscoped_routes_are_deprecated_for_the_product_routes(schema):
    deprecated = {
        (path, method)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if operation.get("deprecated")
    }

    assert deprecated == {
        ("/api/v1/config/", "get"),
        ("/api/v1/quote/", "post"),
        ("/api/v1/thresholds/evaluate/", "post"),
    }
    for path, method in deprecated:
        assert "/api/v1/products/<slug>/" in schema["paths"][path][method]["description"]


def test_a_products_config_says_its_release_version_in_a_header(schema):
    config = schema["paths"]["/api/v1/products/{slug}/config/"]["get"]

    assert set(config["responses"]["200"]["headers"]) == {"ETag", "Cache-Control", "X-Release-Version"}
    assert set(config["responses"]["304"]["headers"]) == {"ETag", "Cache-Control", "X-Release-Version"}
    assert "X-Release-Version" in schema["paths"]["/api/v1/products/"]["get"]["responses"]["200"]["headers"]


def test_api_keys_are_described_as_an_authorization_header(schema):
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "Api-Key <key>",
    }


def test_the_schema_warns_that_a_null_credit_is_not_to_be_charged(schema):
    credits = schema["components"]["schemas"]["QuoteResult"]["properties"]["credits"]

    assert credits["type"] == "integer" and credits["nullable"] is True
    assert "backends must not charge a null" in credits["description"]


def test_the_schema_bounds_a_usage_to_100_meters(schema):
    usage = schema["components"]["schemas"]["QuoteRequest"]["properties"]["usage"]

    assert (usage["minProperties"], usage["maxProperties"]) == (1, 100)


@pytest.mark.parametrize("code", ["400", "413"])
def test_every_400_and_413_has_one_documented_body(schema, code):
    bad = {
        operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
        for item in schema["paths"].values()
        for operation in item.values()
        if code in operation["responses"]
    }

    assert bad == {"#/components/schemas/Errors"}
    assert schema["components"]["schemas"]["Errors"]["required"] == ["errors"]


def test_the_schema_is_valid_openapi_without_warnings(db, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.0.3")


def test_the_swagger_ui_loads_from_this_server_not_a_cdn(db):
    response = Api().client.get("/api/v1/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<script src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js">' in page
    # No inline script (the Content-Security-Policy allows none): the page's own setup is a file too.
    assert "<script>" not in page
    assert '<script src="/api/v1/docs/?script=">' in page
    setup = Api().client.get("/api/v1/docs/?script=")
    assert setup.status_code == 200 and setup["Content-Type"].startswith("application/javascript")
    assert '"/api/v1/schema/"' in setup.content.decode()
    assert re.findall(r"https?://", page + setup.content.decode()) == []
