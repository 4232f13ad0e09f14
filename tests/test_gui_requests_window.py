"""The dashboard's requests tab against the agent's real pieces: the child asks on the real
block page over HTTP, the parent answers in the real window (offscreen), and the agent's
real access service opens the site (tests/helpers_pages.py builds the server)."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers_pages import (
    PIN,
    RunningPages,
    form_field,
    page,
    post_form,
    running_pages,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from gui.api_backend import ApiBackend
from gui.app import build_main_window
from gui.i18n import Translations
from gui.models import RequestsTableModel
from gui.views.main_window import MainWindow
from gui.views.requests_tab import RequestsTab

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
WAIT_MS = 5000
SITE = "casino.example"

WindowMaker = Callable[..., MainWindow]


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[RunningPages]:
    with running_pages(tmp_path) as running:
        yield running


@pytest.fixture
def open_window(qtbot: QtBot, qapp: object, pages: RunningPages) -> Iterator[WindowMaker]:
    made: list[tuple[MainWindow, ApiBackend, Translations]] = []

    def make(language: str = "vi", zone_from_agent: bool = False) -> MainWindow:
        backend = ApiBackend(pages.url, timeout=2.0)
        translations = Translations(qapp)  # type: ignore[arg-type]
        window = build_main_window(
            backend,
            agent_address=pages.url,
            language=language,
            translations=translations,
            refresh_ms=60_000,  # the tests ask for refreshes themselves
            timezone=None if zone_from_agent else HCM,
            clock=pages.clock.now,  # the family's clock is the agent's
        )
        qtbot.addWidget(window)
        window.show()
        made.append((window, backend, translations))
        return window

    yield make
    for window, backend, translations in made:
        window.close()
        backend.close()
        translations.remove()


def ask(pages: RunningPages, reason: str, host: str = SITE) -> str:
    """The child asks on the block page like a browser; returns the request's id."""
    block = page(pages, host).text
    token = form_field(block, "/__baoan/ask", "csrf")
    site = html.unescape(form_field(block, "/__baoan/ask", "site"))
    answer = post_form(
        pages, host, "/__baoan/ask", {"csrf": token, "site": site, "reason": reason, "lang": "vi"}
    )
    assert answer.status == 303, answer.text
    found = re.fullmatch(r"/__baoan/request/([A-Za-z0-9_-]+)\?lang=vi", answer.headers["location"])
    assert found
    return found.group(1)


def child_page_state(pages: RunningPages, request_id: str, host: str = SITE) -> str:
    found = re.search(
        r'data-state="([a-z]+)"', page(pages, host, f"/__baoan/request/{request_id}").text
    )
    assert found
    return found.group(1)


def log_in(qtbot: QtBot, window: MainWindow) -> RequestsTab:
    login = window.login_page
    qtbot.waitUntil(login.pin_edit.isEnabled, timeout=WAIT_MS)
    controller = window.controller
    with qtbot.waitSignals(
        [controller.login_succeeded, controller.requests_changed], timeout=WAIT_MS
    ):
        qtbot.keyClicks(login.pin_edit, PIN)
        qtbot.mouseClick(login.submit_button, Qt.MouseButton.LeftButton)
    parent = window.parent_page
    parent.tabs.setCurrentIndex(parent.requests_index)
    return parent.requests_tab


def state_of(tab: RequestsTab, request_id: str) -> str:
    row = tab.model.row_of(request_id)
    assert row >= 0, f"no row for {request_id}"
    return str(tab.model.index(row, RequestsTableModel.STATE).data())


