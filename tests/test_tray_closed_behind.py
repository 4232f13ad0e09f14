"""A game closed from behind is explained to the child, end to end: a real agent, the
tray offscreen with its Vietnamese words, the agent's process sampler seeing Minecraft
running without focus once the day's game minutes are spent — the tray closes it (a fake
session controller) and shows what it closed and why, with the game's name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from helpers_usage import running_usage_agent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from agent.api.types import HeartbeatAnswer
from agent.auth import TRAY_TOKEN_SECRET_NAME
from agent.policy.services import load_catalogue
from agent.runtime import Agent
from agent.secrets import open_secret_store
from agent.tray.identity import load_tray_user_keys
from agent.usage.apps import AppClassifier
from agent.usage.sampler import ProcessSampler
from gui.tray.app import Tray, build_tray, screen_time_enforcer
from gui.tray.heartbeat import HeartbeatSender
from gui.tray.http_backend import HttpTrayBackend, TrayCredentials, standing_of
from gui.tray.watchers.base import ForegroundWindow, Sample

ONE_MINUTE_OF_GAMES = "category_minutes = { games = 1 }"
MINECRAFT = ForegroundWindow(exe_path="/usr/bin/minecraft-launcher", pid=4000, title="Minecraft")
NOTES = ForegroundWindow(exe_path="/usr/bin/gedit", pid=4300, title="bài tập")
BEHIND_PID = 5151


@dataclass
class Session:
    closed: list[int] = field(default_factory=list)

    def lock(self) -> None:
        raise AssertionError("the child's own time is not over: nothing locks")

    def log_off(self) -> None:
        raise AssertionError("the child's own time is not over: nothing logs off")

    def close_app(self, pid: int) -> None:
        self.closed.append(pid)


class Desk:
    name = "fake"
    knows_foreground = True

    def __init__(self) -> None:
        self.front = MINECRAFT

    def sample(self) -> Sample:
        return Sample(app=self.front, idle_seconds=1.0)

    def close(self) -> None:
        return None


@dataclass
class Process:
    info: dict[str, Any]

    def cmdline(self) -> list[str]:
        return list(self.info.get("cmdline") or [])


def minecraft_behind(**_kwargs: object) -> Iterable[Process]:
    """The sampler's view: An started Minecraft again and went to the notes before the
    tray's next look, so it runs behind."""
    return [
        Process(
            {
                "pid": BEHIND_PID,
                "name": "minecraft-launcher",
                "username": "an",
                "exe": "/usr/bin/minecraft-launcher",
                "cmdline": ["minecraft-launcher"],
            }
        )
    ]


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[Agent]:
    with running_usage_agent(tmp_path, ONE_MINUTE_OF_GAMES) as running:
        yield running


@pytest.fixture
def backend(agent: Agent) -> Iterator[HttpTrayBackend]:
    secrets = open_secret_store(agent.settings.data_dir)
    token = secrets.get(TRAY_TOKEN_SECRET_NAME)
    assert token
    key = load_tray_user_keys(secrets).key_for("an")
    client = HttpTrayBackend(agent.http_url(), TrayCredentials(token, "an", key))
    yield client
    client.close()


@pytest.fixture
def tray(qapp: QApplication, backend: HttpTrayBackend, qtbot: QtBot) -> Iterator[Tray]:
    built = build_tray(backend, language="vi", use_system_tray=False, poll_ms=60_000)
    qtbot.waitUntil(lambda: built.controller.profile is not None, timeout=15_000)
    yield built
    built.close()


def test_a_game_closed_from_behind_is_named_to_the_child(
    agent: Agent, backend: HttpTrayBackend, tray: Tray
) -> None:
    assert tray.controller.profile is not None and tray.controller.profile.age_band == "6-10"
    session, desk = Session(), Desk()
    clock = [9000.0]
    answers: list[HeartbeatAnswer] = []
    enforcer = screen_time_enforcer(tray, session)
    sender: HeartbeatSender[HeartbeatAnswer]

    def on_answer(answer: HeartbeatAnswer) -> None:
        answers.append(answer)
        enforcer.on_standing(standing_of(answer), sender.last_sample)

    sender = HeartbeatSender(
        desk, backend.send_heartbeats, on_answer=on_answer, monotonic=lambda: clock[0],
        offset=lambda: 420,
    )

    def beats(count: int) -> None:
        for _ in range(count):
            sender.beat()
            clock[0] += 5

    beats(14)  # 65 s of Minecraft in front: the day's one minute of games is spent
    assert answers[-1].close_pids == (MINECRAFT.pid,)
    assert session.closed == [MINECRAFT.pid]
    window = tray.presenter.window
    assert window is not None
    assert window.notice_button.text().startswith("Hết giờ Minecraft hôm nay")

    usage = agent.usage
    assert usage is not None
    sampler = ProcessSampler(
        AppClassifier(load_catalogue()), usage.children_by_account, minecraft_behind
    )
    usage.note_running(sampler.sample(), "An")
    desk.front = NOTES
    beats(1)

    answer = answers[-1]
    assert answer.allowed  # the notes go on
    assert answer.close_pids == (BEHIND_PID,)
    assert [(app.name, app.why) for app in answer.closing] == [("Minecraft", "games")]
    assert session.closed == [MINECRAFT.pid, BEHIND_PID]
    assert window.notice_button.isVisible()
    assert window.notice_button.text() == (
        "Hết giờ chơi game hôm nay\n"
        "Đã đóng Minecraft: hôm nay hết giờ chơi game rồi. Mai chơi tiếp nhé!"
    )


def test_the_answers_closing_and_the_batchs_watcher_travel_and_refuse_nonsense() -> None:
    from agent.api.types import (
        ClosingApp,
        HeartbeatBatch,
        LimitInfo,
        ShapeError,
    )

    answer = HeartbeatAnswer(
        1, "An", True, 600.0, LimitInfo("none"), close_pids=(5151,),
        closing=(ClosingApp(5151, "Minecraft", "games"),),
    )
    assert HeartbeatAnswer.from_json(answer.to_json()) == answer
    older = answer.to_json()
    del older["closing"]
    assert HeartbeatAnswer.from_json(older).closing == ()  # an older agent: no words
    for bad in ({"pid": 0, "name": "x"}, {"pid": 1, "name": "x", "why": "because"},
                {"pid": True, "name": "x"}, {"pid": 1}):
        with pytest.raises(ShapeError):
            HeartbeatAnswer.from_json({**answer.to_json(), "closing": [bad]})
    batch = HeartbeatBatch(1.0, (), watcher="linux-wayland", foreground_known=False)
    assert HeartbeatBatch.from_json(batch.to_json()) == batch
    assert HeartbeatBatch.from_json({"sent_monotonic": 1.0, "beats": []}).watcher == ""
    with pytest.raises(ShapeError):
        HeartbeatBatch.from_json({"sent_monotonic": 1.0, "beats": [], "watcher": "x" * 41})
    with pytest.raises(ShapeError):
        HeartbeatBatch.from_json({"sent_monotonic": 1.0, "beats": [], "foreground_known": 1})
