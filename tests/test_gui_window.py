"""The dashboard window against the agent's real local API on a random loopback port.

The HTTP server, the PIN authenticator (scrypt, lockout, sessions) and the secret store
are the agent's own; only the family data behind them comes from :class:`FamilyData`,
an ``AgentServices`` over plain records, as the agent runtime gives from its store.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from helpers_api import FAST_SCRYPT
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from agent.api.app import create_server
from agent.api.server import HttpServer
from agent.api.types import (
    ChildProfile,
    DnsCounters,
    ListInfo,
    PolicyState,
    QueryLogEntry,
    ReasonInfo,
    Stats,
    UsageToday,
)
from agent.auth import Authenticator, LockoutPolicy
from agent.pin_setup import SetupCodes, setup_code_path
from agent.secrets import open_secret_store
from dns_filter.clock import ManualClock
from gui.api_backend import ApiBackend
from gui.app import build_main_window
from gui.i18n import Translations
from gui.views.login_page import LoginMode
from gui.views.main_window import MainWindow

VERSION = "0.1.0"
PIN = "2468"
WAIT_MS = 5000


GAMBLING = ReasonInfo("category", category="gambling", rule="ut1 gambling: casino-online.example")
TIKTOK = ReasonInfo("service", category="social", service="tiktok", rule="tiktok.com")
SAFE_SEARCH = ReasonInfo(
    "safe_search", cname_target="forcesafesearch.google.com", detail="Google"
)


def _queries() -> tuple[QueryLogEntry, ...]:
    now = datetime.now(UTC)

    def entry(
        minutes_ago: int,
        child: str,
        name: str,
        decision: str,
        reason: ReasonInfo | None = None,
        category: str | None = None,
    ) -> QueryLogEntry:
        return QueryLogEntry(
            time=now - timedelta(minutes=minutes_ago),
            child=child,
            name=name,
            qtype="A",
            decision=decision,
            reason=reason or ReasonInfo("upstream", upstream="udp://1.1.1.1:53"),
            category=category,
            client="127.0.0.1",
            latency_ms=0.5,
        )

    return (
        entry(1, "Minh", "casino-online.example", "blocked", GAMBLING, "gambling"),
        entry(2, "Lan", "www.tiktok.com", "blocked", TIKTOK, "social"),
        entry(3, "Minh", "vnexpress.net", "resolved"),
        entry(4, "Lan", "www.google.com.vn", "rewritten", SAFE_SEARCH),
        entry(5, "Minh", "casino-online.example", "blocked", GAMBLING, "gambling"),
        entry(6, "Lan", "thuvienphapluat.vn", "cached"),
    )


@dataclass
class FamilyData:
    """AgentServices over plain records: two children, two lists, a short query log."""

    listening: tuple[str, ...] = ("udp://127.0.0.1:5353", "tcp://127.0.0.1:5353")
    family_language: str = "vi"
    family_timezone: str = "Asia/Ho_Chi_Minh"
    policy_error: str | None = None
    queries: tuple[QueryLogEntry, ...] = field(default_factory=_queries)

    def dns_listening(self) -> Sequence[str]:
        return self.listening

    def dns_counters(self) -> DnsCounters:
        return DnsCounters()

    def policy_state(self) -> PolicyState:
        return PolicyState("/home/gia-dinh/family.toml", datetime.now(UTC), self.policy_error)

    def language(self) -> str:
        return self.family_language

    def timezone(self) -> str:
        return self.family_timezone

    def lists(self) -> Sequence[ListInfo]:
        return (
            ListInfo("adult", "hostsVN", 54321, datetime.now(UTC)),
            ListInfo("gambling", "starter", 1200, None),
        )

    def children(self) -> Sequence[ChildProfile]:
        return (
            ChildProfile("Minh", 9, "tieu-hoc", ("minh",)),
            ChildProfile("Lan", 13, "thcs", ("lan",)),
        )

    def usage_today(self) -> UsageToday:
        return UsageToday(date.today(), {"Minh": 42, "Lan": 95})

    def query_log(self, child: str | None, limit: int) -> Sequence[QueryLogEntry]:
        rows = [q for q in self.queries if child is None or q.child == child]
        return sorted(rows, key=lambda q: q.time, reverse=True)[:limit]

    def stats(self, child: str | None) -> Stats:
        blocked: dict[str, int] = {}
        allowed: dict[str, int] = {}
        categories: dict[str, int] = {}
        for q in self.queries:
            if child is not None and q.child != child:
                continue
            if q.decision == "blocked":
                blocked[q.name] = blocked.get(q.name, 0) + 1
                if q.category:
                    categories[q.category] = categories.get(q.category, 0) + 1
            else:
                allowed[q.name] = allowed.get(q.name, 0) + 1
        return Stats(tuple(blocked.items()), tuple(allowed.items()), categories)


@dataclass
class Agent:
    server: HttpServer
    auth: Authenticator
    clock: ManualClock
    data: FamilyData

    @property
    def url(self) -> str:
        return self.server.base_url

    def setup_code(self) -> str:
        """The set-up code, as the PC's administrator reads it."""
        codes = self.auth.setup_codes
        assert isinstance(codes, SetupCodes)
        return codes.path.read_text(encoding="ascii").strip()


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[Agent]:
    clock = ManualClock(datetime.now(UTC))
    store = open_secret_store(tmp_path / "agent-data")
    codes = SetupCodes(setup_code_path(tmp_path / "agent-data"), store, clock=clock)
    codes.issue()  # as the agent does at its start while no PIN is set
    auth = Authenticator.create(
        store,
        setup_codes=codes,
        clock=clock,
        scrypt=FAST_SCRYPT,
        lockout=LockoutPolicy(max_tries=5, base_seconds=30, max_seconds=3600),
        session_idle_seconds=600,
    )
    data = FamilyData()
    server = create_server(data, auth, host="127.0.0.1", port=0, version=VERSION)
    server.start()
    try:
        yield Agent(server, auth, clock, data)
    finally:
        server.stop()


