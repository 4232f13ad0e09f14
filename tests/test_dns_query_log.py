"""The agent's query log fed by the real DNS server (`agent.dns_query_log.DnsQueryLog`):
after a burst of memo hits every answer is in a row (repeats merged, with their count) and
counted, each remembered answer's row is made once per client, and rows shed by a full
buffer are still counted, here and in `/api/status`."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from dnslib import DNSRecord
from test_query_log_rows import start_agent, upstream, wait_for
from test_server import (
    V4,
    BadIsBlocked,
    ServerThread,
    question,
    tcp_exchange,
    udp_ask,
    udp_path,
)

from agent.dns_query_log import DnsQueryLog
from agent.runtime import DATABASE_NAME
from agent.store import QueryLogWriter, Store
from agent.store.models import RowPrefix
from dns_filter.clock import SystemClock
from dns_filter.server import LoggedAnswer

# Fixtures from other tests: the stand-in upstream, and every test once with the Python
# UDP path and once with the C fast path (`udp_path`, autouse).
__all__ = ["udp_path", "upstream"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "q.sqlite3") as opened:
        yield opened


class KeyCounting(DnsQueryLog):
    """The agent's query log, counting the keys the server asks it to make."""

    keys_made = 0

    def log_key(self, answer: LoggedAnswer) -> RowPrefix:
        self.keys_made += 1
        return super().log_key(answer)


def send_burst(port: int, queries: list[DNSRecord]) -> None:
    """Every query sent before any answer is read (a burst), then every answer read (at
    most about 150 fit the client's receive buffer)."""
    assert len(queries) <= 120
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        for query in queries:
            sock.sendto(query.pack(), (V4, port))
        answers = [DNSRecord.parse(sock.recvfrom(4096)[0]) for _ in queries]
    assert all(answer.rr for answer in answers)


def answers_by_row(store: Store, name: str) -> dict[tuple[object, ...], int]:
    """The answers logged for `name`, by row but for time, latency and count."""
    found: dict[tuple[object, ...], int] = {}
    for *row, count in store.database.connection().execute(
        "SELECT child, client, name, qtype, decision, reason, category, count FROM query_log"
        " WHERE name = ? ORDER BY id",
        (name,),
    ):
        found[tuple(row)] = found.get(tuple(row), 0) + count
    return found


def test_a_burst_of_memo_hits_has_every_answer_and_count_and_one_key_per_entry_and_client(
    store: Store,
) -> None:
    writer = QueryLogWriter(store.query_log)
    feed = KeyCounting(writer, SystemClock())
    server = ServerThread(BadIsBlocked(), on_result=None, answer_log=feed)
    try:
        port = server.port()
        for name in ("bad.example.test", "good.example.test"):  # the chain's answers
            assert udp_ask(V4, port, question(name)).rr
        burst = [question(n) for n in ("bad.example.test", "good.example.test") * 50]
        for _ in range(3):
            send_burst(port, burst)
        send_burst(port, burst[:40])
        tcp_exchange(V4, port, [question("bad.example.test").pack()] * 3)
        server.run(server.server.drain_log())
        assert server.stats().memo_hits == 343
    finally:
        server.close()
    writer.close()
    answers = 2 + 340 + 3
    assert server.server.stats.log_dropped == 0 and writer.dropped == 0
    assert store.query_log.count() == answers
    # one batch: a row per answer that differs, or two when a minute began in between
    assert store.query_log.row_count() in (3, 4, 5, 6)
    # a key for each chain answer, then one per memo entry, client and transport
    assert feed.keys_made == 2 + 2 + 1
    bad = (None, V4, "bad.example.test", "A", "blocked", '{"kind":"deny_list"}', None)
    assert answers_by_row(store, "bad.example.test") == {bad: 1 + 170 + 3}
    (resolved, once), (cached, hits) = answers_by_row(store, "good.example.test").items()
    assert resolved[4] == "resolved" and resolved[6] is None and once == 1
    assert cached == (*resolved[:4], "cached", *resolved[5:]) and hits == 170
    stats = store.query_log.stats()
    assert stats.total == store.query_counts.total() == answers
    assert stats.blocked == 1 + 170 + 3
    assert stats.top_blocked == [("bad.example.test", 174)]
    latencies = [row[0] for row in store.database.connection().execute(
        "SELECT latency_ms FROM query_log")]
    assert all(latency >= 0 for latency in latencies)


