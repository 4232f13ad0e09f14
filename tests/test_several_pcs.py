"""One family, several PCs: the family policy in a folder a sync tool keeps in step, each
PC's own settings (OS accounts, LAN devices, default child, its name) in its own
`this-pc.toml`. Two real agents with two data folders share one policy folder: an edit on
one reaches the other's verdicts, the local files stay apart, each PC has its own dead-man
signal and every alert names its PC; a conflict copy or a half-synced file never replaces
the last good policy, and each PC tells the caregivers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers_ntfy import NtfyStandIn, ntfy_standin
from test_agent_end_to_end import addresses, ask, wait_for

from agent.api.client import ApiClient
from agent.api.types import PolicyDocument
from agent.policy.errors import InvalidPolicyError
from agent.policy.loader import load_policy, parse_policy
from agent.policy.this_pc import merged_policy_json, split_policy_json
from agent.runtime import Agent, AgentSettings
from sync.deadman import sequence_for

PIN = "2468"
TOPIC = "baoan-giadinh-3c3c3c3c3c3c"
SITE = "blocked-by-a.example"

SHARED = """schema_version = 1
[settings]
upstreams = ["udp://127.0.0.1:9"]

[[children]]
name = "An"
age = 9
deny = ["first.example"]

[[caregivers]]
name = "Mẹ"
ntfy_topic = "{topic}"
ntfy_server = "{server}"
"""
LOCAL_A = """# this PC: the living room
name = "May-A"
default_child = "An"

[[children]]
name = "An"
os_users = ["an"]

[[devices]]
child = "An"
ip = "192.168.1.10"
name = "Máy tính bảng của An"
"""
LOCAL_B = """name = "May-B"
default_child = "An"

[[children]]
name = "An"
os_users = ["an-laptop"]
"""


# -- the files ---------------------------------------------------------------------------------


def test_this_pcs_keys_come_from_its_own_file_and_errors_name_it() -> None:
    shared = SHARED.format(topic=TOPIC, server="http://127.0.0.1:9").replace(
        'deny = ["first.example"]', 'deny = ["first.example"]\nos_users = ["someone-else"]'
    )
    family = parse_policy(shared, local_text=LOCAL_A, local_file="this-pc.toml")
    [child] = family.children
    assert child.os_users == ("an",)  # the shared file's accounts are not this PC's
    assert family.default_child == "An" and family.pc_name == "May-A"
    assert [device.ip for device in family.devices] == ["192.168.1.10"]
    broken = LOCAL_A.replace('os_users = ["an"]', 'os_users = "an"')
    with pytest.raises(InvalidPolicyError) as caught:
        parse_policy(shared, local_text=broken, local_file="this-pc.toml")
    [error] = caught.value.errors
    assert (error.file, error.line, error.key) == ("this-pc.toml", 7, "children[0].os_users")
    unknown = LOCAL_A.replace('name = "An"\nos_users', 'name = "Bình"\nos_users')
    with pytest.raises(InvalidPolicyError, match="no child called 'Bình'"):
        parse_policy(shared, local_text=unknown, local_file="this-pc.toml")
    with pytest.raises(InvalidPolicyError, match="unknown key 'deny'"):
        parse_policy(shared, local_text=LOCAL_B + 'deny = ["x.example"]\n')


def test_the_api_document_is_cut_into_the_two_files_and_put_together_again() -> None:
    document = {
        "schema_version": 1,
        "default_child": "An",
        "children": [{"name": "An", "age": 9, "os_users": ["an"], "deny": ["x.example"]}],
        "devices": [{"child": "An", "ip": "192.168.1.10"}],
    }
    shared, own = split_policy_json(document, {"name": "May-A"})
    assert shared == {"schema_version": 1, "children": [
        {"name": "An", "age": 9, "deny": ["x.example"]}]}
    assert own == {"name": "May-A", "default_child": "An", "devices": document["devices"],
                   "children": [{"name": "An", "os_users": ["an"]}]}
    assert merged_policy_json(shared, own) == document


# -- two PCs -----------------------------------------------------------------------------------


@pytest.fixture
def ntfy() -> Iterator[NtfyStandIn]:
    with ntfy_standin() as standin:
        yield standin


def start_pc(folder: Path, config: Path, local: str, user: str) -> Agent:
    folder.mkdir()
    (folder / "this-pc.toml").write_text(local, encoding="utf-8")
    agent = Agent(
        AgentSettings(
            config_path=config,
            local_config_path=folder / "this-pc.toml",
            data_dir=folder / "data",
            dns_listen=(("127.0.0.1", 0),),
            http_listen=("127.0.0.1", 0),
            refresh_lists_at_start=False,
            policy_poll_seconds=0.2,
            delivery_poll_seconds=0.5,
        ),
        session_user=lambda: user,
    )
    agent.start()
    assert agent.authenticator is not None
    agent.authenticator.set_first_pin(PIN)
    return agent


def parent(agent: Agent) -> ApiClient:
    client = ApiClient(agent.http_url())
    client.open_session(PIN)
    return client


def replace_file(path: Path, data: bytes) -> None:
    """`path` now holds `data`, whole at once (a temporary file renamed over it)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def blocked(agent: Agent, name: str) -> bool:
    return addresses(ask(agent, name)) == [agent.block_page_ipv4()]