@pytest.fixture
def open_window(qtbot: QtBot, qapp: object) -> Iterator[object]:
    """Builds a window on a backend and cleans both up after the test."""
    made: list[tuple[MainWindow, ApiBackend, Translations]] = []

    def make(url: str, language: str | None = "vi") -> MainWindow:
        backend = ApiBackend(url, timeout=2.0)
        translations = Translations(qapp)  # type: ignore[arg-type]
        window = build_main_window(
            backend,
            agent_address=url,
            language=language,
            translations=translations,
            refresh_ms=60_000,  # the tests ask for refreshes themselves
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


def wait_connected(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.banner.state in ("ok", "warning", "error"), timeout=WAIT_MS)


def type_pin(
    qtbot: QtBot,
    window: MainWindow,
    pin: str,
    confirm: str | None = None,
    setup_code: str | None = None,
) -> None:
    page = window.login_page
    qtbot.waitUntil(page.pin_edit.isEnabled, timeout=WAIT_MS)
    page.pin_edit.clear()
    qtbot.keyClicks(page.pin_edit, pin)
    if confirm is not None:
        page.confirm_edit.clear()
        qtbot.keyClicks(page.confirm_edit, confirm)
    if setup_code is not None:
        page.setup_code_edit.clear()
        qtbot.keyClicks(page.setup_code_edit, setup_code)
    qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)


def login(qtbot: QtBot, window: MainWindow, pin: str = PIN) -> None:
    with qtbot.waitSignal(window.controller.login_succeeded, timeout=WAIT_MS):
        type_pin(qtbot, window, pin)


