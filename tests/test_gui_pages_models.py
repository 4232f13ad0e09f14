"""The family pages' data without any widget: today's cards, the charts' bars, the events
in the family's words (a policy edit worded per language), and the weekly schedule's
edits. Every state is said with a mark and words, never by colour alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt

from gui.i18n import Translations
from gui.pages_backend import (
    ActivityHistory,
    ChildToday,
    DayActivity,
    FamilyEvent,
    FamilyOverview,
    Protection,
    Schedule,
    VersionedSchedules,
    WeekWindow,
)
from gui.pages_models import (
    CHART_SERIES,
    OK_MARK,
    REST,
    UNKNOWN_MARK,
    WARN_MARK,
    EventsTableModel,
    OverviewModel,
    chart_data,
    child_card,
    protection_lines,
)
from gui.schedule_model import WeekSchedule, crosses_midnight, day_spans, window_text

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DISPLAY = Qt.ItemDataRole.DisplayRole
# 20:14 in Hà Nội.
EDITED_AT = datetime(2026, 3, 2, 13, 14, tzinfo=UTC)


def history(days: int = 7) -> ActivityHistory:
    first = date(2026, 3, 2) - timedelta(days=days - 1)
    items = []
    for offset in range(days):
        apps = tuple((f"app{n}.exe", (n + 1) * 60 * (offset + 1)) for n in range(7))
        items.append(
            DayActivity(
                first + timedelta(days=offset),
                seconds=sum(seconds for _app, seconds in apps),
                apps=apps,
                categories=(("games", 600), ("other", 120)),
                blocked=(("gambling", offset), ("adult", 1)),
            )
        )
    return ActivityHistory("An", tuple(items))


def test_the_chart_keeps_the_biggest_series_and_sums_the_rest(vietnamese: Translations) -> None:
    chart = chart_data(history(), "apps")
    assert len(chart.day_labels) == 7
    assert chart.day_labels[-1] == "T2 02/03"  # today, on the right, with its weekday
    keys = [series.key for series in chart.series]
    assert keys[:CHART_SERIES] == ["app6.exe", "app5.exe", "app4.exe", "app3.exe", "app2.exe"]
    assert keys[-1] == REST and chart.series[-1].label == "Còn lại"
    # Minutes, from the agent's seconds; the rest is app0 and app1.
    assert chart.series[0].values[0] == 7
    assert chart.series[-1].values[-1] == (1 + 2) * 7
    assert chart.totals()[-1] == sum(n + 1 for n in range(7)) * 7
    assert chart.value_text(95) == "1 giờ 35 phút"
    assert chart.day_summary(6).startswith("T2 02/03 — 3 giờ 16 phút (app6.exe: 49 phút")
    assert "nhiều nhất vào T2 02/03" in chart.summary()


def test_the_chart_of_kinds_and_of_blocks(vietnamese: Translations) -> None:
    kinds = chart_data(history(), "categories")
    assert [series.label for series in kinds.series] == ["Trò chơi trực tuyến", "Ứng dụng khác"]
    assert kinds.series[0].values == (10,) * 7
    blocked = chart_data(history(30), "blocked")
    assert blocked.unit == "attempts" and len(blocked.day_labels) == 30
    assert blocked.day_labels[-1] == "02/03"  # 30 days: the date alone
    assert [series.key for series in blocked.series] == ["gambling", "adult"]
    assert blocked.value_text(3) == "3 lần bị chặn"
    empty = chart_data(None, "apps")
    assert empty.empty and empty.summary() == "Những ngày này chưa ghi nhận gì"


def test_the_chart_in_english(english: Translations) -> None:
    chart = chart_data(history(), "blocked")
    assert chart.day_labels[-1] == "Mon 02/03"
    assert chart.series[0].label == "Gambling and betting"
    assert chart.value_text(2) == "2 blocked"


TODAY = ChildToday(
    child="An",
    used_seconds=95 * 60,
    seconds_left=25 * 60,
    limit_kind="daily",
    top_apps=(("robloxplayerbeta.exe", 3600),),
    top_sites=(("vnexpress.net", 12),),
    blocked=4,
    blocked_by_category=(("gambling", 3), ("adult", 1)),
    pending_requests=2,
    alerts=1,
    tray="running",
)


def test_a_childs_card_in_words(vietnamese: Translations) -> None:
    whole = Protection(dns="ok", dns_reason="asks_agent", dns_servers=("127.0.0.1",),
                       lists="fresh")
    card = child_card(TODAY, whole)
    assert card.used == "Hôm nay đã dùng: 1 giờ 35 phút"
    assert card.left == "Còn 25 phút"
    assert card.apps == "robloxplayerbeta.exe (1 giờ 0 phút)"
    assert card.sites == "vnexpress.net (12)"
    assert card.blocked == "Số lần bị chặn: 4: Cờ bạc, cá độ (3), Nội dung người lớn (1)"
    assert card.waiting == "Yêu cầu đang chờ: 2, Cảnh báo hôm nay: 1"
    assert card.protected
    assert [line.shown for line in card.shown_lines()] == [
        f"{OK_MARK} Được bảo vệ đầy đủ",
        f"{OK_MARK} Biểu tượng Bảo An đang chạy cho An",
    ]
    spent = child_card(
        ChildToday("An", 3600, seconds_left=0, limit_kind="allowed_hours"), whole
    )
    assert spent.left == "Đang ngoài giờ được dùng máy"
    assert spent.apps == "Chưa dùng ứng dụng nào"
    assert spent.waiting == "Không có gì chờ cha mẹ"
    assert child_card(ChildToday("An", 0), whole).left == "Hôm nay không giới hạn"


def test_protection_is_said_with_a_mark_and_words_never_colour_alone(
    vietnamese: Translations,
) -> None:
    broken = Protection(dns="off", dns_reason="asks_others", dns_servers=("8.8.8.8",),
                        lists="stale")
    lines = protection_lines(broken, ChildToday("An", 0, tray="missing"))
    assert [(line.key, line.ok) for line in lines] == [
        ("dns", False), ("lists", False), ("tray", False)
    ]
    assert lines[0].shown == (
        f"{WARN_MARK} DNS của máy tính không đi qua Bảo An: máy đang hỏi 8.8.8.8"
    )
    assert lines[1].shown.startswith(WARN_MARK + " Danh sách chặn")
    assert lines[2].shown == f"{WARN_MARK} Biểu tượng Bảo An không chạy cho An"
    unknown = protection_lines(Protection(dns_reason="no_resolv_conf"), ChildToday("An", 0))
    assert unknown[0].mark == UNKNOWN_MARK and unknown[2].mark == UNKNOWN_MARK
    card = child_card(TODAY, broken)
    assert not card.protected
    assert card.shown_lines()[0].shown == f"{WARN_MARK} Việc bảo vệ cần được kiểm tra (xem ở trên)"
    model = OverviewModel()
    model.set_overview(FamilyOverview(date(2026, 3, 2), (TODAY,), broken))
    assert [line.key for line in model.pc_lines()] == ["dns", "lists"]
    assert [card.child for card in model.cards()] == ["An"]


def test_the_overview_in_english(english: Translations) -> None:
    card = child_card(TODAY, Protection(dns="off", dns_reason="agent_not_on_53", lists="fresh"))
    assert card.used == "Used today: 1 h 35 min"
    assert card.left == "25 min left"
    assert card.blocked.startswith("Blocked attempts: 4")
    assert card.shown_lines()[0].shown == f"{WARN_MARK} Protection needs a look (see above)"


def edit_event(*edits: dict[str, object]) -> FamilyEvent:
    return FamilyEvent(
        7, EDITED_AT, "policy-edited", "info", "a parent changed the rules", "An",
        {"changes": ["An: blocked roblox"], "edits": list(edits)},
    )


ROBLOX = {"child": "An", "field": "block_services", "change": "added", "value": "roblox",
          "name": "Roblox"}


def test_a_policy_edit_is_worded_in_each_language(qapp: object) -> None:
    translations = Translations(qapp)  # type: ignore[arg-type]
    try:
        model = EventsTableModel(timezone=ZONE, now=lambda: EDITED_AT)
        model.set_events([edit_event(ROBLOX)])
        translations.use("vi")
        what = model.data(model.index(0, EventsTableModel.WHAT), DISPLAY)
        assert what == "Cha mẹ đã chặn Roblox cho An lúc 20:14"
        assert model.data(model.index(0, EventsTableModel.TIME), DISPLAY) == "20:14"
        translations.use("en")
        what = model.data(model.index(0, EventsTableModel.WHAT), DISPLAY)
        assert what == "A parent blocked Roblox for An at 20:14"
    finally:
        translations.remove()


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        ({"child": "An", "field": "deny", "change": "added", "value": "casino.example"},
         "chặn trang casino.example cho An"),
        ({"child": "An", "field": "allow", "change": "removed", "value": "school.edu.vn"},
         "bỏ trang school.edu.vn khỏi danh sách luôn cho phép của An"),
        ({"child": "An", "field": "block_categories", "change": "added", "value": "gambling"},
         "chặn Cờ bạc, cá độ cho An"),
        ({"child": "An", "field": "allow_services", "change": "removed", "value": "youtube",
          "name": "YouTube"}, "đưa YouTube về quy định theo tuổi của An"),
        ({"child": "An", "field": "safe_search", "change": "set", "value": False},
         "tắt Tìm kiếm an toàn cho An"),
        ({"child": "An", "field": "youtube_mode", "change": "set", "value": "strict"},
         "đặt YouTube ở chế độ hạn chế (nghiêm ngặt) cho An"),
        ({"child": "An", "field": "schedules", "change": "changed"},
         "đổi giờ dùng Internet của An"),
        ({"field": "caregivers", "change": "changed"}, "đổi những người thân nhận cảnh báo"),
    ],
)
def test_each_kind_of_edit(vietnamese: Translations, edit: dict[str, object], words: str) -> None:
    model = EventsTableModel(timezone=ZONE, now=lambda: EDITED_AT)
    model.set_events([edit_event(edit)])
    assert model.data(model.index(0, EventsTableModel.WHAT), DISPLAY) == (
        f"Cha mẹ đã {words} lúc 20:14"
    )


def test_events_say_their_importance_in_words(vietnamese: Translations) -> None:
    model = EventsTableModel(timezone=ZONE, now=lambda: EDITED_AT)
    model.set_events([
        FamilyEvent(2, EDITED_AT, "help", "urgent", "An pressed Help / 111", "An"),
        FamilyEvent(1, EDITED_AT, "made-up-kind", "info", "something new happened"),
    ])
    assert model.rowCount() == 2 and model.alert_count() == 1
    assert model.data(model.index(0, EventsTableModel.LEVEL), DISPLAY) == f"{WARN_MARK} Khẩn cấp"
    assert model.data(model.index(0, EventsTableModel.WHAT), DISPLAY) == (
        "An đã bấm Trợ giúp / 111"
    )
    assert model.data(model.index(1, EventsTableModel.CHILD), DISPLAY) == "—"
    # A kind this version does not know keeps the agent's own line.
    assert model.data(model.index(1, EventsTableModel.WHAT), DISPLAY) == "something new happened"
    headers = [model.headerData(c, Qt.Orientation.Horizontal, DISPLAY) for c in range(4)]
    assert headers == ["Lúc", "Con", "Mức độ", "Việc đã xảy ra"]


def test_the_week_schedule_edits(vietnamese: Translations) -> None:
    version = VersionedSchedules(
        '"v1"',
        "An",
        (
            Schedule("service:tiktok", "blocked_during", (WeekWindow("mon", "08:00", "11:00"),)),
            Schedule("*", "blocked_during", (WeekWindow("sun", "21:30", "06:00"),)),
        ),
    )
    week = WeekSchedule.from_version(version)
    assert week.mode == "blocked_during"
    assert [rule.target for rule in week.others] == ["service:tiktok"]
    night = WeekWindow("fri", "22:00", "06:30")
    week = week.with_window(night).with_window(WeekWindow("fri", "17:00", "19:00"))
    assert [w.day for w in week.windows] == ["fri", "fri", "sun"]  # in the week's order
    assert crosses_midnight(night)
    assert window_text(night) == "Thứ Sáu: 22:00 – 06:30 (sáng hôm sau)"
    assert window_text(WeekWindow("sat", "00:00", "00:00")) == "Thứ Bảy: cả ngày"
    with pytest.raises(ValueError):
        week.with_window(night)  # there already
    with pytest.raises(ValueError):
        week.with_window(WeekWindow("fri", "25:00", "06:00"))
    moved = week.with_window(WeekWindow("sat", "22:00", "06:30"), replacing=week.index_of(night))
    assert night not in moved.windows and moved.day_windows("sat")
    saved = moved.with_mode("allowed_only_during").schedules()
    assert saved[0].target == "service:tiktok"  # the others, as they were
    assert saved[-1] == Schedule("*", "allowed_only_during", moved.windows)
    emptied = WeekSchedule("An", windows=(night,)).without_window(0)
    assert emptied.schedules() == ()  # no window, no schedule
    assert "Thứ Sáu: 17:00 – 19:00" in moved.summary()


def test_the_week_at_a_glance_carries_a_night_into_the_morning() -> None:
    spans = day_spans(
        (
            WeekWindow("sun", "21:30", "06:00"),
            WeekWindow("mon", "17:00", "19:00"),
            WeekWindow("sat", "08:00", "08:00"),
        )
    )
    assert spans["sun"] == [(21 * 60 + 30, 1440)]
    assert spans["mon"] == [(0, 360), (17 * 60, 19 * 60)]  # Sunday night goes on into Monday
    assert spans["sat"] == [(0, 1440)]  # the same start and end: the whole day
    assert spans["tue"] == []


def test_a_service_or_a_category_has_its_own_hours(vietnamese: Translations) -> None:
    from gui.backend import Catalogue, ServiceEntry
    from gui.schedule_model import target_choices

    tiktok = Schedule("service:tiktok", "blocked_during", (WeekWindow("mon", "08:00", "11:00"),))
    internet = Schedule("*", "allowed_only_during", (WeekWindow("sun", "07:00", "21:00"),))
    week = WeekSchedule.from_version(VersionedSchedules('"v1"', "An", (tiktok, internet)))
    assert week.target == "*" and week.windows == internet.windows
    # Pick TikTok: its own windows and rule, edited with the same functions.
    tik = week.for_target("service:tiktok")
    assert (tik.target, tik.mode, tik.windows) == ("service:tiktok", "blocked_during",
                                                   tiktok.windows)
    night = WeekWindow("fri", "21:30", "06:00")  # across midnight
    tik = tik.with_window(night).with_window(WeekWindow("fri", "12:00", "13:00"))
    assert [w.day for w in tik.windows] == ["mon", "fri", "fri"]  # several a day
    with pytest.raises(ValueError):
        tik.with_window(night)  # there already
    # A category with no hours yet starts empty; the edits before are kept, all saved.
    games = tik.for_target("category:games").with_window(WeekWindow("sat", "09:00", "11:00"))
    assert games.mode == "allowed_only_during"
    saved = {rule.target: rule for rule in games.schedules()}
    assert set(saved) == {"*", "service:tiktok", "category:games"}
    assert saved["service:tiktok"].windows == tik.windows
    assert saved["*"] == internet  # untouched
    assert games.for_target("service:tiktok").windows == tik.windows  # back again
    # Emptied, a service's schedule is gone; switching away and back does not bring it back.
    emptied = games.for_target("service:tiktok")
    for _ in range(len(emptied.windows)):
        emptied = emptied.without_window(0)
    assert "service:tiktok" not in {rule.target for rule in emptied.schedules()}
    assert emptied.for_target("*").for_target("service:tiktok").windows == ()

    catalogue = Catalogue(("games", "social"), (ServiceEntry("tiktok", "TikTok", "social"),))
    choices = dict(target_choices(catalogue, games))
    assert list(choices) == ["*", "category:games", "category:social", "service:tiktok"]
    assert choices["*"] == "Toàn bộ Internet (đã đặt giờ)"
    assert choices["service:tiktok"] == "TikTok (đã đặt giờ)"
    assert choices["category:social"] == "Mạng xã hội"
    # A schedule of a service this catalogue does not name is still offered.
    odd = WeekSchedule.from_version(VersionedSchedules('"v2"', "An", (
        Schedule("service:oldgame", "blocked_during", (WeekWindow("mon", "08:00", "09:00"),)),
    )))
    assert dict(target_choices(catalogue, odd))["service:oldgame"] == "oldgame (đã đặt giờ)"
