""""Xin thêm thời gian" from the tray (offscreen) against a real agent: the request reaches
the agent with the child's own key, the window says only what is true about who was told,
and a parent's answer with the PIN reaches the child — approved minutes count at once."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers_usage import call, parent_headers, running_usage_agent, tray_headers
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from agent.api.types import ForegroundApp, HeartbeatBatch, HeartbeatReport, UsageToday
from agent.auth import TRAY_TOKEN_SECRET_NAME
from agent.runtime import Agent
from agent.secrets import open_secret_store
from agent.tray.identity import load_tray_user_keys
from gui.tray.app import Tray, build_tray
from gui.tray.http_backend import HttpTrayBackend, TrayCredentials
from gui.tray.more_time import MoreTimeDialog

# One minute a day and no allowed hours, so the time of day the test runs at never matters.
ONE_MINUTE_A_DAY = "daily_minutes = { weekdays = 1, weekend = 1 }\nallowed_hours = []"


def credentials(agent: Agent) -> TrayCredentials:
    secrets = open_secret_store(agent.settings.data_dir)
    token = secrets.get(TRAY_TOKEN_SECRET_NAME)
    assert token
    return TrayCredentials(token, "an", load_tray_user_keys(secrets).key_for("an"))


@pytest.fixture
def trays() -> Iterator[list[Tray]]:
    built: list[Tray] = []
    yield built
    for tray in built:
        tray.close()


def make_tray(trays: list[Tray], backend: HttpTrayBackend, language: str = "vi") -> Tray:
    opened: list[str] = []

    def opener(url: QUrl) -> bool:
        opened.append(url.toString())
        return True

    tray = build_tray(
        backend, language=language, open_url=opener, use_system_tray=False, poll_ms=60_000
    )
    trays.append(tray)
    return tray


def seconds_left(agent: Agent) -> float | None:
    """The agent's answer to one heartbeat now: the child's time left."""
    now = time.monotonic()
    app = ForegroundApp(exe_path="/usr/bin/gedit", pid=77, title="bài tập")
    batch = HeartbeatBatch(now, (HeartbeatReport("more-time", now, datetime.now(UTC), app),))
    answer = call(agent, "POST", "/api/usage/heartbeat", tray_headers(agent), json=batch.to_json())
    assert answer.status_code == 200, answer.text
    left = answer.json()["seconds_left"]
    return None if left is None else float(left)


def ask(qtbot: QtBot, tray: Tray, minutes: int, reason: str) -> MoreTimeDialog:
    qtbot.waitUntil(lambda: tray.controller.profile is not None, timeout=5000)
    tray.presenter.more_time_action.trigger()
    dialog = tray.controller.more_time_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.choose(minutes)
    dialog.reason.setText(reason)
    dialog.ask_button.click()
    qtbot.waitUntil(lambda: dialog.state == "pending", timeout=5000)
    return dialog


def test_the_child_asks_and_a_parents_approval_with_the_pin_adds_the_minutes(
    qtbot: QtBot, tmp_path: Path, trays: list[Tray]
) -> None:
    with running_usage_agent(tmp_path, ONE_MINUTE_A_DAY) as agent:
        assert agent.store is not None
        before = seconds_left(agent)
        assert before is not None and before <= 60
        tray = make_tray(trays, HttpTrayBackend(agent.http_url(), credentials(agent)))
        qtbot.waitUntil(lambda: tray.controller.profile is not None, timeout=5000)
        assert tray.presenter.more_time_action.text() == "Xin thêm thời gian"
        assert tray.presenter.more_time_action.isVisible()
        dialog = ask(qtbot, tray, 30, "con làm bài tập trên OLM")
        # The request reached the agent, in An's name, with the reason.
        pending = [r for r in agent.store.requests.recent(child="An") if r.kind == "time"]
        assert [(r.target, r.reason, r.status) for r in pending] == [
            ("30", "con làm bài tập trên OLM", "pending")
        ]
        assert [e.kind for e in agent.store.events.recent(kind="time-request")] == [
            "time-request"
        ]
        # Nobody gets messages in this family: the window never says anyone was told.
        assert agent.store.outbox.pending_count() == 0
        text = dialog.status.text()
        assert "Con đã xin thêm 30 phút." in text
        assert "chưa ai biết" in text and "đang gửi tin báo" not in text
        assert not dialog.ask_button.isEnabled()  # one request at a time
        # A parent approves on this PC with the PIN, giving 30 minutes.
        assert tray.controller.time_request is not None
        request_id = tray.controller.time_request.request_id
        decided = call(
            agent,
            "POST",
            f"/api/requests/{request_id}/decision",
            parent_headers(agent),
            json={"allow": True, "minutes": 30},
        )
        assert decided.status_code == 200, decided.text
        tray.controller.poll()
        qtbot.waitUntil(lambda: dialog.state == "approved", timeout=5000)
        assert "Con có thêm 30 phút" in dialog.status.text()
        assert tray.controller.time_request is None  # nothing to wait for any more
        # Applied at once: today's extra minutes and the time left.
        today = UsageToday.from_json(
            call(agent, "GET", "/api/usage/today", parent_headers(agent)).json()
        )
        assert today.details[0].extra_minutes == 30
        after = seconds_left(agent)
        assert after is not None and after - before >= 29 * 60


def test_a_message_on_its_way_is_said_and_a_no_reaches_the_child_closed_window(
    qtbot: QtBot, tmp_path: Path, trays: list[Tray]
) -> None:
    with running_usage_agent(tmp_path, ONE_MINUTE_A_DAY, caregiver=True) as agent:
        assert agent.store is not None
        tray = make_tray(
            trays, HttpTrayBackend(agent.http_url(), credentials(agent)), language="en"
        )
        dialog = ask(qtbot, tray, 60, "")
        assert "You asked for 1 hour more." in dialog.status.text()
        assert "on its way to 1 person in your family" in dialog.status.text()
        (event,) = agent.store.events.recent(kind="time-request")
        queued = agent.store.outbox.for_event(event.id)
        assert queued and {(i.payload["kind"], i.payload["minutes"]) for i in queued} == {
            ("time-request", 60)
        }
        # Asking again while it waits sends nothing new.
        again = call(
            agent, "POST", "/api/usage/more-time", tray_headers(agent), json={"minutes": 15}
        ).json()
        assert again["new"] is False and again["state"] == "pending"
        dialog.close()
        told: list[tuple[str, str]] = []
        tray.controller.notification.connect(lambda title, body, _url: told.append((title, body)))
        assert tray.controller.time_request is not None
        request_id = tray.controller.time_request.request_id
        denied = call(
            agent,
            "POST",
            f"/api/requests/{request_id}/decision",
            parent_headers(agent),
            json={"allow": False},
        )
        assert denied.status_code == 200, denied.text
        tray.controller.poll()
        qtbot.waitUntil(lambda: bool(told), timeout=5000)
        assert told == [("More time: no", "A parent said no this time.")]
        assert dialog.state == "denied"
        # The window is ready for a new request when opened again.
        tray.presenter.more_time_action.trigger()
        assert dialog.ask_button.isEnabled() and dialog.ask_button.text() == "Ask"


def test_the_request_state_is_the_childs_own(tmp_path: Path) -> None:
    with running_usage_agent(tmp_path) as agent:
        asked = call(
            agent, "POST", "/api/usage/more-time", tray_headers(agent), json={"minutes": 15}
        ).json()
        state = call(
            agent, "GET", f"/api/usage/more-time/{asked['request_id']}", tray_headers(agent)
        )
        assert state.status_code == 200
        assert state.json()["state"] == "pending" and state.json()["minutes"] == 15
        assert state.json()["receivers"] == 0
        missing = call(agent, "GET", "/api/usage/more-time/nope", tray_headers(agent))
        assert missing.status_code == 404
        wrong_key = call(
            agent,
            "GET",
            f"/api/usage/more-time/{asked['request_id']}",
            tray_headers(agent, key="not-the-key"),
        )
        assert wrong_key.status_code == 403
        as_parent = call(
            agent, "GET", f"/api/usage/more-time/{asked['request_id']}", parent_headers(agent)
        )
        assert as_parent.status_code == 403


def test_the_agent_down_says_the_request_was_not_sent(
    qtbot: QtBot, tmp_path: Path, trays: list[Tray]
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = HttpTrayBackend(
        f"http://127.0.0.1:{port}", TrayCredentials("token", "an", "key"), timeout=1.0
    )
    tray = make_tray(trays, backend)
    tray.presenter.more_time_action.trigger()
    dialog = tray.controller.more_time_dialog
    assert dialog is not None
    assert dialog.minute_buttons[60].text() == "1 tiếng"
    dialog.ask_button.click()
    qtbot.waitUntil(lambda: dialog.state == "offline", timeout=5000)
    assert dialog.status.text() == "Bảo An chưa trả lời lúc này, nên lời xin chưa được gửi."
    assert dialog.ask_button.isEnabled()  # the child may try again