def table_texts(view: object, column: int) -> list[str]:
    model = view.model()  # type: ignore[attr-defined]
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_banner_shows_public_status(qtbot: QtBot, agent: Agent, open_window: object) -> None:
    agent.auth.set_first_pin(PIN)
    window = open_window(agent.url)  # type: ignore[operator]
    wait_connected(qtbot, window)
    assert window.banner.state == "ok"
    assert window.banner.headline.text() == (
        f"Bảo An đang bảo vệ máy tính này · phiên bản {VERSION}"
    )
    details = window.banner.details.text()
    assert "Bộ lọc web đang hoạt động tại udp://127.0.0.1:5353, tcp://127.0.0.1:5353" in details
    assert "2 danh sách chặn" in details
    assert "55.521 tên miền bị chặn" in details  # 54321 + 1200, Vietnamese digit grouping
    assert window.windowTitle() == "Bảo An — Dành cho cha mẹ"
    # A PIN exists, so the page asks for it; the parent's data is not shown.
    assert window.login_page.mode == LoginMode.UNLOCK
    assert window.login_page.title.text() == "Dành cho cha mẹ"
    assert not window.showing_parent_page()


def test_first_run_sets_a_pin_then_shows_the_family(
    qtbot: QtBot, agent: Agent, open_window: object
) -> None:
    window = open_window(agent.url)  # type: ignore[operator]
    page = window.login_page
    qtbot.waitUntil(lambda: page.mode == LoginMode.SET_PIN, timeout=WAIT_MS)
    assert page.title.text() == "Đặt mã PIN của cha mẹ"
    assert page.confirm_edit.isVisible()

    # Two different PINs are refused here, before anything is sent.
    type_pin(qtbot, window, "1357", confirm="1358")
    assert page.message_text() == "Hai mã PIN không giống nhau. Hãy nhập lại."
    assert not agent.auth.pins.is_set()
    type_pin(qtbot, window, "12", confirm="12")
    assert page.message_text() == "Mã PIN gồm 4 đến 12 chữ số."

    # Being at the PC is not proof of set-up: the set-up code is asked for.
    assert page.setup_code_edit.isVisible()
    assert "sudo baoan pin reset-code" in page.setup_help.text()
    type_pin(qtbot, window, PIN, confirm=PIN)
    assert page.message_text() == "Hãy nhập mã cài đặt của máy này."
    with qtbot.waitSignal(window.controller.wrong_setup_code, timeout=WAIT_MS):
        type_pin(qtbot, window, PIN, confirm=PIN, setup_code="WRONG-CODE")
    qtbot.waitUntil(lambda: "Mã cài đặt không đúng" in page.message_text(), timeout=WAIT_MS)
    assert not agent.auth.pins.is_set()

    with qtbot.waitSignal(window.controller.login_succeeded, timeout=WAIT_MS):
        type_pin(qtbot, window, PIN, confirm=PIN, setup_code=agent.setup_code().lower())
    assert agent.auth.pins.is_set()
    assert window.showing_parent_page()
    children = window.parent_page.children_tab.table
    qtbot.waitUntil(lambda: children.model().rowCount() == 2, timeout=WAIT_MS)
    assert table_texts(children, 0) == ["Minh", "Lan"]


def test_a_forgotten_pin_is_reset_with_a_fresh_set_up_code(
    qtbot: QtBot, agent: Agent, open_window: object
) -> None:
    agent.auth.set_first_pin(PIN)
    codes = agent.auth.setup_codes
    assert isinstance(codes, SetupCodes)
    codes.consume()
    window = open_window(agent.url)  # type: ignore[operator]
    wait_connected(qtbot, window)
    page = window.login_page
    assert page.forgot_button.isVisible() and not page.setup_code_edit.isVisible()
    qtbot.mouseClick(page.forgot_button, Qt.MouseButton.LeftButton)
    assert page.mode == LoginMode.RESET_PIN
    assert page.title.text() == "Đặt lại mã PIN của cha mẹ"
    assert page.setup_code_edit.isVisible()
    codes.issue()  # `sudo baoan pin reset-code` on the administrator's account
    with qtbot.waitSignal(window.controller.login_succeeded, timeout=WAIT_MS):
        type_pin(qtbot, window, "97531", confirm="97531", setup_code=agent.setup_code())
    assert window.showing_parent_page()
    assert not codes.path.exists()
    agent.auth.pins.verify("97531")


