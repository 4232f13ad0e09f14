"""The tray's heartbeat sender: queued while the agent is unreachable, sent oldest first,
the tray's own windows named, and end to end against a real agent."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers_usage import call, parent_headers, running_usage_agent

from agent.api.types import HeartbeatAnswer, UsageToday
from agent.auth import TRAY_TOKEN_SECRET_NAME
from agent.runtime import Agent
from agent.secrets import open_secret_store
from agent.tray.identity import load_tray_user_keys
from gui.tray.backend import AgentUnreachableError, TrayBackendError
from gui.tray.heartbeat import HeartbeatSender, QueuedBeat
from gui.tray.http_backend import HttpTrayBackend, TrayCredentials
from gui.tray.watchers.base import ForegroundWindow, Sample

GAME = ForegroundWindow(exe_path="/usr/games/minecraft-launcher", pid=4242, title="Minecraft")


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[Agent]:
    with running_usage_agent(tmp_path) as running:
        yield running


class FakeWatcher:
    name = "fake"
    knows_foreground = True

    def __init__(self, app: ForegroundWindow | None = GAME) -> None:
        self.app = app
        self.closed = False

    def sample(self) -> Sample:
        return Sample(app=self.app, idle_seconds=1.0)

    def close(self) -> None:
        self.closed = True


class Clocks:
    def __init__(self) -> None:
        self.mono = 1000.0
        self.wall = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += timedelta(seconds=seconds)


def sender_with(
    send: object, clocks: Clocks, watcher: FakeWatcher | None = None, **kw: object
) -> HeartbeatSender[int]:
    return HeartbeatSender(
        watcher or FakeWatcher(),
        send,  # type: ignore[arg-type]
        monotonic=lambda: clocks.mono,
        wall=lambda: clocks.wall,
        offset=lambda: 420,
        **kw,  # type: ignore[arg-type]
    )


def test_heartbeats_queue_while_the_agent_is_unreachable() -> None:
    clocks = Clocks()
    reachable = False
    received: list[list[float]] = []

    def send(_sent: float, beats: Sequence[QueuedBeat]) -> int:
        if not reachable:
            raise AgentUnreachableError("down")
        received.append([beat.monotonic for beat in beats])
        return len(beats)

    answers: list[int] = []
    sender = sender_with(send, clocks, on_answer=answers.append)
    for _ in range(250):
        sender.beat()
        clocks.advance(5)
    assert sender.queued == 250 and received == []
    reachable = True
    assert sender.flush()
    assert [len(batch) for batch in received] == [100, 100, 50]
    flat = [mono for batch in received for mono in batch]
    assert flat == sorted(flat) and flat[0] == 1000.0
    assert answers == [100, 100, 50] and sender.queued == 0


def test_the_queue_is_bounded_oldest_dropped_first() -> None:
    clocks = Clocks()

    def send(_sent: float, _beats: Sequence[QueuedBeat]) -> int:
        raise AgentUnreachableError("down")

    sender = sender_with(send, clocks, queue_limit=10)
    for _ in range(15):
        sender.beat()
        clocks.advance(5)
    assert sender.queued == 10 and sender.dropped == 5


def test_a_refused_batch_is_not_sent_forever() -> None:
    clocks = Clocks()
    calls: list[int] = []

    def send(_sent: float, beats: Sequence[QueuedBeat]) -> int:
        calls.append(len(beats))
        raise TrayBackendError("bad key", "bad_user_key")

    sender = sender_with(send, clocks)
    sender.beat()
    sender.beat()
    assert calls == [1, 1] and sender.queued == 0


def test_the_trays_own_window_is_named_and_never_its_title() -> None:
    clocks = Clocks()
    sent: list[QueuedBeat] = []

    def send(_sent: float, beats: Sequence[QueuedBeat]) -> int:
        sent.extend(beats)
        return 0

    own = ForegroundWindow(exe_path="/usr/bin/python3", pid=777, title="Trợ giúp / 111")
    sender = sender_with(send, clocks, FakeWatcher(own), own_pid=777)
    sender.beat()
    assert sent[0].sample.app == ForegroundWindow(original_name="baoan-tray")


def test_the_tray_and_the_agent_end_to_end(agent: Agent) -> None:
    secrets = open_secret_store(agent.settings.data_dir)
    token = secrets.get(TRAY_TOKEN_SECRET_NAME)
    assert token
    keys = load_tray_user_keys(secrets)
    backend = HttpTrayBackend(agent.http_url(), TrayCredentials(token, "an", keys.key_for("an")))
    clocks = Clocks()
    answers: list[HeartbeatAnswer] = []
    sender = HeartbeatSender(
        FakeWatcher(),
        backend.send_heartbeats,
        on_answer=answers.append,
        monotonic=lambda: clocks.mono,
        offset=lambda: 420,
    )
    try:
        for _ in range(13):  # 60 s
            sender.beat()
            clocks.advance(5)
    finally:
        backend.close()
    assert answers[-1].child == "An" and answers[-1].accepted == 1
    today = UsageToday.from_json(
        call(agent, "GET", "/api/usage/today", parent_headers(agent)).json()
    )
    assert today.details[0].counted_seconds == 60
    assert today.details[0].services == (("minecraft", 60),)
    # the tray asks for more time for the child
    backend = HttpTrayBackend(agent.http_url(), TrayCredentials(token, "an", keys.key_for("an")))
    try:
        assert backend.ask_for_more_time(15, "bài tập")
    finally:
        backend.close()
    # a window title never reaches the store
    assert agent.store is not None
    rows = agent.store.database.connection().execute("SELECT * FROM usage_intervals").fetchall()
    assert rows and all("Minecraft" not in str(row) for row in rows)
