"""API keys: issued (the full key returned once, only its hash stored) and revoked.
A key reads one or more products, or all of them (the whole configuration)."""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from billingcfg.models import Product
from billingcfg.release_models import ApiKey

NO_PRODUCTS = (
    "choose the products the key may read, or 'all products' (the whole configuration, for staff tools); "
    "a key reading no product could read nothing"
)


def products_problem(products: Iterable[Product], *, all_products: bool) -> str | None:
    """Why a key with these products cannot be made, or None."""
    if not all_products and not list(products):
        return NO_PRODUCTS
    return None


def products_named(slugs: Iterable[str]) -> list[Product]:
    """The products with these slugs, or ValidationError on `products` naming each unknown one and the products."""
    slugs = list(dict.fromkeys(slugs))
    found = {product.slug: product for product in Product.objects.filter(slug__in=slugs)}
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        known = ", ".join(Product.objects.order_by("sort_order", "slug").values_list("slug", flat=True)) or "none"
        raise ValidationError(
            {"products": f"no product {', '.join(repr(slug) for slug in unknown)}; products are: {known}"}
        )
    return [found[slug] for slug in slugs]


@transaction.atomic
def api_key_issue(api_key: ApiKey, *, user=None, products: Iterable[Product] = ()) -> str:
    """Store the unsaved `api_key` (its name, scopes and all_products set) with a new key reading
    `products` (or all of them), of which only the hash is kept; return the full key, to be shown once.
    ValidationError, and nothing stored, for a key reading no product."""
    products = list(products)
    key, api_key.prefix, api_key.hashed_key = ApiKey.generate()
    api_key.created_by = user if user is not None and user.pk else None
    api_key.full_clean()
    problem = products_problem(products, all_products=api_key.all_products)
    if problem:
        raise ValidationError({"products": problem})
    api_key.save()
    api_key.products.set(products)
    return key


def api_key_revoke(api_key: ApiKey, *, at: datetime) -> bool:
    """Revoke a key from `at` on; False when it was revoked already (its time is kept)."""
    if api_key.revoked_at is not None:
        return False
    api_key.revoked_at = at
    api_key.save(update_fields=["revoked_at"])
    return True
