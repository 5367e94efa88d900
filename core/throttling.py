"""Attempt limits shared by every process: sign-in, tokens, password reset, sign-up.

Counters live in Django's default cache, which is Redis in production and the database
cache in the embedded mode (never per-process memory), so the web workers, the API and
every gunicorn process count together. A counter is a fixed window: the first attempt
opens it for ``window`` seconds; once ``attempts`` are counted the limit holds until the
window closes. Values (an email, an address) are hashed into the key.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    """Too many attempts; ``retry_after`` seconds until the next one is accepted."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class Limit:
    name: str

    @property
    def attempts(self) -> int:
        return int(settings.THROTTLE_LIMITS[self.name][0])

    @property
    def window(self) -> int:
        return int(settings.THROTTLE_LIMITS[self.name][1])


def client_address(request: HttpRequest) -> str:
    """The address of the person, trusting X-Forwarded-For only as far as our own proxies.

    Each of the deployment's ``TRUSTED_PROXY_COUNT`` proxies appends the address it was
    called from, so the client is that many entries from the right; anything further left
    was written by the client and is ignored. With no proxy declared, REMOTE_ADDR only.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]


def address_key(address: str) -> str:
    """An IPv6 client counts by its /64 (one household or host gets a whole /64)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _key(limit: Limit, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()
    return f"throttle:{limit.name}:{digest}"


def _read(key: str) -> tuple[int, float]:
    try:
        count, until = cache.get(key) or (0, 0.0)
    except Exception:  # a cache outage must not take sign-in down with it
        logger.exception("Attempt counter %s could not be read", key)
        return 0, 0.0
    return int(count), float(until)


def limit_retry_after(limit: Limit, value: str) -> int:
    """Seconds until ``value`` may try again under ``limit``; 0 when it may now."""
    count, until = _read(_key(limit, value))
    now = time.time()
    if count >= limit.attempts and until > now:
        return int(until - now) + 1
    return 0


def limit_hit(limit: Limit, value: str) -> None:
    """Count one attempt. Read-modify-write: two racing requests may count once, which
    lets a handful more through under a flood; the limit is a brake, not a lock."""
    key = _key(limit, value)
    count, until = _read(key)
    now = time.time()
    if until <= now:
        count, until = 0, now + limit.window
    try:
        cache.set(key, (count + 1, until), timeout=max(1, int(until - now) + 1))
    except Exception:
        logger.exception("Attempt counter %s could not be written", key)


def limit_reset(limit: Limit, value: str) -> None:
    try:
        cache.delete(_key(limit, value))
    except Exception:
        logger.exception("Attempt counter for %s could not be reset", limit.name)


def limits_wait(checks: list[tuple[Limit, str]]) -> int:
    """Seconds until every (limit, value) pair accepts an attempt again; 0 if they do now."""
    return max((limit_retry_after(limit, value) for limit, value in checks), default=0)


def limits_hit(checks: list[tuple[Limit, str]]) -> None:
    for limit, value in checks:
        limit_hit(limit, value)


def cache_table_ensure() -> str:
    """First-start hook: the database cache's table exists (migration core.0002 made it;
    this covers a deployment that switched to the database cache later). Idempotent."""
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)
    return ""
