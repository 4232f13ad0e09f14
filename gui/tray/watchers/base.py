"""What every OS's watcher reports: one sample of the desktop session.

Each OS module (``linux_x11``, ``linux_wayland``, ``windows``, ``macos``, ``null``) exports
the same function, ``create() -> Watcher | None`` (None: not usable here), and imports
nothing OS-specific until it is called. The tray is told, and tells the child, what is
watched: the app in front, its window title, idle time, lock, full screen, media playing —
never the screen's contents or keystrokes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ForegroundWindow:
    """The app in front. The title is shown only to a parent and is not stored."""

    exe_path: str = ""
    pid: int | None = None
    create_time: float | None = None
    title: str = ""
    product_name: str = ""
    original_name: str = ""


@dataclass(frozen=True)
class Sample:
    app: ForegroundWindow | None = None
    idle_seconds: float = 0.0
    locked: bool = False
    full_screen: bool = False
    media_playing: bool = False


class Watcher(Protocol):
    name: str  # "linux-x11", "windows", ... (said plainly in the dashboard)
    # Whether it can tell the app in front: not on Wayland (GNOME gives no program the
    # window in front), nor the null watcher; the agent then counts from the apps that run.
    knows_foreground: bool

    def sample(self) -> Sample: ...

    def close(self) -> None: ...


def process_create_time(pid: int) -> float | None:
    """The process's start (epoch seconds), so that a reused pid is not the same app."""
    try:
        import psutil

        return float(psutil.Process(pid).create_time())
    except Exception:
        return None


def process_exe(pid: int) -> str:
    try:
        import psutil

        return str(psutil.Process(pid).exe())
    except Exception:
        return ""
