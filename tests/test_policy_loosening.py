"""Which edits protect less: the pure comparison of two policies, on its own."""

from __future__ import annotations

import pytest

from agent.policy.loader import parse_policy
from agent.policy.loosening import Loosening, LooseningKind, filters_less, loosenings
from agent.policy.model import FamilyPolicy

YEAR = 2026
BASE = """\
schema_version = 1
default_child = "An"

[settings]
upstreams = ["udp://127.0.0.2:5301"]
help_alerts_caregivers = true

[[children]]
name = "An"
age = 9
os_users = ["an"]
deny = ["game.example"]
block_services = ["youtube"]

[[children.schedules]]
target = "*"
windows = [{ days = "school_nights", start = "21:30", end = "06:00" }]

[[children]]
name = "Bình"
age = 14
os_users = ["binh"]
safe_search = true

[[devices]]
child = "Bình"
ip = "192.168.1.20"

[[caregivers]]
name = "Mẹ"
ntfy_topic = "baoan-me"
"""


def policy(text: str) -> FamilyPolicy:
    return parse_policy(text, today=None)


def found(edited: str) -> set[tuple[str, str | None, str]]:
    return {
        (item.kind.value, item.child, item.subject)
        for item in loosenings(policy(BASE), policy(edited), year=YEAR)
    }


def test_the_same_policy_and_stricter_edits_protect_no_less() -> None:
    assert loosenings(policy(BASE), policy(BASE), year=YEAR) == ()
    stricter = [
        BASE.replace('deny = ["game.example"]', 'deny = ["game.example", "more.example"]'),
        BASE.replace('block_services = ["youtube"]', 'block_services = ["youtube", "tiktok"]'),
        BASE.replace("age = 14", "age = 9"),  # a younger preset blocks more
        BASE.replace('end = "06:00" }]', 'end = "06:00" }, { days = "weekend", start = "23:00",'
                     ' end = "06:00" }]'),
        BASE + '\n[[caregivers]]\nname = "Bố"\nemail = "bo@example.com"\n',
    ]
    for text in stricter:
        assert not filters_less(policy(BASE), policy(text), year=YEAR), text


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('ntfy_topic = "baoan-me"\n', 'ntfy_topic = "baoan-me"\n[[children]]\nname = "Chi"\n'
         "age = 14\n", None),
        ('[[caregivers]]\nname = "Mẹ"\nntfy_topic = "baoan-me"\n', "",
         ("caregiver-removed", None, "Mẹ")),
        ('ntfy_topic = "baoan-me"', 'ntfy_topic = "somewhere-else"',
         ("caregiver-channel-changed", None, "Mẹ")),
        ("help_alerts_caregivers = true", "help_alerts_caregivers = false",
         ("help-alerts-off", None, "")),
        ('os_users = ["an"]', "os_users = []", ("account-removed", "An", "an")),
        ('ip = "192.168.1.20"', 'ip = "192.168.1.21"', ("device-removed", "Bình", "192.168.1.20")),
        ('default_child = "An"', 'default_child = "Bình"', ("default-child-looser", None, "Bình")),
        ('deny = ["game.example"]', "deny = []", ("deny-removed", "An", "game.example")),
        ('block_services = ["youtube"]', "block_services = []",
         ("service-unblocked", "An", "youtube")),
        ('deny = ["game.example"]', 'deny = ["game.example"]\nallow = ["chat.example"]',
         ("site-allowed", "An", "chat.example")),
        ('deny = ["game.example"]', 'deny = ["game.example"]\nallow_categories = ["social"]',
         ("category-unblocked", "An", "social")),
        ("safe_search = true", "safe_search = false", ("safe-search-off", "Bình", "")),
        ('deny = ["game.example"]', 'deny = ["game.example"]\nyoutube_mode = "off"',
         ("youtube-relaxed", "An", "off")),
        ('start = "21:30"', 'start = "22:30"', ("schedule-removed", "An", "*")),
        ('deny = ["game.example"]', 'deny = ["game.example"]\nscreen_time.daily_minutes = 600',
         ("screen-time-raised", "An", "daily_minutes.mon")),
        ('deny = ["game.example"]', 'deny = ["game.example"]\nallow_list_only = false\n'
         'preset = "mam-non"', ("site-allowed", "An", "khanacademy.org")),
    ],
)
def test_each_way_of_protecting_less_is_found(
    old: str, new: str, expected: tuple[str, str | None, str] | None
) -> None:
    assert old in BASE
    edited = BASE.replace(old, new)
    if expected is None:  # another child: nothing protects less
        assert found(edited) == set()
        return
    assert expected in found(edited)


def test_a_child_removed_is_found() -> None:
    edited = BASE.replace('name = "Bình"\nage = 14\nos_users = ["binh"]\nsafe_search = true\n', "")
    edited = edited.replace('[[children]]\n\n[[devices]]\nchild = "Bình"\nip = "192.168.1.20"\n',
                            "")
    assert found(edited) == {
        ("child-removed", "Bình", ""),
        ("device-removed", "Bình", "192.168.1.20"),
    }


def test_an_older_age_that_changes_the_preset_unblocks_its_categories() -> None:
    changes = found(BASE.replace("age = 9", "age = 12"))  # tieu-hoc -> thcs
    assert ("category-unblocked", "An", "chat") in changes
    assert ("category-unblocked", "An", "social") in changes


def test_allow_list_only_switched_off_is_found() -> None:
    young = BASE.replace("age = 9", "age = 4")  # mam-non: allow-list only
    edited = young.replace('deny = ["game.example"]', 'deny = ["game.example"]\n'
                           "allow_list_only = false")
    changes = loosenings(policy(young), policy(edited), year=YEAR)
    assert Loosening(LooseningKind.ALLOW_LIST_ONLY_OFF, "An") in changes


def test_loosenings_are_data_with_words_made_from_their_fields() -> None:
    item = Loosening(LooseningKind.SAFE_SEARCH_OFF, "Bình")
    assert item.to_json() == {"kind": "safe-search-off", "child": "Bình", "subject": ""}
    assert item.describe() == "Bình: SafeSearch switched off"
    assert Loosening(LooseningKind.CAREGIVER_REMOVED, None, "Mẹ").describe() == (
        "caregiver Mẹ removed"
    )
