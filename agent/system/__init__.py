"""The PC's own settings that protection depends on, put in place and given back.

An installer (the Linux package's maintainer scripts, the Windows and macOS installers)
and the agent's tamper watch change the same things: the system's DNS pointed at the
agent, the browsers' policies (DNS over HTTPS off, SafeSearch, YouTube restricted) and the
firewall rules that keep a child's programs away from other resolvers. Each OS module
(`linux`, `windows`, `macos`) exports a class that is a `SystemIntegration`, built with a
`CommandRunner` and a root folder ("/" on a PC); `for_os()` picks one and imports its
module only then. Every system command goes through the runner and every file is written
under the root, so tests run them against a recording runner and a fake `/etc`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Finding:
    """One thing found out of place, said so that a parent can act on it."""

    key: str  # stable, for --json and tests: "dns", "browser-policy:firefox", ...
    ok: bool
    detail: str  # what was seen, in plain English (the doctor words it per language)


class SystemIntegration(Protocol):
    def point_dns_at_agent(self, agent_addresses: tuple[str, ...]) -> None:
        """Make the system resolver ask the agent; save what was there for `restore_dns`."""
        ...

    def restore_dns(self) -> None:
        """Give back the DNS settings saved by `point_dns_at_agent` (nothing if none)."""
        ...

    def dns_points_at_agent(self, agent_addresses: tuple[str, ...]) -> Finding: ...

    def install_browser_policies(self) -> None: ...

    def remove_browser_policies(self) -> None: ...

    def browser_policies_in_place(self) -> list[Finding]: ...

    def install_firewall(self, child_accounts: tuple[str, ...]) -> None:
        """Let the children's accounts reach DNS, DoT and known DoH only through the agent."""
        ...

    def remove_firewall(self) -> None: ...
