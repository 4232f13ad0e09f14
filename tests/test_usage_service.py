"""The usage service over a real store: restarts, crashes, clock changes, extra minutes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.api.types import ForegroundApp, HeartbeatBatch, HeartbeatReport
from agent.policy.model import Child, FamilyPolicy, Settings
from agent.store import Store
from agent.usage.service import UsageService
from dns_filter.clock import ManualClock

START = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 10:00 in Hồ Chí Minh City, a Monday
FAMILY = FamilyPolicy(
    settings=Settings(timezone="Asia/Ho_Chi_Minh"),
    children=(Child("Minh", age=9, os_users=("minh",)),),
)
ROBLOX = ForegroundApp(exe_path="C:\\Games\\RobloxPlayerBeta.exe", pid=42, title="Roblox")


class Tray:
    """A tray's clocks: its monotonic clock goes on with the test clock."""

    def __init__(self, clock: ManualClock, instance: str = "tray-1") -> None:
        self.clock = clock
        self.instance = instance
        self.offset = 50_000.0 - clock.monotonic()

    def mono(self) -> float:
        return self.clock.monotonic() + self.offset

    def beat(self, app: ForegroundApp = ROBLOX, **kwargs: object) -> HeartbeatReport:
        return HeartbeatReport(
            tray_instance=self.instance,
            monotonic=self.mono(),
            wall=self.clock.now(),
            app=app,
            utc_offset_minutes=420,
            **kwargs,  # type: ignore[arg-type]
        )

    def batch(self, *beats: HeartbeatReport) -> HeartbeatBatch:
        return HeartbeatBatch(self.mono(), beats)


def service(store: Store, clock: ManualClock) -> UsageService:
    usage = UsageService(
        kv=store.kv, intervals=store.usage, events=store.events, family=lambda: FAMILY, clock=clock
    )
    usage.start()
    return usage


def play(usage: UsageService, tray: Tray, seconds: int, step: int = 5) -> None:
    for _ in range(0, seconds, step):
        usage.receive("Minh", tray.batch(tray.beat()))
        tray.clock.advance(step)
    usage.receive("Minh", tray.batch(tray.beat()))


def counted(usage: UsageService) -> int:
    detail = usage.today().details[0]
    return detail.counted_seconds


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "baoan.sqlite3", clock=ManualClock(START))
    yield opened
    opened.close()


def test_today_per_app_service_and_category_with_the_time_left(store: Store) -> None:
    clock = ManualClock(START)
    usage = service(store, clock)
    play(usage, Tray(clock), 600)
    today = usage.today()
    detail = today.details[0]
    assert detail.child == "Minh" and detail.counted_seconds == 600
    assert detail.apps == (("robloxplayerbeta.exe", 600),)
    assert detail.services == (("roblox", 600),)
    assert detail.categories == (("games", 600),)
    # tiểu học: 60 minutes on a school day
    assert detail.seconds_left == 50 * 60 and detail.limit.kind == "daily"
    assert today.minutes == {"Minh": 10.0}
    assert store.usage.minutes_by_child(today.date)["Minh"] == pytest.approx(10.0)


def test_the_game_limit_answers_the_heartbeat(store: Store) -> None:
    clock = ManualClock(START)
    usage = service(store, clock)
    tray = Tray(clock)
    play(usage, tray, 60)
    answer = usage.receive("Minh", tray.batch(tray.beat()))
    assert answer.allowed and answer.child == "Minh"
    assert answer.seconds_left == pytest.approx(59 * 60)
    assert answer.action == "lock" and answer.warnings_minutes == (15, 5, 1)


def test_a_clean_restart_neither_loses_nor_counts_twice(store: Store) -> None:
    clock = ManualClock(START)
    tray = Tray(clock)
    usage = service(store, clock)
    play(usage, tray, 300)
    usage.stop()
    clock.advance(5)  # the agent is back within a heartbeat
    usage = service(store, clock)
    play(usage, tray, 300)
    assert counted(usage) == 605
    assert [e.kind for e in store.events.recent()] == []


def test_a_crash_loses_nothing_that_the_tray_sends_again(store: Store) -> None:
    clock = ManualClock(START)
    tray = Tray(clock)
    usage = service(store, clock)
    sent: list[HeartbeatReport] = []
    for _ in range(20):  # 100 s, saved after 30 s and after 60 s and 90 s
        beat = tray.beat()
        sent.append(beat)
        usage.receive("Minh", tray.batch(beat))
        clock.advance(5)
    # killed: no stop(); a new agent reads what was saved, and the tray sends its queue
    clock.advance(5)
    usage = service(store, clock)
    assert [e.kind for e in store.events.recent()] == ["agent-unclean-stop"]
    usage.receive("Minh", HeartbeatBatch(tray.mono(), tuple(sent[-10:])))
    usage.receive("Minh", tray.batch(tray.beat()))
    assert counted(usage) == 105


