"""OS integration behind one interface.

Each OS module (`linux`, `windows`, `macos`) exports the same functions; `current()` picks
the one for this OS and falls back to `null`. Nothing OS-specific is imported until a
function is called.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Protocol, cast


class PlatformModule(Protocol):
    def active_session_user(self) -> str | None:
        """The OS account that holds the active (foreground, unlocked) desktop session."""
        ...

    def local_addresses(self) -> frozenset[str]:
        """The PC's own IP addresses, so its own DNS queries are recognised."""
        ...


_MODULE_BY_PLATFORM = {"linux": "linux", "win32": "windows", "darwin": "macos"}


def current(platform_name: str | None = None) -> PlatformModule:
    name = _MODULE_BY_PLATFORM.get(platform_name or sys.platform, "null")
    module: ModuleType = importlib.import_module(f"{__name__}.{name}")
    return cast(PlatformModule, module)
