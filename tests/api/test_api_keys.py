"""API keys scoped to products: made with `create_api_key --product` (or `--all-products`),
or in the admin; a key reading no product, or an unknown one, is refused with a
message naming the rule (and the products there are), and nothing is stored."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from billingcfg.release_models import ApiKey
from billingcfg.releases.api_keys import NO_PRODUCTS, api_key_issue, products_named
from tests import factories as f
from tests.api.conftest import Api


@pytest.fixture
def apps(db):
    """Two products besides the default one."""
    f.default_product()
    return f.product(slug="video", sort_order=1), f.product(slug="coaching", sort_order=2)


def _create(*args: str) -> tuple[str, str]:
    out = io.StringIO()
    call_command("create_api_key", *args, stdout=out)
    key, note = out.getvalue().splitlines()
    return key, note


def test_create_api_key_scopes_the_key_to_the_products_named(apps):
    key, note = _create("video backend", "--product", "video", "--product", "coaching", "--product", "video")

    stored = ApiKey.objects.get()
    assert key.startswith(f"{stored.prefix}.")
    assert sorted(stored.products.values_list("slug", flat=True)) == ["coaching", "video"]
    assert stored.all_products is False
    assert note == (
        f"prefix {stored.prefix}, scopes config:read, reads products video, coaching. "
        "Copy the key above now: it is not stored and cannot be shown again."
    )


def test_create_api_key_for_all_products(apps):
    _, note = _create("pricing tools", "--all-products", "--scope", "draft:read")

    stored = ApiKey.objects.get()
    assert (stored.all_products, stored.scopes, list(stored.products.all())) == (True, ["draft:read"], [])
    assert "reads all products" in note


def test_create_api_key_refuses_an_unknown_product_naming_the_products(apps):
    with pytest.raises(CommandError) as refused:
        _create("podcast backend", "--product", "podcast", "--product", "video", "--product", "radio")

    assert str(refused.value) == "products: no product 'podcast', 'radio'; products are: default, video, coaching"
    assert not ApiKey.objects.exists()


def test_create_api_key_refuses_a_key_reading_no_product(apps):
    with pytest.raises(CommandError) as refused:
        _create("nobody")

    assert str(refused.value) == f"products: {NO_PRODUCTS}"
    assert not ApiKey.objects.exists()


def test_the_service_refuses_a_key_reading_no_product_and_stores_nothing(apps):
    with pytest.raises(ValidationError) as refused:
        api_key_issue(ApiKey(name="nobody", scopes=["config:read"]))

    assert refused.value.message_dict == {"products": [NO_PRODUCTS]}
    assert not ApiKey.objects.exists()


def test_unknown_products_are_named_with_the_products_there_are(apps):
    assert [product.slug for product in products_named(["coaching", "video"])] == ["coaching", "video"]
    with pytest.raises(ValidationError) as refused:
        products_named(["nope"])
    assert refused.value.message_dict == {"products": ["no product 'nope'; products are: default, video, coaching"]}


def test_a_key_reading_no_product_reads_nothing(apps):
    """A key stored without products (not through the service) is refused every product, saying so."""
    key, prefix, hashed = ApiKey.generate()
    ApiKey.objects.create(name="stray", prefix=prefix, hashed_key=hashed, scopes=["config:read"])

    response = Api(key).get("/api/v1/products/video/config/")

    assert response.status_code == 403
    assert response.json() == {
        "detail": f"API key {prefix} may not read product 'video': it reads only products none (give it a product "
        "in the admin). Use /api/v1/products/<slug>/config/ with one of them."
    }
