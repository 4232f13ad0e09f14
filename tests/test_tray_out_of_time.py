"""Out of time, end to end: the tray's heartbeats to a real agent, the agent's answer to
the tray's Enforcer with a fake session controller — at zero the session locks; unlocking
while out of time locks it again; a parent's extra minutes end it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers_usage import call, parent_headers, running_usage_agent

from agent.api.types import HeartbeatAnswer
from agent.auth import TRAY_TOKEN_SECRET_NAME
from agent.runtime import Agent
from agent.secrets import open_secret_store
from agent.tray.identity import load_tray_user_keys
from gui.tray.enforcement import Enforcer
from gui.tray.heartbeat import HeartbeatSender
from gui.tray.http_backend import HttpTrayBackend, TrayCredentials, standing_of
from gui.tray.watchers.base import ForegroundWindow, Sample

ONE_MINUTE_A_DAY = "daily_minutes = { weekdays = 1, weekend = 1 }\nallowed_hours = []"
NOTES = ForegroundWindow(exe_path="/usr/bin/gedit", pid=4300, title="bài tập")


@dataclass
class Session:
    calls: list[str] = field(default_factory=list)

    def lock(self) -> None:
        self.calls.append("lock")

    def log_off(self) -> None:
        self.calls.append("log_off")

    def close_app(self, pid: int) -> None:
        self.calls.append(f"close {pid}")


class Desk:
    """The child's desktop: unlocked or locked, the notes in front."""

    name = "fake"
    knows_foreground = True

    def __init__(self) -> None:
        self.locked = False

    def sample(self) -> Sample:
        return Sample(app=None if self.locked else NOTES, idle_seconds=1.0, locked=self.locked)

    def close(self) -> None:
        return None


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[Agent]:
    with running_usage_agent(tmp_path, ONE_MINUTE_A_DAY) as running:
        yield running


def test_unlocking_while_out_of_time_locks_again(agent: Agent) -> None:
    secrets = open_secret_store(agent.settings.data_dir)
    token = secrets.get(TRAY_TOKEN_SECRET_NAME)
    assert token
    key = load_tray_user_keys(secrets).key_for("an")
    backend = HttpTrayBackend(agent.http_url(), TrayCredentials(token, "an", key))
    clock = [5000.0]
    desk, session, told = Desk(), Session(), []
    answers: list[HeartbeatAnswer] = []
    guard = Enforcer(
        session, lambda title, body: told.append(title), own_pid=1, monotonic=lambda: clock[0]
    )
    sender: HeartbeatSender[HeartbeatAnswer]

    def on_answer(answer: HeartbeatAnswer) -> None:
        answers.append(answer)
        guard.on_standing(standing_of(answer), sender.last_sample)

    sender = HeartbeatSender(
        desk, backend.send_heartbeats, on_answer=on_answer, monotonic=lambda: clock[0],
        offset=lambda: 420,
    )

    def beats(count: int) -> None:
        for _ in range(count):
            sender.beat()
            clock[0] += 5

    try:
        beats(14)  # 65 s of the one minute
        assert answers[-1].allowed is False and answers[-1].limit.kind == "daily"
        assert session.calls == ["lock"]
        desk.locked = True
        beats(6)  # locked: nothing more to do, and nothing counts
        assert session.calls == ["lock"]
        desk.locked = False  # the child unlocks while out of time
        beats(1)
        assert session.calls == ["lock", "lock"]
        # A parent gives 10 minutes: the next answers let the child go on.
        given = call(
            agent, "POST", "/api/usage/extra", parent_headers(agent),
            json={"child": "An", "minutes": 10},
        )
        assert given.status_code == 200
        beats(4)
        assert answers[-1].allowed is True
        assert session.calls == ["lock", "lock"]
    finally:
        backend.close()
