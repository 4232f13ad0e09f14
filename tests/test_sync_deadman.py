"""The dead-man signal over the ntfy stand-in: a scheduled message replaced every ten
minutes while the agent runs, delivered 30 minutes after it stops; an older server is
detected and gets no signal (it would be a false alarm every ten minutes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from helpers_ntfy import NtfyStandIn, ntfy_standin

from agent.alert_delivery import DeadManPublisher
from agent.policy.model import Caregiver, FamilyPolicy
from agent.secrets import file_secret_store
from agent.store import Store
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
    with ntfy_standin(version=(2, 16)) as ntfy:
        beat = publisher(tmp_path, store, ntfy, "PC-phong-khach")
        other = publisher(tmp_path, store, ntfy, "Laptop-cua-Minh")
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
        assert probe(requests.Session(), where) is Support.KEEPS_EVERY_COPY
        beat = publisher(tmp_path, store, ntfy, "PC-phong-khach")
        beat()
        beat()
        assert [m for m in ntfy.scheduled if m["topic"] == TOPIC] == []
        ntfy.advance(3600)
        assert ntfy.on(TOPIC) == []  # no false alarms


def test_an_unreachable_server_is_unknown_not_a_verdict(tmp_path: Path, store: Store) -> None:
    with ntfy_standin() as ntfy:
        url = ntfy.url
    assert probe(requests.Session(), NtfyTopic(url, TOPIC), timeout=2) is Support.UNKNOWN
