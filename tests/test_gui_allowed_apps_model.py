"""The Screen time tab's always-allowed apps and its week windows, without widgets; and a
spent service worded by the catalogue's name wherever a reason is shown."""

from __future__ import annotations

from PySide6.QtCore import Qt

from gui.allowed_apps_model import (
    DUPLICATE,
    AllowedAppsTableModel,
    app_label,
    entry_problem_text,
)
from gui.backend import QueryLogEntry, QueryReason, ScheduleWindow, SeenApp
from gui.i18n import Translations
from gui.labels import reason_label
from gui.models import QueryLogTableModel
from gui.pages_backend import WeekWindow
from gui.schedule_model import ordered_windows, week_summary, with_window, without_window

SEEN = (
    SeenApp("zoom.exe", exe_name="Zoom.exe", exe_path="C:\\Zoom\\Zoom.exe",
            product_name="Zoom Workplace", children=("An",)),
    SeenApp("robloxplayerbeta.exe", exe_name="RobloxPlayerBeta.exe", service="roblox",
            service_name="Roblox", category="games", children=("An", "Bình")),
    SeenApp("winword.exe"),
)
CHECK = Qt.ItemDataRole.CheckStateRole


def test_an_app_is_named_as_a_parent_knows_it() -> None:
    assert [app_label(app) for app in SEEN] == ["Zoom Workplace", "Roblox", "winword.exe"]


def test_ticks_in_and_the_list_back(vietnamese: Translations) -> None:
    model = AllowedAppsTableModel()
    model.show_apps(SEEN, ["ZOOM.EXE", "khanacademy.exe"])  # names without regard to case
    labels = [row.label for row in model.rows()]
    assert labels == ["khanacademy.exe", "Zoom Workplace", "Roblox", "winword.exe"]
    assert [row.allowed for row in model.rows()] == [True, True, False, False]
    assert model.data(model.index(0, model.FILE)) == "chưa thấy trên máy tính này"
    assert model.data(model.index(2, model.USED_BY)) == "An, Bình"
    assert model.data(model.index(1, model.FILE), Qt.ItemDataRole.ToolTipRole) == (
        "C:\\Zoom\\Zoom.exe"
    )
    assert model.allowed_names() == ("ZOOM.EXE", "khanacademy.exe")  # as read, in order

    # A tick, as a view sets it (Space or a click on the box).
    assert model.flags(model.index(2, model.APP)) & Qt.ItemFlag.ItemIsUserCheckable
    assert model.setData(model.index(2, model.APP), Qt.CheckState.Checked.value, CHECK)
    assert model.data(model.index(2, model.APP), CHECK) == Qt.CheckState.Checked
    assert [row.label for row in model.rows()][2] == "Roblox"  # the row stays in its place
    model.set_allowed(1, False)
    assert model.allowed_names() == ("khanacademy.exe", "robloxplayerbeta.exe")
    accessible = model.data(model.index(2, model.APP), Qt.ItemDataRole.AccessibleTextRole)
    assert accessible == "Roblox: luôn được dùng"


def test_an_app_not_seen_yet_is_typed_by_name_or_path(vietnamese: Translations) -> None:
    model = AllowedAppsTableModel()
    model.show_apps(SEEN, ["khanacademy.exe"])
    olm = r"C:\Program Files\OLM\olm.exe"
    assert model.add_typed(f"  {olm} ") is None
    assert model.add_typed("/usr/bin/libreoffice") is None
    assert model.allowed_names() == ("khanacademy.exe", "/usr/bin/libreoffice", olm)
    row = next(row for row in model.rows() if row.allow_name == olm)
    assert row.allowed and not row.seen and row.label == olm
    # The same app again, however written, is not a second entry.
    assert model.add_typed("c:/program files/olm/OLM.exe") == DUPLICATE
    assert model.add_typed("KhanAcademy") == DUPLICATE
    # A name of an app seen here ticks its row.
    assert model.add_typed("zoom") is None
    assert "zoom.exe" in model.allowed_names() and len(model.rows()) == 6
    assert entry_problem_text(DUPLICATE) == "Ứng dụng này đã có trong danh sách."


def test_garbage_typed_is_refused_with_words_and_adds_nothing(vietnamese: Translations) -> None:
    model = AllowedAppsTableModel()
    model.show_apps(SEEN, [])
    for typed, problem in [("", "empty"), ("/", "folder"), ("C:\\", "folder"),
                           ("zoom\x07", "control"), ("a" * 400, "too_long"),
                           ("bin/zoom", "not_full_path"), ("zo|om", "not_a_name")]:
        assert model.add_typed(typed) == problem, typed
        words = entry_problem_text(problem)
        assert words and words != problem and "Type" not in words  # said in Vietnamese
    assert model.allowed_names() == () and len(model.rows()) == 3


def test_the_titles_in_english(english: Translations) -> None:
    model = AllowedAppsTableModel()
    assert model.column_titles() == ["Always allowed", "File", "Used by"]


def test_week_windows_as_pure_functions(vietnamese: Translations) -> None:
    night = WeekWindow("sat", "21:00", "01:00")
    windows = with_window((), night)
    windows = with_window(windows, WeekWindow("mon", "16:00", "18:00"))
    assert windows == (WeekWindow("mon", "16:00", "18:00"), night)  # the week's order
    try:
        with_window(windows, night)
    except ValueError:
        pass
    else:
        raise AssertionError("a window twice")
    assert without_window(windows, 0) == (night,)
    assert ordered_windows((night, night)) == (night,)
    assert week_summary(windows) == (
        "Thứ Hai: 16:00 – 18:00\nThứ Bảy: 21:00 – 01:00 (sáng hôm sau)"
    )


def test_a_spent_service_is_shown_by_its_name(vietnamese: Translations) -> None:
    names = {"youtube": "YouTube"}
    spent = QueryReason("time_up", category="video", service="youtube")
    assert reason_label(spent, names) == "Hết giờ YouTube hôm nay"
    assert "youtube" not in reason_label(spent, names)
    blocked = QueryReason("service", category="video", service="youtube")
    assert "YouTube" in reason_label(blocked, names)
    window = ScheduleWindow("service:youtube", "blocked", (("21:00", "06:00"),))
    assert "YouTube" in reason_label(QueryReason("schedule", window=window), names)

    model = QueryLogTableModel()
    model.set_rows([QueryLogEntry("2026-12-07T09:00:00+07:00", "An", "www.youtube.com", "A",
                                  "blocked", spent)])
    model.set_service_names(names)
    assert model.data(model.index(0, model.REASON)) == "Hết giờ YouTube hôm nay"
