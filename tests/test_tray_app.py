"""The tray against the real agent API (offscreen): Help / 111 with the agent up and down,
notifications of blocked sites, the first-session acknowledgement, languages."""

from __future__ import annotations

import argparse
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from helpers_tray import NOW, TrayApi, entry, running_tray_api
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from agent.pages import CsrfSigner, PageServices, register_pages
from dns_filter.clock import ManualClock
from gui.tray.app import Tray, build_tray, run_tray
from gui.tray.cli import register
from gui.tray.http_backend import (
    CredentialsError,
    HttpTrayBackend,
    TrayCredentials,
    load_credentials,
)
from gui.tray.i18n import TRAY_TRANSLATIONS_DIR


class Recorder:
    """Stands in for the desktop's URL handler: nothing leaves the test."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url.toString())
        return True


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[TrayApi]:
    with running_tray_api(tmp_path) as running:
        yield running


def credentials(agent: TrayApi, user: str = "minh") -> TrayCredentials:
    return TrayCredentials(agent.tray_token, user, agent.keys.key_for(user))


def closed_port_url() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def trays() -> Iterator[list[Tray]]:
    built: list[Tray] = []
    yield built
    for tray in built:
        tray.close()


def make_tray(
    trays: list[Tray],
    backend: HttpTrayBackend,
    opener: Recorder,
    *,
    language: str = "vi",
    use_system_tray: bool = False,
    clock: FakeClock | None = None,
    dashboard: list[int] | None = None,
) -> Tray:
    tray = build_tray(
        backend,
        language=language,
        open_url=opener,
        open_dashboard=(lambda: dashboard.append(1)) if dashboard is not None else None,
        use_system_tray=use_system_tray,
        poll_ms=60_000,  # the tests poll by hand
        clock=clock or FakeClock(),
    )
    trays.append(tray)
    return tray


def test_help_shows_111_first_and_tells_nobody_until_the_child_chooses(
    qtbot: QtBot, agent: TrayApi, trays: list[Tray]
) -> None:
    opener = Recorder()
    agent.access.acknowledge_watch("Minh")  # not the first session
    tray = make_tray(trays, HttpTrayBackend(agent.api.url, credentials(agent)), opener)
    qtbot.waitUntil(lambda: tray.controller.profile is not None, timeout=5000)
    assert tray.presenter.help_action.isEnabled()
    tray.presenter.help_action.trigger()
    dialog = tray.controller.help_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.heading.text() == "Tổng đài điện thoại quốc gia bảo vệ trẻ em 111"
    assert dialog.any_phone.text() == "Dùng điện thoại bất kỳ, gọi 111 — miễn phí, cả ngày lẫn đêm."
    assert "111" in dialog.call_button.text()
    assert dialog.state == "idle" and not dialog.status.isVisible()
    # Opening Help / 111 is private: nothing is recorded, nothing is sent.
    qtbot.wait(300)
    assert agent.store.events.recent(kind="help") == []
    assert agent.store.outbox.pending_count() == 0
    # Minh is 9: no vn-cop.vn; telling the parents is its own button.
    assert not dialog.report_button.isVisibleTo(dialog)
    assert dialog.tell_button.isVisibleTo(dialog)
    assert dialog.tell_button.text() == "Báo cho bố mẹ"
    dialog.tell_button.click()
    qtbot.waitUntil(lambda: dialog.state == "alerted", timeout=5000)
    # The truth: queued for the family's one caregiver.
    assert dialog.status.text() == (
        "Tin báo của con đang được gửi tới 1 người thân trong gia đình. "
        "Trong lúc chờ, con vẫn có thể gọi 111."
    )
    assert "sẽ đến" not in dialog.status.text()
    assert [event.child for event in agent.store.events.recent(kind="help")] == ["Minh"]
    dialog.call_button.click()
    dialog.site_button.click()
    assert opener.urls == ["tel:111", "https://tongdai111.vn"]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_with_nobody_to_receive_help_alerts_the_tray_says_so(
    qtbot: QtBot, tmp_path: Path, trays: list[Tray], language: str
) -> None:
    import dataclasses

    from helpers_tray import FAMILY

    lonely = dataclasses.replace(FAMILY, caregivers=())
    with running_tray_api(tmp_path / "agent", family=lonely) as agent:
        agent.access.acknowledge_watch("Minh")
        tray = make_tray(
            trays, HttpTrayBackend(agent.api.url, credentials(agent)), Recorder(), language=language
        )
        qtbot.waitUntil(lambda: tray.controller.profile is not None, timeout=5000)
        assert tray.controller.profile is not None
        assert tray.controller.profile.help_receivers == 0
        dialog = tray.controller.show_help()
        assert dialog.state == "nobody"
        assert not dialog.tell_button.isVisibleTo(dialog)
        assert "111" in dialog.status.text()
        nobody = {"vi": "không báo cho ai", "en": "tells nobody"}[language]
        assert nobody in dialog.status.text()


def test_the_tray_icon_click_shows_111_and_sends_nothing(
    qtbot: QtBot, agent: TrayApi, trays: list[Tray]
) -> None:
    from PySide6.QtWidgets import QSystemTrayIcon

    agent.access.acknowledge_watch("Minh")
    tray = make_tray(
        trays, HttpTrayBackend(agent.api.url, credentials(agent)), Recorder(), use_system_tray=True
    )
    icon = tray.presenter.icon
    assert icon is not None
    icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    dialog = tray.controller.help_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.wait(300)
    assert agent.store.events.recent(kind="help") == []


def test_report_something_bad_from_11_opens_vn_cop_and_tells_nobody(
    qtbot: QtBot, agent: TrayApi, trays: list[Tray]
) -> None:
    opener = Recorder()
    agent.access.acknowledge_watch("Lan")
    tray = make_tray(
        trays, HttpTrayBackend(agent.api.url, credentials(agent, "lan")), opener, language="en"
    )
    qtbot.waitUntil(lambda: tray.controller.profile is not None, timeout=5000)
    assert tray.presenter.report_action.isVisible()
    assert tray.presenter.report_action.text() == "Report something bad"
    tray.presenter.report_action.trigger()
    dialog = tray.controller.show_help()
    assert dialog.report_button.isVisibleTo(dialog)
    dialog.report_button.click()
    assert opener.urls == ["https://vn-cop.vn/", "https://vn-cop.vn/"]
    qtbot.wait(300)
    assert agent.store.events.recent(kind="help") == []


@pytest.mark.parametrize(
    "user, words",
    [
        ("minh", "Bảo An đã gửi tin báo cho người thân rồi. Con cũng có thể gọi 111."),
        ("lan", "Tin báo đã được gửi cho người thân trong gia đình từ vài phút trước"),
    ],
)
def test_help_pressed_again_says_the_parents_were_already_told(
    qtbot: QtBot, agent: TrayApi, trays: list[Tray], user: str, words: str
) -> None:
    agent.access.acknowledge_watch("Minh")
    agent.access.acknowledge_watch("Lan")
    tray = make_tray(trays, HttpTrayBackend(agent.api.url, credentials(agent, user)), Recorder())
    qtbot.waitUntil(lambda: tray.controller.profile is not None, timeout=5000)
    dialog = tray.controller.show_help()
    tray.controller.tell_parents()
    qtbot.waitUntil(lambda: dialog.state == "alerted", timeout=5000)
    tray.controller.tell_parents()
    qtbot.waitUntil(lambda: dialog.state == "already_told", timeout=5000)
    # Words for the child's age: Minh is 9, Lan 16.
    assert dialog.status.text().startswith(words)
    assert "111" in dialog.call_button.text()
    assert len(agent.store.events.recent(kind="help")) == 1


@pytest.mark.parametrize("with_token", [True, False])
def test_help_with_the_agent_down_still_shows_111(
    qtbot: QtBot, trays: list[Tray], with_token: bool
) -> None:
    opener = Recorder()
    creds = TrayCredentials("t" * 20, "minh", "k" * 20) if with_token else None
    tray = make_tray(trays, HttpTrayBackend(closed_port_url(), creds, timeout=1.0), opener)
    # The fallback window (no system tray offscreen) carries the 111 button itself.
    window = tray.presenter.window
    assert window is not None and window.isVisible()
    assert window.help_button.text() == "Trợ giúp / 111"
    window.help_button.click()
    dialog = tray.controller.help_dialog
    assert dialog is not None and dialog.isVisible()  # at once, before any answer
    assert dialog.heading.text() == "Tổng đài điện thoại quốc gia bảo vệ trẻ em 111"
    # The child may still try to tell the parents: the dialog says truly that nobody was.
    dialog.tell_button.click()
    qtbot.waitUntil(lambda: dialog.state == "offline", timeout=5000)
    assert dialog.isVisible()
    assert "111" in dialog.status.text() and "chưa ai được báo" in dialog.status.text()
    assert tray.presenter.help_action.isEnabled()
    dialog.call_button.click()
    assert opener.urls == ["tel:111"]


def test_a_notification_per_new_block_opens_the_block_page(
    qtbot: QtBot, agent: TrayApi, trays: list[Tray]
) -> None:
    opener = Recorder()
    clock = FakeClock()
    agent.access.acknowledge_watch("Minh")
    tray = make_tray(trays, HttpTrayBackend(agent.api.url, credentials(agent)), opener, clock=clock)
    controller = tray.controller
    qtbot.waitUntil(lambda: controller.profile is not None, timeout=5000)
    shown: list[tuple[str, str, str]] = []
    controller.notification.connect(lambda *args: shown.append(args))
    agent.store.query_log.add([entry("casino.example", seconds_ago=3)])

    def poll_until_cursor_moves() -> None:
        before = controller.cursor
        controller.poll()
        qtbot.waitUntil(lambda: controller.cursor not in (None, before), timeout=5000)

    poll_until_cursor_moves()
    assert len(shown) == 1
    title, body, url = shown[0]
    assert title == "Bảo An đã chặn casino.example"
    assert "Bấm vào đây" in body
    assert url == agent.api.url + "/__baoan/blocked?site=casino.example"
    window = tray.presenter.window
    assert window is not None and window.notice_button.isVisible()
    window.notice_button.click()
    assert opener.urls == [url]
    # That address is the agent's block page for this very site.
    register_pages(
        agent.api.server.router,
        PageServices(
            access=agent.access,
            filter_policy=lambda: None,
            child_for_address=lambda _address: "Minh",
            csrf=CsrfSigner(ManualClock(NOW)),
        ),
    )
    with requests.Session() as session:
        session.trust_env = False
        page = session.get(url, timeout=5)
    assert page.status_code == 403  # the block page answers "Forbidden", with its words
    assert page.headers["Content-Type"].startswith("text/html")
    assert "casino.example" in page.text and 'href="tel:111"' in page.text

    # The same site again a minute later: no second notification.
    agent.store.query_log.add([entry("casino.example", seconds_ago=2)])
    clock.now += 60
    poll_until_cursor_moves()
    assert len(shown) == 1
    # Five minutes on, it may be shown again.
    agent.store.query_log.add([entry("casino.example", seconds_ago=1)])
    clock.now += 300
    poll_until_cursor_moves()
    assert len(shown) == 2


def test_system_tray_message_click_opens_the_last_block_page(
    qtbot: QtBot, agent: TrayApi, trays: list[Tray]
) -> None:
    opener = Recorder()
    tray = make_tray(
        trays,
        HttpTrayBackend(agent.api.url, credentials(agent)),
        opener,
        use_system_tray=True,
    )
    icon = tray.presenter.icon
    assert icon is not None and icon.contextMenu() is tray.presenter.menu
    tray.presenter.show_notification("t", "b", "http://127.0.0.1:1/__baoan/blocked?site=x.example")
    icon.messageClicked.emit()
    assert opener.urls == ["http://127.0.0.1:1/__baoan/blocked?site=x.example"]
    # One click on the icon itself is Help / 111.
    icon.activated.emit(icon.ActivationReason.Trigger)
    assert tray.controller.help_dialog is not None and tray.controller.help_dialog.isVisible()


def test_first_session_shows_what_is_watched_and_records_the_ack(
    qtbot: QtBot, agent: TrayApi, trays: list[Tray]
) -> None:
    backend = HttpTrayBackend(agent.api.url, credentials(agent))
    tray = make_tray(trays, backend, Recorder())
    controller = tray.controller
    qtbot.waitUntil(
        lambda: controller.watch_dialog is not None and controller.watch_dialog.isVisible(),
        timeout=5000,
    )
    dialog = controller.watch_dialog
    assert dialog is not None
    assert "Bảo An ghi lại những gì?" in dialog.text.text()
    assert "camera" in dialog.text.text()
    # Minh is 9: a real choice, not only "I understand".
    assert dialog.understood_button.text() == "Con đồng ý"
    assert dialog.disagree_button.isVisibleTo(dialog)
    assert dialog.disagree_button.text() == "Con chưa đồng ý / con muốn nói chuyện với bố mẹ"
    assert agent.access.watch_acknowledgement("Minh") is None
    with qtbot.waitSignal(controller.watch_acknowledged, timeout=5000):
        dialog.understood_button.click()
    ack = agent.access.watch_acknowledgement("Minh")
    assert ack is not None and ack.language == "vi" and ack.answer == "agree"
    assert not dialog.isVisible()
    # The next session does not ask again.
    second = make_tray(trays, HttpTrayBackend(agent.api.url, credentials(agent)), Recorder())
    qtbot.waitUntil(lambda: second.controller.profile is not None, timeout=5000)
    assert second.controller.profile is not None and second.controller.profile.acknowledged
    assert second.controller.watch_dialog is None


@pytest.mark.parametrize("language", ["vi", "en"])
def test_not_agreeing_is_recorded_and_tells_the_parents(
    qtbot: QtBot, agent: TrayApi, trays: list[Tray], language: str
) -> None:
    tray = make_tray(
        trays,
        HttpTrayBackend(agent.api.url, credentials(agent, "lan")),
        Recorder(),
        language=language,
    )
    controller = tray.controller
    qtbot.waitUntil(
        lambda: controller.watch_dialog is not None and controller.watch_dialog.isVisible(),
        timeout=5000,
    )
    dialog = controller.watch_dialog
    assert dialog is not None
    text = dialog.text.text()
    # True to the store: each record's own retention, what leaves the PC, seeing/deleting.
    retention = agent.access.retention()
    for days in (retention.query_log_days, retention.usage_days, retention.events_days):
        assert str(days) in text
    assert ("vn-cop.vn" in text) and ("xóa" in text if language == "vi" else "delete" in text)
    expected = {
        "vi": "Con chưa đồng ý / con muốn nói chuyện với bố mẹ",
        "en": "I don't agree yet / I want to talk with my parents",
    }[language]
    assert dialog.disagree_button.text() == expected
    with qtbot.waitSignal(controller.watch_acknowledged, timeout=5000):
        dialog.disagree_button.click()
    ack = agent.access.watch_acknowledgement("Lan")
    assert ack is not None and ack.answer == "disagree"
    # The parents are told (an event for the dashboard, an alert for the caregivers);
    # Minh's answer is untouched: Lan answered with her own key.
    assert [event.child for event in agent.store.events.recent(kind="watch_disagreed")] == ["Lan"]
    assert agent.store.outbox.pending_count() == 1
    assert agent.access.watch_acknowledgement("Minh") is None


def test_a_failed_ack_keeps_the_dialog_and_says_so(
    qtbot: QtBot, agent: TrayApi, trays: list[Tray]
) -> None:
    tray = make_tray(
        trays, HttpTrayBackend(agent.api.url, credentials(agent)), Recorder(), language="en"
    )
    controller = tray.controller
    qtbot.waitUntil(lambda: controller.watch_dialog is not None, timeout=5000)
    dialog = controller.watch_dialog
    assert dialog is not None
    assert "What does Bảo An record?" in dialog.text.text()
    agent.api.server.stop()  # the agent goes away before the child clicks
    dialog.understood_button.click()
    qtbot.waitUntil(lambda: dialog.status.isVisible(), timeout=5000)
    assert dialog.isVisible() and dialog.understood_button.isEnabled()
    assert dialog.status.text() == "That could not be saved. Please try again in a moment."


def test_menu_in_english_and_the_dashboard_entry(
    qtbot: QtBot, agent: TrayApi, trays: list[Tray]
) -> None:
    opened: list[int] = []
    tray = make_tray(
        trays,
        HttpTrayBackend(agent.api.url, credentials(agent)),
        Recorder(),
        language="en",
        dashboard=opened,
    )
    actions = [action.text() for action in tray.presenter.menu.actions() if action.text()]
    assert actions == [
        "Help / 111",
        "Report something bad",
        "Ask for more time",
        "What Bảo An watches",
        "Open the parent's dashboard",
    ]
    tray.presenter.dashboard_action.trigger()
    assert opened == [1]


def test_translations_are_complete_and_compiled() -> None:
    tree = ET.parse(TRAY_TRANSLATIONS_DIR / "baoan_vi.ts")
    messages = list(tree.iter("message"))
    assert messages

    def untranslated(message: ET.Element) -> bool:
        translation = message.find("translation")
        if translation is None or translation.get("type") == "unfinished":
            return True
        forms = translation.findall("numerusform")  # a plural: every form is written
        texts = [form.text for form in forms] if forms else [translation.text]
        return not all((text or "").strip() for text in texts)

    unfinished = [m.findtext("source") for m in messages if untranslated(m)]
    assert unfinished == []
    plurals = list(ET.parse(TRAY_TRANSLATIONS_DIR / "baoan_en.ts").iter("message"))
    assert [m.findtext("source") for m in plurals if untranslated(m)] == []
    compiled = TRAY_TRANSLATIONS_DIR / "baoan_vi.qm"
    assert compiled.stat().st_size > 0
    assert compiled.stat().st_mtime >= (TRAY_TRANSLATIONS_DIR / "baoan_vi.ts").stat().st_mtime - 1


def test_token_file_loading(tmp_path: Path) -> None:
    path = tmp_path / "minh.json"
    with pytest.raises(CredentialsError, match="no tray token file"):
        load_credentials(path)
    path.write_text('{"token": "t", "user": "minh"}')
    with pytest.raises(CredentialsError, match="user_key"):
        load_credentials(path)
    path.write_text(
        '{"token": "SECRET-T", "user": "minh", "user_key": "SECRET-K", "api_url": "http://x"}'
    )
    loaded = load_credentials(path)
    assert (loaded.token, loaded.user, loaded.api_url) == ("SECRET-T", "minh", "http://x")
    assert "SECRET" not in repr(loaded)  # never in a log line or a traceback
    path.write_text("[1, 2]")
    with pytest.raises(CredentialsError, match="JSON object"):
        load_credentials(path)


def test_run_tray_runs_without_a_token_file_and_the_cli_parses(
    qapp: QApplication, tmp_path: Path
) -> None:
    seen: list[bool] = []

    def look_then_quit() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if w.objectName() == "trayFallback"]
        seen.append(any(w.isVisible() for w in windows))
        qapp.quit()

    QTimer.singleShot(300, look_then_quit)
    quit_on_close = qapp.quitOnLastWindowClosed()
    try:
        code = run_tray(closed_port_url(), ["baoan"], token_file=str(tmp_path / "none.json"))
    finally:
        qapp.setQuitOnLastWindowClosed(quit_on_close)
    assert code == 0
    assert seen == [True]  # Help / 111 was on screen with no agent and no token

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["tray", "--api", "http://127.0.0.1:9", "--lang", "en"])
    assert (args.api, args.lang, args.token_file) == ("http://127.0.0.1:9", "en", None)
    assert parser.parse_args(["tray"]).api is None
    assert callable(args.func)


@pytest.mark.parametrize(
    ("language", "name", "any_phone", "tell"),
    [
        (
            "vi",
            "Tổng đài điện thoại quốc gia bảo vệ trẻ em 111",
            "Dùng điện thoại bất kỳ, gọi 111 — miễn phí, cả ngày lẫn đêm.",
            "Báo cho bố mẹ",
        ),
        (
            "en",
            "111, Vietnam's national child protection phone line",
            "From any phone, call 111 — free, day and night.",
            "Tell my parents",
        ),
    ],
)
def test_the_private_111_window_in_both_languages(
    qtbot: QtBot,
    agent: TrayApi,
    trays: list[Tray],
    language: str,
    name: str,
    any_phone: str,
    tell: str,
) -> None:
    agent.access.acknowledge_watch("Lan")
    tray = make_tray(
        trays,
        HttpTrayBackend(agent.api.url, credentials(agent, "lan")),
        Recorder(),
        language=language,
    )
    qtbot.waitUntil(lambda: tray.controller.profile is not None, timeout=5000)
    dialog = tray.controller.show_help()
    assert (dialog.heading.text(), dialog.any_phone.text()) == (name, any_phone)
    assert dialog.tell_button.text() == tell
    assert dialog.report_button.isVisibleTo(dialog)  # Lan is 16
    qtbot.wait(200)
    assert agent.store.events.recent(kind="help") == []
    dialog.tell_button.click()
    qtbot.waitUntil(lambda: dialog.state == "alerted", timeout=5000)
    assert "1" in dialog.status.text() and "111" in dialog.status.text()
    assert [event.child for event in agent.store.events.recent(kind="help")] == ["Lan"]


# -- "Báo điều xấu": its own alert, only if the child chooses -----------------------------------


@pytest.mark.parametrize(
    "language, tell, sent",
    [
        (
            "vi",
            "Báo cho bố mẹ",
            "Tin báo của con đang được gửi tới 1 người thân trong gia đình: con muốn báo một "
            "điều xấu gặp trên mạng.",
        ),
        (
            "en",
            "Tell my parents",
            "Your message is on its way to 1 of your family: that you want to report "
            "something bad you met online.",
        ),
    ],
)
def test_the_report_windows_tell_my_parents_sends_a_report_not_help(
    qtbot: QtBot, agent: TrayApi, trays: list[Tray], language: str, tell: str, sent: str
) -> None:
    opener = Recorder()
    agent.access.acknowledge_watch("Lan")
    tray = make_tray(
        trays, HttpTrayBackend(agent.api.url, credentials(agent, "lan")), opener, language=language
    )
    qtbot.waitUntil(lambda: tray.controller.profile is not None, timeout=5000)
    tray.presenter.report_action.trigger()
    dialog = tray.controller.report_dialog
    assert dialog is not None and dialog.isVisible()
    assert opener.urls == ["https://vn-cop.vn/"]
    # Opening it, or vn-cop.vn, tells nobody.
    qtbot.wait(300)
    assert agent.store.outbox.pending_count() == 0
    assert dialog.state == "idle" and dialog.tell_button.isVisibleTo(dialog)
    assert dialog.tell_button.text() == tell
    assert "111" in dialog.hotline.text()
    dialog.tell_button.click()
    qtbot.waitUntil(lambda: dialog.state == "alerted", timeout=5000)
    assert dialog.status.text().startswith(sent)
    assert "sẽ đến" not in dialog.status.text()
    [item] = agent.store.outbox.due(channel="alerts", now=agent.access.now())
    assert (item.payload["kind"], item.payload["child"]) == ("report", "Lan")
    assert agent.store.events.recent(kind="help") == []
    # Again at once: no second alert, and the window says the family was told.
    tray.controller.tell_report()
    qtbot.waitUntil(lambda: dialog.state == "already_told", timeout=5000)
    assert len(agent.store.events.recent(kind="report")) == 1
    # The Help window's "Báo điều xấu" leads to the same window.
    help_dialog = tray.controller.show_help()
    help_dialog.report_button.click()
    assert tray.controller.report_dialog is dialog
    assert opener.urls == ["https://vn-cop.vn/", "https://vn-cop.vn/"]


def test_the_report_window_says_when_nobody_could_be_told(
    qtbot: QtBot, tmp_path: Path, trays: list[Tray]
) -> None:
    import dataclasses

    from helpers_tray import FAMILY

    lonely = dataclasses.replace(FAMILY, caregivers=())
    with running_tray_api(tmp_path / "agent", family=lonely) as agent:
        agent.access.acknowledge_watch("Lan")
        tray = make_tray(
            trays, HttpTrayBackend(agent.api.url, credentials(agent, "lan")), Recorder()
        )
        qtbot.waitUntil(lambda: tray.controller.profile is not None, timeout=5000)
        dialog = tray.controller.open_report()
        assert dialog.state == "nobody"
        assert not dialog.tell_button.isVisibleTo(dialog)
        assert "111" in dialog.status.text() and "người lớn con tin" in dialog.status.text()


@pytest.mark.parametrize("with_token", [True, False])
def test_the_report_window_with_the_agent_down_says_nobody_was_told(
    qtbot: QtBot, trays: list[Tray], with_token: bool
) -> None:
    opener = Recorder()
    creds = TrayCredentials("t" * 20, "lan", "k" * 20) if with_token else None
    tray = make_tray(trays, HttpTrayBackend(closed_port_url(), creds, timeout=1.0), opener)
    dialog = tray.controller.open_report()
    assert opener.urls == ["https://vn-cop.vn/"]  # vn-cop.vn needs no agent
    dialog.tell_button.click()
    qtbot.waitUntil(lambda: dialog.state == "offline", timeout=5000)
    assert "111" in dialog.status.text()


# -- consent from 7, by the child's own age -------------------------------------------------------


@pytest.mark.parametrize(
    "age, choice, button",
    [(6, False, "Con đã hiểu"), (7, True, "Con đồng ý")],
)
def test_the_tray_asks_for_consent_from_seven(
    qtbot: QtBot, tmp_path: Path, trays: list[Tray], age: int, choice: bool, button: str
) -> None:
    import dataclasses

    from helpers_tray import FAMILY

    from agent.policy.model import Child

    family = dataclasses.replace(FAMILY, children=(Child("Minh", age=age, os_users=("minh",)),))
    with running_tray_api(tmp_path / "agent", family=family) as agent:
        tray = make_tray(trays, HttpTrayBackend(agent.api.url, credentials(agent)), Recorder())
        controller = tray.controller
        qtbot.waitUntil(
            lambda: controller.watch_dialog is not None and controller.watch_dialog.isVisible(),
            timeout=5000,
        )
        dialog = controller.watch_dialog
        assert dialog is not None and controller.profile is not None
        assert controller.profile.age_band == "6-10"  # the same band at 6 and at 7
        assert controller.profile.notice.choice is choice
        assert dialog.understood_button.text() == button
        assert dialog.disagree_button.isVisibleTo(dialog) is choice
        assert ("Con chưa đồng ý" in dialog.text.text()) is choice
        if not choice:
            assert "Con hãy đọc trang này cùng bố mẹ" in dialog.text.text()
        with qtbot.waitSignal(controller.watch_acknowledged, timeout=5000):
            dialog.understood_button.click()
        ack = agent.access.watch_acknowledgement("Minh")
        assert ack is not None and ack.answer == ("agree" if choice else "acknowledged")
