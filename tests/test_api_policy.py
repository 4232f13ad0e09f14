"""The policy API against a real agent on random ports: an edit reaches family.toml with
the parent's comments kept and changes `baoan check`'s verdict; a stale edit is refused
(412); an invalid one is refused with every problem's path (422); only a parent edits."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from helpers_policy_agent import (
    HAND_COMMENT,
    RunningFamily,
    baoan_check,
    parent_client,
    running_family,
    set_first_pin,
)

from agent.api.client import (
    ApiClient,
    ForbiddenError,
    PolicyConflictError,
    PolicyRefusedError,
    UnauthorizedError,
)
from agent.api.types import PolicyDocument
from agent.auth import load_or_create_tray_token
from agent.policy.editing import apply_policy_json, error_fields, policy_json
from agent.policy.errors import PolicyError
from agent.policy.loader import parse_policy
from agent.policy.seal import has_seal_line, strip_seal
from agent.policy.writer import backup_path
from agent.secrets import open_secret_store


@pytest.fixture
def family(tmp_path: Path) -> RunningFamily:
    with running_family(tmp_path) as running:
        yield running  # type: ignore[misc]


def with_deny(document: PolicyDocument, *names: str) -> PolicyDocument:
    policy = dict(document.policy)
    children = [dict(child) for child in policy["children"]]  # type: ignore[attr-defined]
    children[0]["deny"] = [*children[0].get("deny", []), *names]
    policy["children"] = children
    return PolicyDocument(document.etag, policy)


def test_an_edit_reaches_the_file_keeps_comments_and_changes_the_verdict(
    family: RunningFamily,
) -> None:
    assert baoan_check(family.config, "roblox.com")["decision"] == "allowed"
    client = parent_client(family)
    document = client.policy()
    assert document.etag.startswith('"')
    assert document.policy["children"][0]["deny"] == ["a.example"]  # type: ignore[index]

    saved = client.replace_policy(with_deny(document, "roblox.com"))

    text = family.config.read_text(encoding="utf-8")
    assert has_seal_line(text)  # the check line that reveals a half-written file
    assert HAND_COMMENT in text
    assert 'deny = ["a.example", "roblox.com"]' in text
    assert saved.etag != document.etag
    assert backup_path(family.config).exists()  # the last good file is kept
    verdict = baoan_check(family.config, "roblox.com")
    assert verdict["decision"] == "blocked"
    assert verdict["reason"] == {"kind": "deny_list", "rule": "roblox.com"}
    # In force at once, and the same verdict from the API's "test a site".
    check = client.check_site("www.roblox.com")
    assert check.decision == "blocked" and check.reason.kind == "deny_list"
    events = family.agent.store.events.recent(kind="policy-edited")  # type: ignore[union-attr]
    assert any(
        event.kind == "policy-edited" and "An: denied roblox.com" in event.message
        for event in events
    )


def test_a_stale_edit_is_refused_and_the_hand_edit_survives(family: RunningFamily) -> None:
    client = parent_client(family)
    document = client.policy()
    hand_edited = strip_seal(family.config.read_text(encoding="utf-8")) + "# edited by hand\n"
    family.config.write_text(hand_edited, encoding="utf-8")

    with pytest.raises(PolicyConflictError) as refused:
        client.replace_policy(with_deny(document, "roblox.com"))

    assert refused.value.status == 412
    assert refused.value.current_etag == client.policy().etag
    assert family.config.read_text(encoding="utf-8") == hand_edited


def test_an_invalid_policy_is_refused_with_every_problem(family: RunningFamily) -> None:
    client = parent_client(family)
    document = client.policy()
    before = family.config.read_bytes()
    policy = dict(document.policy)
    child = dict(policy["children"][0])  # type: ignore[index]
    child["age"] = "ten"
    child["deny"] = ["a.example", "not a domain"]
    child["block_services"] = ["robloxx"]
    policy["children"] = [child]

    with pytest.raises(PolicyRefusedError) as refused:
        client.replace_policy(PolicyDocument(document.etag, policy))

    assert refused.value.status == 422
    problems = {problem.path: problem for problem in refused.value.problems}
    assert set(problems) >= {
        "children[0].age",
        "children[0].deny[1]",
        "children[0].block_services[0]",
    }
    assert problems["children[0].age"].got == '"ten"'
    assert "whole number" in (problems["children[0].age"].expected or "")
    assert family.config.read_bytes() == before


def test_only_a_parent_may_read_or_edit(family: RunningFamily) -> None:
    set_first_pin(family)
    tray = load_or_create_tray_token(open_secret_store(family.agent.settings.data_dir))
    anonymous = ApiClient(family.url)
    child = ApiClient(family.url, token=tray)
    for client, error in ((anonymous, UnauthorizedError), (child, ForbiddenError)):
        with pytest.raises(error):
            client.policy()
        with pytest.raises(error):
            client.replace_policy(PolicyDocument('"x"', {"schema_version": 1}))
    # And without If-Match a parent's PUT is refused, not applied.
    parent = parent_client_again(family)
    answer = requests.put(
        f"{family.url}/api/policy",
        json=dict(parent.policy().policy),
        headers={"Authorization": f"Bearer {parent.token}"},
        timeout=5,
    )
    assert answer.status_code == 428


def parent_client_again(family: RunningFamily) -> ApiClient:
    from helpers_policy_agent import PARENT_PIN

    client = ApiClient(family.url)
    client.token = client.open_session(PARENT_PIN).token
    return client


def test_a_childs_rules_block_a_service_and_a_category(family: RunningFamily) -> None:
    client = parent_client(family)
    etag, rules = client.child_rules("An")
    assert rules.preset == "tieu-hoc" and "social" in rules.blocked_categories
    assert "roblox" not in rules.blocked_services
    assert client.check_site("roblox.com").decision == "allowed"

    from dataclasses import replace

    new_etag, saved = client.set_child_rules(
        etag,
        replace(
            rules,
            blocked_services=(*rules.blocked_services, "roblox"),
            blocked_categories=tuple(c for c in rules.blocked_categories if c != "social"),
            allow=("school.example",),
            youtube_mode="moderate",
        ),
    )

    assert "roblox" in saved.blocked_services and "social" not in saved.blocked_categories
    assert saved.allow == ("school.example",) and saved.youtube_mode == "moderate"
    text = family.config.read_text(encoding="utf-8")
    assert 'block_services = ["roblox"]' in text
    assert 'allow_categories = ["social"]' in text
    assert HAND_COMMENT in text
    assert client.check_site("roblox.com").decision == "blocked"
    assert baoan_check(family.config, "roblox.com")["decision"] == "blocked"
    with pytest.raises(PolicyConflictError):
        client.set_child_rules(etag, rules)  # the old version
    assert client.child_rules("An")[0] == new_etag


def test_json_round_trip_keeps_the_text(tmp_path: Path) -> None:
    from helpers_policy_agent import family_text

    text = family_text("udp://127.0.0.1:5300")
    assert apply_policy_json(text, policy_json(text)) == text
    document = policy_json(text)
    document["children"][0]["schedules"] = [  # type: ignore[index]
        {"windows": [{"days": "school_nights", "start": "21:30", "end": "06:00"}]}
    ]
    edited = apply_policy_json(text, document)
    assert 'windows = [{days = "school_nights", start = "21:30", end = "06:00"}]' in edited
    assert parse_policy(edited).children[0].schedules


def test_error_fields_split_the_loaders_words() -> None:
    error = PolicyError(
        "family.toml", 'expected a whole number from 0 to 17, got "ten"',
        line=3, key_path=("children", 0, "age"),
    )
    assert error_fields(error) == {
        "path": "children[0].age",
        "expected": "a whole number from 0 to 17",
        "got": '"ten"',
        "message": 'expected a whole number from 0 to 17, got "ten"',
        "line": 3,
    }


def test_screen_time_limits_reach_the_file_and_the_usage_rules(family: RunningFamily) -> None:
    from dataclasses import replace

    from agent.policy.compile import compile_screen_time
    from agent.policy.loader import load_policy

    client = parent_client(family)
    etag, limits = client.screen_time("An")
    assert limits.daily_minutes == (60, 60, 60, 60, 60, 120, 120)  # tieu-hoc's
    assert limits.category_minutes["games"] == 180

    saturday_more = (*limits.daily_minutes[:5], 180, limits.daily_minutes[6])
    new_etag, saved = client.set_screen_time(
        etag,
        replace(
            limits,
            daily_minutes=saturday_more,  # type: ignore[arg-type]
            action="notify",
            service_minutes={"youtube": 45},
        ),
    )

    assert saved.daily_minutes[5] == 180 and saved.action == "notify"
    assert saved.service_minutes == {"youtube": 45}
    text = family.config.read_text(encoding="utf-8")
    assert "sat = 180" in text and 'action = "notify"' in text
    assert HAND_COMMENT in text
    rules = compile_screen_time(load_policy(family.config))["An"]
    assert rules.daily_minutes[5] == 180 and rules.daily_minutes[0] == 60
    assert rules.service_minutes["youtube"] == 45
    in_force = compile_screen_time(family.agent.policy_holder.policy)["An"]
    assert in_force.daily_minutes[5] == 180 and str(in_force.action) == "notify"
    with pytest.raises(PolicyConflictError):
        client.set_screen_time(etag, limits)
    assert client.screen_time("An")[0] == new_etag
