"""Workers run backend calls off the UI thread and answer only through signals; the
controller turns those answers into the dashboard's states, without any widget."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from gui.backend import (
    AgentStatus,
    BackendError,
    ChildSummary,
    DashboardBackend,
    Health,
    LockedOutError,
    PinNotSetError,
    QueryLogEntry,
    Session,
    Stats,
    WrongPinError,
)
from gui.controller import Connection, DashboardController, minutes_until_end_of_day
from gui.labels import local_timezone
from gui.workers import ApiRunner

WAIT_MS = 3000


class FamilyBackend:
    """The DashboardBackend interface over plain data, with the API's PIN rules, in-process.

    It records the thread of every call, so tests can check that none runs on the UI thread.
    """

    def __init__(
        self, pin: str | None = "1234", max_tries: int = 5, timezone: str | None = None
    ) -> None:
        self.pin = pin
        self.timezone = timezone  # None: an older agent that does not say
        self.max_tries = max_tries
        self.wrong_in_a_row = 0
        self.call_threads: list[threading.Thread] = []
        self.child_asked: list[str | None] = []

    def _record(self) -> None:
        self.call_threads.append(threading.current_thread())

    def health(self) -> Health:
        self._record()
        return Health("ok", "0.1.0")

    def status(self, token: str | None = None) -> AgentStatus:
        self._record()
        return AgentStatus(
            version="0.1.0",
            dns_listening=("udp://127.0.0.1:5353",),
            policy_loaded_at=None,
            policy_source="family.toml",
            policy_error=None,
            lists=(),
            pin_set=None,  # this agent does not say: the login answer must tell
            language="vi",
            timezone=self.timezone,
        )

    def open_session(self, pin: str) -> Session:
        self._record()
        if self.pin is None:
            raise PinNotSetError()
        if self.wrong_in_a_row >= self.max_tries:
            raise LockedOutError(30)
        if pin != self.pin:
            self.wrong_in_a_row += 1
            if self.wrong_in_a_row >= self.max_tries:
                raise LockedOutError(30)
            raise WrongPinError(self.max_tries - self.wrong_in_a_row)
        self.wrong_in_a_row = 0
        return Session("token-1", "2030-01-01T00:00:00+07:00")

    def close_session(self, token: str) -> None:
        self._record()

    def set_pin(self, pin: str, old_pin: str | None = None, token: str | None = None) -> None:
        self._record()
        if self.pin is not None and token is None:
            raise BackendError("a PIN is set already", code="pin_already_set")
        self.pin = pin

    def children(self, token: str) -> list[ChildSummary]:
        self._record()
        return [ChildSummary("Minh", 9, "tieu-hoc", 30)]

    def query_log(
        self, token: str, child: str | None = None, limit: int = 200
    ) -> list[QueryLogEntry]:
        self._record()
        self.child_asked.append(child)
        return [QueryLogEntry("2025-06-01T09:00:00+07:00", "Minh", "a.vn", "A", "resolved", None)]

    def stats(self, token: str, child: str | None = None) -> Stats:
        self._record()
        return Stats(top_blocked=(("bet.example", 2),))


def test_family_backend_fits_the_interface() -> None:
    assert isinstance(FamilyBackend(), DashboardBackend)


def test_calls_run_off_the_ui_thread_and_answer_on_it(qtbot: QtBot) -> None:
    backend = FamilyBackend()
    runner = ApiRunner(backend)
    answers: list[tuple[object, threading.Thread]] = []
    with qtbot.waitSignal(runner.busy_changed, timeout=WAIT_MS, check_params_cb=lambda b: not b):
        runner.submit(
            lambda b: b.health(),
            lambda result: answers.append((result, threading.current_thread())),
        )
    assert answers == [(Health("ok", "0.1.0"), threading.main_thread())]
    assert backend.call_threads and backend.call_threads[0] is not threading.main_thread()
    assert runner.shutdown()


def test_errors_arrive_as_backend_errors(qtbot: QtBot) -> None:
    runner = ApiRunner(FamilyBackend())
    failures: list[BackendError] = []

    def broken(_backend: DashboardBackend) -> None:
        raise KeyError("tries_left")  # an unexpected bug in a call

    runner.submit(lambda b: b.open_session("0000"), None, failures.append)
    runner.submit(broken, None, failures.append)
    qtbot.waitUntil(lambda: len(failures) == 2, timeout=WAIT_MS)
    by_type = {type(error): error for error in failures}
    assert by_type[WrongPinError].tries_left == 4  # type: ignore[attr-defined]
    assert by_type[BackendError].code == "internal"
    assert "KeyError" in str(by_type[BackendError])
    assert runner.shutdown()


def test_a_newer_call_with_the_same_key_wins(qtbot: QtBot) -> None:
    runner = ApiRunner(FamilyBackend())
    release = threading.Event()
    answers: list[str] = []

    def slow(_backend: DashboardBackend) -> str:
        release.wait(WAIT_MS / 1000)
        return "for Minh"

    runner.submit(slow, answers.append, key="querylog")
    runner.submit(lambda _b: "for Lan", answers.append, key="querylog")
    qtbot.waitUntil(lambda: answers == ["for Lan"], timeout=WAIT_MS)
    release.set()
    qtbot.waitUntil(lambda: runner.pending_count() == 0, timeout=WAIT_MS)
    assert answers == ["for Lan"]  # the older answer came late and was dropped
    assert runner.shutdown()


def test_shutdown_refuses_new_calls(qtbot: QtBot) -> None:
    backend = FamilyBackend()
    runner = ApiRunner(backend)
    assert runner.shutdown()
    assert runner.submit(lambda b: b.health()) == 0
    qtbot.wait(50)
    assert backend.call_threads == []


def test_controller_login_flow_without_widgets(qtbot: QtBot) -> None:
    backend = FamilyBackend(max_tries=2)
    runner = ApiRunner(backend)
    controller = DashboardController(runner, refresh_ms=60_000)
    with qtbot.waitSignal(controller.connection_changed, timeout=WAIT_MS) as connected:
        controller.start()
    assert connected.args == [Connection.CONNECTED]

    with qtbot.waitSignal(controller.wrong_pin, timeout=WAIT_MS) as wrong:
        controller.login("9999")
    assert wrong.args == [1]
    with qtbot.waitSignal(controller.locked_out, timeout=WAIT_MS) as locked:
        controller.login("9999")
    assert locked.args == [30.0]
    assert not controller.logged_in

    backend.wrong_in_a_row = 0  # the lockout has passed
    with qtbot.waitSignals(
        [controller.login_succeeded, controller.children_changed, controller.stats_changed],
        timeout=WAIT_MS,
    ):
        controller.login("1234")
    assert controller.logged_in

    with qtbot.waitSignal(controller.query_log_changed, timeout=WAIT_MS):
        controller.set_query_log_child("Minh")
    assert backend.child_asked[-1] == "Minh"

    with qtbot.waitSignal(controller.logged_out, timeout=WAIT_MS) as out:
        controller.logout()
    assert out.args == [False]
    assert not controller.logged_in
    controller.stop()
    assert runner.shutdown()


def test_controller_asks_for_a_first_pin(qtbot: QtBot) -> None:
    backend = FamilyBackend(pin=None)
    runner = ApiRunner(backend)
    controller = DashboardController(runner, refresh_ms=60_000)
    controller.start()
    # The status does not say whether a PIN exists; the login answer does.
    with qtbot.waitSignal(controller.pin_setup_required, timeout=WAIT_MS) as required:
        controller.login("1234")
    assert required.args == [True]
    with qtbot.waitSignal(controller.login_succeeded, timeout=WAIT_MS):
        controller.set_first_pin("5678")
    assert backend.pin == "5678"
    controller.stop()
    assert runner.shutdown()


NOON_IN_TOKYO = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def test_controller_takes_the_family_zone_from_the_agent(qtbot: QtBot) -> None:
    runner = ApiRunner(FamilyBackend(timezone="Asia/Tokyo"))
    controller = DashboardController(runner, refresh_ms=60_000, clock=lambda: NOON_IN_TOKYO)
    assert controller.timezone == local_timezone()  # until the agent says
    with qtbot.waitSignal(controller.timezone_changed, timeout=WAIT_MS) as changed:
        controller.start()
    assert changed.args == [ZoneInfo("Asia/Tokyo")]
    assert controller.timezone == ZoneInfo("Asia/Tokyo")
    # "Until the end of today" ends at midnight in Tokyo: 12 hours from noon there.
    assert minutes_until_end_of_day(controller.now(), controller.timezone) == 12 * 60
    # The same zone again is no change.
    with qtbot.assertNotEmitted(controller.timezone_changed, wait=200):
        controller.refresh_status()
        qtbot.waitSignal(controller.status_changed, timeout=WAIT_MS).wait()
    controller.stop()
    assert runner.shutdown()


def test_controller_keeps_a_zone_passed_in_and_ignores_unknown_ones(qtbot: QtBot) -> None:
    hcm = ZoneInfo("Asia/Ho_Chi_Minh")
    runner = ApiRunner(FamilyBackend(timezone="Asia/Tokyo"))
    fixed = DashboardController(runner, refresh_ms=60_000, timezone=hcm)
    with (
        qtbot.assertNotEmitted(fixed.timezone_changed, wait=200),
        qtbot.waitSignal(fixed.status_changed, timeout=WAIT_MS),
    ):
        fixed.start()
    assert fixed.timezone == hcm
    fixed.stop()
    assert runner.shutdown()

    runner = ApiRunner(FamilyBackend(timezone="Mars/Olympus_Mons"))
    lost = DashboardController(runner, refresh_ms=60_000)
    with (
        qtbot.assertNotEmitted(lost.timezone_changed, wait=200),
        qtbot.waitSignal(lost.status_changed, timeout=WAIT_MS),
    ):
        lost.start()
    assert lost.timezone == local_timezone()
    lost.stop()
    assert runner.shutdown()
