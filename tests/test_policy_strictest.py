"""The family's strictest profile, and the PC's queries that fall back to it."""

from __future__ import annotations

from agent.policy.compile import compile_filter_policy, strictest_profile
from agent.policy.loader import parse_policy
from dns_filter.policy import FilterPolicy, Profile, YouTubeMode
from dns_filter.resolvers import FilterPolicySlot
from dns_filter.resolvers.client_profile import ChildResolver, pc_profile

YEAR = 2026


def profile(name: str, **fields: object) -> Profile:
    return Profile(name, "custom", **fields)  # type: ignore[arg-type]


def test_allow_list_only_is_strictest_before_anything_else() -> None:
    profiles = {
        "Bình": profile("Bình", blocked_categories=frozenset({"a", "b", "c"})),
        "Bé": profile("Bé", allow_list_only=True),
    }
    assert strictest_profile(profiles) == "Bé"


def test_then_categories_then_services_then_the_switches_then_the_allow_list() -> None:
    two = frozenset({"adult", "social"})
    assert strictest_profile({
        "A": profile("A", blocked_categories=two),
        "B": profile("B", blocked_categories=frozenset({"adult"}),
                     blocked_services=frozenset({"x", "y", "z"})),
    }) == "A"
    assert strictest_profile({
        "A": profile("A", blocked_services=frozenset({"x"})),
        "B": profile("B", blocked_services=frozenset({"x", "y"})),
    }) == "B"
    assert strictest_profile({
        "A": profile("A", safe_search=False),
        "B": profile("B", safe_search=True, youtube_mode=YouTubeMode.OFF),
    }) == "B"
    assert strictest_profile({
        "A": profile("A", youtube_mode=YouTubeMode.MODERATE),
        "B": profile("B", youtube_mode=YouTubeMode.STRICT),
    }) == "B"
    assert strictest_profile({
        "A": profile("A", allow=("one.example", "two.example")),
        "B": profile("B", allow=("one.example",)),
    }) == "B"


def test_a_tie_goes_to_the_first_name_whatever_the_order_of_the_file() -> None:
    assert strictest_profile({"chi": profile("chi"), "An": profile("An")}) == "An"
    assert strictest_profile({"An": profile("An"), "chi": profile("chi")}) == "An"
    assert strictest_profile({}) is None


def test_the_compiled_snapshot_names_the_youngest_preset_here() -> None:
    family = parse_policy(
        "schema_version = 1\n[settings]\nupstreams = [\"udp://127.0.0.2:5301\"]\n"
        '[[children]]\nname = "Lan"\nage = 15\n'
        '[[children]]\nname = "Bé"\nage = 4\n'
        '[[children]]\nname = "Minh"\nage = 9\n'
    )
    snapshot = compile_filter_policy(family, {}, "127.0.0.1", "::1", now_year=YEAR)
    assert snapshot.strictest_profile == "Bé"  # mầm non: allow-list only
    assert snapshot.default_profile is None  # three children, none named the default


SNAPSHOT = FilterPolicy(
    profiles={"An": profile("An", safe_search=False), "Bé": profile("Bé", allow_list_only=True)},
    strictest_profile="Bé",
)


def test_a_childs_account_with_no_usable_profile_gets_the_strictest_not_none() -> None:
    # A child renamed a moment ago: the session knows the new name, the snapshot not yet.
    assert pc_profile(SNAPSHOT, "Ân") == "Bé"
    resolver = ChildResolver(FilterPolicySlot(SNAPSHOT), lambda: "Ân", local_addresses=frozenset)
    assert resolver("127.0.0.1") == "Bé"


def test_a_named_default_child_without_a_profile_gets_the_strictest() -> None:
    snapshot = FilterPolicy(
        profiles=SNAPSHOT.profiles, default_profile="Gone", strictest_profile="Bé"
    )
    assert pc_profile(snapshot, None) == "Bé"


def test_own_and_default_profiles_still_come_first_and_no_child_is_no_profile() -> None:
    assert pc_profile(SNAPSHOT, "An") == "An"
    with_default = FilterPolicy(
        profiles=SNAPSHOT.profiles, default_profile="An", strictest_profile="Bé"
    )
    assert pc_profile(with_default, "Ân") == "An"
    assert pc_profile(SNAPSHOT, None) is None  # nobody says a child is at the PC
