"""The caregivers widget: its model without any widget (the caregivers, their channels'
last results and the dead-man signal in words, Vietnamese and English), then the widget and
its controller over a backend that answers as the agent does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from gui.caregivers import (
    CaregiversController,
    CaregiversModel,
    CaregiversSnapshot,
    CaregiverState,
    ChannelState,
    ChannelTest,
    DeadManState,
)
from gui.i18n import Translations
from gui.views.caregivers_view import CaregiversView
from gui.workers import ApiRunner

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 12:00 in Hồ Chí Minh City

MUM = CaregiverState(
    name="Mẹ",
    hears=("help", "adult"),
    quiet_hours="22:00–06:30",
    channels=(
        ChannelState("ntfy:Mẹ", "ntfy", "https://ntfy.example.org",
                     last_delivered=NOW - timedelta(minutes=5)),
    ),
    dead_man=DeadManState("https://ntfy.example.org", "replaces",
                          last_published=NOW - timedelta(minutes=4)),
)
GRANDMA = CaregiverState(
    name="Bà",
    channels=(
        ChannelState("ntfy:Bà", "ntfy", "http://old.example", last_error="HTTP 403 refused",
                     refused_for_good=True, waiting=2),
        ChannelState("email:Bà", "email", "ba@example.com"),
    ),
    dead_man=DeadManState("http://old.example", "keeps-every-copy"),
)
SNAPSHOT = CaregiversSnapshot(pc="Phòng-khách", caregivers=(MUM, GRANDMA))


def model() -> CaregiversModel:
    found = CaregiversModel(lambda: NOW, HCM)
    found.set_snapshot(SNAPSHOT)
    return found


def test_the_model_words_each_caregiver_in_vietnamese(vietnamese: Translations) -> None:
    words = model()
    assert words.heading() == "Người thân nhận cảnh báo từ máy Phòng-khách"
    mum, grandma = words.rows()
    assert mum.hears == "Trợ giúp / 111, Nội dung người lớn"
    assert "ntfy (điện thoại): https://ntfy.example.org" in mum.channels
    assert "Giờ yên lặng 22:00–06:30" in mum.channels
    assert mum.deliveries == "Gửi được lần cuối lúc 11:55"
    assert mum.dead_man == "Hoạt động: gửi lại lần cuối lúc 11:56" and mum.dead_man_ok
    assert not mum.trouble
    assert grandma.hears == "Mọi cảnh báo"
    assert grandma.trouble
    assert "Bị từ chối, không thử lại: HTTP 403 refused · 2 tin đang chờ" in grandma.deliveries
    assert "Chưa gửi gì" in grandma.deliveries
    assert "cũ hơn 2.16" in grandma.dead_man and not grandma.dead_man_ok


def test_the_model_in_english_and_a_late_or_missing_signal(english: Translations) -> None:
    words = model()
    mum, grandma = words.rows()
    assert mum.hears == "Help / 111, Adult content"
    assert mum.dead_man == "Works: last re-published 11:56"
    assert grandma.dead_man.startswith("No signal: the ntfy server is older than 2.16")
    late = CaregiverState("Cô", dead_man=DeadManState(
        "https://ntfy.sh", "replaces", last_published=NOW - timedelta(hours=2)))
    row = words.row(late)
    assert not row.dead_man_ok and "10:00" in row.dead_man
    assert words.row(CaregiverState("Chú")).dead_man == "No signal: needs an ntfy channel"
    assert words.hears_text(("requests",)) == "Help / 111, The children's requests"
    empty = CaregiversModel(lambda: NOW, HCM)
    empty.set_snapshot(CaregiversSnapshot("Phòng-khách"))
    assert "baoan caregiver add" in empty.heading() and empty.rows() == []


def test_the_test_results_in_words(vietnamese: Translations) -> None:
    words = model()
    text, all_sent = words.test_text([
        ChannelTest("ntfy:Mẹ", "sent"),
        ChannelTest("ntfy:Bà", "refused", "HTTP 403"),
        ChannelTest("email:Bà", "not_set_up"),
    ])
    assert not all_sent
    assert text.splitlines() == [
        "ntfy:Mẹ: đã gửi",
        "ntfy:Bà: bị từ chối, hãy xem lại địa chỉ hoặc mã truy cập — HTTP 403",
        "email:Bà: chưa thiết lập xong (email cần máy chủ thư)",
    ]
    assert words.test_text([ChannelTest("ntfy:Mẹ", "sent")]) == ("ntfy:Mẹ: đã gửi", True)


class FakeBackend:
    """Answers as the agent's caregivers endpoints do (and nothing else is asked)."""

    def __init__(self) -> None:
        self.tests = 0

    def caregivers(self, token: str) -> CaregiversSnapshot:
        assert token == "parent-token"
        return SNAPSHOT

    def send_test_alert(self, token: str) -> tuple[ChannelTest, ...]:
        self.tests += 1
        return (ChannelTest("ntfy:Mẹ", "sent"), ChannelTest("ntfy:Bà", "refused", "HTTP 403"))


def test_the_widget_shows_the_caregivers_and_sends_a_test(
    qtbot: Any, english: Translations
) -> None:
    backend = FakeBackend()
    runner = ApiRunner(backend)  # type: ignore[arg-type]
    failures: list[object] = []
    controller = CaregiversController(runner, lambda: "parent-token", failures.append)
    assert controller.supported
    view = CaregiversView(CaregiversModel(lambda: NOW, HCM))
    qtbot.addWidget(view)
    controller.loaded.connect(view.show_snapshot)
    controller.tested.connect(view.show_tested)
    view.test_requested.connect(controller.send_test)
    assert not view.test_button.isEnabled()  # nothing to test before the list came
    with qtbot.waitSignal(controller.loaded, timeout=5000):
        controller.load()
    assert view.table.rowCount() == 2
    assert view.table.item(0, view.NAME).text() == "Mẹ"
    assert view.table.item(1, view.DEAD_MAN).text().startswith("⚠ No signal")
    assert view.test_button.text() == "Send a test alert" and view.test_button.isEnabled()
    with qtbot.waitSignal(controller.tested, timeout=5000):
        view.test_button.click()
    assert backend.tests == 1
    assert view.result_label.text().splitlines()[0] == "ntfy:Mẹ: sent"
    assert failures == []
    view.clear()
    assert view.table.rowCount() == 0
    runner.shutdown()
