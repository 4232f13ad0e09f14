"""TCP cannot be starved: per-client connection caps, a short wait for a first query, and
the oldest idle connection closed first, against real sockets on loopback (one client on
127.0.0.1, the others on 127.0.0.2 and up: Linux answers all of 127/8 on loopback)."""

from __future__ import annotations

import asyncio
import select
import socket
import struct
import sys
import threading
import time
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from dnslib import QTYPE, RR, A, DNSRecord

from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.reason import Reason, ReasonKind
from dns_filter.server import DnsServer, ServerLimits, ServerStats

T = TypeVar("T")

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="other loopback addresses than 127.0.0.1"
)


class Answers(Resolver):
    async def resolve(self, query: Query) -> Result:
        response = query.request.reply()
        response.add_answer(RR(query.request.q.qname, QTYPE.A, rdata=A("192.0.2.1"), ttl=60))
        return Result(response, AnswerType.RESOLVED, Reason(ReasonKind.UPSTREAM))


class Served:
    def __init__(self, limits: ServerLimits) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.server = DnsServer(Answers(), [("127.0.0.1", 0)], limits=limits)
        self.run(self.server.start())
        self.port = self.server.addresses[0].port

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def stats(self) -> ServerStats:
        async def copy() -> ServerStats:
            return ServerStats(**vars(self.server.stats))

        return self.run(copy())

    def close(self) -> None:
        try:
            self.run(self.server.stop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop.close()


class IdleHolder:
    """Holds `count` TCP connections from the given source addresses that never send a
    byte, and reconnects each one the server closes, as fast as it can."""

    def __init__(self, port: int, sources: list[str], count: int) -> None:
        self._port = port
        self._sources = sources
        self._count = count
        self._stop = threading.Event()
        self.connects = 0
        self.most_open = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _connect(self, index: int) -> socket.socket | None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((self._sources[index % len(self._sources)], 0))
            sock.settimeout(1.0)
            sock.connect(("127.0.0.1", self._port))
        except OSError:
            sock.close()
            return None
        self.connects += 1
        return sock

    def _run(self) -> None:
        open_sockets: dict[int, socket.socket] = {}
        while not self._stop.is_set():
            for index in range(self._count):
                if index not in open_sockets:
                    sock = self._connect(index)
                    if sock is not None:
                        open_sockets[index] = sock
            self.most_open = max(self.most_open, len(open_sockets))
            readable, _, _ = select.select(list(open_sockets.values()), [], [], 0.05)
            for sock in readable:  # readable with nothing to read: the server closed it
                try:
                    closed = sock.recv(1) == b""
                except OSError:
                    closed = True
                if closed:
                    index = next(i for i, s in open_sockets.items() if s is sock)
                    del open_sockets[index]
                    sock.close()
        for sock in open_sockets.values():
            sock.close()

    def __enter__(self) -> IdleHolder:
        self._thread.start()
        deadline = time.monotonic() + 5
        while self.connects < self._count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def ask_over_tcp(port: int, name: str, source: str = "127.0.0.1") -> DNSRecord:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(3.0)
        sock.bind((source, 0))
        sock.connect(("127.0.0.1", port))
        payload = DNSRecord.question(name).pack()
        sock.sendall(struct.pack(">H", len(payload)) + payload)
        length = struct.unpack(">H", _read(sock, 2))[0]
        return DNSRecord.parse(_read(sock, length))


def _read(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("the server closed the connection")
        data += chunk
    return data


@pytest.fixture
def served() -> Iterator[Served]:
    server = Served(ServerLimits(tcp_first_query_timeout=1.0))
    yield server
    server.close()


def test_128_idle_connections_from_one_client_lose_another_client_nothing(
    served: Served,
) -> None:
    with IdleHolder(served.port, ["127.0.0.2"], 128) as holder:
        answered = [ask_over_tcp(served.port, f"q{index}.example") for index in range(40)]
        assert holder.connects > 128  # it kept reconnecting as its connections were closed
        assert holder.most_open >= 16
    assert [str(response.rr[0].rdata) for response in answered] == ["192.0.2.1"] * 40
    stats = served.stats()
    assert stats.tcp_idle_closed > 0 and stats.tcp_refused == 0


def test_when_every_place_is_taken_the_oldest_idle_connection_gives_way(
    served: Served,
) -> None:
    # Eight clients of sixteen fill all 128 places; a ninth client still gets its answers.
    sources = [f"127.0.0.{index}" for index in range(2, 10)]
    with IdleHolder(served.port, sources, 128):
        answered = [ask_over_tcp(served.port, f"q{index}.example") for index in range(40)]
    assert all(response.rr for response in answered)
    assert served.stats().tcp_idle_closed >= 1  # places were taken back for them


def test_a_connection_that_sends_nothing_is_closed_soon_one_that_asked_is_kept(
    served: Served,
) -> None:
    silent = socket.create_connection(("127.0.0.1", served.port), timeout=5)
    talking = socket.create_connection(("127.0.0.1", served.port), timeout=5)
    try:
        payload = DNSRecord.question("kept.example").pack()
        talking.sendall(struct.pack(">H", len(payload)) + payload)
        length = struct.unpack(">H", _read(talking, 2))[0]
        _read(talking, length)
        started = time.monotonic()
        assert silent.recv(1) == b""  # closed by the server
        assert 0.5 < time.monotonic() - started < 3.0
        talking.setblocking(False)
        with pytest.raises(BlockingIOError):  # still open, nothing to read
            talking.recv(1)
    finally:
        silent.close()
        talking.close()


def test_a_clients_own_cap_closes_its_own_oldest_idle_connection() -> None:
    server = Served(ServerLimits(max_tcp_connections_per_client=2, tcp_first_query_timeout=5))
    try:
        first = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        time.sleep(0.1)
        second = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        time.sleep(0.1)
        third = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        assert first.recv(1) == b""  # the oldest gave way
        second.setblocking(False)
        with pytest.raises(BlockingIOError):
            second.recv(1)
        for sock in (first, second, third):
            sock.close()
        assert server.stats().tcp_idle_closed == 1
    finally:
        server.close()


def test_at_the_global_cap_the_client_holding_most_gives_way_not_a_newcomer() -> None:
    # A connection that has not sent its query yet is idle too: at the cap, the one that
    # gives way is the oldest idle connection of whoever holds the most, never the
    # newcomer's own older connection.
    server = Served(
        ServerLimits(
            max_tcp_connections=4, max_tcp_connections_per_client=4, tcp_first_query_timeout=5
        )
    )
    try:
        mine = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        time.sleep(0.1)  # the oldest connection of all
        theirs = []
        for _ in range(3):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.2", 0))
            sock.settimeout(5)
            sock.connect(("127.0.0.1", server.port))
            theirs.append(sock)
            time.sleep(0.05)
        late = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        late.bind(("127.0.0.3", 0))
        late.settimeout(5)
        late.connect(("127.0.0.1", server.port))
        assert theirs[0].recv(1) == b""  # the oldest of the client holding three
        mine.setblocking(False)
        with pytest.raises(BlockingIOError):  # the oldest of all is kept: its client holds one
            mine.recv(1)
        assert server.stats().tcp_idle_closed == 1
        for sock in (mine, late, *theirs):
            sock.close()
    finally:
        server.close()
