"""The query log as the agent writes it: a memo hit's row says what a chain answer's row
says (and repeats are one row with their count), a clean stop loses no row and no count,
and a crash mid-batch loses at most the batch that was not yet written (its rows and its
counts together)."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from dnslib import RR, DNSRecord
from test_upstreams_standin import ZONE_TEXT, StandInDns, Zone

from agent.policy.template import render_initial_policy
from agent.runtime import DATABASE_NAME, Agent, AgentSettings
from agent.store import Store
from agent.store.models import QueryLogRow

REPO_ROOT = Path(__file__).resolve().parents[1]
EXTRA_ZONE = "\npornhub.com. 300 IN A 198.51.100.66\n"


def wait_for(condition: Callable[[], object], timeout: float = 10.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def upstream() -> Iterator[StandInDns]:
    server = StandInDns(Zone(RR.fromZone(ZONE_TEXT + EXTRA_ZONE))).start()
    yield server
    server.close()


def start_agent(tmp_path: Path, upstream: StandInDns) -> Agent:
    config = tmp_path / "family.toml"
    config.write_text(
        render_initial_policy("An", 9, ["an"], [upstream.udp_url]), encoding="utf-8"
    )
    running = Agent(
        AgentSettings(
            config_path=config,
            data_dir=tmp_path / "data",
            dns_listen=(("127.0.0.1", 0),),
            http_listen=("127.0.0.1", 0),
            refresh_lists_at_start=False,
        ),
        session_user=lambda: "an",
    )
    running.start()
    return running


@pytest.fixture
def agent(tmp_path: Path, upstream: StandInDns) -> Iterator[Agent]:
    running = start_agent(tmp_path, upstream)
    yield running
    running.stop()


def ask(agent: Agent, name: str) -> None:
    port = int(agent.dns_server.addresses[0].port)
    DNSRecord.parse(DNSRecord.question(name, "A").send("127.0.0.1", port, timeout=5))


def logged(agent: Agent, name: str, answers: int) -> list[dict[str, Any]]:
    """The rows of `name`, oldest first, once they stand for `answers` answers."""
    store = agent.store
    assert store is not None

    def rows() -> list[dict[str, Any]] | None:
        found = [e.as_api() for e in store.query_log.recent(limit=1000) if e.name == name]
        return list(reversed(found)) if sum(row["count"] for row in found) >= answers else None

    found = wait_for(rows)
    assert isinstance(found, list)
    return found


def without_moment(row: dict[str, Any]) -> dict[str, Any]:
    """A row but for what merging changes: its time, latency and count."""
    return {k: v for k, v in row.items() if k not in ("time", "latency_ms", "count")}


def test_a_memo_hits_row_says_what_the_chain_answers_row_said(agent: Agent) -> None:
    hits_before = agent.dns_server.stats.memo_hits
    for _ in range(4):  # the chain's answer, then memo hits: seen once, twice, kept parts
        ask(agent, "pornhub.com")
        ask(agent, "www.example.test")
    assert agent.dns_server.stats.memo_hits - hits_before == 6
    rows = logged(agent, "pornhub.com", 4)
    # the hits repeat the chain's answer: one row (two if a minute began in between)
    assert len(rows) in (1, 2) and sum(row["count"] for row in rows) == 4
    for row in rows:
        assert row["decision"] == "blocked" and row["category"] == "adult"
        assert row["child"] == "An" and row["reason"]["kind"] == "category"
        assert without_moment(row) == without_moment(rows[0])
    chain, *hits = logged(agent, "www.example.test", 4)
    assert chain["decision"] == "resolved" and chain["category"] is None
    assert chain["count"] == 1 and sum(hit["count"] for hit in hits) == 3
    for hit in hits:  # remembered: `cached`, and otherwise the same row
        assert hit["decision"] == "cached"
        assert without_moment(hit) == {**without_moment(chain), "decision": "cached"}
    for row in (chain, *hits):
        assert row["latency_ms"] >= 0 and row["latency_ms"] == round(row["latency_ms"], 3)


def test_a_clean_stop_writes_every_row_and_every_count(
    tmp_path: Path, upstream: StandInDns
) -> None:
    running = start_agent(tmp_path, upstream)
    try:
        asked = [("pornhub.com" if i % 4 == 0 else "www.example.test") for i in range(40)]
        for name in asked:
            ask(running, name)
    finally:
        running.stop()  # at once: what the writer still holds is written on the way out
    with Store(tmp_path / "data" / DATABASE_NAME) as store:
        assert store.query_log.count() == len(asked)
        stats = store.query_log.stats()
        assert stats.total == store.query_counts.total() == len(asked)
        assert stats.blocked == asked.count("pornhub.com")
        assert stats.by_category == {"adult": asked.count("pornhub.com")}


# Logs 100 answers a round through a writer whose buffer keeps 60 (so 40 rows are shed and
# only counted), then flushes, and acknowledges the round once the flush has returned.
WRITER = """
import sys
from agent.store import Store, QueryLogWriter
from agent.store.models import RowPrefix

