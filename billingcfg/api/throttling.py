"""Per-caller throttling in the shared cache: one budget per API key (or user)
across every app server."""

from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from billingcfg.api.authentication import KeyPrincipal


class PerClientThrottle(SimpleRateThrottle):
    scope = "client"

    def get_rate(self):
        # Read when the throttle is made, not when DRF was imported: DRF's class
        # attribute keeps the rates of import time and ignores later settings.
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(
                f"REST_FRAMEWORK DEFAULT_THROTTLE_RATES has no rate for '{self.scope}'") from None

    def get_cache_key(self, request, view):
        user = request.user
        if isinstance(user, KeyPrincipal):
            ident = f"key:{user.key.prefix}"
        elif user is not None and user.is_authenticated:
            ident = f"user:{user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return f"throttle:{self.scope}:{ident}"
