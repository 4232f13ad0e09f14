"""Compiling the family policy into the DNS filter's snapshot and screen-time limits."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from agent.policy.compile import (
    HELP_SITES,
    compile_filter_policy,
    compile_screen_time,
    resolve_child,
)
from agent.policy.loader import load_policy, parse_policy
from agent.policy.model import Child, FamilyPolicy, LimitAction
from agent.policy.services import load_catalogue
from dns_filter.policy import BlockMode, FilterPolicy, ScheduleMode, YouTubeMode

REPO = Path(__file__).resolve().parents[1]
YEAR = 2026


class SetMatcher:
    """A DomainMatcher over a plain set (suffix rules), as the filter's lists provide."""

    def __init__(self, names: set[str]) -> None:
        self._names = names

    def match(self, name: str) -> str | None:
        labels = name.split(".")
        for index in range(len(labels)):
            suffix = ".".join(labels[index:])
            if suffix in self._names:
                return suffix
        return None

    def __len__(self) -> int:
        return len(self._names)


def example_snapshot() -> tuple[FamilyPolicy, FilterPolicy]:
    family = load_policy(REPO / "docs" / "family.example.toml")
    lists = {"adult": SetMatcher({"adult.example"}), "games": SetMatcher({"game.example"})}
    return family, compile_filter_policy(family, lists, "127.0.0.9", "::9", now_year=YEAR)


def test_profile_merges_the_preset_with_the_childs_edits() -> None:
    _, snapshot = example_snapshot()
    an = snapshot.profiles["Minh An"]
    assert an.preset == "tieu-hoc"
    # tieu-hoc blocks these; the parent added games and removed piracy
    assert {"adult", "gambling", "social", "chat", "bypass", "games"} <= an.blocked_categories
    assert "piracy" not in an.blocked_categories
    # blocking the games category blocks every game service; zalo was allowed by the parent
    assert {"roblox", "minecraft", "steam", "tiktok", "discord"} <= an.blocked_services
    assert "zalo" not in an.blocked_services and "youtube" not in an.blocked_services
    assert an.allow == ("khanacademy.org", "hoc.vn")
    assert an.deny == ("example-game.com",)
    assert an.safe_search is True and an.youtube_mode is YouTubeMode.STRICT
    assert an.block_bypass is True and an.allow_list_only is False
    assert an.block_mode is BlockMode.PAGE
    night, youtube = an.schedules
    assert night.target == "*" and night.mode is ScheduleMode.BLOCKED_DURING
    assert night.windows[0].start == time(21) and night.windows[0].end == time(6, 30)
    assert youtube.target == "service:youtube"


def test_older_child_profile_follows_thcs() -> None:
    _, snapshot = example_snapshot()
    ngoc = snapshot.profiles["Bảo Ngọc"]
    assert ngoc.preset == "thcs"
    assert ngoc.youtube_mode is YouTubeMode.MODERATE
    assert {"pubg", "riot-games", "tiktok"} == set(ngoc.blocked_services)
    assert "social" not in ngoc.blocked_categories and "dating" in ngoc.blocked_categories


def test_snapshot_carries_services_devices_default_and_help_sites() -> None:
    family, snapshot = example_snapshot()
    assert set(snapshot.services) == set(load_catalogue().ids())
    assert "roblox.com" in snapshot.services["roblox"].domains
    assert dict(snapshot.devices) == {"192.168.1.23": "Minh An", "a4:5e:60:d1:22:3b": "Bảo Ngọc"}
    assert snapshot.default_profile == "Minh An"
    # a named device with an address answers locally by its name (the MAC one cannot)
    assert snapshot.lan_hosts == (("may-tinh-bang-cua-an", "192.168.1.23"),)
    assert snapshot.always_allowed == HELP_SITES
    assert {"tongdai111.vn", "vn-cop.vn"} <= set(snapshot.always_allowed)
    assert snapshot.categories["adult"].match("www.adult.example") == "adult.example"
    assert (snapshot.block_page_ipv4, snapshot.block_page_ipv6) == ("127.0.0.9", "::9")
    assert snapshot.timezone == family.settings.timezone


def test_block_mode_and_the_youngest_allow_list() -> None:
    family = parse_policy(
        'schema_version = 1\n[settings]\nblock_mode = "nxdomain"\n'
        '[[children]]\nname = "Bé"\nage = 4\nallow = ["vtv.vn"]\n'
    )
    snapshot = compile_filter_policy(family, {}, "127.0.0.1", "::1", now_year=YEAR)
    baby = snapshot.profiles["Bé"]
    assert baby.preset == "mam-non" and baby.allow_list_only
    assert baby.allow[-1] == "vtv.vn" and "khanacademy.org" in baby.allow
    assert baby.block_mode is BlockMode.NXDOMAIN
    assert snapshot.default_profile == "Bé"  # the only child


def test_the_preset_follows_the_birth_year() -> None:
    child = Child(name="Chi", birth_year=2015)
    assert resolve_child(child, 2025).preset.preset_id == "tieu-hoc"  # 10
    assert resolve_child(child, 2026).preset.preset_id == "thcs"  # 11


def test_screen_time_limits_merge_over_the_preset() -> None:
    family, _ = example_snapshot()
    limits = compile_screen_time(family, now_year=YEAR)
    an = limits["Minh An"]
    assert an.daily_minutes[0] == 60 and an.daily_minutes[5] == 150
    assert an.service_minutes["minecraft"] == 45
    assert an.category_minutes == {"games": 60, "video": 60}
    assert an.per_game_minutes == 45
    assert an.always_allowed_apps == ("Zoom.exe", "OLM", "VNEdu")
    assert an.action is LimitAction.LOCK and an.warnings_minutes == (15, 5, 1)
    ngoc = limits["Bảo Ngọc"]
    assert set(ngoc.daily_minutes.values()) == {120}
    # the preset's Decree 147 caps and the social time limit stay under the parent's edits
    assert ngoc.category_minutes == {"games": 180, "social": 60}
    assert ngoc.per_game_minutes == 60
    assert dict(ngoc.service_minutes) == {"facebook": 30, "youtube": 60}
    assert ngoc.allowed_hours[0].end == time(21, 30)
