"""A child's screen time edited through the policy API (issue 13, the Screen time page):
the allowed hours and the always-allowed apps travel with the limits and reach
family.toml (comments kept) and the usage rules; a limit that comes from the age preset can
be removed (``false`` in family.toml), and the loader checks it; the apps seen on this PC
are listed for a parent."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers_policy_agent import HAND_COMMENT, RunningFamily, parent_client, running_family
from helpers_usage import beats, call, tray_headers

from agent.api.client import ApiClient, ApiClientError
from agent.api.types import (
    ForegroundApp,
    ScreenTimeRules,
    SeenApp,
    SeenApps,
    WeeklyWindow,
)
from agent.policy.compile import compile_screen_time, resolve_child
from agent.policy.editing import apply_policy_json, policy_json
from agent.policy.errors import InvalidPolicyError
from agent.policy.loader import load_policy, parse_policy
from agent.policy.loosening import loosenings
from agent.policy.services import load_catalogue
from agent.usage.apps import AppClassifier
from agent.usage.limits import LimitKind, decide
from agent.usage.model import AppIdentity, DayTally
from agent.usage.seen_apps import SeenApps as SeenAppsRegistry
from agent.usage.seen_apps import allow_name, seen_app_list

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

FAMILY = """\
schema_version = 1

[[children]]
name = "An"
age = 9
os_users = ["an"]