def test_wrong_then_right_pin(qtbot: QtBot, agent: Agent, open_window: object) -> None:
    agent.auth.set_first_pin(PIN)
    window = open_window(agent.url)  # type: ignore[operator]
    wait_connected(qtbot, window)
    page = window.login_page

    with qtbot.waitSignal(window.controller.wrong_pin, timeout=WAIT_MS) as wrong:
        type_pin(qtbot, window, "0000")
    assert wrong.args == [4]
    assert page.message_text() == "Mã PIN không đúng. Còn 4 lần thử trước khi bị tạm khóa."
    assert not window.showing_parent_page()

    login(qtbot, window)
    assert window.showing_parent_page()
    assert page.pin_edit.text() == ""  # the PIN does not stay in the widget

    # The tables fill from the agent.
    parent = window.parent_page
    qtbot.waitUntil(lambda: parent.children_model.rowCount() == 2, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: parent.query_log_model.rowCount() == 6, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: parent.top_blocked_model.rowCount() == 2, timeout=WAIT_MS)
    children = parent.children_tab.table
    assert table_texts(children, 2) == ["Tiểu học (6–10 tuổi)", "THCS (11–14 tuổi)"]
    assert table_texts(children, 3) == ["42 phút", "1 giờ 35 phút"]
    log_table = parent.query_log_tab.table
    assert table_texts(log_table, 2)[:2] == ["casino-online.example", "www.tiktok.com"]
    assert table_texts(log_table, 3)[:3] == ["Đã chặn", "Đã chặn", "Cho phép"]
    # A blocked service is worded with its category and its name.
    assert table_texts(log_table, 4)[:2] == ["Cờ bạc, cá độ", "Mạng xã hội (tiktok)"]
    assert parent.query_log_tab.count_label.text() == "6 lượt truy cập gần nhất"
    assert table_texts(parent.stats_tab.blocked_table, 0) == [
        "casino-online.example",
        "www.tiktok.com",
    ]
    assert table_texts(parent.stats_tab.blocked_table, 1) == ["2", "1"]
    assert table_texts(parent.stats_tab.category_table, 0) == ["Cờ bạc, cá độ", "Mạng xã hội"]


def test_query_log_and_stats_filter_by_child(
    qtbot: QtBot, agent: Agent, open_window: object
) -> None:
    agent.auth.set_first_pin(PIN)
    window = open_window(agent.url)  # type: ignore[operator]
    login(qtbot, window)
    parent = window.parent_page
    log_filter = parent.query_log_tab.child_filter
    qtbot.waitUntil(lambda: log_filter.count() == 3, timeout=WAIT_MS)
    assert log_filter.itemText(0) == "Tất cả các con"
    qtbot.waitUntil(lambda: parent.query_log_model.rowCount() == 6, timeout=WAIT_MS)

    with qtbot.waitSignal(window.controller.query_log_changed, timeout=WAIT_MS):
        log_filter.select_child("Lan")
    assert set(table_texts(parent.query_log_tab.table, 1)) == {"Lan"}
    assert parent.query_log_model.rowCount() == 3

    with qtbot.waitSignal(window.controller.stats_changed, timeout=WAIT_MS):
        parent.stats_tab.child_filter.select_child("Minh")
    assert table_texts(parent.stats_tab.blocked_table, 0) == ["casino-online.example"]
    assert table_texts(parent.stats_tab.allowed_table, 0) == ["vnexpress.net"]

    # Back to every child.
    with qtbot.waitSignal(window.controller.query_log_changed, timeout=WAIT_MS):
        log_filter.select_child(None)
    assert parent.query_log_model.rowCount() == 6


