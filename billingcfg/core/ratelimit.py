"""Counting in the shared cache, for every limit on callers: the API's per-key
budget, failed API key checks per address, failed admin logins per username and
address. One fixed-window counter and one rule for who the caller is, so a
limit counts the same on every app server and behind the same proxies."""

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def client_address(request) -> str:
    """The caller's address: REMOTE_ADDR, or behind TRUSTED_PROXIES proxies the
    address the outermost trusted proxy saw in X-Forwarded-For (which anyone
    can write, so it is read only behind proxies that append to it)."""
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


def fixed_window(period: int, *, now: float) -> tuple[int, float]:
    """The fixed window of `period` seconds that `now` (time.time()) falls in: its number, which a
    counter's cache key names, and the seconds left in it (Retry-After)."""
    number = int(now // period)
    return number, (number + 1) * period - now


# One Redis client per process, shared by its threads (a redis-py client is thread-safe). Django's
# caches["default"] is a new object in each thread, so a client kept per cache object made one client,
# with its own connection pool, for every thread that ever counted (runserver starts one per request).
_redis_clients = {}


def window_count(key: str, *, timeout: int) -> int:
    """This window's requests so far, this one included, counted atomically in the shared cache."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        # One round trip: Redis INCR creates the counter at 1. Django's cache.incr
        # would first ask whether the key exists (two round trips per request),
        # and builds a new client object for every call.
        client = _redis_clients.get("default")
        if client is None:
            client = _redis_clients["default"] = cache._cache.get_client(write=True)
        full_key = cache.make_and_validate_key(key)
        count = client.incr(full_key)
        if count == 1:  # the window's first request: its counter goes when the window does
            client.expire(full_key, timeout)
        return count
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request
        return 1 if cache.add(key, 1, timeout=timeout) else cache.incr(key)
