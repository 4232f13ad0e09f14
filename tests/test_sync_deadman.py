"""The dead-man signal over the ntfy stand-in: a scheduled message replaced every ten
minutes while the agent runs, delivered 30 minutes after it stops; an older server is
detected and gets no signal (it would be a false alarm every ten minutes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_ntfy import NtfyStandIn, ntfy_standin
from test_agent_end_to_end import wait_for
from test_alert_kinds import GRANDPA, MUM, family_text, running_agent
from test_system_command import FakeIntegration

from agent.alert_delivery import DeadManPublisher, published_signals
from agent.commands import system
from agent.policy.loader import load_policy
from agent.policy.model import Caregiver, FamilyPolicy
from agent.secrets import file_secret_store
from agent.store import Store
from baoan.cli import build_parser, main
from dns_filter.http_client import HttpClient
from sync.deadman import Support, probe, sequence_for
from sync.ntfy import NtfyTopic

TOPIC = "baoan-me-5d0b7e11aa"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "baoan.sqlite3") as opened:
        yield opened


def publisher(tmp_path: Path, store: Store, ntfy: NtfyStandIn, pc: str) -> DeadManPublisher:
    family = FamilyPolicy(caregivers=(Caregiver("Mẹ", ntfy_topic=TOPIC, ntfy_server=ntfy.url),))
    return DeadManPublisher(lambda: family, file_secret_store(tmp_path), store, pc)


def test_the_signal_stays_pending_while_the_pc_reports_and_arrives_when_it_stops(
    tmp_path: Path, store: Store
) -> None:
    with ntfy_standin(version=(2, 16)) as ntfy, Store(tmp_path / "laptop.sqlite3") as laptop:
        beat = publisher(tmp_path, store, ntfy, "PC-phong-khach")
        other = publisher(tmp_path, laptop, ntfy, "Laptop-cua-Minh")  # each PC its own store
        for _ in range(3):  # half an hour of ten-minute beats, from two PCs
            beat()
            other()
            ntfy.advance(10 * 60)
        assert ntfy.on(TOPIC) == []
        pending = [m for m in ntfy.scheduled if m["topic"] == TOPIC]
        assert sorted(m["sequence_id"] for m in pending) == sorted(
            [sequence_for("PC-phong-khach"), sequence_for("Laptop-cua-Minh")]
        )
        other()  # the laptop goes on; the living-room PC stops
        ntfy.advance(25 * 60)
        [stopped] = ntfy.on(TOPIC)
        assert stopped["title"] == "Bảo An trên máy PC-phong-khach đã ngừng báo tin"
        assert stopped["priority"] == 4
        assert store.kv.get(f"deadman_support:{ntfy.url}/{TOPIC}") == "replaces"


def test_an_older_server_is_detected_and_gets_no_signal(tmp_path: Path, store: Store) -> None:
    with ntfy_standin(version=(2, 15)) as ntfy:
        where = NtfyTopic(ntfy.url, TOPIC)
        assert probe(HttpClient(), where) is Support.KEEPS_EVERY_COPY
        beat = publisher(tmp_path, store, ntfy, "PC-phong-khach")
        beat()
        beat()
        assert [m for m in ntfy.scheduled if m["topic"] == TOPIC] == []
        ntfy.advance(3600)
        assert ntfy.on(TOPIC) == []  # no false alarms


def test_an_unreachable_server_is_unknown_not_a_verdict(tmp_path: Path, store: Store) -> None:
    with ntfy_standin() as ntfy:
        url = ntfy.url
    assert probe(HttpClient(), NtfyTopic(url, TOPIC), timeout=2) is Support.UNKNOWN


# -- a signal no longer wanted is cancelled, never left to fire ---------------------------


def named(ntfy: NtfyStandIn, pc: str | None, *, topic: str = TOPIC) -> FamilyPolicy:
    caregivers = (Caregiver("Mẹ", ntfy_topic=topic, ntfy_server=ntfy.url),) if topic else ()
    return FamilyPolicy(caregivers=caregivers, pc_name=pc)


def test_a_renamed_pc_cancels_the_signal_under_its_old_name(
    tmp_path: Path, store: Store
) -> None:
    with ntfy_standin() as ntfy:
        family = named(ntfy, "Phong-khach")
        beat = DeadManPublisher(lambda: family, file_secret_store(tmp_path), store)
        beat()
        assert [m["sequence_id"] for m in ntfy.pending(TOPIC)] == [sequence_for("Phong-khach")]
        family = named(ntfy, "Phong-hoc")  # renamed in this-pc.toml
        assert beat.stale(family)
        beat()
        assert [m["sequence_id"] for m in ntfy.pending(TOPIC)] == [sequence_for("Phong-hoc")]
        [deleted] = [e for e in ntfy.events(TOPIC) if e["event"] == "message_delete"]
        assert deleted["sequence_id"] == sequence_for("Phong-khach")
        assert not beat.stale(family)
        beat()
        ntfy.advance(31 * 60)  # the new name's signal is what comes; the old one never
        assert [m["title"] for m in ntfy.on(TOPIC)] == [
            "Bảo An trên máy Phong-hoc đã ngừng báo tin"
        ]


def test_a_caregiver_or_topic_removed_gets_no_false_alarm(tmp_path: Path, store: Store) -> None:
    with ntfy_standin() as ntfy:
        family = named(ntfy, "Phong-khach")
        beat = DeadManPublisher(lambda: family, file_secret_store(tmp_path), store)
        beat()
        family = named(ntfy, "Phong-khach", topic="baoan-me-new-0a0a0a0a0a")  # a new topic
        beat()
        family = named(ntfy, "Phong-khach", topic="")  # and then nobody at all
        assert beat.stale(family)
        beat()
        ntfy.advance(2 * 3600)
        assert ntfy.on(TOPIC) == [] and ntfy.on("baoan-me-new-0a0a0a0a0a") == []
        assert ntfy.pending(TOPIC) == []


def test_a_cancel_the_server_could_not_take_is_tried_again_at_the_next_beat(
    tmp_path: Path, store: Store
) -> None:
    with ntfy_standin() as ntfy:
        family = named(ntfy, "Phong-khach")
        beat = DeadManPublisher(lambda: family, file_secret_store(tmp_path), store)
        beat()
        family = named(ntfy, "Phong-khach", topic="")
        ntfy.failures.append(503)
        beat()
        assert len(ntfy.pending(TOPIC)) == 1 and beat.stale(family)  # kept, not forgotten
        beat()
        assert ntfy.pending(TOPIC) == [] and not beat.stale(family)


def test_a_crash_cancels_nothing_the_signal_still_comes(tmp_path: Path, store: Store) -> None:
    with ntfy_standin() as ntfy:
        family = named(ntfy, "Phong-khach")
        DeadManPublisher(lambda: family, file_secret_store(tmp_path), store)()
        ntfy.advance(31 * 60)  # the agent was killed: no beat, no cancel
        [stopped] = ntfy.on(TOPIC)
        assert stopped["title"] == "Bảo An trên máy Phong-khach đã ngừng báo tin"


def test_a_running_agent_cancels_the_old_signal_as_soon_as_the_pc_is_renamed(
    tmp_path: Path,
) -> None:
    with ntfy_standin() as ntfy:
        text = family_text(ntfy.url, grandpa='hears = ["help"]\n')
        with running_agent(tmp_path, text):
            old, new = sequence_for("Phong-khach"), sequence_for("Phong-hoc")
            (tmp_path / "this-pc.toml").write_text(
                'name = "Phong-khach"\ndefault_child = "An"\n'
                '[[children]]\nname = "An"\nos_users = ["an"]\n', encoding="utf-8")
            wait_for(lambda: [m["sequence_id"] for m in ntfy.pending(MUM)] == [old], timeout=20)
            (tmp_path / "this-pc.toml").write_text(
                'name = "Phong-hoc"\ndefault_child = "An"\n'
                '[[children]]\nname = "An"\nos_users = ["an"]\n', encoding="utf-8")
            # Well before the next ten-minute beat: the old name's signal is gone.
            wait_for(lambda: [m["sequence_id"] for m in ntfy.pending(MUM)] == [new], timeout=20)
            pending = ntfy.pending(MUM)
            assert [m["sequence_id"] for m in pending] == [new]
            assert all("Phong-khach" not in str(m.get("title")) for m in pending)
            assert old != new


def test_caregiver_remove_cancels_this_pcs_signal_on_their_topic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ntfy_standin() as ntfy:
        config = tmp_path / "family.toml"
        config.write_text(family_text(ntfy.url), encoding="utf-8")
        data = tmp_path / "data"
        data.mkdir()
        with Store(data / "baoan.sqlite3") as agent_store:
            family = load_policy(config)
            DeadManPublisher(lambda: family, file_secret_store(data), agent_store, "PC")()
        assert len(ntfy.pending(MUM)) == 1 and len(ntfy.pending(GRANDPA)) == 1
        code = main(["caregiver", "remove", "Mẹ", "--config", str(config),
                     "--data-dir", str(data)])
        assert code == 0, capsys.readouterr().err
        assert ntfy.pending(MUM) == []  # no false "stopped" for her in 30 minutes
        assert len(ntfy.pending(GRANDPA)) == 1  # his signal goes on
        with Store(data / "baoan.sqlite3") as agent_store:
            assert {s.topic for s in published_signals(agent_store)} == {GRANDPA}


def test_a_parent_removing_baoan_cancels_the_signal(tmp_path: Path) -> None:
    with ntfy_standin() as ntfy:
        config = tmp_path / "family.toml"
        config.write_text(family_text(ntfy.url), encoding="utf-8")
        data = tmp_path / "data"
        data.mkdir()
        with Store(data / "baoan.sqlite3") as agent_store:
            family = load_policy(config)
            DeadManPublisher(lambda: family, file_secret_store(data), agent_store, "PC")()
        assert len(ntfy.pending(MUM)) == 1 and len(ntfy.pending(GRANDPA)) == 1
        args = build_parser().parse_args(
            ["system", "remove", "--config", str(config), "--data-dir", str(data)])
        assert system.run(args, FakeIntegration()) == 0
        assert ntfy.pending(MUM) == [] and ntfy.pending(GRANDPA) == []
        ntfy.advance(3600)
        assert ntfy.on(MUM) == [] and ntfy.on(GRANDPA) == []