def test_the_pcs_clock_moved_a_day_raises_an_event_and_changes_nothing(store: Store) -> None:
    clock = ManualClock(START)
    tray = Tray(clock)
    usage = service(store, clock)
    play(usage, tray, 60)
    clock.set(clock.now() + timedelta(days=1))
    usage.check_clock()
    play(usage, tray, 60)
    assert counted(usage) == 120
    assert usage.today().date.isoformat() == "2026-03-02"
    kinds = [e.kind for e in store.events.recent()]
    assert kinds.count("clock-changed") == 2  # seen by the agent and by the tray's clocks
    usage.stop()
    # set back a day while stopped: the saved trusted time is the floor
    clock.set(clock.now() - timedelta(days=2))
    usage = service(store, clock)
    assert usage.today().date.isoformat() == "2026-03-02"
    assert counted(usage) == 120


def test_extra_minutes_are_for_today_only(store: Store) -> None:
    clock = ManualClock(START)
    usage = service(store, clock)
    tray = Tray(clock)
    play(usage, tray, 60)
    assert usage.add_extra_minutes("Minh", 15) == 15
    detail = usage.today().details[0]
    assert detail.extra_minutes == 15 and detail.seconds_left == (75 - 1) * 60
    clock.advance(timedelta(days=1))
    assert usage.today().details[0].extra_minutes == 0
    assert counted(usage) == 0


def test_always_allowed_apps_never_count(store: Store) -> None:
    clock = ManualClock(START)
    usage = service(store, clock)
    tray = Tray(clock)
    help_window = ForegroundApp(exe_path="/usr/bin/python3", original_name="baoan-tray")
    for _ in range(12):
        usage.receive("Minh", tray.batch(tray.beat(help_window)))
        clock.advance(5)
    detail = usage.today().details[0]
    assert detail.counted_seconds == 0 and detail.apps == (("baoan-tray", 55),)


def test_an_unknown_child_is_not_counted(store: Store) -> None:
    clock = ManualClock(START)
    usage = service(store, clock)
    tray = Tray(clock)
    answer = usage.receive(None, tray.batch(tray.beat()))
    assert answer.accepted == 0 and answer.allowed


def test_a_silent_tray_in_an_active_session_is_tamper_and_its_time_counts(store: Store) -> None:
    clock = ManualClock(START)
    usage = service(store, clock)
    tray = Tray(clock)
    usage.watch_session("Minh")  # the child's session is active
    play(usage, tray, 30)  # the tray reports, then is killed
    for _ in range(12):  # two minutes of the child's session without the tray
        clock.advance(10)
        usage.watch_session("Minh")
    kinds = [e.kind for e in store.events.recent()]
    assert kinds == ["tray-missing"]
    detail = usage.today().details[0]
    # all of the two minutes without the tray count, once the silence is noticed
    assert dict(detail.apps)["session-without-tray"] == 120
    assert detail.counted_seconds == 30 + 120
    # the tray comes back
    tray = Tray(clock, "tray-2")
    play(usage, tray, 10)
    usage.watch_session("Minh")
    assert store.events.recent()[0].kind == "tray-back"


def test_no_session_no_tamper(store: Store) -> None:
    clock = ManualClock(START)
    usage = service(store, clock)
    for _ in range(360):  # an hour with nobody's session
        clock.advance(10)
        usage.watch_session(None)
    assert store.events.recent() == []
    # then the child logs in without a tray: only the session's own time counts
    for _ in range(9):
        clock.advance(10)
        usage.watch_session("Minh")
    assert [e.kind for e in store.events.recent()] == ["tray-missing"]
    assert counted(usage) == 80


def test_an_interpreter_in_front_is_the_app_its_command_line_names(store: Store) -> None:
    clock = ManualClock(START)
    asked: list[tuple[int, float | None]] = []

    def cmdline_of(pid: int, create_time: float | None) -> tuple[str, ...]:
        asked.append((pid, create_time))
        return ("java", "net.minecraft.client.main.Main")

    usage = UsageService(
        kv=store.kv,
        intervals=store.usage,
        events=store.events,
        family=lambda: FAMILY,
        clock=clock,
        cmdline_of=cmdline_of,
    )
    usage.start()
    tray = Tray(clock)
    java = ForegroundApp(exe_path="/usr/bin/java", pid=31, create_time=1234.5)
    for _ in range(3):
        usage.receive("Minh", tray.batch(tray.beat(java)))
        clock.advance(5)
    detail = usage.today().details[0]
    assert detail.services == (("minecraft", 10),)
    assert asked[0] == (31, 1234.5)


