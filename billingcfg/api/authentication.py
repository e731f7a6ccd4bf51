"""`Authorization: Api-Key <key>`: the key becomes the request's principal, so
throttling and logs are per key. A staff session works too (SessionAuthentication)."""

import re
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions

from billingcfg.release_models import ApiKey

KEYWORD = "Api-Key"
_PREFIX = re.compile(r"[A-Za-z0-9_]{1,16}")  # ApiKey.prefix: "bck_" and 8 hex digits
# last_used_at is written at most this often per key: a write per request would cost more than the read.
LAST_USED_PRECISION = timedelta(minutes=1)


class KeyPrincipal:
    """The authenticated caller when it is an API key: not a user, never staff."""

    is_authenticated = True
    is_active = True
    is_staff = False
    is_superuser = False
    is_anonymous = False

    def __init__(self, key: ApiKey):
        self.key = key
        self.pk = None

    def __str__(self):
        return f"api-key:{self.key.prefix}"

    def has_perm(self, perm, obj=None) -> bool:
        return False


_keys: dict[str, tuple[ApiKey, float]] = {}  # prefix → (key, fresh until, time.monotonic())
_keys_lock = threading.Lock()
KEYS_KEPT = 1000


def forget_api_key(instance: ApiKey, **_signal) -> None:
    with _keys_lock:
        _keys.pop(instance.prefix, None)


def forget_api_keys() -> None:
    with _keys_lock:
        _keys.clear()


def _api_key(prefix: str) -> ApiKey | None:
    """The key with `prefix`, read from the database at most once per
    RELEASE_CHECK_SECONDS per process: a revocation on another server applies within it."""
    now = time.monotonic()
    with _keys_lock:
        cached = _keys.get(prefix)
    if cached is not None and cached[1] > now:
        return cached[0]
    api_key = ApiKey.objects.filter(prefix=prefix).first()
    if api_key is not None:
        with _keys_lock:
            if len(_keys) >= KEYS_KEPT:
                _keys.clear()
            _keys[prefix] = (api_key, now + settings.RELEASE_CHECK_SECONDS)
    return api_key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, key = header.partition(" ")
        if keyword != KEYWORD:
            return None  # another scheme: left to the other authenticators
        key = key.strip()
        prefix, dot, _secret = key.partition(".")
        if not dot or not prefix or " " in key:
            raise exceptions.AuthenticationFailed(
                "Malformed API key: expected 'Authorization: Api-Key <prefix>.<secret>' as it was shown when made."
            )
        # Only a prefix that could be one is looked up: PostgreSQL refuses text holding a NUL.
        api_key = _api_key(prefix) if _PREFIX.fullmatch(prefix) else None
        if api_key is None or not api_key.matches(key):
            raise exceptions.AuthenticationFailed("Unknown API key.")
        if not api_key.is_active:
            raise exceptions.AuthenticationFailed(f"API key {api_key.prefix} was revoked.")
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
            api_key.last_used_at = now
        return KeyPrincipal(api_key), api_key

    def authenticate_header(self, request):
        return KEYWORD
