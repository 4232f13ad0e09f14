"""On a Wayland session the app in front is not known, end to end: the tray's heartbeat
(the Wayland watcher, logind faked at its command boundary) says which watcher runs and
that it does not know the app in front; the agent keeps it for the child; the overview
endpoint and the dashboard's Overview page say so plainly, in Vietnamese and in English."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from helpers_dashboard import WAIT_MS, signed_in_dashboard
from helpers_usage import PIN, running_usage_agent
from pytestqt.qtbot import QtBot

from agent.api.client import ApiClient
from agent.auth import TRAY_TOKEN_SECRET_NAME
from agent.runtime import Agent
from agent.secrets import open_secret_store
from agent.tray.identity import load_tray_user_keys
from gui.app import MainWindow
from gui.i18n import Translations
from gui.tray.http_backend import HttpTrayBackend, TrayCredentials, start_heartbeat
from gui.tray.watchers.linux_wayland import WaylandWatcher

VI_NOTE = (
    "Trên phiên Wayland của máy này, Bảo An thấy lúc máy để yên và các ứng dụng đang chạy, "
    "nhưng không thấy cửa sổ nào đang ở trên cùng, nên thời gian dùng ứng dụng được tính "
    "theo các ứng dụng đang chạy."
)
EN_NOTE = (
    "On this computer's Wayland session, Bảo An sees idle time and the apps that are "
    "running, but not which window is in front, so app time is counted from the apps that "
    "are running."
)


def logind(command: Sequence[str]) -> str:
    """``loginctl show-session`` of an unlocked session in use."""
    assert list(command[:2]) == ["loginctl", "show-session"]
    return "IdleHint=no\nIdleSinceHintMonotonic=0\nLockedHint=no\n"


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[Agent]:
    with running_usage_agent(tmp_path) as running:
        yield running


@pytest.fixture
def heartbeat_from_wayland(agent: Agent) -> Iterator[None]:
    secrets = open_secret_store(agent.settings.data_dir)
    token = secrets.get(TRAY_TOKEN_SECRET_NAME)
    assert token
    key = load_tray_user_keys(secrets).key_for("an")
    backend = HttpTrayBackend(agent.http_url(), TrayCredentials(token, "an", key))
    sender = start_heartbeat(backend, watcher=WaylandWatcher("c2", logind))
    try:
        usage = agent.usage
        assert usage is not None
        deadline = time.monotonic() + WAIT_MS / 1000
        while usage.tray_watch("An") is None and time.monotonic() < deadline:
            time.sleep(0.05)
        yield
    finally:
        sender.stop()
        backend.close()


def test_the_overview_endpoint_says_the_app_in_front_is_not_known(
    agent: Agent, heartbeat_from_wayland: None
) -> None:
    assert agent.authenticator is not None
    token = agent.authenticator.login(PIN).token
    with ApiClient(agent.http_url(), token=token) as client:
        child = client.overview().children[0]
    assert child.child == "An"
    assert child.watcher == "linux-wayland"
    assert child.foreground_known is False
    assert child.tray == "running"


@pytest.fixture
def translations(qapp: object) -> Iterator[Translations]:
    made = Translations(qapp)  # type: ignore[arg-type]
    yield made
    made.remove()


@pytest.fixture
def window(
    qtbot: QtBot, qapp: object, agent: Agent, translations: Translations
) -> Iterator[MainWindow]:
    with signed_in_dashboard(
        qtbot, qapp, agent.http_url(), PIN, by_keyboard=True, translations=translations
    ) as made:
        yield made


def test_the_overview_page_says_it_plainly_in_both_languages(
    qtbot: QtBot, heartbeat_from_wayland: None, window: MainWindow, translations: Translations
) -> None:
    page = window.parent_page.overview_page
    qtbot.waitUntil(lambda: bool(page.cards) and page.cards[0].isVisibleTo(page), timeout=WAIT_MS)
    card = page.cards[0]
    assert card.watch_label.isVisibleTo(card)
    assert card.watch_label.text() == VI_NOTE
    assert translations.use("en")
    qtbot.waitUntil(lambda: card.watch_label.text() == EN_NOTE, timeout=WAIT_MS)
