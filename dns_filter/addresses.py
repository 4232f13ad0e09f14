"""IP address text: its canonical form and whether it is loopback, for the resolver chain
(which client asks) and the upstreams (where plain http:// may go)."""

from __future__ import annotations

import functools
import ipaddress


@functools.lru_cache(maxsize=4_096)
def normalise_ip(address: str) -> str:
    """Canonical text of an IP address; IPv4-mapped IPv6 becomes IPv4; scope ids dropped."""
    text = address.split("%", 1)[0].strip()
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return text.lower()
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(parsed)


@functools.lru_cache(maxsize=4_096)
def is_loopback(address: str) -> bool:
    """True for 127.0.0.0/8, ::1 and their IPv4-mapped forms; False for anything else,
    names included."""
    try:
        return ipaddress.ip_address(normalise_ip(address)).is_loopback
    except ValueError:
        return False


def is_ip_address(text: str) -> bool:
    """True when `text` is an IPv4 or IPv6 address as written (no brackets, no port)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