def click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_parent_allows_one_hour_and_the_site_opens_at_once(
    qtbot: QtBot, pages: RunningPages, open_window: WindowMaker
) -> None:
    request_id = ask(pages, "Con cần xem luật chơi cho bài thuyết trình")
    window = open_window()
    tab = log_in(qtbot, window)
    parent = window.parent_page

    assert tab.model.rowCount() == 1
    assert state_of(tab, request_id) == "Đang chờ bạn trả lời"
    assert parent.tabs.tabText(parent.requests_index) == "Yêu cầu và cảnh báo (1)"
    assert tab.count_label.text() == "Có 1 yêu cầu đang chờ bạn trả lời."
    # The newest waiting request is offered, in full, under the table.
    assert tab.selected_row() is not None and tab.selected_row().request.id == request_id  # type: ignore[union-attr]
    assert tab.heading_label.text() == f"Minh xin mở {SITE} (lúc 12:00)"
    assert tab.reason_label.text() == "Lý do: Con cần xem luật chơi cho bài thuyết trình"
    assert not tab.revoke_button.isEnabled()
    assert pages.access.active_grants("Minh") == ()

    recompiles = pages.runtime.recompiles
    with qtbot.waitSignal(window.controller.requests_changed, timeout=WAIT_MS):
        click(qtbot, tab.allow_buttons[60])
    assert state_of(tab, request_id) == "Được phép đến 13:00"  # 12:00 + 1 hour, family time
    assert tab.message_label.text() == f"Đã cho phép: Minh được mở {SITE} đến 13:00."
    assert parent.tabs.tabText(parent.requests_index) == "Yêu cầu và cảnh báo"
    stored = pages.store.requests.get(request_id)
    assert stored is not None and stored.status == "allowed"
    assert stored.allowed_until == pages.clock.now() + timedelta(hours=1)
    # At once: the grant is active and the runtime recompiled the DNS policy.
    assert pages.access.active_grants("Minh") == (SITE,)
    assert pages.runtime.recompiles == recompiles + 1
    assert child_page_state(pages, request_id) == "allowed"
    assert not tab.allow_buttons[60].isEnabled() and tab.revoke_button.isEnabled()

    # The parent changes their mind a few minutes later.
    pages.clock.advance(timedelta(minutes=5, seconds=7))
    with qtbot.waitSignal(window.controller.requests_changed, timeout=WAIT_MS):
        click(qtbot, tab.revoke_button)
    assert state_of(tab, request_id) == "Đã thu hồi"
    assert tab.message_label.text() == f"Đã thu hồi: Minh không mở được {SITE} nữa."
    assert pages.access.active_grants("Minh") == ()
    assert child_page_state(pages, request_id) == "expired"


def test_allow_until_the_end_of_today(
    qtbot: QtBot, pages: RunningPages, open_window: WindowMaker
) -> None:
    pages.clock.advance(timedelta(minutes=5, seconds=7))  # 12:05:07 in Hồ Chí Minh City
    request_id = ask(pages, "Con xem nốt bộ phim tài liệu", host="bet.example")
    window = open_window()
    tab = log_in(qtbot, window)
    assert tab.select_request(request_id)
    with qtbot.waitSignal(window.controller.requests_changed, timeout=WAIT_MS):
        click(qtbot, tab.end_of_day_button)
    stored = pages.store.requests.get(request_id)
    assert stored is not None and stored.allowed_until is not None
    ends = stored.allowed_until.astimezone(HCM)
    assert (ends.date(), ends.hour, ends.minute) == (
        pages.clock.now().astimezone(HCM).date(),
        23,
        59,
    )
    assert state_of(tab, request_id) == "Được phép đến 23:59"
    assert pages.access.active_grants("Minh") == ("bet.example",)


