"""What a caller may read: an API key by its scopes and its products, a user by being
staff (and, for the draft, by being allowed to view the configuration tables).

A key scoped to products reads only their documents, quotes and thresholds (the
/products/<slug>/ routes, and the deprecated unscoped routes when it may read the
default product); the whole configuration (release documents, diffs, the draft) takes
a staff session or a key for all products."""

from rest_framework.permissions import BasePermission

from billingcfg.api.authentication import KeyPrincipal
from billingcfg.release_models import ApiScope
from billingcfg.releases.services import PUBLISH_PERMISSION


class _ScopePermission(BasePermission):
    scope: str
    user_perm: str | None = None

    def has_permission(self, request, view) -> bool:
        user = request.user
        if isinstance(user, KeyPrincipal):
            if user.key.has_scope(self.scope):
                return True
            self.message = f"API key {user.key.prefix} lacks the '{self.scope}' scope."
            return False
        if user is None or not user.is_authenticated:
            return False
        if not user.is_staff:
            self.message = "Only staff accounts and API keys may use this API."
            return False
        if self.user_perm and not user.has_perm(self.user_perm):
            self.message = f"Your account lacks the permission {self.user_perm}."
            return False
        return True


class ConfigRead(_ScopePermission):
    scope = ApiScope.CONFIG_READ


class DraftRead(_ScopePermission):
    scope = ApiScope.DRAFT_READ
    user_perm = "rates.view_creditrate"


PRODUCT_ROUTES = (
    "/api/v1/products/ (the list), /api/v1/products/<slug>/config/, /api/v1/products/<slug>/quote/ and "
    "/api/v1/products/<slug>/thresholds/evaluate/"
)


def readable_products(user) -> frozenset[str] | None:
    """The slugs of the products `user` may read; None: every product (a staff user, a key for all products)."""
    if isinstance(user, KeyPrincipal) and not user.key.all_products:
        return user.products
    return None


def _products_text(products: frozenset[str]) -> str:
    return ", ".join(sorted(products)) if products else "none (give it a product in the admin)"


def product_refusal(user, product: str, *, route: str | None = None) -> str | None:
    """Why `user` may not read `product` (a 403's message), or None when it may. `route`: the
    deprecated unscoped route asked for, which serves the default product `product`."""
    readable = readable_products(user)
    if readable is None or product in readable:
        return None
    what = f"{route} serves the default product '{product}', which" if route else f"product '{product}'"
    return (
        f"API key {user.key.prefix} may not read {what}: it reads only products {_products_text(readable)}. "
        f"Use /api/v1/products/<slug>/config/ with one of them."
    )


class WholeConfiguration(BasePermission):
    """The whole configuration (every product's rows: release documents, diffs, the draft): staff
    and keys for all products; a key scoped to products is told which routes it may use."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if isinstance(user, KeyPrincipal) and not user.key.all_products:
            self.message = (
                f"API key {user.key.prefix} reads only products {_products_text(user.products)}, not the whole "
                f"configuration (release documents, diffs, the draft), which needs a key for all products. "
                f"It may use {PRODUCT_ROUTES}."
            )
            return False
        return True


KEYS_CANNOT_PUBLISH = "API keys cannot publish; a publisher publishes from the admin or with a staff session"


class Publish(BasePermission):
    """Publishing: a staff session with the publish permission; never an API key (keys only read)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if isinstance(user, KeyPrincipal):
            self.message = KEYS_CANNOT_PUBLISH
            return False
        if user is None or not user.is_authenticated:
            return False
        if not user.is_staff:
            self.message = "Only staff accounts may publish."
            return False
        if not user.has_perm(PUBLISH_PERMISSION):
            self.message = f"Your account lacks the permission {PUBLISH_PERMISSION}: only publishers may publish."
            return False
        return True
