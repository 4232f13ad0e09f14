"""List state: each source's last refresh, the last good copy kept on an error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_store import T0

from agent.store import (
    ListState,
    Store,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "baoan.sqlite3") as opened:
        yield opened


def test_list_state_upsert_keeps_last_good_on_error(store: Store) -> None:
    good = ListState(
        "adult",
        "https://lists.example/adult.txt",
        etag='"abc"',
        count=120_000,
        bad_lines=3,
        updated_at=T0,
    )
    store.lists.upsert(good)
    assert store.lists.get("adult", good.source) == good
    failed = store.lists.record_error("adult", good.source, "timeout after 30 s")
    assert (failed.count, failed.etag, failed.updated_at) == (120_000, '"abc"', T0)
    assert failed.error == "timeout after 30 s"
    store.lists.upsert(ListState("adult", good.source, count=121_000, updated_at=T0))
    refreshed = store.lists.get("adult", good.source)
    assert refreshed is not None and refreshed.count == 121_000 and refreshed.error is None
    store.lists.record_error("gambling", "/srv/gambling.txt", "no such file")
    assert [s.category for s in store.lists.all()] == ["adult", "gambling"]
    assert store.lists.delete("gambling", "/srv/gambling.txt")
    assert store.lists.get("gambling", "/srv/gambling.txt") is None