def test_a_website_counts_as_its_service_when_the_dns_agrees(store: Store) -> None:
    clock = ManualClock(START)
    names = {"Minh": frozenset({"www.youtube.com", "rr3---sn-8qj-i5oz.googlevideo.com"})}
    usage = UsageService(
        kv=store.kv,
        intervals=store.usage,
        events=store.events,
        family=lambda: FAMILY,
        clock=clock,
        recent_names=lambda child: names.get(child, frozenset()),
    )
    usage.start()
    tray = Tray(clock)
    youtube = ForegroundApp(
        exe_path="/usr/bin/firefox", title="Nhạc thiếu nhi - YouTube — Mozilla Firefox"
    )
    for _ in range(3):
        usage.receive("Minh", tray.batch(tray.beat(youtube)))
        clock.advance(5)
    names["Minh"] = frozenset({"vnexpress.net"})
    clock.advance(31)  # the cached names are read again
    for _ in range(3):
        usage.receive("Minh", tray.batch(tray.beat(youtube)))
        clock.advance(5)
    detail = usage.today().details[0]
    # 0-10 s and the 36 s up to the next heartbeat were YouTube; after it the names no
    # longer agree, so the last 10 s are the browser's own
    assert dict(detail.services) == {"youtube": 46}
    assert dict(detail.apps) == {"firefox:youtube": 46, "firefox": 10}


def test_a_spent_service_names_its_apps_to_close_and_never_the_browser(store: Store) -> None:
    from agent.policy.model import ScreenTimeOverrides
    from agent.usage.model import AppUse
    from agent.usage.sampler import RunningApp

    clock = ManualClock(START)
    strict = FamilyPolicy(
        settings=Settings(timezone="Asia/Ho_Chi_Minh"),
        children=(
            Child(
                "Minh",
                age=9,
                os_users=("minh",),
                screen_time=ScreenTimeOverrides(
                    per_game_minutes=1, service_minutes={"youtube": 1}
                ),
            ),
        ),
    )
    usage = UsageService(
        kv=store.kv, intervals=store.usage, events=store.events, family=lambda: strict, clock=clock
    )
    usage.start()
    tray = Tray(clock)
    play(usage, tray, 65)
    answer = usage.receive("Minh", tray.batch(tray.beat()))
    assert not answer.allowed and answer.limit.kind == "game"
    assert answer.action == "close_app" and answer.close_pids == (42,)
    assert answer.limit.service_name == "Roblox"
    # Roblox left running behind a school app is closed; the school app is not.
    usage.note_running(
        {
            "Minh": (
                RunningApp("Minh", 77, AppUse("robloxplayerbeta.exe", "roblox", "games"),
                           "C:\\Games\\RobloxPlayerBeta.exe"),
                RunningApp("Minh", 88, AppUse("discord.exe", "discord", "chat"),
                           "C:\\Discord\\Discord.exe"),
            )
        }
    )
    notes = ForegroundApp(exe_path="C:\\Windows\\notepad.exe", pid=300, title="bài tập")
    clock.advance(5)
    answer = usage.receive("Minh", tray.batch(tray.beat(notes)))
    assert answer.allowed and answer.close_pids == (77,)
    # YouTube's minutes spent in a browser: the DNS filter blocks the site; the browser
    # is never closed.
    browser = ForegroundApp(exe_path="/usr/bin/firefox", pid=500, title="Nhạc - YouTube")
    for _ in range(14):
        usage.receive("Minh", tray.batch(tray.beat(browser)))
        clock.advance(5)
    answer = usage.receive("Minh", tray.batch(tray.beat(browser)))
    assert not answer.allowed and answer.limit.kind == "service"
    assert answer.action == "notify" and 500 not in answer.close_pids
    assert usage.spent_services("Minh") == {"roblox", "youtube"}


