"""The Windows, macOS and Wayland watchers with fakes at the OS call boundary, and the
factory's choice and null fallback."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from gui.tray.watchers import create_watcher
from gui.tray.watchers.linux_wayland import WaylandWatcher
from gui.tray.watchers.macos import FrontApp, MacWatcher
from gui.tray.watchers.windows import (
    WTS_SESSIONSTATE_LOCK,
    WTS_SESSIONSTATE_UNKNOWN,
    WTS_SESSIONSTATE_UNLOCK,
    WindowsWatcher,
    idle_seconds,
)


@dataclass
class FakeWin32:
    foreground: int = 100
    pids: dict[int, int] = field(default_factory=lambda: {100: 10})
    images: dict[int, str] = field(
        default_factory=lambda: {10: r"C:\Users\minh\AppData\Local\Roblox\game.exe"}
    )
    children: dict[int, list[int]] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=lambda: {100: "Roblox"})
    versions: dict[str, tuple[str, str]] = field(
        default_factory=lambda: {
            r"C:\Users\minh\AppData\Local\Roblox\game.exe": ("Roblox", "RobloxPlayerBeta.exe")
        }
    )
    tick: int = 10_000
    last_input: int = 4_000
    locked: bool = False  # no input desktop
    full: bool = False
    flags: int | None = None  # the session's SessionFlags; None: the call failed
    version: tuple[int, int] = (10, 0)
    session_calls: int = 0

    def foreground_window(self) -> int:
        return self.foreground

    def window_pid(self, hwnd: int) -> int:
        return self.pids.get(hwnd, 0)

    def child_windows(self, hwnd: int) -> list[int]:
        return self.children.get(hwnd, [])

    def process_image(self, pid: int) -> str:
        return self.images.get(pid, "")

    def window_title(self, hwnd: int) -> str:
        return self.titles.get(hwnd, "")

    def version_names(self, path: str) -> tuple[str, str]:
        return self.versions.get(path, ("", ""))

    def last_input_tick(self) -> int:
        return self.last_input

    def tick_count(self) -> int:
        return self.tick

    def session_flags(self) -> int | None:
        self.session_calls += 1
        return self.flags

    def windows_version(self) -> tuple[int, int]:
        return self.version

    def input_desktop_locked(self) -> bool:
        return self.locked

    def covers_monitor(self, hwnd: int) -> bool:
        return self.full


class TestWindows:
    def test_a_renamed_exe_keeps_its_version_names(self) -> None:
        sample = WindowsWatcher(FakeWin32()).sample()
        assert sample.app is not None
        assert sample.app.exe_path.endswith("game.exe")
        assert sample.app.original_name == "RobloxPlayerBeta.exe"
        assert sample.app.product_name == "Roblox"
        assert sample.app.title == "Roblox" and sample.app.pid == 10
        assert sample.idle_seconds == pytest.approx(6.0)

    def test_the_real_app_behind_application_frame_host(self) -> None:
        api = FakeWin32(
            pids={100: 10, 101: 10, 102: 20},
            images={
                10: r"C:\Windows\System32\ApplicationFrameHost.exe",
                20: r"C:\Program Files\WindowsApps\Minecraft\Minecraft.Windows.exe",
            },
            children={100: [101, 102]},
            titles={100: "Minecraft"},
            versions={},
        )
        sample = WindowsWatcher(api).sample()
        assert sample.app is not None and sample.app.pid == 20
        assert sample.app.exe_path.endswith("Minecraft.Windows.exe")
        assert sample.app.title == "Minecraft"

    def test_idle_across_the_32_bit_tick_wrap(self) -> None:
        assert idle_seconds(500, (1 << 32) - 1500) == pytest.approx(2.0)
        api = FakeWin32(tick=500, last_input=(1 << 32) - 1500)
        assert WindowsWatcher(api).sample().idle_seconds == pytest.approx(2.0)

    def test_locked_and_full_screen(self) -> None:
        locked = WindowsWatcher(FakeWin32(locked=True)).sample()
        assert locked.locked and locked.app is None
        assert WindowsWatcher(FakeWin32(full=True)).sample().full_screen

    def test_no_foreground_window(self) -> None:
        assert WindowsWatcher(FakeWin32(foreground=0)).sample().app is None

    @pytest.mark.parametrize(
        ("flags", "version", "desktop_missing", "locked"),
        [
            (WTS_SESSIONSTATE_LOCK, (10, 0), False, True),  # the session's state wins
            (WTS_SESSIONSTATE_UNLOCK, (10, 0), True, False),
            (WTS_SESSIONSTATE_LOCK, (6, 2), False, True),  # Windows 8
            # Windows 7 and Server 2008 R2 (6.1) report the two the other way round.
            (WTS_SESSIONSTATE_LOCK, (6, 1), True, False),
            (WTS_SESSIONSTATE_UNLOCK, (6, 1), False, True),
            # Unknown, or the call failed: the input desktop tells.
            (WTS_SESSIONSTATE_UNKNOWN, (10, 0), True, True),
            (-1, (10, 0), False, False),  # UNKNOWN as the signed LONG it is
            (None, (10, 0), True, True),
            (None, (10, 0), False, False),
        ],
    )
    def test_the_lock_from_the_sessions_state(
        self, flags: int | None, version: tuple[int, int], desktop_missing: bool, locked: bool
    ) -> None:
        api = FakeWin32(flags=flags, version=version, locked=desktop_missing)
        sample = WindowsWatcher(api).sample()
        assert api.session_calls == 1
        assert sample.locked is locked
        assert (sample.app is None) is locked

    def test_a_failing_session_query_falls_back_to_the_input_desktop(self) -> None:
        class Failing(FakeWin32):
            def session_flags(self) -> int | None:
                raise OSError("wtsapi32 is not there")

        assert WindowsWatcher(Failing(locked=True)).sample().locked
        assert not WindowsWatcher(Failing(locked=False)).sample().locked


@dataclass
class FakeMac:
    front: FrontApp | None = field(
        default_factory=lambda: FrontApp(
            77, "/Applications/Minecraft.app/Contents/MacOS/launcher", "Minecraft", "launcher"
        )
    )
    idle: float = 12.5
    locked: bool = False

    def frontmost(self) -> FrontApp | None:
        return self.front

    def idle_seconds(self) -> float:
        return self.idle

    def screen_locked(self) -> bool:
        return self.locked


class TestMac:
    def test_the_frontmost_app_and_idle(self) -> None:
        sample = MacWatcher(FakeMac()).sample()
        assert sample.app is not None and sample.app.pid == 77
        assert sample.app.product_name == "Minecraft"
        assert sample.app.original_name == "launcher"
        assert sample.app.title == ""  # titles need screen recording: not read
        assert sample.idle_seconds == 12.5

    def test_locked(self) -> None:
        sample = MacWatcher(FakeMac(locked=True)).sample()
        assert sample.locked and sample.app is None


class TestWayland:
    def test_idle_and_lock_from_logind(self) -> None:
        asked: list[Sequence[str]] = []

        def run(command: Sequence[str]) -> str:
            asked.append(command)
            return "IdleHint=yes\nIdleSinceHintMonotonic=100000000\nLockedHint=no\n"

        watcher = WaylandWatcher("c2", run, monotonic=lambda: 400.0)
        sample = watcher.sample()
        assert sample.idle_seconds == pytest.approx(300.0)
        assert not sample.locked and sample.app is None
        assert asked[0][:3] == ["loginctl", "show-session", "c2"]

    def test_logind_missing_says_nothing(self) -> None:
        def run(command: Sequence[str]) -> str:
            raise subprocess.CalledProcessError(1, list(command))

        assert WaylandWatcher("c2", run).sample().idle_seconds == 0.0


def test_the_factory_chooses_by_os_and_session() -> None:
    assert create_watcher("linux", {"WAYLAND_DISPLAY": "wayland-0"}).name == "linux-wayland"
    # Windows and macOS watchers are not built on another OS: the null fallback
    assert create_watcher("win32", {}).name == "null"
    assert create_watcher("darwin", {}).name == "null"
    assert create_watcher("linux", {}).name == "null"


def test_no_os_module_is_imported_by_importing_the_watchers() -> None:
    code = (
        "import sys, gui.tray.watchers, gui.tray.watchers.windows, gui.tray.watchers.macos;"
        "bad = [m for m in ('AppKit', 'Quartz', 'ctypes.wintypes') if m in sys.modules];"
        "assert not bad, bad"
    )
    import sys

    subprocess.run([sys.executable, "-c", code], check=True)
