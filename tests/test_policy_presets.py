"""Age presets: the right preset for each age, real data, Decree 147/2024 caps."""

from __future__ import annotations

import pytest

from agent.policy.categories import CATEGORY_IDS
from agent.policy.presets import (
    DECREE_147_GAME_MINUTES_PER_DAY,
    DECREE_147_MINUTES_PER_GAME,
    preset_for_age,
    presets,
)
from agent.policy.services import load_catalogue
from dns_filter.policy import YouTubeMode


@pytest.mark.parametrize(
    ("age", "preset_id"),
    [
        (0, "mam-non"),
        (5, "mam-non"),
        (6, "tieu-hoc"),
        (10, "tieu-hoc"),
        (11, "thcs"),
        (14, "thcs"),
        (15, "thpt"),
        (17, "thpt"),
    ],
)
def test_preset_for_each_age(age: int, preset_id: str) -> None:
    assert preset_for_age(age).preset_id == preset_id


@pytest.mark.parametrize("age", [-1, 18, 40])
def test_adults_and_negative_ages_are_refused(age: int) -> None:
    with pytest.raises(ValueError, match="no preset for age"):
        preset_for_age(age)


def test_presets_cover_every_age_once_without_gaps() -> None:
    ranges = sorted((p.min_age, p.max_age) for p in presets().values())
    assert ranges == [(0, 5), (6, 10), (11, 14), (15, 17)]


def test_every_preset_uses_known_categories_and_services() -> None:
    catalogue = load_catalogue()
    for preset in presets().values():
        assert preset.blocked_categories <= CATEGORY_IDS, preset.preset_id
        assert all(service in catalogue for service in preset.blocked_services), preset.preset_id
        assert {"adult", "gambling", "drugs", "bypass", "threats"} <= preset.blocked_categories


def test_preset_rules_follow_the_design() -> None:
    mam_non, tieu_hoc, thcs, thpt = (presets()[p] for p in ("mam-non", "tieu-hoc", "thcs", "thpt"))
    assert mam_non.allow_list_only and mam_non.allow
    assert not (tieu_hoc.allow_list_only or thcs.allow_list_only or thpt.allow_list_only)
    assert {"dating", "violence", "weapons", "chat", "social"} <= tieu_hoc.blocked_categories
    assert {"tiktok", "facebook", "zalo", "discord"} <= tieu_hoc.blocked_services
    assert tieu_hoc.youtube_mode is YouTubeMode.STRICT and tieu_hoc.safe_search
    assert {"dating", "violence"} <= thcs.blocked_categories
    assert "social" not in thcs.blocked_categories
    assert thcs.screen_time.category_minutes["social"] == 60  # time-limited, not blocked
    assert thcs.youtube_mode is YouTubeMode.MODERATE
    assert {"pubg", "riot-games"} <= thcs.blocked_services
    assert "dating" not in thpt.blocked_categories and thpt.safe_search
    assert [p.film_ratings[-1] for p in (mam_non, tieu_hoc, thcs, thpt)] == ["P", "K", "T13", "T16"]
    assert [p.game_rating for p in (mam_non, tieu_hoc, thcs, thpt)] == ["00+", "00+", "12+", "16+"]


def test_every_preset_applies_the_decree_147_game_caps_and_a_bedtime() -> None:
    assert (DECREE_147_MINUTES_PER_GAME, DECREE_147_GAME_MINUTES_PER_DAY) == (60, 180)
    for preset in presets().values():
        limits = preset.screen_time
        assert limits.per_game_minutes == 60
        assert limits.category_minutes["games"] == 180
        assert set(limits.daily_minutes) == set(range(7))
        covered = set().union(*(window.days for window in limits.allowed_hours))
        assert covered == set(range(7)), preset.preset_id
        assert limits.warnings_minutes == (15, 5, 1)


def test_older_children_get_more_time_and_a_later_bedtime() -> None:
    ordered = [presets()[p].screen_time for p in ("mam-non", "tieu-hoc", "thcs", "thpt")]
    mondays = [limits.daily_minutes[0] for limits in ordered]
    assert mondays == sorted(mondays) and mondays[0] < mondays[-1]
    bedtimes = [limits.allowed_hours[0].end for limits in ordered]
    assert bedtimes == sorted(bedtimes)
