"""The dashboard's table models, without any widget: rows, columns, roles, Vietnamese headers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush
from pytestqt.qtbot import QtBot

from gui.backend import AccessRequest, ChildSummary, QueryLogEntry, QueryReason, RequestsSnapshot
from gui.i18n import Translations
from gui.labels import format_log_time, format_minutes, format_seconds_wait
from gui.models import (
    RECORD_ROLE,
    SORT_ROLE,
    ChildrenTableModel,
    QueryLogTableModel,
    RequestsTableModel,
    StatsTableModel,
)

DISPLAY = Qt.ItemDataRole.DisplayRole
HORIZONTAL = Qt.Orientation.Horizontal


def headers(model: object) -> list[str]:
    return [
        model.headerData(column, HORIZONTAL, DISPLAY)  # type: ignore[attr-defined]
        for column in range(model.columnCount())  # type: ignore[attr-defined]
    ]


def cell(model: object, row: int, column: int, role: int = DISPLAY) -> object:
    return model.data(model.index(row, column), role)  # type: ignore[attr-defined]


CHILDREN = [
    ChildSummary("An", 9, "tieu-hoc", 95, ("an",)),
    ChildSummary("Bình", 13, "thcs", 20),
    ChildSummary("Cúc", None, "mam-non", 0),
]


def test_children_model_rows_columns_and_vietnamese_headers(vietnamese: Translations) -> None:
    model = ChildrenTableModel()
    assert model.rowCount() == 0
    model.set_rows(CHILDREN)
    assert model.rowCount() == 3
    assert model.columnCount() == 5
    assert headers(model) == [
        "Tên",
        "Tuổi",
        "Mức theo tuổi",
        "Đã dùng hôm nay",
        "Ý kiến của con về việc ghi lại",
    ]
    assert cell(model, 0, 4) == "Con chưa trả lời"
    assert cell(model, 0, 0) == "An"
    assert cell(model, 0, 1) == "9"
    assert cell(model, 0, 2) == "Tiểu học (6–10 tuổi)"
    assert cell(model, 0, 3) == "1 giờ 35 phút"
    assert cell(model, 1, 3) == "20 phút"
    assert cell(model, 2, 1) == "—"  # age unknown
    assert cell(model, 2, 2) == "Mầm non (0–5 tuổi)"
    # Children of a table have no children of their own.
    assert model.rowCount(model.index(0, 0)) == 0
    assert cell(model, 5, 0) is None


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("agree", "Con đồng ý"),
        ("disagree", "Con chưa đồng ý, muốn nói chuyện với cha mẹ"),
        ("acknowledged", "Đã đọc cùng cha mẹ"),
        (None, "Con chưa trả lời"),
    ],
)
def test_the_parent_sees_each_childs_answer(
    vietnamese: Translations, answer: str | None, words: str
) -> None:
    model = ChildrenTableModel()
    model.set_rows([dataclasses.replace(CHILDREN[0], watch_answer=answer)])
    assert cell(model, 0, ChildrenTableModel.WATCH) == words
    tip = cell(model, 0, ChildrenTableModel.WATCH, Qt.ItemDataRole.ToolTipRole)
    assert (tip is not None) is (answer == "disagree")


def test_children_model_roles(vietnamese: Translations) -> None:
    model = ChildrenTableModel()
    model.set_rows(CHILDREN)
    assert cell(model, 0, 3, SORT_ROLE) == 95  # sorts by minutes, not by the text
    assert cell(model, 2, 1, SORT_ROLE) == -1
    assert cell(model, 1, 0, RECORD_ROLE) == CHILDREN[1]
    assert cell(model, 0, 0, Qt.ItemDataRole.ToolTipRole) == "Tài khoản máy tính: an"
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert cell(model, 0, 1, Qt.ItemDataRole.TextAlignmentRole) == right
    assert cell(model, 0, 0, Qt.ItemDataRole.TextAlignmentRole) != right
    flags = model.flags(model.index(0, 0))
    assert flags & Qt.ItemFlag.ItemIsSelectable
    assert not flags & Qt.ItemFlag.ItemIsEditable


def test_children_model_headers_follow_the_language(qtbot: QtBot, qapp: object) -> None:
    model = ChildrenTableModel()
    translations = Translations(qapp)  # type: ignore[arg-type]
    try:
        assert translations.use("vi")
        assert headers(model)[0] == "Tên"
        with qtbot.waitSignal(model.headerDataChanged, timeout=1000):
            translations.use("en")
            model.retranslate()
        assert headers(model) == [
            "Name",
            "Age",
            "Age preset",
            "Used today",
            "What Bảo An records: the child's answer",
        ]
    finally:
        translations.remove()


def test_refresh_with_the_same_children_keeps_the_rows(
    qtbot: QtBot, vietnamese: Translations
) -> None:
    model = ChildrenTableModel()
    model.set_rows(CHILDREN)
    later = [ChildSummary("An", 9, "tieu-hoc", 100), *CHILDREN[1:]]
    # Same children in the same order: cells change, no reset (the view keeps its selection).
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.dataChanged):
        model.set_rows(later)
    assert cell(model, 0, 3) == "1 giờ 40 phút"
    with qtbot.waitSignal(model.modelReset):
        model.set_rows(CHILDREN[:2])
    assert model.rowCount() == 2


NOW = datetime(2025, 5, 3, 14, 30, tzinfo=timezone(timedelta(hours=7)))
LOG = [
    QueryLogEntry(
        "2025-05-03T14:05:09+07:00", "An", "pornhub.com", "A", "blocked",
        QueryReason("category", category="adult", rule="hostsVN: ||pornhub.com^"), 0.4,
    ),
    QueryLogEntry("2025-05-03T14:04:00+07:00", "Bình", "vnexpress.net", "AAAA", "resolved", None),
    QueryLogEntry(
        "2025-05-03T14:03:00+07:00", None, "www.google.com", "A", "rewritten",
        QueryReason("safe_search", cname_target="forcesafesearch.google.com", detail="Google"),
    ),
    QueryLogEntry(
        "2025-05-03T14:02:00+07:00", "An", "down.example", "A", "failed",
        QueryReason("failure", detail="all upstreams failed: udp://8.8.8.8:53: timed out"),
    ),
    QueryLogEntry(
        "2025-05-03T14:01:00+07:00", "An", "new.example", "A", "resolved",
        QueryReason("made-up-by-a-newer-agent"),
    ),
]


def test_query_log_model(vietnamese: Translations) -> None:
    model = QueryLogTableModel(time_formatter=lambda text: format_log_time(text, NOW))
    model.set_rows(LOG)
    assert model.rowCount() == 5
    assert headers(model) == ["Thời gian", "Con", "Trang web", "Kết quả", "Lý do"]
    assert cell(model, 0, 0) == "14:05:09"
    assert cell(model, 0, 1) == "An"
    assert cell(model, 0, 2) == "pornhub.com"
    assert cell(model, 0, 3) == "Đã chặn"
    assert cell(model, 0, 4) == "Nội dung người lớn"
    assert cell(model, 1, 3) == "Cho phép"
    assert cell(model, 1, 4) == ""
    assert cell(model, 2, 1) == "—"
    assert cell(model, 2, 3) == "Chuyển sang chế độ an toàn"
    assert cell(model, 2, 4) == "Tìm kiếm an toàn (Google)"
    # A failed lookup says so, in words, and is neither blocked nor allowed.
    assert cell(model, 3, 3) == "Không tra cứu được"
    assert cell(model, 3, 4) == "Không máy chủ DNS nào trả lời"
    # A kind this dashboard has no words for is never shown as its English code.
    assert cell(model, 4, 4) == "Lý do khác"
    assert cell(model, 0, 4, Qt.ItemDataRole.ToolTipRole) == (
        "Nội dung người lớn — hostsVN: ||pornhub.com^"
    )
    assert cell(model, 1, 2, Qt.ItemDataRole.ToolTipRole) == "vnexpress.net (AAAA)"
    assert cell(model, 0, 0, SORT_ROLE) == "2025-05-03T14:05:09+07:00"
    blocked = cell(model, 0, 3, Qt.ItemDataRole.ForegroundRole)
    allowed = cell(model, 1, 3, Qt.ItemDataRole.ForegroundRole)
    assert isinstance(blocked, QBrush) and isinstance(allowed, QBrush)
    assert blocked.color() != allowed.color()
    assert cell(model, 0, 2, Qt.ItemDataRole.ForegroundRole) is None
    assert cell(model, 2, 0, RECORD_ROLE) is LOG[2]


def test_query_log_english(english: Translations) -> None:
    model = QueryLogTableModel()
    model.set_rows(LOG)
    assert headers(model) == ["Time", "Child", "Website", "Decision", "Reason"]
    assert cell(model, 0, 3) == "Blocked"
    assert cell(model, 0, 4) == "Adult content"
    repeated = QueryLogTableModel()
    repeated.set_rows([dataclasses.replace(LOG[0], count=12)])
    assert cell(repeated, 0, 2, Qt.ItemDataRole.ToolTipRole) == (
        "pornhub.com (A)\nAsked 12 times within the minute"
    )


def test_a_row_that_stands_for_repeats_says_how_many(vietnamese: Translations) -> None:
    model = QueryLogTableModel()
    model.set_rows([dataclasses.replace(LOG[0], count=12), LOG[1]])
    assert cell(model, 0, 2) == "pornhub.com ×12"
    assert cell(model, 0, 2, Qt.ItemDataRole.ToolTipRole) == (
        "pornhub.com (A)\nHỏi 12 lần trong cùng một phút"
    )
    assert cell(model, 1, 2) == "vnexpress.net"  # one answer: the name alone


def test_stats_models(vietnamese: Translations) -> None:
    blocked = StatsTableModel("blocked")
    blocked.set_rows([("tiktok.com", 3), ("pornhub.com", 12), ("bet.vn", 3)])
    assert headers(blocked) == ["Trang bị chặn", "Số lần"]
    # Largest first, ties by name.
    assert [cell(blocked, r, 0) for r in range(3)] == ["pornhub.com", "bet.vn", "tiktok.com"]
    assert cell(blocked, 0, 1) == "12"
    assert cell(blocked, 0, 1, SORT_ROLE) == 12
    assert blocked.headerData(0, Qt.Orientation.Vertical, DISPLAY) == "1"

    allowed = StatsTableModel("allowed")
    assert headers(allowed) == ["Trang được phép", "Số lần"]

    categories = StatsTableModel("category")
    categories.set_rows([("gambling", 4), ("adult", 9), ("made-up", 1)])
    assert headers(categories) == ["Nhóm nội dung", "Số lần"]
    assert [cell(categories, r, 0) for r in range(3)] == [
        "Nội dung người lớn",
        "Cờ bạc, cá độ",
        "made-up",
    ]
    assert cell(categories, 0, 0, Qt.ItemDataRole.ToolTipRole) == "adult"

    with pytest.raises(ValueError, match="unknown statistics kind"):
        StatsTableModel("weekly")


def test_invalid_index_and_out_of_range_header() -> None:
    model = StatsTableModel("blocked")
    assert model.data(QModelIndex()) is None
    assert model.headerData(7, HORIZONTAL, DISPLAY) is None
    assert model.flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags


def test_number_and_time_words(vietnamese: Translations) -> None:
    assert format_minutes(0) == "0 phút"
    assert format_minutes(60) == "1 giờ 0 phút"
    assert format_seconds_wait(30) == "30 giây"
    assert format_seconds_wait(300) == "5 phút"
    assert format_seconds_wait(90) == "1 phút 30 giây"
    assert format_log_time("2025-05-01T08:00:00+07:00", NOW) == "01/05 08:00:00"
    assert format_log_time("not a time", NOW) == "not a time"


def test_english_plural_words(english: Translations) -> None:
    assert format_minutes(1) == "1 min"
    assert format_minutes(125) == "2 h 5 min"
    assert format_seconds_wait(1) == "1 s"


def test_query_log_times_follow_the_family_zone(qtbot: QtBot) -> None:
    tokyo = timezone(timedelta(hours=9), "Tokyo")
    logged = datetime.now(UTC).replace(microsecond=0)
    entry = QueryLogEntry(logged.isoformat(), "An", "a.vn", "A", "resolved", None)
    model = QueryLogTableModel(timezone=timezone(timedelta(hours=7)))
    model.set_rows([entry])
    assert cell(model, 0, 0) == logged.astimezone(timezone(timedelta(hours=7))).strftime(
        "%H:%M:%S"
    )
    # The agent reports another zone: the column is redrawn in it.
    with qtbot.waitSignal(model.dataChanged, timeout=1000) as changed:
        model.set_timezone(tokyo)
    assert changed.args[0].column() == QueryLogTableModel.TIME
    assert cell(model, 0, 0) == logged.astimezone(tokyo).strftime("%H:%M:%S")


TIME_REQUEST = AccessRequest(
    id="t1",
    child="An",
    site="30",
    reason="con làm bài tập trên OLM",
    status="pending",
    created_at=datetime(2025, 5, 3, 7, 14, tzinfo=UTC),
    kind="time",
)
SITE_REQUEST = dataclasses.replace(TIME_REQUEST, id="s1", site="roblox.com", kind="site")
TIME_UP = QueryLogEntry(
    "2025-05-03T14:05:09+07:00", "An", "www.youtube.com", "A", "blocked",
    QueryReason("time_up", category="video", service="YouTube"),
)


def requests_model() -> RequestsTableModel:
    model = RequestsTableModel(timezone=timezone(timedelta(hours=7)), now=lambda: NOW)
    model.set_snapshot(RequestsSnapshot(pending=(TIME_REQUEST, SITE_REQUEST), decided=()))
    return model


def test_a_request_for_more_time_and_a_time_up_reason_in_vietnamese(
    vietnamese: Translations,
) -> None:
    model = requests_model()
    row = model.row_of("t1")
    assert cell(model, row, RequestsTableModel.SITE) == "thêm 30 phút"
    assert model.heading_text(TIME_REQUEST) == "An xin thêm 30 phút (lúc 14:14)"
    assert model.heading_text(SITE_REQUEST) == "An xin mở roblox.com (lúc 14:14)"
    assert cell(model, model.row_of("s1"), RequestsTableModel.SITE) == "roblox.com"
    log = QueryLogTableModel()
    log.set_rows([TIME_UP])
    assert cell(log, 0, 4) == "Hết giờ YouTube hôm nay"


def test_a_request_for_more_time_and_a_time_up_reason_in_english(english: Translations) -> None:
    model = requests_model()
    assert cell(model, model.row_of("t1"), RequestsTableModel.SITE) == "30 more minutes"
    assert model.heading_text(TIME_REQUEST) == "An asks for 30 more minutes (at 14:14)"
    log = QueryLogTableModel()
    log.set_rows([TIME_UP])
    assert cell(log, 0, 4) == "No more YouTube time today"