store = Store(sys.argv[1])
writer = QueryLogWriter(store.query_log, batch_size=60, max_buffer=60)
i = int(sys.argv[2])
while True:
    for part in range(4):
        rows: list[RowPrefix] = [
            ("An", "127.0.0.1", f"r{i}-{part}-{j}.test", "A", "blocked", '{"kind":"category"}',
             "adult")
            for j in range(25)
        ]
        writer.log_answers(rows, [0.0005] * 25, 1_757_041_200.0 + i)
    assert writer.flush() == 60
    sys.stdout.write(f"F {i}\\n")
    sys.stdout.flush()
    i += 1
"""


def _run_and_kill(db: Path, start: int, rng: random.Random) -> list[int]:
    """Run the writer, SIGKILL it at a random moment; the rounds it acknowledged."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(start)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None
    wanted, text = rng.randint(3, 30), b""
    deadline = time.monotonic() + 30
    while text.count(b"\n") < wanted and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            text += chunk
    time.sleep(rng.uniform(0, 0.01))
    process.send_signal(signal.SIGKILL)
    rest, errors = process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL, errors.decode()
    lines = (text + rest).decode().split("\n")[:-1]  # a cut last line acknowledges nothing
    assert lines, f"the writer acknowledged nothing: {errors.decode()}"
    return [int(line.split()[1]) for line in lines]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_crash_mid_batch_loses_at_most_the_unwritten_batch(tmp_path: Path) -> None:
    db = tmp_path / "crash.sqlite3"
    rng = random.Random(1107)
    acknowledged: set[int] = set()
    start = 0
    for _round in range(3):
        acknowledged.update(_run_and_kill(db, start, rng))
        with Store(db) as store:
            assert store.database.integrity_check() == "ok"
            rounds: dict[int, int] = {}
            for (name,) in store.database.connection().execute("SELECT name FROM query_log"):
                number = int(name.split("-")[0][1:])
                rounds[number] = rounds.get(number, 0) + 1
            # every acknowledged batch is there whole, and nothing is ever half there
            assert acknowledged <= set(rounds)
            assert set(rounds.values()) == {60}
            # its counts came with it: each round's 100 answers, its 40 shed rows too
            assert store.query_counts.total() == 100 * len(rounds)
            assert store.query_log.stats().blocked == 100 * len(rounds)
            start = max(rounds) + 1
    assert len(acknowledged) >= 9


@pytest.mark.parametrize("size", [1, 3, 2047, 2048, 2049, 5000])
def test_a_batch_of_any_size_is_written_whole_and_in_order(tmp_path: Path, size: int) -> None:
    rows: list[QueryLogRow] = [
        ("An", "127.0.0.1", f"n{i}.test", "A", "cached", '{"kind":"cache"}', None,
         1_757_041_200.0 + i / 1000, 0.25, 1)
        for i in range(size)
    ]
    with Store(tmp_path / "q.sqlite3") as store:
        assert store.query_log.add_rows(rows, {(1_757_041_200, "An", "cached", ""): size}) == size
        names = [e.name for e in store.query_log.recent(limit=size)]
        assert names == [f"n{i}.test" for i in reversed(range(size))]
        assert store.query_counts.total() == size
