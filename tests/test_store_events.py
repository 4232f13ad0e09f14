"""Events: alerts, tamper and clock events, listed newest first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from helpers_store import T0

from agent.store import (
    Store,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "baoan.sqlite3") as opened:
        yield opened


def test_events_add_and_list(store: Store) -> None:
    store.events.add(
        "clock_changed", "Giờ máy bị đổi", severity="alert", at=T0, data={"delta": -3600}
    )
    store.events.add(
        "tamper", "Khay bị tắt", child="An", severity="warning", at=T0 + timedelta(seconds=1)
    )
    store.events.add("tamper", "Khay bị tắt", child="Bình", at=T0 + timedelta(seconds=2))
    assert [e.child for e in store.events.recent(kind="tamper")] == ["Bình", "An"]
    [clock] = store.events.recent(kind="clock_changed")
    assert clock.data == {"delta": -3600} and clock.time == T0 and clock.severity == "alert"
    assert [e.kind for e in store.events.recent(child="An")] == ["tamper"]
    assert len(store.events.recent(since=T0 + timedelta(seconds=1))) == 2
    with pytest.raises(ValueError, match="severity"):
        store.events.add("x", "y", severity="catastrophic")
