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
from agent.system.runner import CommandRunner, SubprocessRunner

__all__ = [
    "Finding", "SystemIntegration", "SystemSetupError", "default_agent_addresses", "for_os",
]

# Where the installed agent answers DNS, as the system is told to ask it. On Linux the
# service listens on 127.0.0.1 only (a PC without IPv6 could not bind ::1).
DEFAULT_AGENT_ADDRESSES = ("127.0.0.1", "::1")
LINUX_AGENT_ADDRESSES = ("127.0.0.1",)


def default_agent_addresses(platform_name: str | None = None) -> tuple[str, ...]:
    name = platform_name or sys.platform
    return LINUX_AGENT_ADDRESSES if name.startswith("linux") else DEFAULT_AGENT_ADDRESSES


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

    def firewall_in_place(self) -> Finding:
        """Whether the children's firewall rules are loaded (`baoan doctor`)."""
        ...


def for_os(
    platform_name: str | None = None,
    runner: CommandRunner | None = None,
    root: Path | None = None,
    data_dir: Path | None = None,
) -> SystemIntegration | None:
    """The integration for this OS (or `platform_name`), its module imported only now;
    None where there is none. `data_dir` is where it keeps what it must give back (the
    DNS settings it replaced), by default the agent's data folder under `root`."""
    name = platform_name or sys.platform
    runner = runner or SubprocessRunner()
    if name.startswith("linux"):
        from agent.system.linux import LinuxIntegration

        linux_root = root or Path("/")
        return LinuxIntegration(
            runner, linux_root,
            state_dir=None if data_dir is None else data_dir / "system",
            # The services running are this PC's: under another root they are left alone.
            manage_services=linux_root.resolve() == Path("/"),
        )
    if name == "win32":
        from agent.system.windows import WindowsIntegration

        return WindowsIntegration(runner, root or Path("C:\\"), data_dir)
    if name == "darwin":
        from agent.system.macos import MacIntegration

        return MacIntegration(runner, root or Path("/"), data_dir)
    return None