def test_lockout_shows_the_wait(qtbot: QtBot, agent: Agent, open_window: object) -> None:
    agent.auth.set_first_pin(PIN)
    window = open_window(agent.url)  # type: ignore[operator]
    wait_connected(qtbot, window)
    page = window.login_page
    for tries_left in (4, 3, 2, 1):
        with qtbot.waitSignal(window.controller.wrong_pin, timeout=WAIT_MS) as wrong:
            type_pin(qtbot, window, "1111")
        assert wrong.args == [tries_left]
    with qtbot.waitSignal(window.controller.locked_out, timeout=WAIT_MS) as locked:
        type_pin(qtbot, window, "1111")
    assert locked.args == [30.0]
    assert page.locked
    assert page.message_text() == "Nhập sai quá nhiều lần. Hãy thử lại sau 30 giây."
    assert not page.pin_edit.isEnabled()
    assert not page.submit_button.isEnabled()


def test_lock_and_expired_session_return_to_the_pin(
    qtbot: QtBot, agent: Agent, open_window: object
) -> None:
    agent.auth.set_first_pin(PIN)
    window = open_window(agent.url)  # type: ignore[operator]
    login(qtbot, window)
    parent = window.parent_page
    qtbot.waitUntil(lambda: parent.children_model.rowCount() == 2, timeout=WAIT_MS)

    # The session ends on the agent's side (idle too long): the next refresh notices.
    agent.clock.advance(601)
    with qtbot.waitSignal(window.controller.logged_out, timeout=WAIT_MS) as ended:
        window.controller.refresh()
    assert ended.args == [True]
    assert not window.showing_parent_page()
    assert parent.children_model.rowCount() == 0  # nothing of the family stays on screen
    assert window.status_label.text() == (
        "Phiên làm việc của cha mẹ đã hết hạn. Hãy nhập lại mã PIN."
    )

    login(qtbot, window)
    qtbot.mouseClick(parent.logout_button, Qt.MouseButton.LeftButton)
    assert not window.showing_parent_page()
    assert window.controller.logged_in is False


def test_unreachable_agent(qtbot: QtBot, open_window: object) -> None:
    # A port nobody listens on: bind one, note it, close it.
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    window = open_window(url)  # type: ignore[operator]
    qtbot.waitUntil(lambda: window.banner.state == "error", timeout=WAIT_MS)
    assert window.banner.headline.text() == f"Không kết nối được với Bảo An tại {url}."
    assert not window.login_page.pin_edit.isEnabled()


def test_policy_error_and_dns_down_show_a_warning(
    qtbot: QtBot, agent: Agent, open_window: object
) -> None:
    agent.data.policy_error = "family.toml, dòng 7: khoá 'age' cần một số"
    agent.data.listening = ()
    window = open_window(agent.url)  # type: ignore[operator]
    qtbot.waitUntil(lambda: window.banner.state == "warning", timeout=WAIT_MS)
    details = window.banner.details.text()
    assert "Bộ lọc web chưa hoạt động" in details
    assert "family.toml, dòng 7: khoá 'age' cần một số" in details


def test_language_switch_and_agent_setting(qtbot: QtBot, agent: Agent, open_window: object) -> None:
    agent.auth.set_first_pin(PIN)
    agent.data.family_language = "en"
    # No language forced: the agent's setting decides once its status arrives.
    window = open_window(agent.url, language=None)  # type: ignore[operator]
    qtbot.waitUntil(
        lambda: window.banner.headline.text().startswith("Bảo An is protecting"), timeout=WAIT_MS
    )
    assert window.login_page.title.text() == "For parents"
    assert window.language_box.currentData() == "en"

    # The parent's own pick wins, and every screen redraws in it.
    window.language_box.setCurrentIndex(window.language_box.findData("vi"))
    # Qt delivers LanguageChange through the event loop.
    qtbot.waitUntil(lambda: window.login_page.title.text() == "Dành cho cha mẹ", timeout=WAIT_MS)
    assert window.banner.headline.text().startswith("Bảo An đang bảo vệ")
    login(qtbot, window)
    headers = window.parent_page.children_model
    assert headers.headerData(0, Qt.Orientation.Horizontal) == "Tên"
    window.controller.refresh_status()  # the agent still says "en"; the pick stays
    qtbot.wait(200)
    assert window.login_page.title.text() == "Dành cho cha mẹ"


