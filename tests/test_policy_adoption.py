"""Which new files the holder adopts, the last good copy it keeps, and a restart on it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from helpers_policy_files import TODAY

from agent.policy.adoption import PolicyFile, judge_policy_file
from agent.policy.errors import InvalidPolicyError
from agent.policy.holder import PolicyHolder, PolicyLoosened
from agent.policy.loader import parse_policy
from agent.policy.loosening import LooseningKind
from agent.policy.seal import seal
from agent.policy.template import render_initial_policy
from agent.policy.writer import write_policy_text

CAREGIVER = '\n[[caregivers]]\nname = "Mẹ"\nntfy_topic = "baoan-me"\n'
TEXT = render_initial_policy("An", 9, ["an"], ["udp://127.0.0.2:5301"]) + CAREGIVER
SAFE_SEARCH_OFF = TEXT.replace('os_users = ["an"]', 'os_users = ["an"]\nsafe_search = false')
STRICTER = TEXT.replace('os_users = ["an"]', 'os_users = ["an"]\ndeny = ["game.example"]')


def in_force(text: str = TEXT) -> PolicyFile:
    return PolicyFile(text.encode(), parse_policy(text, today=TODAY))


def judge(text: str | bytes, current: PolicyFile | None = None) -> list[LooseningKind]:
    data = text.encode() if isinstance(text, str) else text
    adoption = judge_policy_file(data, current or in_force(), file="family.toml", today=TODAY)
    return [item.kind for item in adoption.loosenings]


def test_a_family_with_no_child_is_invalid_with_the_file_and_line() -> None:
    with pytest.raises(InvalidPolicyError) as caught:
        parse_policy("schema_version = 1\n# only comments\n# here\n")
    assert str(caught.value) == (
        "family.toml:3: children: expected at least one child, a [[children]] table with name"
        " and age; a family with no child would filter nothing"
    )
    with pytest.raises(InvalidPolicyError, match=r"family.toml:2: children: expected at least"):
        parse_policy("schema_version = 1\nchildren = []\n")


def test_a_whole_hand_edit_that_protects_less_is_adopted_with_what_it_loosens() -> None:
    assert judge(SAFE_SEARCH_OFF) == [LooseningKind.SAFE_SEARCH_OFF]
    assert judge(STRICTER) == []


def test_a_hand_edit_that_protects_less_without_a_final_line_break_is_refused() -> None:
    with pytest.raises(InvalidPolicyError) as caught:
        judge(SAFE_SEARCH_OFF.rstrip("\n"))
    message = str(caught.value)
    assert message.startswith("family.toml:")
    assert "An: SafeSearch switched off" in message and "no line break" in message
    assert judge(STRICTER.rstrip("\n")) == []  # a stricter edit needs no such proof


def test_the_beginning_of_the_file_in_force_is_refused_when_it_protects_less() -> None:
    cut = TEXT[: TEXT.rindex("[[caregivers]]")]
    with pytest.raises(InvalidPolicyError, match="caregiver Mẹ removed") as caught:
        judge(cut)
    assert "add a comment line at its end" in str(caught.value)
    assert judge(cut + "# end\n") == [LooseningKind.CAREGIVER_REMOVED]  # meant: applied


def test_a_hand_edit_that_protects_less_ending_in_an_empty_table_is_refused() -> None:
    with pytest.raises(InvalidPolicyError, match=r"ends with the table header \[settings.lists\]"):
        judge(SAFE_SEARCH_OFF + "\n[settings.lists]\n# nothing yet\n")
    assert judge(STRICTER + "\n[settings.lists]\n") == []


def test_bao_ans_own_write_that_protects_less_is_adopted_and_reported() -> None:
    assert judge(seal(SAFE_SEARCH_OFF)) == [LooseningKind.SAFE_SEARCH_OFF]


# -- the holder -------------------------------------------------------------------------------


def holder_for(tmp_path: Path) -> tuple[PolicyHolder, Path, list[PolicyLoosened]]:
    path = tmp_path / "family.toml"
    holder = PolicyHolder(path, today=lambda: TODAY, last_good_path=tmp_path / "data" / "good")
    (tmp_path / "data").mkdir(exist_ok=True)
    changes: list[PolicyLoosened] = []
    holder.on_loosened(changes.append)
    return holder, path, changes


def test_every_adopted_file_becomes_the_last_good_copy_hand_edits_too(tmp_path: Path) -> None:
    holder, path, changes = holder_for(tmp_path)
    write_policy_text(path, TEXT)
    holder.load()
    assert holder.last_good_path.read_bytes() == path.read_bytes()
    assert stat.S_IMODE(holder.last_good_path.stat().st_mode) == 0o600
    path.write_text(SAFE_SEARCH_OFF, encoding="utf-8")
    assert holder.check_for_changes() is True
    assert holder.last_good_path.read_text(encoding="utf-8") == SAFE_SEARCH_OFF
    (change,) = changes
    assert not change.by_baoan and change.after is holder.policy
    assert [item.describe() for item in change.loosenings] == ["An: SafeSearch switched off"]
    # A half-written edit: refused, the last good copy untouched, the error kept.
    path.write_text(seal(TEXT)[:-200], encoding="utf-8")
    assert holder.check_for_changes() is False
    assert "half-written" in str(holder.last_error)
    assert holder.last_good_path.read_text(encoding="utf-8") == SAFE_SEARCH_OFF


def test_a_restart_with_a_broken_file_runs_on_the_last_good_copy(tmp_path: Path) -> None:
    holder, path, _ = holder_for(tmp_path)
    path.write_text(STRICTER, encoding="utf-8")
    holder.load()
    path.write_text(TEXT[:748], encoding="utf-8")  # the cut from the report

    again, _, changes = holder_for(tmp_path)
    policy = again.load()
    assert policy.children[0].deny == ("game.example",)
    assert "expected at least one child" in str(again.last_error)
    assert changes == []


def test_a_file_that_protects_less_found_at_start_is_judged_against_the_last_good_copy(
    tmp_path: Path,
) -> None:
    holder, path, _ = holder_for(tmp_path)
    path.write_text(TEXT, encoding="utf-8")
    holder.load()
    # Edited while the agent was stopped: whole, so applied, and reported.
    path.write_text(SAFE_SEARCH_OFF, encoding="utf-8")
    again, _, changes = holder_for(tmp_path)
    assert again.load().children[0].safe_search is False
    assert [item.kind for item in changes[0].loosenings] == [LooseningKind.SAFE_SEARCH_OFF]
    assert changes[0].before.children[0].safe_search is None  # the last good copy's
    # Cut off while the agent was stopped: refused, the last good copy runs.
    path.write_text(SAFE_SEARCH_OFF[: SAFE_SEARCH_OFF.rindex("[[caregivers]]")], encoding="utf-8")
    third, _, _ = holder_for(tmp_path)
    assert third.load().caregivers and third.last_error is not None


def test_with_no_good_copy_at_all_the_start_is_refused_and_says_why(tmp_path: Path) -> None:
    holder, path, _ = holder_for(tmp_path)
    path.write_text(TEXT[:748], encoding="utf-8")
    with pytest.raises(InvalidPolicyError) as caught:
        holder.load()
    message = str(caught.value)
    assert "expected at least one child" in message
    assert f"there is no last good copy ({holder.last_good_path})" in message
    assert "cannot start until the file is fixed" in message


def test_the_policy_is_read_while_a_new_one_is_being_adopted(tmp_path: Path) -> None:
    # A subscriber of a new policy may wait for a thread that reads the policy (the DNS
    # recompile waits for the usage service, which reads it under its own lock): the read
    # must not wait for the adoption, or both wait for ever.
    import threading

    holder, path, _ = holder_for(tmp_path)
    write_policy_text(path, TEXT)
    holder.load()
    read_during_adoption: list[bool] = []

    def subscriber(_policy: object) -> None:
        reader = threading.Thread(target=lambda: holder.policy, daemon=True)
        reader.start()
        reader.join(timeout=30)  # generous: it only has to read an attribute
        read_during_adoption.append(not reader.is_alive())

    holder.subscribe(subscriber)
    path.write_text(STRICTER, encoding="utf-8")
    assert holder.check_for_changes() is True
    assert read_during_adoption == [True]
