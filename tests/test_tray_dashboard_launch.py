"""The tray's menu opens the parent's dashboard as `baoan dashboard`, its own process,
once at a time."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from gui.tray.dashboard_launch import dashboard_command, dashboard_process_opener


class FakeProcess:
    def __init__(self) -> None:
        self.code: int | None = None

    def poll(self) -> int | None:
        return self.code


def test_the_menu_starts_baoan_dashboard_on_the_trays_agent_once_at_a_time() -> None:
    started: list[list[str]] = []
    processes: list[FakeProcess] = []

    def launch(command: Sequence[str]) -> FakeProcess:
        started.append(list(command))
        processes.append(FakeProcess())
        return processes[-1]

    open_dashboard = dashboard_process_opener("http://127.0.0.1:8053", launch)
    open_dashboard()
    open_dashboard()  # still open: no second dashboard
    assert started == [[sys.executable, "-m", "baoan", "dashboard", "--api", "http://127.0.0.1:8053"]]
    processes[0].code = 0  # the parent closed it
    open_dashboard()
    assert len(started) == 2
    assert dashboard_command("http://x:1")[-3:] == ["dashboard", "--api", "http://x:1"]


def test_a_dashboard_that_cannot_start_leaves_the_tray_running() -> None:
    def launch(command: Sequence[str]) -> FakeProcess:
        raise OSError("no such file")

    assert dashboard_process_opener("http://127.0.0.1:8053", launch)() is None
