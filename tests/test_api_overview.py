"""The dashboard's family pages against a real agent on random ports: today for each
child (``GET /api/overview``), the days before (``GET /api/activity``) built on the
store's usage intervals and answer counters, the schedules' editing, and the words of a
policy edit kept as facts. Every one is a parent's: a child's tray token is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers_policy_agent import RunningFamily, baoan_check, parent_client, running_family

from agent.api.client import ApiClient, ApiClientError, ForbiddenError, UnauthorizedError
from agent.api.types import ChildSchedules, ScheduleRule, WeeklyWindow
from agent.auth import load_or_create_tray_token
from agent.protection import DnsFinding, dns_points_at_agent, name_servers
from agent.secrets import open_secret_store
from agent.store import Store
from agent.store.models import QueryLogEntry

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def family(tmp_path: Path) -> Iterator[RunningFamily]:
    with running_family(tmp_path) as running:
        yield running


def store_of(family: RunningFamily) -> Store:
    store = family.agent.store
    assert store is not None
    return store


def use_app(store: Store, child: str, app: str, start: datetime, minutes: int) -> None:
    for second in range(0, minutes * 60 + 1, 10):
        store.usage.record_heartbeat(child, app, at=start + timedelta(seconds=second))


def query(store: Store, when: datetime, name: str, decision: str, category: str | None) -> None:
    store.query_log.add(
        [
            QueryLogEntry(
                time=when, client="127.0.0.1", name=name, qtype="A", decision=decision,
                child="An", category=category,
            )
        ]
    )


def test_the_overview_gives_each_childs_day(family: RunningFamily) -> None:
    client = parent_client(family)
    store = store_of(family)
    now = datetime.now(ZONE)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for _ in range(3):
        query(store, now - timedelta(seconds=5), "casino.example", "blocked", "gambling")
    query(store, now - timedelta(seconds=5), "vnexpress.net", "resolved", None)
    query(store, midnight - timedelta(minutes=5), "yesterday.example", "blocked", "adult")
    store.requests.create("An", "site", "roblox.com", "homework")
    store.events.add("tray-missing", "no heartbeat", child="An", severity="alert")
    store.events.add("clock-changed", "moved", severity="info")

    overview = client.overview()

    assert overview.date == now.date()
    (child,) = overview.children
    assert child.child == "An"
    assert child.blocked == 3  # yesterday's block is not today's
    assert child.blocked_by_category == (("gambling", 3),)
    assert ("vnexpress.net", 1) in child.top_sites
    assert child.pending_requests == 1
    assert child.alerts == 1
    assert child.tray in ("running", "missing", "not_seen")
    assert [alert.kind for alert in overview.alerts] == ["tray-missing"]
    # The try-out's DNS listens on a random port, never 53: the PC cannot point at it.
    assert overview.protection.dns in ("off", "unknown")
    assert overview.protection.lists in ("fresh", "stale", "missing")


def test_the_activity_is_per_day_per_app_category_and_block(family: RunningFamily) -> None:
    client = parent_client(family)
    store = store_of(family)
    today = datetime.now(ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    two_days_ago = today - timedelta(days=2)
    use_app(store, "An", "robloxplayerbeta.exe", two_days_ago + timedelta(hours=15), 20)
    use_app(store, "An", "winword.exe", two_days_ago + timedelta(hours=16), 10)
    query(store, two_days_ago + timedelta(hours=15), "casino.example", "blocked", "gambling")
    query(store, two_days_ago + timedelta(hours=15), "pornhub.com", "blocked", "adult")
    query(store, two_days_ago + timedelta(hours=15, minutes=1), "casino.example", "blocked",
          "gambling")

    week = client.activity("An", 7)
    month = client.activity("An", 30)

    assert len(week.days) == 7 and len(month.days) == 30
    assert week.days[-1].date == today.date()
    day = week.days[-3]
    assert day.date == two_days_ago.date()
    assert day.seconds == 30 * 60
    assert day.apps == (("robloxplayerbeta.exe", 1200), ("winword.exe", 600))
    assert day.categories == (("games", 1200), ("other", 600))
    assert day.blocked == (("gambling", 2), ("adult", 1))
    assert all(other.seconds == 0 for other in week.days if other.date != day.date)
    assert month.days[-3] == day

    with pytest.raises(ApiClientError) as unknown:
        client.activity("Nobody", 7)
    assert unknown.value.code == "unknown_child"
    with pytest.raises(ApiClientError) as too_long:
        client.activity("An", 31)
    assert too_long.value.status == 400


def test_a_schedule_edited_reaches_the_file_and_the_verdict(family: RunningFamily) -> None:
    client = parent_client(family)
    etag, current = client.schedules("An")
    assert current.child == "An"
    # No internet at any hour of any day, save a minute that has passed long ago: every
    # name is blocked now by the schedule.
    never = ScheduleRule(
        target="*",
        mode="allowed_only_during",
        windows=(
            WeeklyWindow(days=("mon", "tue", "wed", "thu", "fri"), start="04:00", end="04:01"),
            WeeklyWindow(days=("sat", "sun"), start="23:30", end="00:30"),
        ),
    )
    assert baoan_check(family.config, "vnexpress.net")["decision"] == "allowed"
    now = datetime.now(ZONE)
    if (now.hour, now.minute) in ((4, 0), (23, 30), (23, 59), (0, 0), (0, 29)):
        pytest.skip("the window under test is open now")
    _etag, saved = client.set_schedules(etag, ChildSchedules("An", (*current.schedules, never)))

    assert never in saved.schedules
    text = family.config.read_text(encoding="utf-8")
    assert 'days = "weekdays"' in text and 'days = "weekend"' in text
    assert 'end = "00:30"' in text
    verdict = baoan_check(family.config, "vnexpress.net")
    assert verdict["decision"] == "blocked"
    # The edit is an event with its facts, for the dashboard to word.
    events = client.events(limit=5)
    edit = next(event for event in events if event.kind == "policy-edited")
    assert {"child": "An", "field": "schedules", "change": "changed"} in edit.data["edits"]


def test_a_policy_edit_is_kept_as_facts(family: RunningFamily) -> None:
    client = parent_client(family)
    etag, rules = client.child_rules("An")
    from dataclasses import replace

    client.set_child_rules(
        etag, replace(rules, blocked_services=(*rules.blocked_services, "roblox"))
    )
    edit = next(event for event in client.events(limit=5) if event.kind == "policy-edited")
    assert edit.child == "An"
    assert {
        "child": "An", "field": "block_services", "change": "added", "value": "roblox",
        "name": "Roblox",
    } in edit.data["edits"]
    assert "An: blocked roblox" in edit.message  # the English line of `baoan events` stays


def test_only_a_parent_sees_the_family_pages(family: RunningFamily) -> None:
    parent_client(family)  # a PIN is set
    tray = load_or_create_tray_token(open_secret_store(family.agent.settings.data_dir))
    anonymous = ApiClient(family.url)
    child = ApiClient(family.url, token=tray)
    for client, error in ((anonymous, UnauthorizedError), (child, ForbiddenError)):
        with pytest.raises(error):
            client.overview()
        with pytest.raises(error):
            client.activity("An", 7)
        with pytest.raises(error):
            client.schedules("An")
        with pytest.raises(error):
            client.set_schedules('"x"', ChildSchedules("An", ()))
        with pytest.raises(error):
            client.events()
    with pytest.raises(ForbiddenError) as refused:
        child.overview()
    assert refused.value.code == "parent_only"


def test_where_the_pcs_dns_points() -> None:
    conf = "# made by hand\nnameserver 127.0.0.1\nnameserver 8.8.8.8 # spare\nsearch lan\n"
    assert name_servers(conf) == ["127.0.0.1", "8.8.8.8"]
    agent = ["udp://127.0.0.1:53", "tcp://127.0.0.1:53"]
    assert dns_points_at_agent(agent, conf) == DnsFinding(
        "ok", "asks_agent", ("127.0.0.1", "8.8.8.8")
    )
    assert dns_points_at_agent(["udp://0.0.0.0:53"], conf).state == "ok"
    assert dns_points_at_agent(agent, "nameserver 8.8.8.8\n") == DnsFinding(
        "off", "asks_others", ("8.8.8.8",)
    )
    assert dns_points_at_agent(["udp://127.0.0.1:5353"], conf).reason == "agent_not_on_53"
    assert dns_points_at_agent(agent, "nameserver 127.0.0.53\n").state == "unknown"
    assert dns_points_at_agent(agent, None) == DnsFinding("unknown", "no_resolv_conf")
    assert dns_points_at_agent(agent, "") == DnsFinding("off", "no_servers")
