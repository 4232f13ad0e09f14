"""The try-out's dashboard ends cleanly: the stop closes it without a warning (SIGTERM is
a clean close for the dashboard), and a dashboard that cannot start says why and how to
fix it."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from agent.commands.try_out import report_dashboard_exit
from gui import cli


class Ended:
    def __init__(self, code: int) -> None:
        self.code = code

    def wait(self, timeout: float | None = None) -> int:
        return self.code


def test_the_stop_closing_the_dashboard_is_not_a_failure(caplog: pytest.LogCaptureFixture) -> None:
    stopping = threading.Event()
    stopping.set()
    with caplog.at_level(logging.INFO):
        report_dashboard_exit(Ended(-15), "http://127.0.0.1:8053", stopping)
    assert caplog.records == []


def test_a_dashboard_that_fails_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        report_dashboard_exit(Ended(-6), "http://127.0.0.1:8053", threading.Event())
        report_dashboard_exit(Ended(0), "http://127.0.0.1:8053", threading.Event())
    warning, closed = caplog.records
    assert warning.levelno == logging.WARNING and "libxcb-cursor0" in warning.getMessage()
    assert closed.levelno == logging.INFO and "was closed" in closed.getMessage()


def test_missing_qt_is_said_with_the_fix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "gui.app", None)  # importing it raises ImportError
    code = cli.run(argparse.Namespace(api="http://127.0.0.1:8053"))
    assert code == cli.QT_MISSING_EXIT
    err = capsys.readouterr().err
    assert "thiếu thư viện Qt" in err and "a Qt library is missing" in err
    assert "apt install" in err


def test_sigterm_closes_the_dashboard_cleanly() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    dashboard = subprocess.Popen(
        [sys.executable, "-m", "baoan", "dashboard", "--api", "http://127.0.0.1:9"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        # Wait for the window to be up (its handlers set), however slow the machine is.
        assert dashboard.stderr is not None
        for line in dashboard.stderr:
            if b"the dashboard is open" in line:
                break
        time.sleep(0.5)  # the event loop runs
        assert dashboard.poll() is None
        dashboard.send_signal(signal.SIGTERM)
        assert dashboard.wait(timeout=20) == 0
    finally:
        if dashboard.poll() is None:
            dashboard.kill()
            dashboard.wait()