def test_the_family_time_zone_comes_from_the_agent_not_the_pc(
    qtbot: QtBot,
    pages: RunningPages,
    open_window: WindowMaker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The PC says New York; the family (and the agent) live in Hồ Chí Minh City.
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        pages.clock.advance(timedelta(minutes=5, seconds=7))  # 12:05:07 in Hồ Chí Minh City
        request_id = ask(pages, "Con xem nốt bộ phim tài liệu", host="bet.example")
        window = open_window(zone_from_agent=True)
        controller = window.controller
        qtbot.waitUntil(lambda: controller.timezone == HCM, timeout=WAIT_MS)
        tab = log_in(qtbot, window)
        asked_at = tab.model.index(tab.model.row_of(request_id), RequestsTableModel.ASKED)
        assert asked_at.data() == "12:05"  # not 00:05 in New York
        assert tab.select_request(request_id)
        with qtbot.waitSignal(controller.requests_changed, timeout=WAIT_MS):
            click(qtbot, tab.end_of_day_button)
        # "Until the end of today" ends at midnight in Hồ Chí Minh City.
        stored = pages.store.requests.get(request_id)
        assert stored is not None and stored.allowed_until is not None
        ends = stored.allowed_until.astimezone(HCM)
        assert (ends.date(), ends.hour, ends.minute) == (
            pages.clock.now().astimezone(HCM).date(),
            23,
            59,
        )
        assert state_of(tab, request_id) == "Được phép đến 23:59"
        # The query log's times follow the family's clock too.
        logged = datetime.now(UTC).replace(microsecond=0)
        shown = window.parent_page.query_log_model.format_time(logged.isoformat())
        assert shown == logged.astimezone(HCM).strftime("%H:%M:%S")
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_revoke_on_the_whole_minute_is_still_a_revoke(
    qtbot: QtBot, pages: RunningPages, open_window: WindowMaker
) -> None:
    request_id = ask(pages, "Con cần xem luật chơi")
    window = open_window()
    tab = log_in(qtbot, window)
    with qtbot.waitSignal(window.controller.requests_changed, timeout=WAIT_MS):
        click(qtbot, tab.allow_buttons[30])
    # Exactly five minutes later: only the agent can tell this revoke from a 5-minute grant.
    pages.clock.advance(timedelta(minutes=5))
    with qtbot.waitSignal(window.controller.requests_changed, timeout=WAIT_MS):
        click(qtbot, tab.revoke_button)
    assert state_of(tab, request_id) == "Đã thu hồi"
    # A grant that runs out is "time is up".
    other = ask(pages, "Con cần tra cứu", host="bet.example")
    with qtbot.waitSignal(window.controller.requests_changed, timeout=WAIT_MS):
        window.controller.refresh_requests()
    with qtbot.waitSignal(window.controller.requests_changed, timeout=WAIT_MS):
        window.controller.decide_request(other, True, 1)
    pages.clock.advance(timedelta(minutes=2))  # within the parent session's idle time
    with qtbot.waitSignal(window.controller.requests_changed, timeout=WAIT_MS):
        window.controller.refresh_requests()
    assert state_of(tab, other) == "Đã hết giờ"
    assert state_of(tab, request_id) == "Đã thu hồi"


def test_parent_denies(qtbot: QtBot, pages: RunningPages, open_window: WindowMaker) -> None:
    first = ask(pages, "Con muốn chơi thử")
    pages.clock.advance(timedelta(minutes=1))
    second = ask(pages, "Bạn con gửi link này", host="bet.example")
    window = open_window()
    tab = log_in(qtbot, window)
    assert [row.request.id for row in tab.model.rows()] == [second, first]
    parent = window.parent_page
    assert parent.tabs.tabText(parent.requests_index) == "Yêu cầu và cảnh báo (2)"

    assert tab.select_request(first)
    with qtbot.waitSignal(window.controller.requests_changed, timeout=WAIT_MS):
        click(qtbot, tab.deny_button)
    assert state_of(tab, first) == "Không cho phép"
    assert tab.message_label.text() == f"Không cho phép: Minh sẽ không mở được {SITE}."
    # Still waiting first; the answered one below it.
    assert [row.request.id for row in tab.model.rows()] == [second, first]
    parent = window.parent_page
    assert parent.tabs.tabText(parent.requests_index) == "Yêu cầu và cảnh báo (1)"
    assert pages.access.active_grants("Minh") == ()
    assert child_page_state(pages, first) == "denied"
    assert child_page_state(pages, second, host="bet.example") == "pending"


def test_the_childs_words_are_shown_literally(
    qtbot: QtBot, pages: RunningPages, open_window: WindowMaker
) -> None:
    reason = "<b>Gấp</b> <script>alert('x')</script> <img src=x onerror=alert(1)> &amp;"
    request_id = ask(pages, reason)
    window = open_window()
    tab = log_in(qtbot, window)
    row = tab.model.row_of(request_id)
    assert tab.model.index(row, RequestsTableModel.REASON).data() == reason
    assert tab.reason_label.text() == "Lý do: " + reason
    assert tab.reason_label.textFormat() == Qt.TextFormat.PlainText
    assert tab.heading_label.textFormat() == Qt.TextFormat.PlainText
    tooltip = tab.model.index(row, RequestsTableModel.REASON).data(Qt.ItemDataRole.ToolTipRole)
    assert "<b>" not in tooltip and "<script>" not in tooltip and "<img" not in tooltip
    assert "&lt;b&gt;Gấp&lt;/b&gt;" in tooltip and "&amp;amp;" in tooltip


def test_errors_are_told_in_words(
    qtbot: QtBot, pages: RunningPages, open_window: WindowMaker
) -> None:
    first = ask(pages, "một")
    second = ask(pages, "hai", host="bet.example")
    window = open_window()
    tab = log_in(qtbot, window)

    # Someone answered on another device before this parent clicked.
    pages.access.decide(first, True, 30, by="caregiver")
    assert tab.select_request(first)
    with qtbot.waitSignal(window.controller.requests_changed, timeout=WAIT_MS):
        click(qtbot, tab.deny_button)
    assert tab.message_label.text() == (
        "Yêu cầu này đã được trả lời rồi, có thể trên một thiết bị khác."
        " Danh sách đã hiện câu trả lời đó."
    )
    assert state_of(tab, first) == "Được phép đến 12:30"  # the other answer stands
    assert pages.access.active_grants("Minh") == (SITE,)

    # The session ran out: the PIN page comes back and says why.
    pages.clock.advance(timedelta(minutes=11))
    assert tab.select_request(second)
    with qtbot.waitSignal(window.controller.logged_out, timeout=WAIT_MS):
        click(qtbot, tab.allow_buttons[30])
    assert not window.showing_parent_page()
    assert window.status_label.text() == (
        "Phiên làm việc của cha mẹ đã hết hạn. Hãy nhập lại mã PIN."
    )
    assert tab.model.rowCount() == 0  # the family's data left the screen
    assert pages.store.requests.get(second).status == "pending"  # type: ignore[union-attr]

    # The agent stops answering.
    tab = log_in(qtbot, window)
    assert tab.select_request(second)
    pages.server.stop()
    with qtbot.waitSignal(window.controller.request_action_failed, timeout=WAIT_MS):
        click(qtbot, tab.allow_buttons[30])
    assert tab.message_label.text() == (
        "Bảo An không phản hồi nên chưa có gì thay đổi. Hãy thử lại sau giây lát."
    )
    qtbot.waitUntil(lambda: window.banner.state == "error", timeout=WAIT_MS)
    assert tab.allow_buttons[30].isEnabled()  # the parent can try again


SCREENSHOT_STATES = {
    "vi": ["Đang chờ bạn trả lời", "Không cho phép", "Được phép đến 14:00"],
    "en": ["Waiting for your answer", "Not allowed", "Allowed until 14:00"],
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_screenshot_of_the_requests_tab(
    qtbot: QtBot, pages: RunningPages, open_window: WindowMaker, tmp_path: Path, language: str
) -> None:
    allowed = ask(pages, "Con cần xem luật chơi cho bài thuyết trình môn Giáo dục công dân")
    denied = ask(pages, "Bạn con gửi đường link này, con muốn xem thử", host="bet.example")
    pages.access.decide(allowed, True, 120)
    pages.access.decide(denied, False)
    pages.clock.advance(timedelta(minutes=3))
    ask(pages, "Con cần tra cứu tài liệu cho bài tập nhóm", host="parentblocked.example")
    window = open_window(language)
    window.resize(980, 640)
    tab = log_in(qtbot, window)
    qtbot.wait(50)
    shot = tmp_path / f"dashboard-requests-{language}.png"
    assert window.grab().save(str(shot))
    assert shot.stat().st_size > 5000

    # Nothing is cut: each button shows its whole label, each column its header.
    for button in (
        *tab.allow_buttons.values(),
        tab.end_of_day_button,
        tab.deny_button,
        tab.revoke_button,
    ):
        assert button.width() >= button.sizeHint().width(), button.text()
    header = tab.table.horizontalHeader()
    metrics = header.fontMetrics()
    for column in range(header.count()):
        title = tab.table.model().headerData(column, Qt.Orientation.Horizontal)
        assert header.sectionSize(column) >= metrics.horizontalAdvance(title), title
    states = [tab.model.index(row, RequestsTableModel.STATE).data() for row in range(3)]
    assert states == SCREENSHOT_STATES[language]
    for row in range(3):
        column = RequestsTableModel.STATE
        text = tab.model.index(row, column).data()
        assert header.sectionSize(column) >= metrics.horizontalAdvance(text), text


def test_a_request_for_more_time_is_worded_as_one(
    qtbot: QtBot, pages: RunningPages, open_window: WindowMaker
) -> None:
    request = pages.store.requests.create(
        "Minh", "time", "30", "con làm bài tập", now=pages.clock.now()
    )
    window = open_window()
    tab = log_in(qtbot, window)
    assert tab.select_request(request.id)
    assert tab.heading_label.text().startswith("Minh xin thêm 30 phút (lúc ")
    with qtbot.waitSignal(window.controller.requests_changed, timeout=WAIT_MS):
        click(qtbot, tab.allow_buttons[30])
    assert tab.message_label.text() == "Đã cho phép: hôm nay Minh có thêm 30 phút."
