"""OS integration behind one interface.

Each OS module (`linux`, `windows`, `macos`) exports the same functions; `current()` picks
the one for this OS and falls back to `null`. Nothing OS-specific is imported until a
function is called.
"""

from __future__ import annotations

import sys
from typing import Protocol, cast


class PlatformModule(Protocol):
    def active_session_user(self) -> str | None:
        """The OS account that holds the active (foreground, unlocked) desktop session."""
        ...

    def local_addresses(self) -> frozenset[str]:
        """The PC's own IP addresses, so its own DNS queries are recognised."""
        ...

    def os_accounts(self) -> frozenset[str] | None:
        """The people's accounts on this PC (not the system's own), or None when they
        cannot be read: a new one is a tamper event."""
        ...


def current(platform_name: str | None = None) -> PlatformModule:
    """The module for this OS (or `platform_name`), imported only now."""
    name = platform_name or sys.platform
    if name == "linux":
        from agent.platform import linux

        return cast(PlatformModule, linux)
    if name == "win32":
        from agent.platform import windows

        return cast(PlatformModule, windows)
    if name == "darwin":
        from agent.platform import macos

        return cast(PlatformModule, macos)
    from agent.platform import null

    return cast(PlatformModule, null)