def test_a_game_running_behind_counts_for_the_game_caps_not_the_day(store: Store) -> None:
    from agent.policy.model import ScreenTimeOverrides
    from agent.usage.model import AppUse
    from agent.usage.sampler import RunningApp

    clock = ManualClock(START)
    strict = FamilyPolicy(
        settings=Settings(timezone="Asia/Ho_Chi_Minh"),
        children=(
            Child("Minh", age=9, os_users=("minh",),
                  screen_time=ScreenTimeOverrides(per_game_minutes=2)),
        ),
    )
    compiles: list[int] = []
    usage = UsageService(
        kv=store.kv, intervals=store.usage, events=store.events, family=lambda: strict,
        clock=clock, on_spent_changed=lambda: compiles.append(1),
    )
    usage.start()
    tray = Tray(clock)
    notes = ForegroundApp(exe_path="C:\\Windows\\notepad.exe", pid=300, title="bài tập")
    behind = {
        "Minh": (
            RunningApp("Minh", 77, AppUse("robloxplayerbeta.exe", "roblox", "games"),
                       "C:\\Games\\RobloxPlayerBeta.exe"),
        )
    }

    def minute_of_notes_with_roblox_behind(active: str | None = "Minh") -> None:
        for _ in range(4):  # the sampler every 15 s, heartbeats every 5 s
            for _ in range(3):
                usage.receive("Minh", tray.batch(tray.beat(notes)))
                clock.advance(5)
            usage.note_running(behind, active)

    usage.note_running(behind, "Minh")  # the first pass only starts the count
    minute_of_notes_with_roblox_behind()
    detail = usage.today().details[0]
    assert dict(detail.services)["roblox"] == 60
    assert dict(detail.categories)["games"] == 60  # Decree 147's 180 minutes a day see it
    assert dict(detail.apps)["robloxplayerbeta.exe:behind"] == 60
    assert detail.counted_seconds == 55  # the day's minutes: the notes in front only
    assert detail.running == ("roblox",)
    # Another child's session, or a locked one: nothing counts behind.
    minute_of_notes_with_roblox_behind(active=None)
    assert dict(usage.today().details[0].services)["roblox"] == 60
    usage.receive("Minh", tray.batch(tray.beat(notes, locked=True)))
    clock.advance(5)
    usage.note_running(behind, "Minh")
    clock.advance(15)
    usage.note_running(behind, "Minh")
    assert dict(usage.today().details[0].services)["roblox"] == 60
    # In front it is counted once, by the heartbeats.
    for _ in range(4):
        for _ in range(3):
            usage.receive("Minh", tray.batch(tray.beat()))  # Roblox in front
            clock.advance(5)
        usage.note_running(behind, "Minh")
    assert dict(usage.today().details[0].services)["roblox"] == pytest.approx(120, abs=25)
    # Its 2 minutes spent: the DNS policy is compiled again and the next answer closes it.
    minute_of_notes_with_roblox_behind()
    assert usage.spent_services("Minh") == {"roblox"} and compiles
    answer = usage.receive("Minh", tray.batch(tray.beat(notes)))
    assert answer.allowed and 77 in answer.close_pids


def test_a_killed_tray_is_an_alert_to_the_family(store: Store) -> None:
    from agent.policy.model import Caregiver
    from agent.usage.tamper import TamperAlerts

    clock = ManualClock(START)
    watched = FamilyPolicy(
        settings=Settings(timezone="Asia/Ho_Chi_Minh"),
        children=(Child("Minh", age=9, os_users=("minh",)),),
        caregivers=(Caregiver("Mẹ", ntfy_topic="baoan-me", ntfy_server="http://127.0.0.1:9"),),
    )
    usage = UsageService(
        kv=store.kv, intervals=store.usage, events=store.events, family=lambda: watched,
        clock=clock, tamper=TamperAlerts(store.events, store.outbox, lambda: watched, clock.now),
    )
    usage.start()
    usage.watch_session("Minh")
    play(usage, Tray(clock), 10)
    for _ in range(8):
        clock.advance(10)
        usage.watch_session("Minh")
    (event,) = store.events.recent(kind="tray-missing")
    (item,) = store.outbox.for_event(event.id)
    assert item.payload["kind"] == "tamper" and item.payload["tamper"] == "tray-missing"
    assert item.payload["child"] == "Minh" and "Minh" in item.payload["title"]


def watched_service(store: Store, clock: ManualClock) -> UsageService:
    """A usage service whose family has a caregiver, so tamper events become alerts."""
    from agent.policy.model import Caregiver
    from agent.usage.tamper import TamperAlerts

    watched = FamilyPolicy(
        settings=Settings(timezone="Asia/Ho_Chi_Minh"),
        children=(Child("Minh", age=9, os_users=("minh",)),),
        caregivers=(Caregiver("Mẹ", ntfy_topic="baoan-me", ntfy_server="http://127.0.0.1:9"),),
    )
    usage = UsageService(
        kv=store.kv, intervals=store.usage, events=store.events, family=lambda: watched,
        clock=clock, tamper=TamperAlerts(store.events, store.outbox, lambda: watched, clock.now),
    )
    usage.start()
    return usage


