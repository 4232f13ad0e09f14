"""Key/values: JSON values under names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.store import (
    Store,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "baoan.sqlite3") as opened:
        yield opened


def test_kv_round_trips_json(store: Store) -> None:
    assert store.kv.get("missing", "default") == "default"
    store.kv.set("last_rollover", {"day": "2025-09-05", "children": ["An", "Bình"]})
    store.kv.set("last_rollover", {"day": "2025-09-06", "children": ["An"]})
    assert store.kv.get("last_rollover") == {"day": "2025-09-06", "children": ["An"]}
    assert store.kv.delete("last_rollover") and not store.kv.delete("last_rollover")
    with pytest.raises(ValueError, match="JSON"):
        store.kv.set("bad", object())
