"""The admin login's throttle.

Failed logins are counted in the shared cache (every app server sees the same
counts), per username and per client address, in fixed windows of
ADMIN_LOGIN_WINDOW_SECONDS. Once a username has ADMIN_LOGIN_FAILURES failures
in the window (an address four times as many), further attempts are refused
without looking at the password, until the window ends: guessing gets a handful
of tries per quarter hour, whatever the password."""

import hashlib
import math
import time

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError

from billingcfg.core.ratelimit import client_address, fixed_window, window_count

ADDRESS_FACTOR = 4  # one office behind one address has several people


def now() -> float:
    return time.time()


def login_buckets(request, username: str) -> list[tuple[str, int]]:
    """(cache key, failures allowed) for this attempt's username and address, in the current window."""
    window, _left = fixed_window(settings.ADMIN_LOGIN_WINDOW_SECONDS, now=now())
    allowed = settings.ADMIN_LOGIN_FAILURES
    name = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    return [
        (f"login-failures:user:{name}:{window}", allowed),
        (f"login-failures:addr:{address}:{window}", allowed * ADDRESS_FACTOR),
    ]


def login_refusal(buckets: list[tuple[str, int]]) -> str | None:
    """Why this attempt is refused before its password is checked, or None."""
    if not any((cache.get(key) or 0) >= allowed for key, allowed in buckets):
        return None
    _window, left = fixed_window(settings.ADMIN_LOGIN_WINDOW_SECONDS, now=now())
    minutes = max(1, math.ceil(left / 60))
    return (
        f"Too many failed logins for this username or from this address. Try again in "
        f"{minutes} minute{'s' if minutes != 1 else ''}."
    )


def login_failed(buckets: list[tuple[str, int]]) -> None:
    for key, _allowed in buckets:
        window_count(key, timeout=settings.ADMIN_LOGIN_WINDOW_SECONDS + 1)


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """The admin's login form, refusing attempts over the limit before the password is checked."""

    error_messages = {**AdminAuthenticationForm.error_messages, "throttled": "%(reason)s"}

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()
        buckets = login_buckets(self.request, username)
        reason = login_refusal(buckets)
        if reason:
            raise ValidationError(self.error_messages["throttled"], code="throttled", params={"reason": reason})
        try:
            return super().clean()
        except ValidationError:
            login_failed(buckets)
            raise
