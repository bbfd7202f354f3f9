"""The client's address, believing X-Forwarded-For only from configured proxies."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_ip(conn: HTTPConnection, trusted_proxies: tuple[str, ...]) -> str:
    """The peer's address; behind a trusted proxy, the nearest untrusted hop it reported."""
    peer = conn.client.host if conn.client else "unknown"
    networks = _networks(trusted_proxies)
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [h.strip() for h in conn.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else peer