def test_rows_a_full_buffer_sheds_are_counted_all_the_same(
    store: Store,
) -> None:
    # No writer thread: nothing is written until `close`, so the 20 rows it keeps fill.
    writer = QueryLogWriter(store.query_log, batch_size=20, max_buffer=20)
    server = ServerThread(
        BadIsBlocked(), on_result=None, answer_log=DnsQueryLog(writer, SystemClock())
    )
    try:
        port = server.port()
        names = [f"bad{i}.example.test" if i % 3 == 0 else f"good{i}.example.test"
                 for i in range(30)]
        for name in names:  # each name from the chain, then a burst of its memo hits
            assert udp_ask(V4, port, question(name)).rr
        send_burst(port, [question(name) for name in names * 4])  # 120 memo hits
        server.run(server.server.drain_log())
    finally:
        server.close()
    answers = len(names) * 5
    assert writer.pending == 20 and writer.dropped > 0
    writer.close()
    assert store.query_log.row_count() == 20
    # every answer is in a kept row or counted as shed, and counted in the statistics
    assert store.query_log.count() + writer.dropped == answers
    stats = store.query_log.stats()
    assert stats.total == store.query_counts.total() == answers
    assert stats.blocked == 10 * 5
    # The newest rows were kept: the 20 `cached` rows of the good names came after every
    # chain answer, so no `resolved` row (a chain answer never repeated) is left.
    kept = store.database.connection().execute("SELECT decision FROM query_log").fetchall()
    assert "resolved" not in {decision for (decision,) in kept}
    with pytest.raises(ValueError, match="whole rows"):
        store.query_log.add_values(["An"] * 9, {})


def test_shed_rows_are_shown_in_the_status_and_still_counted(
    tmp_path: Path, upstream: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    def small_writer(sink: object, **settings: Any) -> QueryLogWriter:
        return QueryLogWriter(sink, **settings, batch_size=5, max_buffer=5)  # type: ignore[arg-type]

    monkeypatch.setattr("agent.runtime.QueryLogWriter", small_writer)
    running = start_agent(tmp_path, upstream)  # type: ignore[arg-type]
    database = tmp_path / "data" / DATABASE_NAME
    asked = 0
    try:
        port = int(running.dns_server.addresses[0].port)
        # While another connection holds the database's write lock nothing is written:
        # the buffer of five keeps the newest rows and sheds the rest.
        lock = sqlite3.connect(database, timeout=30, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
        try:
            for index in range(40):  # each a name of its own: a row each
                name = f"x{index}.pornhub.com" if index % 4 == 0 else f"n{index}.example.test"
                DNSRecord.parse(DNSRecord.question(name).send(V4, port, timeout=5))
                asked += 1

            writer = running.query_log
            assert writer is not None

            def shed_shown() -> bool:
                with requests.Session() as session:
                    session.trust_env = False
                    body = session.get(running.http_url() + "/api/status", timeout=5).json()
                shed = int(body["dns"]["log_shed"])
                return shed >= asked - 10 and shed == writer.dropped

            wait_for(shed_shown, timeout=30)
        finally:
            lock.execute("ROLLBACK")
            lock.close()
    finally:
        running.stop()
    with Store(database) as store:
        stats = store.query_log.stats()
        assert stats.total == store.query_counts.total() == asked
        assert stats.blocked == asked // 4
        assert store.query_log.count() <= 10
