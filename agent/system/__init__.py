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

import sys
from pathlib import Path
from typing import Protocol

from agent.system.errors import SystemSetupError
from agent.system.findings import Finding
from agent.system.runner import CommandRunner

__all__ = [
    "Finding", "SystemIntegration", "SystemSetupError", "UnsupportedSystemError", "for_os",
]


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


class UnsupportedSystemError(RuntimeError):
    """No integration is written for this OS."""


def for_os(
    runner: CommandRunner, root: Path, platform_name: str | None = None
) -> SystemIntegration:
    """The integration for this OS (or `platform_name`, as `sys.platform` names it), its
    module imported only now."""
    name = platform_name or sys.platform
    if name.startswith("linux"):
        from agent.system.linux import LinuxIntegration

        # The services running are this PC's: under another root they are left alone.
        return LinuxIntegration(runner, root, manage_services=Path(root).resolve() == Path("/"))
    raise UnsupportedSystemError(
        f"Bảo An cannot set up the system's DNS, browsers and firewall on {name!r}: "
        "there is an integration for Linux, Windows (win32) and macOS (darwin) only"
    )
