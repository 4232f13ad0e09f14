"""The agent's query log fed by the real DNS server (`agent.dns_query_log.DnsQueryLog`):
after a burst of memo hits every answer has its row and its count, each remembered
answer's row is made once per client, and rows shed by a full buffer are still counted,
here and in `/api/status`."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

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

from agent.dns_query_log import AnswerKey, DnsQueryLog
from agent.runtime import DATABASE_NAME
from agent.store import QueryLogWriter, Store
from agent.store.models import ROW_NAME, ROW_WIDTH, CountKey, QueryLogValue
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

    def log_key(self, answer: LoggedAnswer) -> AnswerKey:
        self.keys_made += 1
        return super().log_key(answer)


class HandedOrder:
    """A query log sink that notes each row's name in the order it is handed over, then
    passes the rows on to the writer."""

    def __init__(self, writer: QueryLogWriter) -> None:
        self._writer = writer
        self.names: list[str] = []

    def log_values(
        self, values: Sequence[QueryLogValue], counts: Mapping[CountKey, int]
    ) -> None:
        self.names += [str(name) for name in values[ROW_NAME::ROW_WIDTH]]
        self._writer.log_values(values, counts)


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


def rows_of(store: Store, name: str) -> list[tuple[object, ...]]:
    return store.database.connection().execute(
        "SELECT child, client, name, qtype, decision, reason, category FROM query_log"
        " WHERE name = ? ORDER BY id",
        (name,),
    ).fetchall()


def test_a_burst_of_memo_hits_has_every_row_and_count_and_one_key_per_entry_and_client(
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
    # a key for each chain answer, then one per memo entry, client and transport
    assert feed.keys_made == 2 + 2 + 1
    bad, *bad_hits = rows_of(store, "bad.example.test")
    assert bad == (None, V4, "bad.example.test", "A", "blocked", '{"kind":"deny_list"}', None)
    assert bad_hits == [bad] * (170 + 3)
    good, *good_hits = rows_of(store, "good.example.test")
    assert good[4] == "resolved" and good[6] is None
    assert good_hits == [(*good[:4], "cached", *good[5:])] * 170
    stats = store.query_log.stats()
    assert stats.total == store.query_counts.total() == answers
    assert stats.blocked == 1 + 170 + 3
    latencies = [row[0] for row in store.database.connection().execute(
        "SELECT latency_ms FROM query_log")]
    assert all(latency >= 0 for latency in latencies)


def test_rows_a_full_buffer_sheds_are_counted_all_the_same(
    store: Store,
) -> None:
    # No writer thread: nothing is written until `close`, so the buffer of 50 fills.
    writer = QueryLogWriter(store.query_log, batch_size=50, max_buffer=50)
    handed = HandedOrder(writer)
    server = ServerThread(
        BadIsBlocked(), on_result=None, answer_log=DnsQueryLog(handed, SystemClock())
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
    assert writer.dropped == answers - 50 and writer.pending == 50
    writer.close()
    assert store.query_log.count() == 50
    stats = store.query_log.stats()
    assert stats.total == store.query_counts.total() == answers
    assert stats.blocked == 10 * 5
    # The newest rows were kept: the last 50 handed over. Within one burst the C path
    # hands its answers over in batches, the Python path's apart, so the order handed
    # is not the order sent; but the chain's answers, the oldest, were all shed.
    assert sorted(handed.names) == sorted(names * 5)
    kept = store.database.connection().execute(
        "SELECT name, decision FROM query_log ORDER BY id").fetchall()
    assert [name for name, _ in kept] == handed.names[-50:]
    assert "resolved" not in {decision for _, decision in kept}


def test_shedding_keeps_the_callers_values_as_they_were(store: Store) -> None:
    writer = QueryLogWriter(store.query_log, batch_size=2, max_buffer=2)
    values: list[str | float | None] = []
    for index in range(3):
        values += ("An", V4, f"n{index}.test", "A", "cached", '{"kind":"cache"}', None,
                   1_757_041_200.0, 0.5)
    given = list(values)
    writer.log_values(values, {(1_757_041_200, "An", "cached", ""): 3})
    assert values == given  # a watcher after the writer reads the slice whole
    assert writer.dropped == 1 and writer.pending == 2
    writer.close()
    assert [e.name for e in reversed(store.query_log.recent())] == ["n1.test", "n2.test"]
    assert store.query_counts.total() == 3
    with pytest.raises(ValueError, match="whole rows"):
        store.query_log.add_values(values[:-1], {})


def test_shed_rows_are_shown_in_the_status_and_still_counted(
    tmp_path: Path, upstream: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    def small_writer(sink: object) -> QueryLogWriter:
        return QueryLogWriter(sink, batch_size=5, max_buffer=5)  # type: ignore[arg-type]

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
            for index in range(40):
                name = "pornhub.com" if index % 4 == 0 else "www.example.test"
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
