"""One rule for web and app: when a service's minutes are spent in its app, its domains
are blocked for that child until the next day (a real agent, DNS over UDP)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dnslib import DNSRecord
from helpers_usage import call, running_usage_agent, tray_headers

from agent.api.types import ForegroundApp, HeartbeatBatch, HeartbeatReport
from agent.runtime import Agent


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[Agent]:
    with running_usage_agent(tmp_path, "service_minutes = { youtube = 1 }") as running:
        yield running


def ask(agent: Agent, name: str) -> DNSRecord:
    server = agent.dns_server
    assert server is not None
    reply = DNSRecord.question(name).send("127.0.0.1", server.addresses[0].port, timeout=5)
    return DNSRecord.parse(reply)


def blocked(agent: Agent, name: str) -> bool:
    return [str(rr.rdata) for rr in ask(agent, name).rr] == [agent.block_page_ipv4()]


def test_a_spent_service_is_blocked_on_the_web_too(agent: Agent) -> None:
    assert not blocked(agent, "www.youtube.com")  # not blocked before (it may fail upstream)
    base = time.monotonic()
    app = ForegroundApp(exe_path="/usr/bin/freetube", pid=555, title="FreeTube")
    beats = tuple(
        HeartbeatReport("tray-web", base + t, datetime.now(UTC), app) for t in range(0, 66, 5)
    )
    response = call(
        agent,
        "POST",
        "/api/usage/heartbeat",
        tray_headers(agent),
        json=HeartbeatBatch(base + 65, beats).to_json(),
    )
    assert response.status_code == 200, response.text
    assert response.json()["allowed"] is False
    assert blocked(agent, "www.youtube.com")
    assert blocked(agent, "youtube.com")
    assert agent.usage is not None and agent.usage.spent_services("An") == {"youtube"}


def test_the_block_page_and_the_query_log_say_the_services_time_is_up(agent: Agent) -> None:
    base = time.monotonic()
    app = ForegroundApp(exe_path="/usr/bin/freetube", pid=556, title="FreeTube")
    beats = tuple(
        HeartbeatReport("tray-why", base + t, datetime.now(UTC), app) for t in range(0, 66, 5)
    )
    batch = HeartbeatBatch(base + 65, beats)
    call(agent, "POST", "/api/usage/heartbeat", tray_headers(agent), json=batch.to_json())
    assert blocked(agent, "m.youtube.com")
    # The typed reason the query log keeps: time up, not an ordinary blocked service.
    assert agent.store is not None
    deadline = time.monotonic() + 5
    found: list[dict[str, object]] = []
    while not found and time.monotonic() < deadline:
        found = [
            dict(entry.reason)
            for entry in agent.store.query_log.recent("An", 50)
            if entry.name == "m.youtube.com"
        ]
        time.sleep(0.05)
    assert found and found[0]["kind"] == "time_up" and found[0]["service"] == "youtube"
    # The block page says why, in the child's words, in both languages.
    said = {"vi": "Hết giờ YouTube hôm nay", "en": "No more YouTube time today"}
    for language, words in said.items():
        page = call(agent, "GET", f"/__baoan/blocked?site=m.youtube.com&lang={language}", {})
        assert words in page.text, page.text[:2000]
