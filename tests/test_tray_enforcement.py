"""Warnings at 15, 5 and 1 minute(s) and the parent's action at zero, with a fake session
controller."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from gui.tray.enforcement import Enforcer, Standing, session_controller, warning_words
from gui.tray.watchers.base import ForegroundWindow, Sample


@dataclass
class FakeSession:
    calls: list[tuple[str, int | None]] = field(default_factory=list)

    def lock(self) -> None:
        self.calls.append(("lock", None))

    def log_off(self) -> None:
        self.calls.append(("log_off", None))

    def close_app(self, pid: int) -> None:
        self.calls.append(("close_app", pid))


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def enforcer(
    session: FakeSession,
    told: list[tuple[str, str]],
    clock: Clock | None = None,
    band: str = "6-10",
) -> Enforcer:
    return Enforcer(
        session,
        lambda title, body: told.append((title, body)),
        words=lambda: ("vi", band),
        own_pid=999,
        monotonic=clock or Clock(),
    )


GAME = Sample(app=ForegroundWindow(exe_path="/usr/games/game", pid=4242))


def left(seconds: float, action: str = "lock") -> Standing:
    return Standing(allowed=seconds > 0, seconds_left=max(0.0, seconds), action=action)


def test_warnings_at_15_5_and_1_minutes_once_each() -> None:
    session, told = FakeSession(), []  # type: ignore[var-annotated]
    guard = enforcer(session, told)
    for seconds in range(20 * 60, 0, -5):
        guard.on_standing(left(seconds), GAME)
    bodies = [body for _title, body in told]
    assert bodies == [
        "Còn 15 phút nữa thôi. Con chuẩn bị dừng nhé!",
        "Còn 5 phút nữa thôi. Con chuẩn bị dừng nhé!",
        "Còn 1 phút nữa thôi. Con chuẩn bị dừng nhé!",
    ]
    assert session.calls == []


def test_a_late_start_warns_once_with_the_nearest_threshold() -> None:
    session, told = FakeSession(), []  # type: ignore[var-annotated]
    guard = enforcer(session, told)
    guard.on_standing(left(4 * 60), GAME)
    guard.on_standing(left(3 * 60), GAME)
    assert [body for _t, body in told] == ["Còn 5 phút nữa thôi. Con chuẩn bị dừng nhé!"]


def test_at_zero_the_session_locks_and_locks_again_after_an_unlock() -> None:
    session, told = FakeSession(), []  # type: ignore[var-annotated]
    clock = Clock()
    guard = enforcer(session, told, clock)
    guard.on_standing(left(0), GAME)
    assert session.calls == [("lock", None)]
    assert told[-1][0] == "Hết giờ rồi"
    locked = Sample(locked=True)
    for _ in range(10):
        clock.now += 5
        guard.on_standing(left(0), locked)  # locked: nothing more to do
    assert session.calls == [("lock", None)]
    clock.now += 5
    guard.on_standing(left(0), GAME)  # the child unlocked while out of time
    assert session.calls == [("lock", None), ("lock", None)]
    assert len([t for t, _b in told if t == "Hết giờ rồi"]) == 1


def test_log_off_and_notify_only() -> None:
    session, told = FakeSession(), []  # type: ignore[var-annotated]
    enforcer(session, told).on_standing(left(0, "logoff"), GAME)
    assert session.calls == [("log_off", None)]
    session, told = FakeSession(), []
    enforcer(session, told).on_standing(left(0, "notify"), GAME)
    assert session.calls == [] and told


def test_close_app_ends_the_app_in_front_but_never_the_tray() -> None:
    session, told = FakeSession(), []  # type: ignore[var-annotated]
    enforcer(session, told).on_standing(left(0, "close_app"), GAME)
    assert session.calls == [("close_app", 4242)]
    session = FakeSession()
    help_window = Sample(app=ForegroundWindow(pid=999, original_name="baoan-tray"))
    enforcer(session, told).on_standing(left(0, "close_app"), help_window)
    assert session.calls == []


def test_always_allowed_apps_are_never_acted_on() -> None:
    session, told = FakeSession(), []  # type: ignore[var-annotated]
    school = Standing(allowed=True, seconds_left=None, limit_kind="always_allowed")
    enforcer(session, told).on_standing(school, GAME)
    assert session.calls == [] and told == []


def test_extra_minutes_warn_again() -> None:
    session, told = FakeSession(), []  # type: ignore[var-annotated]
    guard = enforcer(session, told)
    guard.on_standing(left(60), GAME)
    guard.on_standing(left(30 * 60), GAME)  # a parent gave 30 minutes
    guard.on_standing(left(14 * 60), GAME)
    assert len(told) == 2


@pytest.mark.parametrize(
    ("language", "band", "expected"),
    [
        ("vi", "15-17", "Còn 5 phút dùng máy hôm nay."),
        ("en", "6-10", "Only 5 min left. Get ready to stop!"),
        ("en", None, "5 min of screen time left today."),
    ],
)
def test_words_for_the_age(language: str, band: str | None, expected: str) -> None:
    assert warning_words(language, band, 5)[1] == expected
    assert "111" in warning_words(language, band, None)[1]


def test_the_controller_for_each_os() -> None:
    assert type(session_controller("win32")).__name__ == "WindowsSession"
    assert type(session_controller("darwin")).__name__ == "MacSession"


def test_a_spent_service_closes_its_apps_in_front_and_behind_but_never_the_tray() -> None:
    session, told = FakeSession(), []  # type: ignore[var-annotated]
    clock = Clock()
    guard = enforcer(session, told, clock)
    spent = Standing(
        allowed=False,
        seconds_left=0.0,
        action="close_app",
        limit_kind="game",
        service="roblox",
        close_pids=(4242, 5151, 999),  # 999 is the tray itself
        service_name="Roblox",
    )
    guard.on_standing(spent, GAME)
    assert sorted(session.calls) == [("close_app", 4242), ("close_app", 5151)]
    assert told == [("Hết giờ Roblox hôm nay", "Roblox đóng lại rồi. Mai chơi tiếp nhé!")]
    # Not asked again at once; again after the repeat interval if still running.
    guard.on_standing(spent, GAME)
    assert len(session.calls) == 2
    clock.now += 16
    guard.on_standing(spent, GAME)
    assert sorted(session.calls[2:]) == [("close_app", 4242), ("close_app", 5151)]


def test_a_game_behind_is_closed_while_the_app_in_front_is_allowed() -> None:
    session, told = FakeSession(), []  # type: ignore[var-annotated]
    guard = enforcer(session, told)
    homework = Sample(app=ForegroundWindow(exe_path="/usr/bin/libreoffice", pid=3000))
    guard.on_standing(
        Standing(allowed=True, seconds_left=30 * 60.0, close_pids=(5151,)), homework
    )
    assert session.calls == [("close_app", 5151)]
    assert told == []  # the child's own time goes on: no "time is up"


def test_the_service_words_in_english_for_an_older_child() -> None:
    from gui.tray.enforcement import service_out_words

    title, body = service_out_words("en", "11-14", "YouTube")
    assert title == "No more YouTube time today" and "Help / 111" in body