def test_screenshot_of_the_parent_view(
    qtbot: QtBot, agent: Agent, open_window: object, tmp_path: Path
) -> None:
    agent.auth.set_first_pin(PIN)
    window = open_window(agent.url)  # type: ignore[operator]
    login_shot = tmp_path / "dashboard-login-vi.png"
    wait_connected(qtbot, window)
    qtbot.wait(50)  # let the banner's layout grow to its new text
    assert window.grab().save(str(login_shot))
    login(qtbot, window)
    parent = window.parent_page
    qtbot.waitUntil(lambda: parent.query_log_model.rowCount() == 6, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: parent.children_model.rowCount() == 2, timeout=WAIT_MS)
    shots = {}
    for index, name in enumerate(("children", "querylog", "stats")):
        parent.tabs.setCurrentIndex(index)
        qtbot.wait(50)
        shots[name] = tmp_path / f"dashboard-{name}-vi.png"
        assert window.grab().save(str(shots[name]))
    for path in (login_shot, *shots.values()):
        assert path.stat().st_size > 5000
    # Nothing is cut: each column is at least as wide as its header text needs.
    table = parent.query_log_tab.table
    header = table.horizontalHeader()
    metrics = header.fontMetrics()
    for column in range(header.count() - 1):
        title = table.model().headerData(column, Qt.Orientation.Horizontal)
        assert header.sectionSize(column) >= metrics.horizontalAdvance(title)


def test_run_dashboard_opens_and_closes(qtbot: QtBot, agent: Agent, qapp: object) -> None:
    import signal

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gui.app import run_dashboard
    from gui.views.focus_ring import find_focus_ring

    agent.auth.set_first_pin(PIN)
    seen: dict[str, str] = {}
    handler_before = signal.getsignal(signal.SIGINT)

    def close_when_connected() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        shown = [w for w in windows if w.isVisible()]
        if shown and shown[0].banner.state == "ok":
            seen["headline"] = shown[0].banner.headline.text()
            application = QApplication.instance()
            assert isinstance(application, QApplication)
            seen["focus ring"] = str(find_focus_ring(application) is not None)
            shown[0].close()  # the last window: the event loop ends
        else:
            QTimer.singleShot(50, close_when_connected)

    QTimer.singleShot(0, close_when_connected)
    guard = QTimer()  # never hang the suite; stopped after, so it cannot touch later tests
    guard.setSingleShot(True)
    guard.timeout.connect(QApplication.closeAllWindows)
    guard.start(WAIT_MS)
    try:
        assert run_dashboard(agent.url, ["baoan"]) == 0
    finally:
        guard.stop()
    assert seen["headline"].endswith(VERSION)
    assert seen["focus ring"] == "True"  # the dashboard's one focus mark, while it runs
    assert signal.getsignal(signal.SIGINT) == handler_before  # Ctrl-C handling is given back
    application = QApplication.instance()
    assert isinstance(application, QApplication)
    assert find_focus_ring(application) is None  # and taken away with it


def test_window_made_without_translations_removes_its_own(
    qtbot: QtBot, agent: Agent, qapp: object
) -> None:
    from PySide6.QtCore import QCoreApplication

    backend = ApiBackend(agent.url, timeout=2.0)
    window = build_main_window(backend, agent_address=agent.url, language="vi")
    qtbot.addWidget(window)
    assert QCoreApplication.translate("LoginPage", "Unlock") == "Mở khóa"
    with qtbot.waitSignal(window.closed, timeout=WAIT_MS):
        window.close()
    assert QCoreApplication.translate("LoginPage", "Unlock") == "Unlock"
    backend.close()
