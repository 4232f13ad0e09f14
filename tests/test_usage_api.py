"""Screen time end to end: a real agent, heartbeats over the real API with the child's
own key, and the parent's view of the day and of the events."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from agent.api.types import ForegroundApp, HeartbeatBatch, HeartbeatReport, UsageToday
from agent.auth import TRAY_TOKEN_SECRET_NAME
from agent.policy.template import render_initial_policy
from agent.runtime import Agent, AgentSettings
from agent.secrets import open_secret_store
from agent.tray.identity import load_tray_user_keys

PIN = "2468"


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[Agent]:
    config = tmp_path / "family.toml"
    config.write_text(
        render_initial_policy("An", 9, ["an"], ["udp://127.0.0.1:9"]), encoding="utf-8"
    )
    running = Agent(
        AgentSettings(
            config_path=config,
            data_dir=tmp_path / "data",
            dns_listen=(("127.0.0.1", 0),),
            http_listen=("127.0.0.1", 0),
            refresh_lists_at_start=False,
        ),
        session_user=lambda: "an",
    )
    running.start()
    assert running.authenticator is not None
    running.authenticator.set_first_pin(PIN)
    yield running
    running.stop()


def call(agent: Agent, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
    with requests.Session() as session:
        session.trust_env = False
        return session.request(method, agent.http_url() + path, headers=headers, timeout=5, **kw)


def tray_headers(agent: Agent, user: str = "an", key: str | None = None) -> dict[str, str]:
    secrets = open_secret_store(agent.settings.data_dir)
    token = secrets.get(TRAY_TOKEN_SECRET_NAME)
    keys = load_tray_user_keys(secrets)
    return {
        "Authorization": f"Bearer {token}",
        "X-Baoan-User": user,
        "X-Baoan-User-Key": key if key is not None else keys.key_for(user),
    }


def parent_headers(agent: Agent) -> dict[str, str]:
    assert agent.authenticator is not None
    return {"Authorization": f"Bearer {agent.authenticator.login(PIN).token}"}


def beats(seconds: int, step: int = 5) -> HeartbeatBatch:
    base = time.monotonic()
    app = ForegroundApp(exe_path="/usr/games/minecraft-launcher", pid=4242, title="Minecraft")
    reports = tuple(
        HeartbeatReport("tray-e2e", base + t, datetime.now(UTC), app, utc_offset_minutes=420)
        for t in range(0, seconds + 1, step)
    )
    return HeartbeatBatch(base + seconds, reports)


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
