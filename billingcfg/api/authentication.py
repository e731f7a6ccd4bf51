"""`Authorization: Api-Key <key>`: the key becomes the request's principal, so
throttling and logs are per key. A staff session works too (SessionAuthentication).

A failed key check (malformed, unknown or revoked) counts against the client's
address in the shared cache; over API_KEY_FAILURES in a window, every key from
that address is answered 429 without being checked until the window ends (DRF
throttles after authenticating, so its throttle never sees these). An unknown
prefix is hashed and compared like a known one's wrong secret, and remembered
as unknown like a known key is remembered: both cost the same. Like a key, an
address's count is read from the shared cache at most once per
RELEASE_CHECK_SECONDS per process, and known at once when a failure this
process counts reaches the limit."""

import hashlib
import re
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from rest_framework import authentication, exceptions

from billingcfg.core.ratelimit import client_address, fixed_window, window_count
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
        # The slugs of the products it reads (read with the key, kept as long as the key is).
        self.products: frozenset[str] = getattr(key, "product_slugs", frozenset())

    def __str__(self):
        return f"api-key:{self.key.prefix}"

    def has_perm(self, perm, obj=None) -> bool:
        return False


# prefix → (key, fresh until, time.monotonic()); prefixes of no key apart, so that many of them
# (someone guessing) push out only each other, never the keys in use.
_keys: dict[str, tuple[ApiKey, float]] = {}
_unknown: dict[str, tuple[None, float]] = {}
# failures key → (over the limit?, fresh until, time.monotonic()): the shared count is read at most once
# per RELEASE_CHECK_SECONDS per address per process, not on every request a key makes.
_addresses: dict[str, tuple[bool, float]] = {}
_keys_lock = threading.Lock()
KEYS_KEPT = 1000


def forget_api_key(instance: ApiKey, **_signal) -> None:
    with _keys_lock:
        _keys.pop(instance.prefix, None)
        _unknown.pop(instance.prefix, None)


def api_key_products_changed(instance, action: str, **_signal) -> None:
    """A key's products changed (from the key's side, or a product's keys from the product's)."""
    if action.startswith("post_"):
        if isinstance(instance, ApiKey):
            forget_api_key(instance)
        else:
            forget_api_keys()


def forget_api_keys() -> None:
    with _keys_lock:
        _keys.clear()
        _unknown.clear()
        _addresses.clear()


def _api_key(prefix: str) -> ApiKey | None:
    """The key with `prefix`, or None, read from the database at most once per
    RELEASE_CHECK_SECONDS per process: a revocation (or a change of its products, read
    with it once it matched: `_products_of`) on another server applies within it."""
    now = time.monotonic()
    with _keys_lock:
        cached = _keys.get(prefix) or _unknown.get(prefix)
    if cached is not None and cached[1] > now:
        return cached[0]
    api_key = ApiKey.objects.filter(prefix=prefix).first()
    with _keys_lock:
        kept = _unknown if api_key is None else _keys
        if len(kept) >= KEYS_KEPT:
            kept.clear()
        kept[prefix] = (api_key, now + settings.RELEASE_CHECK_SECONDS)
    return api_key


def _products_of(api_key: ApiKey) -> frozenset[str]:
    """The slugs of the products a key that matched may read, read once for the key as this process
    holds it (so again with the key, within RELEASE_CHECK_SECONDS); never for a key that did not match, which
    costs what an unknown prefix does."""
    slugs = getattr(api_key, "product_slugs", None)
    if slugs is None:
        slugs = api_key.product_slugs = frozenset(api_key.products.values_list("slug", flat=True))
    return slugs


def _failures_key(request) -> tuple[str, float]:
    """The cache key counting this address's failed key checks in the current window, and the seconds left in it."""
    window, wait = fixed_window(settings.API_KEY_WINDOW_SECONDS, now=time.time())
    address = hashlib.sha256(client_address(request).encode(errors="replace")).hexdigest()[:32]
    return f"api-key-failures:{address}:{window}", wait


def _remember(key: str, over: bool) -> None:
    with _keys_lock:
        if len(_addresses) >= KEYS_KEPT:
            _addresses.clear()
        _addresses[key] = (over, time.monotonic() + settings.RELEASE_CHECK_SECONDS)


def _refuse_if_failing(request) -> None:
    key, wait = _failures_key(request)
    with _keys_lock:
        known = _addresses.get(key)
    if known is not None and known[1] > time.monotonic():
        over = known[0]
    else:
        over = (caches["default"].get(key) or 0) >= settings.API_KEY_FAILURES
        _remember(key, over)
    if over:
        raise exceptions.Throttled(
            wait,
            detail=(
                f"Too many failed API key checks from this address (at most {settings.API_KEY_FAILURES} in "
                f"{settings.API_KEY_WINDOW_SECONDS} seconds, DJANGO_API_KEY_FAILURES); no key from it is checked "
                "until then."
            ),
        )


def _count_failure(request) -> None:
    key = _failures_key(request)[0]
    if window_count(key, timeout=settings.API_KEY_WINDOW_SECONDS + 1) >= settings.API_KEY_FAILURES:
        _remember(key, True)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, key = header.partition(" ")
        if keyword != KEYWORD:
            return None  # another scheme: left to the other authenticators
        _refuse_if_failing(request)
        try:
            api_key = self._check(key.strip())
        except exceptions.AuthenticationFailed:
            _count_failure(request)
            raise
        _products_of(api_key)
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
            api_key.last_used_at = now
        return KeyPrincipal(api_key), api_key

    @staticmethod
    def _check(key: str) -> ApiKey:
        prefix, dot, _secret = key.partition(".")
        if not dot or not prefix or " " in key:
            raise exceptions.AuthenticationFailed(
                "Malformed API key: expected 'Authorization: Api-Key <prefix>.<secret>' as it was shown when made."
            )
        # Only a prefix that could be one is looked up: PostgreSQL refuses text holding a NUL.
        api_key = _api_key(prefix) if _PREFIX.fullmatch(prefix) else None
        if not (ApiKey.matches_no_key(key) if api_key is None else api_key.matches(key)):
            raise exceptions.AuthenticationFailed("Unknown API key.")
        if not api_key.is_active:
            raise exceptions.AuthenticationFailed(f"API key {api_key.prefix} was revoked.")
        return api_key

    def authenticate_header(self, request):
        return KEYWORD
