"""The address of the client behind a request.

`X-Forwarded-For` is believed only when the request comes from one of TRUSTED_PROXIES; then
the client is the nearest address in the header that is not itself a trusted proxy. Anyone
else could write anything in that header.
"""
from __future__ import annotations

import ipaddress
from typing import Sequence

from aiohttp import web

from bot.config import Network


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_ip(request: web.Request, proxies: Sequence[Network]) -> str:
    remote = request.remote or "unknown"
    if not proxies or not _trusted(remote, proxies):
        return remote
    # every X-Forwarded-For header, in order: HAProxy appends its own after the client's
    forwarded = ",".join(request.headers.getall("X-Forwarded-For", []))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a malformed header: the proxy's own address is all we know
    return remote