def test_an_agent_killed_and_started_again_is_an_alert_to_the_family(store: Store) -> None:
    clock = ManualClock(START)
    usage = watched_service(store, clock)
    play(usage, Tray(clock), 40)
    usage.stop()
    clock.advance(5)
    watched_service(store, clock).stop()  # a clean stop and start: nothing to tell
    assert store.events.recent(kind="agent-unclean-stop") == []
    watched_service(store, clock)  # killed: no stop()
    clock.advance(5)
    watched_service(store, clock)  # the service manager starts it again
    (event,) = store.events.recent(kind="agent-unclean-stop")
    (item,) = store.outbox.for_event(event.id)
    assert item.payload["kind"] == "tamper" and item.payload["tamper"] == "agent-unclean-stop"
    assert "chạy lại" in item.payload["title"] and "running again" in item.payload["title_en"]


def test_a_moved_clock_is_an_alert_to_the_family(store: Store) -> None:
    clock = ManualClock(START)
    usage = watched_service(store, clock)
    play(usage, Tray(clock), 30)
    clock.set(clock.now() + timedelta(days=1))
    usage.check_clock()
    (event,) = store.events.recent(kind="clock-changed")
    (item,) = store.outbox.for_event(event.id)
    assert item.payload["tamper"] == "clock-changed" and "tới" in item.payload["message"]
    assert "1440 minutes" in item.payload["message_en"]
    usage.stop()
    clock.set(clock.now() - timedelta(days=2))  # set back while stopped
    watched_service(store, clock)
    titles = [
        store.outbox.for_event(event.id)[0].payload["title_en"]
        for event in store.events.recent(kind="clock-changed")
    ]
    assert "The PC's clock was set back" in titles, titles


def test_on_wayland_every_app_that_runs_counts_for_its_service(store: Store) -> None:
    """A tray that cannot see the app in front (GNOME on Wayland) says so; the agent keeps
    it per child, and then counts each catalogue app that runs (not only games) for its
    service and category; a tray that sees the app in front counts only games behind."""
    from agent.usage.model import AppUse, SessionWatch
    from agent.usage.sampler import RunningApp

    clock = ManualClock(START)
    usage = service(store, clock)
    tray = Tray(clock)
    running = {
        "Minh": (
            RunningApp("Minh", 81, AppUse("discord", "discord", "chat"), "/usr/bin/discord"),
        )
    }

    def minute(watcher: str, foreground_known: bool) -> None:
        for _ in range(4):
            for _ in range(3):
                beat = tray.beat(None)  # type: ignore[arg-type]
                usage.receive(
                    "Minh",
                    HeartbeatBatch(
                        tray.mono(), (beat,), watcher=watcher, foreground_known=foreground_known
                    ),
                )
                clock.advance(5)
            usage.note_running(running, "Minh")

    assert usage.tray_watch("Minh") is None
    usage.note_running(running, "Minh")
    minute("linux-x11", True)
    assert usage.tray_watch("Minh") == SessionWatch("linux-x11", True)
    assert "discord" not in dict(usage.today().details[0].services)
    minute("linux-wayland", False)
    assert usage.tray_watch("Minh") == SessionWatch("linux-wayland", False)
    assert dict(usage.today().details[0].services)["discord"] == 60
    assert dict(usage.today().details[0].categories)["chat"] == 60


def test_the_apps_seen_are_kept_across_a_restart(store: Store) -> None:
    clock = ManualClock(START)
    tray = Tray(clock)
    usage = service(store, clock)
    zoom = ForegroundApp(exe_path="C:\\Zoom\\bin\\Zoom.exe", pid=7, title="Lớp 4A",
                         product_name="Zoom Workplace")
    for _ in range(3):
        usage.receive("Minh", tray.batch(tray.beat(zoom)))
        clock.advance(5)
    play(usage, tray, 10)
    seen = {app.allow_name: app for app in usage.seen_apps()}
    assert set(seen) == {"zoom.exe", "robloxplayerbeta.exe"}
    assert seen["zoom.exe"].product_name == "Zoom Workplace"
    assert seen["zoom.exe"].exe_path == "C:\\Zoom\\bin\\Zoom.exe"
    assert seen["robloxplayerbeta.exe"].service_name == "Roblox"
    assert seen["zoom.exe"].children == ("Minh",)
    usage.stop()

    again = service(store, clock)
    kept = {app.allow_name: app for app in again.seen_apps()}
    assert kept["zoom.exe"].product_name == "Zoom Workplace"
    assert "Lớp 4A" not in repr(store.kv.get("usage.apps_seen"))  # never a window title
