"""The per-category and per-service limits table, without widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gui.backend import ScreenTimeLimits
from gui.limits_model import CATEGORY, SERVICE, MinuteLimit, MinuteLimitsTableModel

LIMITS = ScreenTimeLimits(
    child="An",
    daily_minutes=(60, 60, 60, 60, 60, 120, 120),
    category_minutes=(("games", 180),),
    service_minutes=(("youtube", 45),),
)


def test_rows_in_and_the_limits_back(qapp: object) -> None:
    model = MinuteLimitsTableModel()
    model.show_limits(LIMITS)
    assert model.rows() == [
        MinuteLimit(CATEGORY, "games", 180), MinuteLimit(SERVICE, "youtube", 45)
    ]
    assert model.applied_to(LIMITS) == LIMITS


def test_put_adds_or_changes_and_remove_drops(qapp: object) -> None:
    model = MinuteLimitsTableModel()
    model.set_service_names({"roblox": "Roblox"})
    model.show_limits(LIMITS)
    model.put(SERVICE, "roblox", 30)
    model.put(CATEGORY, "games", 90)  # the same target: its minutes change
    assert [row.target for row in model.rows()] == ["games", "roblox", "youtube"]
    assert model.data(model.index(1, model.TARGET), Qt.ItemDataRole.DisplayRole) == "Roblox"
    assert model.data(model.index(1, model.MINUTES), Qt.ItemDataRole.DisplayRole) == "30 min"
    model.remove([2])
    edited = model.applied_to(LIMITS)
    assert edited.category_minutes == (("games", 90),)
    assert edited.service_minutes == (("roblox", 30),)
    assert edited.daily_minutes == LIMITS.daily_minutes


def test_a_limit_needs_a_target_and_minutes(qapp: object) -> None:
    model = MinuteLimitsTableModel()
    with pytest.raises(ValueError):
        model.put("app", "x", 10)
    with pytest.raises(ValueError):
        model.put(SERVICE, "", 10)


def test_warnings_as_typed() -> None:
    from gui.limits_model import parse_warnings, warnings_text

    assert parse_warnings("15, 5, 1") == (15, 5, 1)
    assert parse_warnings("1 5,15, 5") == (15, 5, 1)
    assert parse_warnings("") == ()
    assert parse_warnings("15, năm") is None and parse_warnings("-5") is None
    assert warnings_text((15, 5, 1)) == "15, 5, 1"
