"""Every cut point of real policy files: a file cut off anywhere never becomes a policy that
protects less than the whole file without an error in the holder's state.

Each prefix is judged as the holder judges it, as a change from the whole file in force
(`judge_policy_file`, pure calls); a sample goes through a real `PolicyHolder` on disk.
What "protects less" means is checked twice: by `agent.policy.loosening` and, independently,
by comparing the compiled DNS profiles and the family's people.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from helpers_policy_files import TODAY, real_files

from agent.policy.adoption import PolicyFile, judge_policy_file
from agent.policy.compile import compile_filter_policy, compile_screen_time
from agent.policy.errors import InvalidPolicyError
from agent.policy.holder import PolicyHolder
from agent.policy.model import FamilyPolicy
from agent.policy.services import load_catalogue
from dns_filter.policy import YouTubeMode

CATALOGUE = load_catalogue()
_YOUTUBE = {YouTubeMode.OFF: 0, YouTubeMode.MODERATE: 1, YouTubeMode.STRICT: 2}


def protects_at_least(before: FamilyPolicy, after: FamilyPolicy) -> list[str]:
    """What `after` lost of `before`'s protection, by the compiled profiles (empty: none)."""
    old = compile_filter_policy(before, {}, "127.0.0.1", "::1", TODAY.year, CATALOGUE)
    new = compile_filter_policy(after, {}, "127.0.0.1", "::1", TODAY.year, CATALOGUE)
    lost: list[str] = []
    for name, profile in old.profiles.items():
        other = new.profiles.get(name)
        if other is None:
            lost.append(f"profile {name}")
            continue
        if not profile.blocked_categories <= other.blocked_categories:
            lost.append(f"{name}: categories")
        if not profile.blocked_services <= other.blocked_services:
            lost.append(f"{name}: services")
        if not set(other.allow) <= set(profile.allow) or not set(profile.deny) <= set(other.deny):
            lost.append(f"{name}: allow/deny")
        if (profile.allow_list_only, profile.safe_search, profile.block_bypass) > (
            other.allow_list_only, other.safe_search, other.block_bypass
        ) or _YOUTUBE[other.youtube_mode] < _YOUTUBE[profile.youtube_mode]:
            lost.append(f"{name}: switches")
        if not set(profile.schedules) <= set(other.schedules):
            lost.append(f"{name}: schedules")
    if old.default_profile != new.default_profile:
        lost.append("default child")
    if not set(old.devices.items()) <= set(new.devices.items()):
        lost.append("devices")
    old_limits = compile_screen_time(before, TODAY.year)
    new_limits = compile_screen_time(after, TODAY.year)
    for name, limits in old_limits.items():
        new_daily = new_limits[name].daily_minutes if name in new_limits else {}
        if any(new_daily.get(day, 0) > minutes for day, minutes in limits.daily_minutes.items()):
            lost.append(f"{name}: screen time")
    accounts = {(user, child.name) for child in before.children for user in child.os_users}
    if not accounts <= {(user, child.name) for child in after.children for user in child.os_users}:
        lost.append("accounts")
    if not {c.name for c in before.caregivers} <= {c.name for c in after.caregivers}:
        lost.append("caregivers")
    if before.settings.help_alerts_caregivers > after.settings.help_alerts_caregivers:
        lost.append("help alerts")
    return lost


def sweep(whole: bytes) -> Counter[str]:
    """Judge every prefix of `whole` as a change from it; fail on any prefix adopted while
    protecting less."""
    in_force = judge_policy_file(whole, None, file="family.toml", today=TODAY, catalogue=CATALOGUE)
    assert not in_force.loosenings
    original = in_force.file
    seen: Counter[str] = Counter()
    for cut in range(len(whole)):
        try:
            adoption = judge_policy_file(
                whole[:cut], original, file="family.toml", today=TODAY, catalogue=CATALOGUE
            )
        except InvalidPolicyError as error:
            assert error.errors and all(item.file == "family.toml" for item in error.errors)
            seen["refused"] += 1
            continue
        assert adoption.loosenings == (), (cut, adoption.loosenings)
        assert protects_at_least(original.policy, adoption.file.policy) == [], cut
        seen["same" if adoption.file.policy == original.policy else "stricter"] += 1
    return seen


def test_no_cut_point_of_a_real_file_protects_less_without_an_error(tmp_path: Path) -> None:
    started = time.monotonic()
    results = {name: sweep(whole) for name, whole in real_files(tmp_path).items()}
    elapsed = time.monotonic() - started
    for name, seen in results.items():
        assert seen["refused"] > 0, name
    # A file the agent wrote refuses every cut: its check line no longer matches.
    for name, seen in results.items():
        if "by Bảo An" in name:
            assert seen["same"] == seen["stricter"] == 0, (name, seen)
    assert elapsed < 25, f"the sweep took {elapsed:.1f} s"


def test_the_cut_from_the_report_is_refused_because_a_family_needs_a_child(
    tmp_path: Path,
) -> None:
    """`head -c 748`: schema_version and comments only, of a file written by hand."""
    whole = real_files(tmp_path)["init+caregiver, by hand"]
    in_force = PolicyFile(whole, judge_policy_file(whole, None, file="f", today=TODAY).file.policy)
    cut = whole[: whole.index(b"default_child")]
    with pytest.raises(InvalidPolicyError) as caught:
        judge_policy_file(cut, in_force, file="family.toml", today=TODAY)
    (error,) = caught.value.errors
    assert error.line == cut.count(b"\n")
    assert "expected at least one child" in str(error)
    assert str(error).startswith(f"family.toml:{error.line}: children: ")


@pytest.mark.parametrize("name", ["init+caregiver, by hand", "family.example.toml, by Bảo An"])
def test_cut_files_through_a_real_holder_leave_an_error_and_the_whole_policy(
    tmp_path: Path, name: str
) -> None:
    whole = real_files(tmp_path)[name]
    path = tmp_path / "family.toml"
    path.write_bytes(whole)
    holder = PolicyHolder(path, today=lambda: TODAY, catalogue=CATALOGUE,
                          last_good_path=tmp_path / "last-good.toml")
    original = holder.load()
    assert holder.last_error is None
    step = max(1, len(whole) // 60)
    for cut in [*range(0, len(whole), step), 748]:
        path.write_bytes(whole[:cut])
        holder.check_for_changes()
        if holder.last_error is None:
            assert protects_at_least(original, holder.policy) == [], cut
        else:
            assert holder.policy == original, cut  # the whole file's policy stays in force
        # The whole file again: the holder is back to the original, without an error.
        path.write_bytes(whole)
        holder.check_for_changes()
        assert holder.policy == original and holder.last_error is None
