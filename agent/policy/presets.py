"""The four age presets (school levels, film and game ratings) as real data.

Film ratings follow the Law on Cinema 2022 (P, K, T13, T16, T18); game ratings and the
under-18 caps (60 minutes per game, 180 minutes a day) follow Decree 147/2024/NĐ-CP.
Bảo An is for children: ages of 18 or more have no preset and are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from types import MappingProxyType

from agent.policy.model import MAX_CHILD_AGE, ScreenTimeLimits
from dns_filter.policy import TimeWindow, YouTubeMode

# Decree 147/2024: players under 18 play at most 60 minutes per game and 180 minutes a day.
DECREE_147_MINUTES_PER_GAME = 60
DECREE_147_GAME_MINUTES_PER_DAY = 180

EVERY_DAY = frozenset(range(7))
SCHOOL_NIGHTS = frozenset({6, 0, 1, 2, 3})  # Sunday to Thursday: school the next morning
WEEKEND_NIGHTS = frozenset({4, 5})  # Friday and Saturday

# The safety categories every preset blocks.
_SAFETY = frozenset({"threats", "scam"})

_SOCIAL = ("tiktok", "facebook", "instagram", "threads", "x", "snapchat", "reddit")
_CHAT = ("messenger", "zalo", "telegram", "whatsapp", "discord")
_GAMES_12 = ("lien-quan", "free-fire", "genshin-impact", "epic-games")
_GAMES_16 = ("pubg", "riot-games")
_OTHER_GAMES = ("roblox", "minecraft", "steam", "android-emulators")
_VIDEO = ("youtube", "twitch", "netflix", "bilibili", "capcut")


@dataclass(frozen=True)
class Preset:
    preset_id: str
    name_vi: str
    name_en: str
    min_age: int
    max_age: int
    film_ratings: tuple[str, ...]  # Law on Cinema 2022
    game_rating: str  # Decree 147/2024
    blocked_categories: frozenset[str]
    blocked_services: frozenset[str]
    allow: tuple[str, ...]  # starting allow list (the youngest browse only these)
    allow_list_only: bool
    safe_search: bool
    youtube_mode: YouTubeMode
    screen_time: ScreenTimeLimits


def _days(weekdays: int, weekend: int) -> Mapping[int, int]:
    return MappingProxyType({day: weekdays if day < 5 else weekend for day in range(7)})


def _hours(
    start: str, school_night_end: str, weekend_night_end: str | None = None
) -> tuple[TimeWindow, ...]:
    begin = time.fromisoformat(start)
    if weekend_night_end is None:
        return (TimeWindow(EVERY_DAY, begin, time.fromisoformat(school_night_end)),)
    return (
        TimeWindow(SCHOOL_NIGHTS, begin, time.fromisoformat(school_night_end)),
        TimeWindow(WEEKEND_NIGHTS, begin, time.fromisoformat(weekend_night_end)),
    )


def _game_caps(**extra: int) -> Mapping[str, int]:
    return MappingProxyType({"games": DECREE_147_GAME_MINUTES_PER_DAY, **extra})


def _build_presets() -> tuple[Preset, ...]:
    return (
        Preset(
            preset_id="mam-non",
            name_vi="Mầm non (0–5 tuổi)",
            name_en="Preschool (ages 0–5)",
            min_age=0,
            max_age=5,
            film_ratings=("P",),
            game_rating="00+",
            blocked_categories=_SAFETY
            | {
                "adult", "gambling", "dating", "drugs", "violence", "weapons", "chat",
                "social", "games", "video", "shopping", "bypass", "piracy", "hacking",
                "shortener",
            },
            blocked_services=frozenset(
                _SOCIAL + _CHAT + _GAMES_12 + _GAMES_16 + _OTHER_GAMES + _VIDEO + ("shopee",)
            ),
            allow=("khanacademy.org", "pbskids.org", "starfall.com", "monkey.edu.vn"),
            allow_list_only=True,
            safe_search=True,
            youtube_mode=YouTubeMode.STRICT,
            screen_time=ScreenTimeLimits(
                daily_minutes=_days(60, 60),
                allowed_hours=_hours("07:00", "19:30"),
                category_minutes=_game_caps(),
                per_game_minutes=DECREE_147_MINUTES_PER_GAME,
            ),
        ),
        Preset(
            preset_id="tieu-hoc",
            name_vi="Tiểu học (6–10 tuổi)",
            name_en="Primary school (ages 6–10)",
            min_age=6,
            max_age=10,
            film_ratings=("P", "K"),
            game_rating="00+",
            blocked_categories=_SAFETY
            | {
                "adult", "gambling", "dating", "drugs", "violence", "weapons", "chat",
                "social", "bypass", "piracy", "hacking",
            },
            blocked_services=frozenset(
                _SOCIAL + _CHAT + _GAMES_12 + _GAMES_16 + ("steam", "twitch", "bilibili")
            ),
            allow=(),
            allow_list_only=False,
            safe_search=True,
            youtube_mode=YouTubeMode.STRICT,
            screen_time=ScreenTimeLimits(
                daily_minutes=_days(60, 120),
                allowed_hours=_hours("06:00", "20:30", "21:30"),
                category_minutes=_game_caps(),
                per_game_minutes=DECREE_147_MINUTES_PER_GAME,
            ),
        ),
        Preset(
            preset_id="thcs",
            name_vi="Trung học cơ sở (11–14 tuổi)",
            name_en="Lower secondary school (ages 11–14)",
            min_age=11,
            max_age=14,
            film_ratings=("P", "K", "T13"),
            game_rating="12+",
            blocked_categories=_SAFETY
            | {"adult", "gambling", "dating", "drugs", "violence", "bypass", "hacking"},
            blocked_services=frozenset(_GAMES_16),
            allow=(),
            allow_list_only=False,
            safe_search=True,
            youtube_mode=YouTubeMode.MODERATE,
            screen_time=ScreenTimeLimits(
                daily_minutes=_days(120, 180),
                allowed_hours=_hours("06:00", "21:30", "22:30"),
                # social networks are time-limited rather than blocked at this age
                category_minutes=_game_caps(social=60),
                per_game_minutes=DECREE_147_MINUTES_PER_GAME,
            ),
        ),
        Preset(
            preset_id="thpt",
            name_vi="Trung học phổ thông (15–17 tuổi)",
            name_en="Upper secondary school (ages 15–17)",
            min_age=15,
            max_age=MAX_CHILD_AGE,
            film_ratings=("P", "K", "T13", "T16"),
            game_rating="16+",
            blocked_categories=_SAFETY | {"adult", "gambling", "drugs", "bypass"},
            blocked_services=frozenset(),
            allow=(),
            allow_list_only=False,
            safe_search=True,
            youtube_mode=YouTubeMode.OFF,
            screen_time=ScreenTimeLimits(
                daily_minutes=_days(180, 240),
                allowed_hours=_hours("05:30", "22:30", "23:00"),
                category_minutes=_game_caps(),
                per_game_minutes=DECREE_147_MINUTES_PER_GAME,
            ),
        ),
    )


def presets() -> Mapping[str, Preset]:
    """Every preset by id, youngest first."""
    return MappingProxyType({preset.preset_id: preset for preset in _build_presets()})


PRESET_IDS: tuple[str, ...] = ("mam-non", "tieu-hoc", "thcs", "thpt")


def preset_for_age(age: int) -> Preset:
    """The preset for a child's age; ages outside 0–17 are refused with ValueError."""
    for preset in presets().values():
        if preset.min_age <= age <= preset.max_age:
            return preset
    raise ValueError(f"no preset for age {age}: Bảo An is for children of 0 to {MAX_CHILD_AGE}")
