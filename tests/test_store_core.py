"""The connection core: several threads at once, a closed store."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from helpers_store import T0, entry

from agent.store import (
    Store,
    StoreError,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "baoan.sqlite3") as opened:
        yield opened


def test_many_threads_write_and_read_at_once(store: Store) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(20):
                store.query_log.add([entry(f"w{worker}-{i}.vn", child=f"c{worker}")])
                store.usage.record_heartbeat(f"c{worker}", "app", at=T0 + timedelta(seconds=i))
                store.kv.set(f"worker{worker}", i)
                store.query_log.stats(child=f"c{worker}")
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.query_log.count() == 120
    assert all(store.kv.get(f"worker{n}") == 19 for n in range(6))
    assert all(len(store.usage.intervals(f"c{n}")) == 1 for n in range(6))
    # Connections of finished threads are closed when the next thread opens one.
    opened = threading.Thread(target=store.kv.get, args=("worker0",))
    opened.start()
    opened.join()
    assert len(store.database._connections) <= 2


def test_a_closed_store_refuses_work(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.kv.get("x")
