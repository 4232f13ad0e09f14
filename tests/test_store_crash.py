"""No corruption and no lost commit when the writing process is killed with SIGKILL."""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent.store import Store

REPO_ROOT = Path(__file__).resolve().parents[1]
GROUP_ROWS = 40
SOLO_ROWS = 15

# The writer acknowledges each commit on stdout only after COMMIT has returned.
WRITER = f"""
import sys
from datetime import UTC, datetime
from agent.store import QueryLogEntry, Store

store = Store(sys.argv[1])
i = int(sys.argv[2])
out = sys.stdout
while True:
    now = datetime.now(UTC)
    # One transaction over three tables: all of it is there after a crash, or none.
    with store.transaction():
        store.query_log.add(
            [QueryLogEntry(now, "127.0.0.1", f"g{{i}}-{{j}}.test", "A", "resolved", child="An")
             for j in range({GROUP_ROWS})]
        )
        store.usage.record_heartbeat("An", f"app{{i % 3}}", at=now)
        store.kv.set("counter", i)
    out.write(f"T {{i}}\\n")
    out.flush()
    # A batch in its own transaction, as the query-log writer does.
    store.query_log.add(
        [QueryLogEntry(now, "127.0.0.1", f"s{{i}}-{{j}}.test", "A", "blocked", child="Bình")
         for j in range({SOLO_ROWS})]
    )
    out.write(f"Q {{i}}\\n")
    out.flush()
    i += 1
"""


def _run_and_kill(db: Path, start: int, rng: random.Random) -> list[str]:
    """Start the writer, let it commit a while, SIGKILL it; return every acknowledgement."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(start)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None
    wanted = rng.randint(5, 60)
    seen = 0
    chunks: list[bytes] = []
    deadline = time.monotonic() + 30
    while seen < wanted and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            chunks.append(chunk)
            seen = b"".join(chunks).count(b"\n")
    # Land the kill at a random point of the following writes.
    time.sleep(rng.uniform(0, 0.02))
    process.send_signal(signal.SIGKILL)
    rest, errors = process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL, errors.decode()
    text = (b"".join(chunks) + rest).decode()
    # The last line may have been cut mid-write: an unfinished line acknowledges nothing.
    lines = text.split("\n")[:-1]
    assert lines, f"the writer acknowledged nothing: {errors.decode()}"
    return lines


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkill_mid_write_never_corrupts_or_loses_acknowledged_commits(tmp_path: Path) -> None:
    db = tmp_path / "crash.sqlite3"
    rng = random.Random(830)
    acknowledged_groups: set[int] = set()
    acknowledged_solos: set[int] = set()
    start = 0
    for _round in range(5):
        for line in _run_and_kill(db, start, rng):
            kind, acked = line.split()
            (acknowledged_groups if kind == "T" else acknowledged_solos).add(int(acked))

        # The WAL left by the killed process is recovered on open.
        with Store(db) as store:
            assert store.database.integrity_check() == "ok"
            conn = store.database.connection()
            groups: dict[int, int] = {}
            solos: dict[int, int] = {}
            for (name,) in conn.execute("SELECT name FROM query_log"):
                head = name.split("-")[0]
                target = groups if head[0] == "g" else solos
                target[int(head[1:])] = target.get(int(head[1:]), 0) + 1
            # Every acknowledged commit is there, whole.
            for i in acknowledged_groups:
                assert groups.get(i) == GROUP_ROWS, f"group {i} lost after SIGKILL"
            for i in acknowledged_solos:
                assert solos.get(i) == SOLO_ROWS, f"batch {i} lost after SIGKILL"
            # Nothing is ever half there (an unacknowledged commit may be whole or absent).
            assert set(groups.values()) <= {GROUP_ROWS}
            assert set(solos.values()) <= {SOLO_ROWS}
            counter = store.kv.get("counter")
            assert counter is not None and counter >= max(acknowledged_groups)
            assert counter == max(groups)  # kv moved in the same transactions as the rows
            assert store.usage.intervals("An"), "usage heartbeats were lost"
            start = max(max(groups), max(solos, default=0)) + 1

    assert len(acknowledged_groups) >= 25  # five rounds did real work
    # The file is a plain, healthy SQLite database for any other reader too.
    conn2 = sqlite3.connect(db)
    assert conn2.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn2.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn2.close()
