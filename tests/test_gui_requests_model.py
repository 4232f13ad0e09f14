"""The requests tab's model and rules without any widget: rows, order, states, words in
Vietnamese and English, escaping, and "until the end of today" in the family's zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt

from gui.backend import AccessRequest, RequestsSnapshot, request_state
from gui.controller import minutes_until_end_of_day
from gui.i18n import Translations
from gui.models import RECORD_ROLE, SORT_ROLE, RequestRow, RequestsTableModel

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 12:00 in Hồ Chí Minh City
DISPLAY = Qt.ItemDataRole.DisplayRole
HORIZONTAL = Qt.Orientation.Horizontal


def asked(
    request_id: str,
    minutes_ago: int,
    *,
    child: str = "Minh",
    site: str = "casino.example",
    reason: str = "Con cần tra cứu bài tập",
    status: str = "pending",
    decided_minutes_ago: float | None = None,
    granted_minutes: float | None = None,
) -> AccessRequest:
    created = NOW - timedelta(minutes=minutes_ago)
    decided = None if decided_minutes_ago is None else NOW - timedelta(minutes=decided_minutes_ago)
    until = None
    if decided is not None and granted_minutes is not None:
        until = decided + timedelta(minutes=granted_minutes)
    return AccessRequest(request_id, child, site, reason, status, created, decided, "parent", until)


# A grant of 60 minutes in force, one of 30 that ran out, one a parent revoked after 7 min
# 13 s, a refusal, and two waiting.
ALLOWED = asked("allowed", 50, status="allowed", decided_minutes_ago=20, granted_minutes=60)
EXPIRED = asked("expired", 200, site="games.example", status="allowed", decided_minutes_ago=190,
                granted_minutes=30)  # fmt: skip
REVOKED = asked("revoked", 120, site="bet.example", status="allowed", decided_minutes_ago=100,
                granted_minutes=7 + 13 / 60)  # fmt: skip
DENIED = asked("denied", 30, child="Lan", site="adult.example", status="denied",
               decided_minutes_ago=10)  # fmt: skip
OLD_WAITING = asked("old-waiting", 90, child="Lan", site="tiktok.com", reason="")
NEW_WAITING = asked("new-waiting", 2, reason="<b>Bài tập</b> <script>alert(1)</script>\nDòng 2")

SNAPSHOT = RequestsSnapshot(
    pending=(OLD_WAITING, NEW_WAITING),
    decided=(EXPIRED, DENIED, ALLOWED, REVOKED),
    active_ids=frozenset({"allowed"}),
)


def make_model() -> RequestsTableModel:
    model = RequestsTableModel(timezone=HCM, now=lambda: NOW)
    model.set_snapshot(SNAPSHOT)
    return model


def column(model: RequestsTableModel, number: int, role: int = DISPLAY) -> list[object]:
    return [model.data(model.index(row, number), role) for row in range(model.rowCount())]


def test_request_states_from_the_grants_in_force() -> None:
    active = SNAPSHOT.active_ids
    assert request_state(NEW_WAITING, active) == "pending"
    assert request_state(ALLOWED, active) == "allowed"
    assert request_state(ALLOWED, frozenset()) == "expired"  # its whole 60 minutes ran out
    assert request_state(EXPIRED, active) == "expired"
    assert request_state(REVOKED, active) == "revoked"  # ended 7 min 13 s after the answer
    assert request_state(DENIED, active) == "denied"
    open_ended = asked("x", 5, status="allowed", decided_minutes_ago=1)
    assert request_state(open_ended, frozenset({"x"})) == "allowed"
    assert request_state(open_ended, frozenset()) == "revoked"
    revoked_at_once = asked("y", 5, status="allowed", decided_minutes_ago=1, granted_minutes=0)
    assert request_state(revoked_at_once, frozenset()) == "revoked"


def test_waiting_first_then_latest_answers(vietnamese: Translations) -> None:
    model = make_model()
    ids = [row.request.id for row in model.rows()]
    # Waiting ones newest first, then by the time of the answer, latest first.
    assert ids == ["new-waiting", "old-waiting", "denied", "allowed", "revoked", "expired"]
    assert model.waiting_count() == 2
    assert model.row_of("revoked") == 4 and model.row_of("nothing") == -1
    record = model.data(model.index(0, 0), RECORD_ROLE)
    assert isinstance(record, RequestRow) and record.request is NEW_WAITING


def test_vietnamese_headers_and_states(vietnamese: Translations) -> None:
    model = make_model()
    headers = [model.headerData(c, HORIZONTAL, DISPLAY) for c in range(model.columnCount())]
    assert headers == ["Con", "Trang web", "Lý do của con", "Lúc xin", "Trạng thái"]
    assert column(model, RequestsTableModel.STATE) == [
        "Đang chờ bạn trả lời",
        "Đang chờ bạn trả lời",
        "Không cho phép",
        "Được phép đến 12:40",  # decided at 11:40 for 60 minutes, Hồ Chí Minh time
        "Đã thu hồi",
        "Đã hết giờ",
    ]
    assert column(model, RequestsTableModel.CHILD) == ["Minh", "Lan", "Lan", "Minh", "Minh", "Minh"]
    assert column(model, RequestsTableModel.ASKED)[:2] == ["11:58", "10:30"]
    assert column(model, RequestsTableModel.REASON)[1] == "(con không ghi lý do)"
    # Waiting rows stand out.
    font = model.data(model.index(0, 0), Qt.ItemDataRole.FontRole)
    assert font is not None and font.bold()
    assert model.data(model.index(2, 0), Qt.ItemDataRole.FontRole) is None
    tooltip = model.data(model.index(2, RequestsTableModel.STATE), Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "Trả lời lúc 11:50"


def test_english_headers_and_states(english: Translations) -> None:
    model = make_model()
    headers = [model.headerData(c, HORIZONTAL, DISPLAY) for c in range(model.columnCount())]
    assert headers == ["Child", "Website", "Child's reason", "Asked at", "State"]
    assert column(model, RequestsTableModel.STATE)[2:] == [
        "Not allowed",
        "Allowed until 12:40",
        "Revoked",
        "Time is up",
    ]


def test_times_of_another_day_carry_the_date(vietnamese: Translations) -> None:
    late = asked("late", 0, status="allowed", decided_minutes_ago=0, granted_minutes=13 * 60)
    model = RequestsTableModel(timezone=HCM, now=lambda: NOW)
    model.set_snapshot(RequestsSnapshot(decided=(late,), active_ids=frozenset({"late"})))
    assert column(model, RequestsTableModel.STATE) == ["Được phép đến 03/03 01:00"]


def test_the_reason_is_plain_text(vietnamese: Translations) -> None:
    model = make_model()
    shown = model.data(model.index(0, RequestsTableModel.REASON), DISPLAY)
    # Literally, on one line; a table cell is never rendered as markup.
    assert shown == "<b>Bài tập</b> <script>alert(1)</script> Dòng 2"
    tooltip = model.data(model.index(0, RequestsTableModel.REASON), Qt.ItemDataRole.ToolTipRole)
    # Qt would take a tooltip that looks like HTML for rich text: it is escaped.
    assert tooltip == (
        "<qt>&lt;b&gt;Bài tập&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;<br>Dòng 2</qt>"
    )
    assert "<b>" not in tooltip and "<script>" not in tooltip


def test_sorting_values_and_a_refresh_that_keeps_rows(vietnamese: Translations) -> None:
    model = make_model()
    assert column(model, RequestsTableModel.STATE, SORT_ROLE) == [0, 0, 2, 1, 4, 3]
    asked_at = column(model, RequestsTableModel.ASKED, SORT_ROLE)
    assert asked_at[0] == NEW_WAITING.created_at.timestamp()
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.set_snapshot(SNAPSHOT)  # the timer's refresh: same rows, no reset
    assert resets == []
    # A new answer changes a row's state in place.
    model.set_snapshot(RequestsSnapshot(SNAPSHOT.pending, SNAPSHOT.decided, active_ids=frozenset()))
    assert resets == []
    assert model.data(model.index(3, RequestsTableModel.STATE), DISPLAY) == "Đã hết giờ"
    # A new request is a new set of rows.
    newer = asked("newest", 1)
    model.set_snapshot(RequestsSnapshot((newer, *SNAPSHOT.pending), SNAPSHOT.decided))
    assert resets == [True]
    assert model.rows()[0].request.id == "newest" and model.waiting_count() == 3


@pytest.mark.parametrize(
    ("local_time", "minutes"),
    [
        ("2026-03-02T12:00:00+07:00", 720),
        ("2026-03-02T12:00:30+07:00", 719),  # never into tomorrow
        ("2026-03-02T23:59:30+07:00", 1),  # the agent's smallest grant
        ("2026-03-02T00:00:00+07:00", 1440),
    ],
)
def test_minutes_until_the_end_of_today(local_time: str, minutes: int) -> None:
    now = datetime.fromisoformat(local_time).astimezone(UTC)
    assert minutes_until_end_of_day(now, HCM) == minutes


def test_end_of_today_follows_the_family_zone_not_utc() -> None:
    # 05:00 UTC is noon in Hồ Chí Minh City: 12 hours are left there, 19 in UTC.
    assert minutes_until_end_of_day(NOW, HCM) == 720
    assert minutes_until_end_of_day(NOW, UTC) == 19 * 60


def test_the_agents_state_wins_over_the_guess(vietnamese: Translations) -> None:
    # A revoke exactly five minutes after the answer looks like a 5-minute grant that ran
    # out, and a 7 min 13 s grant like a revoke: only the agent knows.
    revoked = replace(EXPIRED, state="revoked", revoked_at=EXPIRED.allowed_until)
    ran_out = replace(REVOKED, state="expired")
    in_force = replace(ALLOWED, state="allowed")
    assert request_state(revoked, frozenset()) == "revoked"
    assert request_state(ran_out, frozenset()) == "expired"
    assert request_state(in_force, frozenset()) == "allowed"
    # A state we do not know falls back to the guess.
    assert request_state(replace(REVOKED, state="later"), frozenset()) == "revoked"
    model = RequestsTableModel(timezone=HCM, now=lambda: NOW)
    model.set_snapshot(RequestsSnapshot(decided=(revoked, ran_out, in_force)))
    states = dict(zip(
        [row.request.id for row in model.rows()], column(model, RequestsTableModel.STATE),
        strict=True,
    ))
    assert states == {
        "expired": "Đã thu hồi",
        "revoked": "Đã hết giờ",
        "allowed": "Được phép đến 12:40",
    }


def test_a_new_time_zone_redraws_the_times(vietnamese: Translations) -> None:
    model = RequestsTableModel(timezone=UTC, now=lambda: NOW)
    model.set_snapshot(SNAPSHOT)
    assert column(model, RequestsTableModel.ASKED)[:2] == ["04:58", "03:30"]
    changed: list[int] = []
    model.dataChanged.connect(lambda first, _last, *_: changed.append(first.column()))
    model.set_timezone(HCM)
    assert RequestsTableModel.ASKED in changed and RequestsTableModel.STATE in changed
    assert column(model, RequestsTableModel.ASKED)[:2] == ["11:58", "10:30"]
    assert column(model, RequestsTableModel.STATE)[3] == "Được phép đến 12:40"