def test_two_pcs_share_one_policy_folder_and_keep_their_own_settings(
    tmp_path: Path, ntfy: NtfyStandIn
) -> None:
    folder = tmp_path / "Bảo An gia đình"  # the folder Syncthing keeps in step
    folder.mkdir()
    config = folder / "family.toml"
    config.write_text(SHARED.format(topic=TOPIC, server=ntfy.url), encoding="utf-8")
    # A conflict copy from an edit made on both PCs at once: it protects less, and it is
    # never read as the policy.
    conflict = folder / "family.sync-conflict-20261201-120000-ABCDEFG.toml"
    conflict.write_text(SHARED.format(topic=TOPIC, server=ntfy.url).replace(
        'deny = ["first.example"]', "deny = []"), encoding="utf-8")
    with ExitStack() as stack:
        pc_a = start_pc(tmp_path / "pc-a", config, LOCAL_A, "an")
        stack.callback(pc_a.stop)
        pc_b = start_pc(tmp_path / "pc-b", config, LOCAL_B, "an-laptop")
        stack.callback(pc_b.stop)
        local_b = (tmp_path / "pc-b" / "this-pc.toml").read_bytes()

        # Each PC's own accounts and devices, in the same document the API always showed.
        with parent(pc_a) as client_a, parent(pc_b) as client_b:
            seen_a, seen_b = client_a.policy(), client_b.policy()
            assert seen_a.policy["children"][0]["os_users"] == ["an"]  # type: ignore[index]
            assert seen_b.policy["children"][0]["os_users"] == ["an-laptop"]  # type: ignore[index]
            assert seen_a.policy["devices"] == [
                {"child": "An", "ip": "192.168.1.10", "name": "Máy tính bảng của An"}
            ]
            assert "devices" not in seen_b.policy
            assert blocked(pc_a, "first.example") and blocked(pc_b, "first.example")
            assert not blocked(pc_b, SITE)

            # A parent edits the rules on PC A: each part goes to its own file.
            document = dict(seen_a.policy)
            children = [dict(child) for child in document["children"]]  # type: ignore[attr-defined]
            children[0]["deny"] = ["first.example", SITE]
            document["children"] = children
            saved = client_a.replace_policy(PolicyDocument(seen_a.etag, document))
            assert saved.policy["children"][0]["os_users"] == ["an"]  # type: ignore[index]
        shared_text = config.read_text(encoding="utf-8")
        assert SITE in shared_text
        for own in ("os_users", "devices", "default_child", "May-A", "192.168.1.10"):
            assert own not in shared_text
        local_a = (tmp_path / "pc-a" / "this-pc.toml").read_text(encoding="utf-8")
        assert '"an"' in local_a and "192.168.1.10" in local_a and "May-A" in local_a
        assert "# this PC: the living room" in local_a  # the parent's comment stays
        assert (tmp_path / "pc-b" / "this-pc.toml").read_bytes() == local_b

        # The edit reaches PC B's verdicts (its policy poll), with B's own accounts.
        wait_for(lambda: blocked(pc_b, SITE), timeout=10)
        assert pc_b.policy_holder.policy.children[0].os_users == ("an-laptop",)
        assert pc_b.policy_holder.policy.pc_name == "May-B"

        # A half-synced copy of the shared file never replaces the last good policy.
        # Each version appears whole, as the sync tool renames its temporary file: written
        # in place, a PC could read the restoring write half-done and refuse it once more.
        whole = config.read_bytes()
        replace_file(config, whole[: len(whole) // 2])
        wait_for(lambda: pc_a.policy_holder.last_error and pc_b.policy_holder.last_error)
        assert blocked(pc_a, SITE) and blocked(pc_b, SITE)
        replace_file(config, whole)
        wait_for(lambda: not pc_a.policy_holder.last_error and not pc_b.policy_holder.last_error)

        def alerts(kind: str) -> list[str]:
            return [m["message"] for m in ntfy.on(TOPIC) if f"baoan-{kind}" in m["tags"]]

        # … and each PC tells the caregivers so, naming itself, once.
        wait_for(
            lambda: all(
                any(pc in message for message in alerts("policy-not-applied"))
                for pc in ("May-A", "May-B")
            ),
            timeout=20,
        )
        assert len(alerts("policy-not-applied")) == 2

        # Each PC has its own dead-man signal on the shared topic.
        def signals() -> set[str]:
            return {m["sequence_id"] for m in ntfy.scheduled if m["topic"] == TOPIC}

        wait_for(lambda: signals() == {sequence_for("May-A"), sequence_for("May-B")},
                 timeout=20)

        # Every alert names its PC: the conflict copy, told once by each PC, and Help.
        assert pc_a.access is not None and pc_b.access is not None
        pc_a.access.help_pressed("An", "127.0.0.1")
        pc_b.access.help_pressed("An", "127.0.0.1")

        wait_for(lambda: len(alerts("help")) == 2 and len(alerts("policy-sync-conflict")) == 2,
                 timeout=30)
        assert sorted(message.rsplit("— ", 1)[1] for message in alerts("help")) == [
            "May-A", "May-B"]
        conflicts = alerts("policy-sync-conflict")
        assert any("May-A" in message for message in conflicts)
        assert any("May-B" in message for message in conflicts)
        assert blocked(pc_a, "first.example")  # the conflict copy's looser rules: not read
    # The command line reads the same two files.
    shutil.copy(tmp_path / "pc-a" / "this-pc.toml", folder / "this-pc.toml")
    family = load_policy(config)
    assert family.pc_name == "May-A" and family.children[0].os_users == ("an",)


def test_a_new_name_in_this_pcs_file_names_the_next_alert(
    tmp_path: Path, ntfy: NtfyStandIn
) -> None:
    from dataclasses import replace

    from agent.alert_delivery import build_delivery
    from agent.policy.model import Caregiver, FamilyPolicy
    from agent.secrets import file_secret_store
    from agent.store import Store
    from sync.delivery import ALERTS_CHANNEL

    family = FamilyPolicy(
        caregivers=(Caregiver("Mẹ", ntfy_topic=TOPIC, ntfy_server=ntfy.url),), pc_name="May-A"
    )
    current = [family]
    with Store(tmp_path / "baoan.sqlite3") as store:
        service = build_delivery(store, lambda: current[0], file_secret_store(tmp_path),
                                 lambda: datetime.now(UTC))
        store.outbox.enqueue(ALERTS_CHANNEL, {"kind": "help", "title": "An cần giúp"})
        service.run_once()
        current[0] = replace(family, pc_name="Phòng-học")
        store.outbox.enqueue(ALERTS_CHANNEL, {"kind": "help", "title": "An cần giúp"})
        service.run_once()
    assert [m["message"].rsplit("— ", 1)[1] for m in ntfy.on(TOPIC)] == ["May-A", "Phòng-học"]
