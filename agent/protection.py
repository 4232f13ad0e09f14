"""Is the PC's own DNS pointed at the agent? The overview's first protection check.

On a PC with ``/etc/resolv.conf`` (Linux, macOS) the system resolver asks the name
servers listed there; the check is whether one of them is an address where the agent's
DNS filter answers on port 53. A systemd-resolved stub (``127.0.0.53``) hides the real
servers, so the answer there is "unknown" rather than a guess. Elsewhere (Windows) the
answer is "unknown" until the OS's system integration reports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dns_filter.addresses import is_loopback, normalise_ip

RESOLV_CONF = Path("/etc/resolv.conf")
RESOLVED_STUBS = frozenset({"127.0.0.53", "127.0.0.54"})
WILDCARDS = frozenset({"0.0.0.0", "::"})


def name_servers(text: str) -> list[str]:
    """The ``nameserver`` addresses of a resolv.conf, in order."""
    found: list[str] = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            try:
                found.append(normalise_ip(parts[1].split("%", 1)[0]))
            except ValueError:
                continue
    return found


def agent_port_53_addresses(listening: Sequence[str]) -> set[str]:
    """The addresses where the agent answers DNS on the standard port."""
    found: set[str] = set()
    for url in listening:
        parts = urlsplit(url)
        if parts.port == 53 and parts.hostname:
            found.add(normalise_ip(parts.hostname))
    return found


@dataclass(frozen=True)
class DnsFinding:
    """Where the PC's DNS points: ``state`` (``ok``, ``off``, ``unknown``), why in a code
    (``asks_agent``, ``asks_others``, ``agent_not_on_53``, ``no_servers``,
    ``resolved_stub``, ``no_resolv_conf``) and the name servers seen."""

    state: str
    reason: str
    servers: tuple[str, ...] = ()


def dns_points_at_agent(listening: Sequence[str], resolv_conf: str | None) -> DnsFinding:
    """From the agent's listening URLs and the text of resolv.conf (None: the PC has none)."""
    if resolv_conf is None:
        return DnsFinding("unknown", "no_resolv_conf")
    servers = tuple(name_servers(resolv_conf))
    if not servers:
        return DnsFinding("off", "no_servers")
    agent = agent_port_53_addresses(listening)
    if not agent:
        return DnsFinding("off", "agent_not_on_53", servers)
    for server in servers:
        if server in agent or (is_loopback(server) and agent & WILDCARDS):
            return DnsFinding("ok", "asks_agent", servers)
    if all(server in RESOLVED_STUBS for server in servers):
        return DnsFinding("unknown", "resolved_stub", servers)
    return DnsFinding("off", "asks_others", servers)


def resolv_conf_check(
    listening: Callable[[], Sequence[str]], path: Path = RESOLV_CONF
) -> Callable[[], DnsFinding]:
    def check() -> DnsFinding:
        try:
            text: str | None = path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            text = None
        return dns_points_at_agent(listening(), text)

    return check
