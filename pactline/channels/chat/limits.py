"""How often the public chat start form may open conversations.

The start form needs no login, so anyone may post it; each post that succeeds opens a case with
clocks. It is limited per client and remote address (`per_address` starts per `window_seconds`,
so a flood from one address neither fills the client's queue nor touches other clients or
other customers), and optionally per client as a whole (`per_client`, off by default: a
client-wide ceiling lets whoever holds many addresses shut a client's customers out).

Counts live in Django's default cache, in fixed windows: with several web processes, configure
a shared cache (`CACHES`, e.g. the database cache) so they count together. IPv6 addresses are
counted per /64, the block one subscriber usually holds."""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

_PREFIX = "pactline:chat-start"


@dataclass(frozen=True)
class StartLimit:
    window_seconds: int = 60
    per_address: int = 5
    per_client: int = 0  # 0: no client-wide ceiling


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the window in force ends


def start_limit() -> StartLimit:
    configured = dict(getattr(settings, "PACTLINE_CHAT_START_LIMIT", {}))
    return StartLimit(
        window_seconds=max(1, int(configured.get("window_seconds", 60))),
        per_address=max(0, int(configured.get("per_address", 5))),
        per_client=max(0, int(configured.get("per_client", 0))),
    )


def address_bucket(address: str) -> str:
    """What one customer's address counts under: the IPv4 address, or the IPv6 /64."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _count(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr: this is the window's first
        cache.set(key, 1, timeout=timeout)
        return 1


def chat_start_attempt(*, client_id: int, address: str, now: float | None = None) -> Verdict:
    """Count one post of the start form; refused when it passes a limit of the window."""
    limit = start_limit()
    moment = time.time() if now is None else now
    window = int(moment // limit.window_seconds)
    retry_after = max(1, int((window + 1) * limit.window_seconds - moment))
    timeout = limit.window_seconds + 5
    if limit.per_address:
        key = f"{_PREFIX}:{client_id}:{address_bucket(address)}:{window}"
        if _count(key, timeout) > limit.per_address:
            return Verdict(False, retry_after)
    if limit.per_client:
        key = f"{_PREFIX}:{client_id}:*:{window}"
        if _count(key, timeout) > limit.per_client:
            return Verdict(False, retry_after)
    return Verdict(True)
