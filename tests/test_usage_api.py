"""Screen time end to end: a real agent, heartbeats over the real API with the child's
own key, and the parent's view of the day and of the events."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_usage import PIN, beats, call, parent_headers, running_usage_agent, tray_headers

from agent.api.types import UsageToday
from agent.runtime import Agent


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[Agent]:
    with running_usage_agent(tmp_path) as running:
        yield running


def test_heartbeats_count_and_the_parent_sees_the_day(agent: Agent) -> None:
    response = call(
        agent, "POST", "/api/usage/heartbeat", tray_headers(agent), json=beats(120).to_json()
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["child"] == "An" and answer["accepted"] == 25
    # the real time of day decides which limit is nearest (bedtime at night)
    assert answer["limit"]["kind"] in ("daily", "allowed_hours", "game", "category")
    today = UsageToday.from_json(
        call(agent, "GET", "/api/usage/today", parent_headers(agent)).json()
    )
    detail = today.details[0]
    assert detail.child == "An" and detail.counted_seconds == 120
    assert detail.services == (("minecraft", 120),)
    assert detail.categories == (("games", 120),)
    assert today.minutes["An"] == 2
    # the same batch again counts nothing
    again = call(
        agent, "POST", "/api/usage/heartbeat", tray_headers(agent), json=beats(0).to_json()
    )
    assert again.json()["accepted"] == 0


def test_a_heartbeat_needs_the_childs_own_key(agent: Agent) -> None:
    wrong = call(
        agent,
        "POST",
        "/api/usage/heartbeat",
        tray_headers(agent, key="not-the-key"),
        json=beats(10).to_json(),
    )
    assert wrong.status_code == 403
    parent = call(
        agent, "POST", "/api/usage/heartbeat", parent_headers(agent), json=beats(10).to_json()
    )
    assert parent.status_code == 403


def test_a_bad_batch_is_refused_with_the_field(agent: Agent) -> None:
    response = call(
        agent,
        "POST",
        "/api/usage/heartbeat",
        tray_headers(agent),
        json={"sent_monotonic": 1.0, "beats": [{"tray_instance": "x"}]},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "bad_request" and "batch.beats[0]" in body["message"]


def test_extra_minutes_and_events_for_a_parent(agent: Agent) -> None:
    headers = parent_headers(agent)
    response = call(agent, "POST", "/api/usage/extra", headers, json={"child": "An", "minutes": 30})
    assert response.status_code == 200 and response.json()["extra_minutes"] == 30
    assert agent.store is not None
    agent.store.events.add("clock-changed", "moved", child="An", severity="warning")
    events = call(agent, "GET", "/api/events", headers).json()["events"]
    assert events[0]["kind"] == "clock-changed" and events[0]["child"] == "An"
    assert call(agent, "GET", "/api/events", tray_headers(agent)).status_code == 403


def test_baoan_usage_and_events_commands(agent: Agent) -> None:
    import io
    import json

    from baoan.cli import build_parser

    call(agent, "POST", "/api/usage/heartbeat", tray_headers(agent), json=beats(60).to_json())
    assert agent.store is not None
    agent.store.events.add("agent-unclean-stop", "killed", severity="warning")
    parser = build_parser()

    def run(*argv: str) -> tuple[int, str]:
        args = parser.parse_args([*argv, "--api", agent.http_url(), "--pin-stdin"])
        out = io.StringIO()
        code = args.func(args, stdin=io.StringIO(PIN + "\n"), out=out)
        return code, out.getvalue()

    code, text = run("usage", "--json", "--child", "An")
    assert code == 0
    body = json.loads(text)
    assert body["children"][0]["counted_seconds"] == 60
    assert body["children"][0]["services"] == [["minecraft", 60]]
    code, text = run("usage")
    assert code == 0 and "An: 0:01:00 (60 s)" in text and "minecraft 60 s" in text
    assert run("usage", "--child", "Nobody")[0] == 2
    code, text = run("events")
    assert code == 0 and "agent-unclean-stop" in text
    code, text = run("events", "--json")
    assert json.loads(text)[0]["kind"] == "agent-unclean-stop"
    args = parser.parse_args(["usage", "--api", agent.http_url(), "--pin-stdin"])
    assert args.func(args, stdin=io.StringIO("0000\n"), out=io.StringIO()) == 3


def test_asking_for_more_time_and_a_parent_approving_it(agent: Agent) -> None:
    asked = call(
        agent,
        "POST",
        "/api/usage/more-time",
        tray_headers(agent),
        json={"minutes": 30, "reason": "con làm bài tập trên OLM"},
    )
    assert asked.status_code == 200, asked.text
    body = asked.json()
    assert body["status"] == "pending" and body["minutes"] == 30 and body["new"] is True
    again = call(
        agent, "POST", "/api/usage/more-time", tray_headers(agent), json={"minutes": 15}
    ).json()
    assert again["request_id"] == body["request_id"] and again["new"] is False
    bad = call(agent, "POST", "/api/usage/more-time", tray_headers(agent), json={"minutes": 45})
    assert bad.status_code == 400
    headers = parent_headers(agent)
    events = call(agent, "GET", "/api/events", headers).json()["events"]
    assert events[0]["kind"] == "time-request" and events[0]["child"] == "An"
    # the parent gives 20 minutes, not the 30 asked for
    decided = call(
        agent,
        "POST",
        f"/api/requests/{body['request_id']}/decision",
        headers,
        json={"allow": True, "minutes": 20},
    )
    assert decided.status_code == 200, decided.text
    today = UsageToday.from_json(call(agent, "GET", "/api/usage/today", headers).json())
    assert today.details[0].extra_minutes == 20
    more = call(agent, "POST", "/api/usage/extra", headers, json={"child": "An", "minutes": 10})
    assert more.json()["extra_minutes"] == 30
