"""Warnings at 15, 5 and 1 minute(s) and the parent's action at zero, with a fake session
controller; the child's words through the tray's translations (Vietnamese, English)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import QCoreApplication

from gui.i18n import Translations
from gui.tray.enforcement import (
    AppToClose,
    Enforcer,
    Standing,
    app_closed_words,
    service_out_words,
    session_controller,
    warning_words,
)
from gui.tray.i18n import TRAY_TRANSLATIONS_DIR
from gui.tray.watchers.base import ForegroundWindow, Sample


def tray_words(qapp: QCoreApplication, language: str) -> Iterator[Translations]:
    translations = Translations(qapp, directory=TRAY_TRANSLATIONS_DIR)
    assert translations.use(language)
    yield translations
    translations.remove()


@pytest.fixture(autouse=True)
def tray_vietnamese(qapp: QCoreApplication) -> Iterator[Translations]:
    """The tray's words in Vietnamese (its default) unless a test switches them."""
    yield from tray_words(qapp, "vi")


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
        age_band=lambda: band,
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
def test_words_for_the_age(
    tray_vietnamese: Translations, language: str, band: str | None, expected: str
) -> None:
    assert tray_vietnamese.use(language)
    assert warning_words(band, 5)[1] == expected
    assert "111" in warning_words(band, None)[1]


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


def test_the_service_words_in_english_for_an_older_child(tray_vietnamese: Translations) -> None:
    assert tray_vietnamese.use("en")
    title, body = service_out_words("11-14", "YouTube")
    assert title == "No more YouTube time today" and "Help / 111" in body


def test_an_app_closed_from_behind_is_explained_once_with_its_name() -> None:
    session, told = FakeSession(), []  # type: ignore[var-annotated]
    clock = Clock()
    guard = enforcer(session, told, clock)
    homework = Sample(app=ForegroundWindow(exe_path="/usr/bin/libreoffice", pid=3000))
    behind = Standing(
        allowed=True,
        seconds_left=30 * 60.0,
        close_pids=(5151,),
        closing=(AppToClose(5151, "Minecraft", "games"),),
    )
    guard.on_standing(behind, homework)
    assert session.calls == [("close_app", 5151)]
    assert told == [
        (
            "Hết giờ chơi game hôm nay",
            "Đã đóng Minecraft: hôm nay hết giờ chơi game rồi. Mai chơi tiếp nhé!",
        )
    ]
    # Still running a while later: closed again, but the child is not told twice.
    clock.now += 16
    guard.on_standing(behind, homework)
    assert len(session.calls) == 2 and len(told) == 1


def test_the_app_in_front_is_told_by_the_service_words_only() -> None:
    session, told = FakeSession(), []  # type: ignore[var-annotated]
    spent = Standing(
        allowed=False,
        seconds_left=0.0,
        action="close_app",
        limit_kind="service",
        close_pids=(4242,),
        service_name="Roblox",
        closing=(AppToClose(4242, "Roblox", "service"),),
    )
    enforcer(session, told).on_standing(spent, GAME)
    assert told == [("Hết giờ Roblox hôm nay", "Roblox đóng lại rồi. Mai chơi tiếp nhé!")]


GAME_OUT = "Đã đóng Minecraft: hôm nay hết giờ chơi game rồi."
CLOSED_WORDS = [
    ("vi", "11-14", "games", ("Hết giờ chơi game hôm nay", GAME_OUT)),
    ("vi", "6-10", "games", ("Hết giờ chơi game hôm nay", GAME_OUT + " Mai chơi tiếp nhé!")),
    (
        "vi",
        "15-17",
        "service",
        ("Hết giờ Minecraft hôm nay", "Đã đóng Minecraft: hôm nay hết giờ Minecraft rồi."),
    ),
    (
        "vi",
        None,
        "category",
        ("Đã đóng Minecraft", "Đã đóng Minecraft: hôm nay hết giờ cho loại ứng dụng này rồi."),
    ),
    (
        "en",
        "6-10",
        "games",
        (
            "No more game time today",
            "Closed Minecraft: no more game time today. Play again tomorrow!",
        ),
    ),
    (
        "en",
        "11-14",
        "service",
        ("No more Minecraft time today", "Closed Minecraft: no more Minecraft time today."),
    ),
]


@pytest.mark.parametrize(("language", "band", "why", "expected"), CLOSED_WORDS)
def test_the_closed_app_words_for_each_age_and_language(
    tray_vietnamese: Translations,
    language: str,
    band: str | None,
    why: str,
    expected: tuple[str, str],
) -> None:
    assert tray_vietnamese.use(language)
    assert app_closed_words(band, "Minecraft", why) == expected


def test_every_childs_word_at_the_limit_has_its_vietnamese(tray_vietnamese: Translations) -> None:
    """No word reaches the child in English while the tray speaks Vietnamese: each comes
    through the tray's translation file (an untranslated one would stay the source)."""
    said = [
        *warning_words(None, 5), *warning_words("6-10", 5),
        *warning_words(None, None), *warning_words("6-10", None),
        *service_out_words(None, "Roblox"), *service_out_words("6-10", "Roblox"),
        *(word for why in ("service", "games", "category") for band in (None, "6-10")
          for word in app_closed_words(band, "Roblox", why)),
    ]
    assert tray_vietnamese.use("en")
    english = [
        *warning_words(None, 5), *warning_words("6-10", 5),
        *warning_words(None, None), *warning_words("6-10", None),
        *service_out_words(None, "Roblox"), *service_out_words("6-10", "Roblox"),
        *(word for why in ("service", "games", "category") for band in (None, "6-10")
          for word in app_closed_words(band, "Roblox", why)),
    ]
    assert all(vi != en for vi, en in zip(said, english, strict=True))
