"""What a caller may read: an API key by its scopes, a user by being staff (and,
for the draft, by being allowed to view the configuration tables)."""

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
