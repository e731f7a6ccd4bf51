"""Per-caller throttling in the shared cache: one budget per API key (or user)
across every app server, counted by billingcfg.core.ratelimit.

A fixed-window counter: one atomic increment per request (Redis INCR), however
many requests the window allows. DRF's SimpleRateThrottle stores every request's
timestamp and rewrites the whole list on each request, which grows with the rate."""

import hashlib
import re
import time

from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from billingcfg.core.ratelimit import client_address, fixed_window, window_count
from billingcfg.release_models import ApiKey

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_ADDRESS = re.compile(r"[0-9A-Fa-f.:]{1,45}")  # one IPv4 or IPv6 address


def parse_rate(rate: str) -> tuple[int, int]:
    """'6000/minute' → (6000 requests, 60 seconds)."""
    try:
        count, period = rate.split("/")
        return int(count), PERIODS[period[0]]
    except (ValueError, KeyError, IndexError):
        raise ImproperlyConfigured(f"a throttle rate is '<requests>/<second|minute|hour|day>', not {rate!r}") from None


class PerClientThrottle(BaseThrottle):
    scope = "client"

    def allow_request(self, request, view) -> bool:
        # Read per request, not at import: settings overridden later (tests, runtime) apply.
        try:
            rate = api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(
                f"REST_FRAMEWORK DEFAULT_THROTTLE_RATES has no rate for '{self.scope}'"
            ) from None
        if rate is None:
            return True
        allowed, period = parse_rate(rate)
        window, self._wait = fixed_window(period, now=time.time())
        key = f"throttle:{self.scope}:{self._ident(request)}:{period}:{window}"
        return window_count(key, timeout=period + 1) <= allowed

    def wait(self) -> float:
        return self._wait

    def _ident(self, request) -> str:
        api_key = getattr(request, "auth", None)
        if isinstance(api_key, ApiKey):
            return f"key:{api_key.prefix}"
        user = request.user
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        address = client_address(request)
        if not _ADDRESS.fullmatch(address):
            # X-Forwarded-For is the client's to write: a long or odd one would make a cache key the
            # database cache cannot store (over 255 characters, or a NUL) and the request a 500.
            address = hashlib.sha256(address.encode(errors="replace")).hexdigest()[:32]
        return f"ip:{address}"
