"""The per-client rate limit, against real sockets on loopback with the Python path and
the C fast path: past its bucket a client gets REFUSED, counted; an exempt client (the PC
itself, the block page) never does; time refills the bucket."""

from __future__ import annotations

import asyncio
import socket
import struct
import sys
import threading
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from dnslib import QTYPE, RCODE, RR, A, DNSRecord

from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.clock import ManualClock
from dns_filter.rate_limit import ClientRateLimit
from dns_filter.reason import Reason, ReasonKind
from dns_filter.server import DnsServer, ServerStats, load_fastpath

T = TypeVar("T")
PC = "127.0.0.1"
PHONE = "127.0.0.2"

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="other loopback addresses than 127.0.0.1"
)


@pytest.fixture(autouse=True, params=["python", "c"])
def udp_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "c":
        monkeypatch.delenv("BAOAN_DNS_FASTPATH", raising=False)
        if load_fastpath() is None:
            pytest.skip("the C fast path (dns_filter._fastpath) is not built")
    else:
        monkeypatch.setenv("BAOAN_DNS_FASTPATH", "0")
    return str(request.param)


class Answers(Resolver):
    async def resolve(self, query: Query) -> Result:
        response = query.request.reply()
        response.add_answer(RR(query.request.q.qname, QTYPE.A, rdata=A("192.0.2.1"), ttl=300))
        return Result(response, AnswerType.RESOLVED, Reason(ReasonKind.UPSTREAM))


class Served:
    def __init__(self) -> None:
        self.clock = ManualClock(datetime(2026, 3, 2, 5, 0, tzinfo=UTC))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        limit = ClientRateLimit(20, burst=20, exempt=lambda ip: ip == PC, clock=self.clock)
        self.server = DnsServer(
            Answers(), [(PC, 0)], clock=self.clock, rate_limit=limit
        )
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


def ask_udp(port: int, source: str, name: str = "same.example") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((source, 0))
        sock.settimeout(3)
        sock.sendto(DNSRecord.question(name).pack(), (PC, port))
        return int(DNSRecord.parse(sock.recvfrom(65535)[0]).header.rcode)


def ask_tcp(port: int, source: str, name: str = "same.example") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((source, 0))
        sock.settimeout(3)
        sock.connect((PC, port))
        payload = DNSRecord.question(name).pack()
        sock.sendall(struct.pack(">H", len(payload)) + payload)
        data = b""
        while len(data) < 2 or len(data) < 2 + struct.unpack(">H", data[:2])[0]:
            chunk = sock.recv(4096)
            assert chunk, "closed without an answer"
            data += chunk
        return int(DNSRecord.parse(data[2:]).header.rcode)


@pytest.fixture
def served() -> Any:
    server = Served()
    yield server
    server.close()


def test_past_its_bucket_a_client_is_refused_and_counted(served: Served) -> None:
    answers = [ask_udp(served.port, PHONE) for _ in range(30)]
    assert answers == [RCODE.NOERROR] * 20 + [RCODE.REFUSED] * 10
    assert ask_tcp(served.port, PHONE) == RCODE.REFUSED
    assert served.stats().rate_limited == 11
    # A second later the bucket has 20 more.
    served.clock.advance(1.0)
    assert [ask_udp(served.port, PHONE, "other.example") for _ in range(20)] == [
        RCODE.NOERROR
    ] * 20
    assert ask_udp(served.port, PHONE) == RCODE.REFUSED


def test_the_pc_itself_is_never_limited(served: Served) -> None:
    assert [ask_udp(served.port, PC) for _ in range(60)] == [RCODE.NOERROR] * 60
    assert ask_tcp(served.port, PC) == RCODE.NOERROR
    assert served.stats().rate_limited == 0


def test_one_client_past_its_limit_leaves_the_others_alone(served: Served) -> None:
    for _ in range(25):
        ask_udp(served.port, PHONE)
    assert ask_udp(served.port, "127.0.0.3") == RCODE.NOERROR
    assert ask_udp(served.port, PHONE) == RCODE.REFUSED


def test_no_limit_at_zero() -> None:
    limit = ClientRateLimit(0)
    assert not limit.enabled and all(limit.allow(PHONE) for _ in range(1000))
    with pytest.raises(ValueError):
        ClientRateLimit(-1)