[children.screen_time]
category_minutes = {{ {minutes} }}
"""


def family_with(minutes: str) -> str:
    return FAMILY.format(minutes=minutes)


@pytest.fixture
def family(tmp_path: Path) -> Iterator[RunningFamily]:
    with running_family(tmp_path) as running:
        yield running


@pytest.fixture
def client(family: RunningFamily) -> Iterator[ApiClient]:
    with parent_client(family) as made:
        yield made


# -- "no limit" in family.toml ---------------------------------------------------------------


def test_false_lifts_a_preset_limit_and_the_preset_does_not_bring_it_back() -> None:
    preset = resolve_child(parse_policy(family_with("social = 30")).children[0], 2026)
    assert preset.screen_time.category_minutes == {"games": 180, "social": 30}
    lifted = parse_policy(family_with("games = false"))
    limits = resolve_child(lifted.children[0], 2026).screen_time
    assert "games" not in limits.category_minutes
    assert lifted.children[0].screen_time.unlimited_categories == frozenset({"games"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", "or false (no limit)"), ('"none"', "or false (no limit)"), ("2000", "0 to 1440")],
)
def test_the_loader_checks_a_minutes_table(value: str, expected: str) -> None:
    with pytest.raises(InvalidPolicyError) as raised:
        parse_policy(family_with(f"games = {value}"))
    errors = raised.value.errors
    assert [error.key for error in errors] == ["children[0].screen_time.category_minutes.games"]
    assert expected in errors[0].message


def test_false_is_written_over_zero_minutes() -> None:
    # 0 minutes (blocked all day) and false (no limit) are not the same value to the editor.
    text = family_with("social = 0")
    document = policy_json(text)
    children = document["children"]
    assert isinstance(children, list)
    children[0]["screen_time"]["category_minutes"]["social"] = False
    edited = apply_policy_json(text, document)
    assert "social = false" in edited
    assert "social" in parse_policy(edited).children[0].screen_time.unlimited_categories


def test_a_lifted_limit_and_emptied_allowed_hours_are_loosenings() -> None:
    before = parse_policy(family_with("games = 120"))
    after = parse_policy(family_with("games = false"))
    kinds = [item.subject for item in loosenings(before, after, year=2026)]
    assert "category_minutes.games" in kinds
    no_hours = parse_policy(family_with("games = 120") + "allowed_hours = []\n")
    assert "allowed_hours" in [item.subject for item in loosenings(before, no_hours, year=2026)]


# -- the screen-time endpoint -------------------------------------------------------------


def test_allowed_hours_edited_reach_the_file_and_the_usage_rules(
    family: RunningFamily, client: ApiClient
) -> None:
    etag, rules = client.screen_time("An")
    assert rules.allowed_hours is not None and rules.allowed_hours  # the preset's
    hours = (
        WeeklyWindow(("mon", "tue", "wed", "thu", "fri"), "16:00", "18:00"),
        WeeklyWindow(("sat",), "21:00", "01:00"),  # across midnight
    )
    _etag, saved = client.set_screen_time(etag, replace(rules, allowed_hours=hours))
    assert saved.allowed_hours is not None
    assert {(w.start, w.end) for w in saved.allowed_hours} == {("16:00", "18:00"),
                                                                  ("21:00", "01:00")}

    text = family.config.read_text(encoding="utf-8")
    assert HAND_COMMENT in text
    assert 'days = "weekdays"' in text and 'start = "21:00"' in text
    limits = compile_screen_time(load_policy(family.config))["An"]
    monday_noon = datetime(2026, 12, 7, 12, 0, tzinfo=ZONE)
    outside = decide(limits, 9, DayTally(monday_noon.date()), monday_noon)
    assert not outside.allowed and outside.reason.kind is LimitKind.ALLOWED_HOURS
    inside = decide(limits, 9, DayTally(monday_noon.date()), monday_noon.replace(hour=17))
    assert inside.allowed
    sunday_night = datetime(2026, 12, 13, 0, 30, tzinfo=ZONE)  # Saturday's window goes on
    assert decide(limits, 9, DayTally(sunday_night.date()), sunday_night).allowed


def test_a_put_without_hours_or_apps_leaves_them(client: ApiClient) -> None:
    etag, rules = client.screen_time("An")
    bare = ScreenTimeRules.from_json(
        {key: value for key, value in rules.to_json().items()
         if key not in ("allowed_hours", "always_allowed_apps")}
    )
    assert bare.allowed_hours is None and bare.always_allowed_apps is None
    _etag, saved = client.set_screen_time(etag, replace(bare, daily_minutes=(30,) * 7))
    assert saved.allowed_hours == rules.allowed_hours
    assert saved.always_allowed_apps == rules.always_allowed_apps


def test_a_preset_limit_removed_through_the_api_stays_removed(
    family: RunningFamily, client: ApiClient
) -> None:
    etag, rules = client.screen_time("An")
    assert dict(rules.category_minutes) == {"games": 180}
    _etag, saved = client.set_screen_time(etag, replace(rules, category_minutes={}))
    assert dict(saved.category_minutes) == {}
    text = family.config.read_text(encoding="utf-8")
    assert "games = false" in text and HAND_COMMENT in text
    assert "games" not in compile_screen_time(load_policy(family.config))["An"].category_minutes
    # Set again, it is minutes again.
    etag, rules = client.screen_time("An")
    _etag, saved = client.set_screen_time(etag, replace(rules, category_minutes={"games": 45}))
    assert dict(saved.category_minutes) == {"games": 45}
    assert "games = 45" in family.config.read_text(encoding="utf-8")


def test_always_allowed_apps_reach_the_usage_rules(
    family: RunningFamily, client: ApiClient
) -> None:
    etag, rules = client.screen_time("An")
    assert rules.always_allowed_apps == ()
    _etag, saved = client.set_screen_time(etag, replace(rules, always_allowed_apps=("zoom.exe",)))
    assert saved.always_allowed_apps == ("zoom.exe",)
    assert 'always_allowed_apps = ["zoom.exe"]' in family.config.read_text(encoding="utf-8")
    limits = compile_screen_time(load_policy(family.config))["An"]
    zoom = AppClassifier(load_catalogue()).classify(
        AppIdentity(exe_path="C:\\Program Files\\Zoom\\Zoom.exe"), limits.always_allowed_apps
    )
    assert zoom.always_allowed
    late = datetime(2026, 12, 7, 23, 30, tzinfo=ZONE)  # outside the allowed hours
    assert decide(limits, 9, DayTally(late.date()), late, zoom).reason.kind is (
        LimitKind.ALWAYS_ALLOWED
    )


def test_a_stale_screen_time_edit_is_refused(family: RunningFamily, client: ApiClient) -> None:
    etag, rules = client.screen_time("An")
    text = family.config.read_text(encoding="utf-8")
    family.config.write_text(text.replace(HAND_COMMENT, HAND_COMMENT + " (edited)"), "utf-8")
    with pytest.raises(ApiClientError) as raised:
        client.set_screen_time(etag, replace(rules, allowed_hours=()))
    assert raised.value.status == 412


# -- the apps seen on this PC ---------------------------------------------------------------


def test_allow_names() -> None:
    assert allow_name("zoom.exe") == "zoom.exe"
    assert allow_name("robloxplayerbeta.exe:behind") == "robloxplayerbeta.exe"
    assert allow_name("java:minecraft") == "minecraft"  # the hosted app is its service
    assert allow_name("java:minecraft:behind") == "minecraft"
    assert allow_name("chrome.exe:youtube") == "chrome.exe"  # a website: the browser


def test_seen_apps_keep_what_each_app_is_and_no_title() -> None:
    seen = SeenAppsRegistry()
    when = datetime(2026, 12, 7, 9, 0, tzinfo=ZONE)
    zoom = AppIdentity(exe_path="C:\\Zoom\\Zoom.exe", title="Lớp 4A — secret", product_name="Zoom")
    seen.note("An", "zoom.exe", zoom, None, None, when)
    seen.note("An", "chrome.exe:youtube", AppIdentity(exe_path="/usr/bin/chrome"), "youtube",
              "video", when)
    seen.note("Bình", "zoom.exe", AppIdentity(exe_path="C:\\Zoom\\Zoom.exe"), None, None,
              when + timedelta(minutes=5))
    assert seen.changed
    saved = seen.to_json()
    assert "secret" not in repr(saved) and not seen.changed
    again = SeenAppsRegistry(saved)
    apps = {app.allow_name: app for app in seen_app_list(
        again.records(), [("An", "robloxplayerbeta.exe"), ("An", "unknown")], load_catalogue()
    )}
    assert set(apps) == {"zoom.exe", "chrome.exe", "robloxplayerbeta.exe"}
    assert apps["zoom.exe"].product_name == "Zoom" and apps["zoom.exe"].exe_name == "Zoom.exe"
    assert apps["zoom.exe"].children == ("An", "Bình")
    assert apps["chrome.exe"].service is None  # the browser is no service
    assert apps["robloxplayerbeta.exe"].service_name == "Roblox"  # the catalogue's name


def test_get_apps_lists_the_apps_seen(family: RunningFamily, client: ApiClient) -> None:
    store, usage = family.agent.store, family.agent.usage
    assert store is not None and usage is not None
    store.usage.record_heartbeat("An", "winword.exe", at=datetime.now(ZONE) - timedelta(hours=1))
    answer = client.seen_apps()
    assert isinstance(answer, SeenApps)
    assert [app.allow_name for app in answer.apps] == ["winword.exe"]
    assert answer.apps[0].children == ("An",)
    again = SeenApps.from_json(answer.to_json())
    assert again == answer
    assert SeenApp.from_json(answer.apps[0].to_json()) == answer.apps[0]
    with ApiClient(family.url) as anonymous, pytest.raises(ApiClientError) as raised:
        anonymous.seen_apps()
    assert raised.value.status == 401


def test_the_running_agent_says_the_child_is_outside_the_allowed_hours(
    family: RunningFamily, client: ApiClient
) -> None:
    # One short window two days from now: whenever the test runs, now is outside it.
    later = datetime.now(ZONE) + timedelta(days=2)
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[later.weekday()]
    etag, rules = client.screen_time("An")
    client.set_screen_time(
        etag, replace(rules, allowed_hours=(WeeklyWindow((day,), "03:00", "03:01"),))
    )

    def standing() -> tuple[str, int | None]:
        detail = next(item for item in client.usage_today().details if item.child == "An")
        return detail.limit.kind, detail.seconds_left

    deadline = datetime.now(ZONE) + timedelta(seconds=20)
    while standing() != ("allowed_hours", 0) and datetime.now(ZONE) < deadline:
        time.sleep(0.1)  # the agent adopts the written file at once; this only waits
    assert standing() == ("allowed_hours", 0)


# -- an always-allowed app typed by a parent ----------------------------------------------


@pytest.mark.parametrize(
    ("entry", "words"),
    [('""', "it is empty"), ('"/"', "names a folder"), ('"zoom\\u0000"', "control"),
     (f'"{"z" * 300}"', "longer than 260"), ('"bin\\\\zoom"', "must be whole")],
)
def test_the_loader_refuses_an_app_that_is_no_app(entry: str, words: str) -> None:
    with pytest.raises(InvalidPolicyError) as raised:
        parse_policy(family_with("") + f"always_allowed_apps = [{entry}]\n")
    errors = raised.value.errors
    assert [error.key for error in errors] == ["children[0].screen_time.always_allowed_apps[0]"]
    assert words in errors[0].message


def test_the_loader_refuses_the_same_app_twice() -> None:
    with pytest.raises(InvalidPolicyError) as raised:
        parse_policy(family_with("") + 'always_allowed_apps = ["Zoom.exe", "zoom"]\n')
    assert [error.key for error in raised.value.errors] == [
        "children[0].screen_time.always_allowed_apps[1]"
    ]
    assert "same app as entry 0" in raised.value.errors[0].message


def test_garbage_typed_through_the_api_is_refused_and_nothing_is_lost(
    family: RunningFamily, client: ApiClient
) -> None:
    before = family.config.read_text(encoding="utf-8")
    etag, rules = client.screen_time("An")
    with pytest.raises(ApiClientError) as raised:
        client.set_screen_time(etag, replace(rules, always_allowed_apps=("zoom", "/")))
    assert raised.value.status == 422
    assert "always_allowed_apps" in str(raised.value.problems)
    assert family.config.read_text(encoding="utf-8") == before


def test_an_app_typed_but_never_seen_is_always_allowed_by_the_running_agent(
    family: RunningFamily, client: ApiClient
) -> None:
    # Outside the allowed hours whenever the test runs: only an always-allowed app goes on.
    later = datetime.now(ZONE) + timedelta(days=2)
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[later.weekday()]
    olm = r"C:\Program Files\OLM\olm.exe"
    etag, rules = client.screen_time("An")
    _etag, saved = client.set_screen_time(etag, replace(
        rules,
        allowed_hours=(WeeklyWindow((day,), "03:00", "03:01"),),
        always_allowed_apps=("zoom", olm),
    ))
    assert saved.always_allowed_apps == ("zoom", olm)
    written = 'always_allowed_apps = ["zoom", "C:\\\\Program Files\\\\OLM\\\\olm.exe"]'
    assert written in family.config.read_text(encoding="utf-8")
    headers = tray_headers(family.agent)

    def heartbeat(app: ForegroundApp, seconds: int, instance: str) -> dict[str, object]:
        answer = call(family.agent, "POST", "/api/usage/heartbeat", headers,
                      json=beats(seconds, app=app, instance=instance).to_json())
        assert answer.status_code == 200, answer.text
        value = answer.json()
        assert isinstance(value, dict)
        return value

    def counted() -> int:
        detail = next(item for item in client.usage_today().details if item.child == "An")
        return detail.counted_seconds

    deadline = time.monotonic() + 20
    school = ForegroundApp(exe_path=olm, pid=501, title="Lớp 4A")
    while heartbeat(school, 0, "probe")["limit"]["kind"] != "always_allowed":
        assert time.monotonic() < deadline, "the agent did not take the new rules"
        time.sleep(0.1)  # the agent adopts the written file at once; this only waits
    start = counted()
    answer = heartbeat(school, 60, "tray-olm")
    assert answer["allowed"] and answer["limit"]["kind"] == "always_allowed"
    zoom = ForegroundApp(exe_path="/usr/bin/zoom", pid=502, title="Zoom Meeting")
    answer = heartbeat(zoom, 60, "tray-zoom")
    assert answer["allowed"] and answer["limit"]["kind"] == "always_allowed"
    assert counted() == start  # neither counted a second
    # The same file name in the child's own folder is not the school's app.
    copied = ForegroundApp(exe_path=r"C:\Users\an\Downloads\olm.exe", pid=503, title="?")
    answer = heartbeat(copied, 60, "tray-copy")
    assert not answer["allowed"] and answer["limit"]["kind"] == "allowed_hours"
