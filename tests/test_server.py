"""The DNS server against real sockets on random loopback ports (IPv4 and IPv6)."""

from __future__ import annotations

import asyncio
import random
import shutil
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from dnslib import AAAA, EDNS0, QTYPE, RCODE, RR, A, DNSRecord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.reason import Reason, ReasonKind
from dns_filter.server import DnsServer, LoggedAnswer, ServerLimits, ServerStats, load_fastpath

T = TypeVar("T")
V4 = "127.0.0.1"
V6 = "::1"


# ------------------------------------------------------------------------ helpers


@pytest.fixture(autouse=True, params=["python", "c"])
def udp_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs once with the pure-Python UDP path and once with the C fast path
    (skipped when the extension is not built)."""
    if request.param == "c":
        monkeypatch.delenv("BAOAN_DNS_FASTPATH", raising=False)
        if load_fastpath() is None:
            pytest.skip("the C fast path (dns_filter._fastpath) is not built")
    else:
        monkeypatch.setenv("BAOAN_DNS_FASTPATH", "0")
    return str(request.param)


def ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
            sock.bind((V6, 0))
        return True
    except OSError:
        return False


class FixedAnswer(Resolver):
    """Answers every question with `count` A (or AAAA) records and counts the calls."""

    def __init__(
        self,
        answer_type: AnswerType = AnswerType.RESOLVED,
        *,
        count: int = 1,
        ttl: int = 300,
        first_octet: int = 192,
        profile: str | None = None,
    ) -> None:
        super().__init__()
        self.answer_type = answer_type
        self.count = count
        self.ttl = ttl
        self.first_octet = first_octet
        self.profile = profile
        self.calls: list[Query] = []

    async def resolve(self, query: Query) -> Result:
        self.calls.append(query)
        response = query.request.reply()
        qname = query.request.q.qname
        for index in range(self.count):
            if query.qtype == QTYPE.AAAA:
                response.add_answer(
                    RR(qname, QTYPE.AAAA, rdata=AAAA(f"2001:db8::{index + 1:x}"), ttl=self.ttl)
                )
            else:
                address = f"{self.first_octet}.0.2.{index % 250 + 1}"
                response.add_answer(RR(qname, QTYPE.A, rdata=A(address), ttl=self.ttl))
        reason = Reason(ReasonKind.OTHER, detail=f"fixed {self.answer_type}")
        return Result(response, self.answer_type, reason, self.profile)


class PerClient(Resolver):
    """Answers 10.0.0.<last part of the client address>, so answers differ per client."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Query] = []

    async def resolve(self, query: Query) -> Result:
        self.calls.append(query)
        response = query.request.reply()
        last = query.client_ip.replace(":", ".").rsplit(".", 1)[-1] or "1"
        response.add_answer(RR(query.request.q.qname, QTYPE.A, rdata=A(f"10.0.0.{last}"), ttl=60))
        return Result(response, AnswerType.RESOLVED, Reason(ReasonKind.UPSTREAM))


class Broken(Resolver):
    async def resolve(self, query: Query) -> Result:
        raise RuntimeError("the chain is broken")


@dataclass(frozen=True)
class ListClock:
    """Monotonic seconds in `monotonic_seconds[0]` and wall seconds in `wall_seconds[0]`,
    each moved by the test on its own."""

    monotonic_seconds: list[float]
    wall_seconds: list[float]

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.wall_seconds[0], tz=UTC)

    def monotonic(self) -> float:
        return self.monotonic_seconds[0]


class ServerThread:
    """A DnsServer on its own event loop in a background thread; clients are plain sockets."""

    def __init__(
        self,
        chain: Resolver,
        listen: Sequence[tuple[str, int]] = ((V4, 0),),
        **kwargs: Any,
    ) -> None:
        self.results: list[tuple[Query, Result, float]] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        kwargs.setdefault("on_result", lambda q, r, s: self.results.append((q, r, s)))
        self.server = DnsServer(chain, listen, **kwargs)
        self.run(self.server.start())

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def call(self, function: Callable[[], T]) -> T:
        async def call() -> T:
            return function()

        return self.run(call())

    def stats(self) -> ServerStats:
        """A copy of the counters, read on the loop: the loop counts a batch of answers after
        sending them, so a client that has its answers may still be ahead of the counters."""
        return self.call(lambda: replace(self.server.stats))

    def port(self, host: str = V4) -> int:
        return next(a.port for a in self.server.addresses if a.host == host)

    def logged(self) -> list[tuple[Query, Result, float]]:
        self.run(self.server.drain_log())
        return list(self.results)

    def close(self) -> None:
        try:
            self.run(self.server.stop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop.close()


def family_of(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def udp_exchange(host: str, port: int, payload: bytes, timeout: float = 2.0) -> bytes:
    with socket.socket(family_of(host), socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(payload, (host, port))
        return sock.recvfrom(65535)[0]


def udp_ask(host: str, port: int, request: DNSRecord) -> DNSRecord:
    return DNSRecord.parse(udp_exchange(host, port, request.pack()))


def udp_no_answer(host: str, port: int, payload: bytes, wait: float = 0.3) -> bool:
    """True when nothing comes back within `wait` seconds."""
    with socket.socket(family_of(host), socket.SOCK_DGRAM) as sock:
        sock.settimeout(wait)
        sock.sendto(payload, (host, port))
        try:
            sock.recvfrom(65535)
        except TimeoutError:
            return True
        return False


def read_exactly(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("the server closed the connection")
        data += chunk
    return data


def tcp_exchange(host: str, port: int, payloads: Sequence[bytes]) -> list[bytes]:
    """Send every payload on one connection at once, then read as many answers."""
    with socket.create_connection((host, port), timeout=2.0) as sock:
        sock.sendall(b"".join(struct.pack(">H", len(p)) + p for p in payloads))
        answers = []
        for _ in payloads:
            length = struct.unpack(">H", read_exactly(sock, 2))[0]
            answers.append(read_exactly(sock, length))
        return answers


def question(name: str, qtype: str = "A", *, edns_size: int | None = None) -> DNSRecord:
    record = DNSRecord.question(name, qtype)
    if edns_size is not None:
        record.add_ar(EDNS0(udp_len=edns_size))
    return record


def opt_of(response: DNSRecord) -> RR | None:
    return next((rr for rr in response.ar if rr.rtype == QTYPE.OPT), None)


# A well-formed query with EDNS, as bytes, that the malformed packets are cut from.
GOOD_QUERY = (
    bytes.fromhex("abcd01000001000000000001")
    + b"\x03www\x07example\x04test\x00\x00\x01\x00\x01"
    + b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00"
)


def header_only(ident: int, flags: int = 0x0100, qd: int = 1, an: int = 0, ar: int = 0) -> bytes:
    return struct.pack(">HHHHHH", ident, flags, qd, an, 0, ar)


@pytest.fixture
def fixed() -> FixedAnswer:
    return FixedAnswer()


@pytest.fixture
def running(fixed: FixedAnswer) -> Iterator[ServerThread]:
    listen: list[tuple[str, int]] = [(V4, 0)]
    if ipv6_loopback_available():
        listen.append((V6, 0))
    server = ServerThread(fixed, listen)
    yield server
    server.close()


# -------------------------------------------------------------------------- tests


def test_the_server_runs_the_udp_path_under_test(running: ServerThread, udp_path: str) -> None:
    assert running.server.fastpath_enabled == (udp_path == "c")


def test_udp_ipv4_answers_with_the_query_id_and_question(running: ServerThread) -> None:
    request = question("www.example.test")
    answer = udp_ask(V4, running.port(V4), request)
    assert answer.header.id == request.header.id
    assert answer.header.qr == 1
    assert answer.header.rcode == RCODE.NOERROR
    assert str(answer.q.qname) == "www.example.test."
    assert [str(rr.rdata) for rr in answer.rr] == ["192.0.2.1"]
    assert opt_of(answer) is None  # no OPT asked, none given


def test_udp_ipv6_answers(running: ServerThread) -> None:
    if not ipv6_loopback_available():
        pytest.skip("no IPv6 loopback on this machine")
    answer = udp_ask(V6, running.port(V6), question("www.example.test", "AAAA"))
    assert [str(rr.rdata) for rr in answer.rr] == ["2001:db8::1"]
    (query, _result, _latency), *_ = running.logged()
    assert query.client_ip == "::1"
    assert query.transport == "udp"


def test_tcp_answers_several_queries_on_one_connection(
    running: ServerThread, fixed: FixedAnswer
) -> None:
    names = ["one.example.test", "two.example.test", "three.example.test"]
    requests = [question(name) for name in names]
    answers = [
        DNSRecord.parse(a) for a in tcp_exchange(V4, running.port(), [r.pack() for r in requests])
    ]
    by_id = {a.header.id: a for a in answers}
    for request in requests:
        assert str(by_id[request.header.id].q.qname) == str(request.q.qname)
        assert by_id[request.header.id].rr
    assert sorted(q.name for q in fixed.calls) == sorted(names)
    assert {q.transport for q in fixed.calls} == {"tcp"}


def test_bound_addresses_share_one_port_for_udp_and_tcp(running: ServerThread) -> None:
    addresses = running.server.addresses
    v4 = [a for a in addresses if a.host == V4]
    assert {a.transport for a in v4} == {"udp", "tcp"}
    assert len({a.port for a in v4}) == 1
    assert v4[0].port != 0


def test_edns_payload_size_is_honoured_and_opt_added() -> None:
    chain = FixedAnswer(count=60)  # ~1 KB of answers
    server = ServerThread(chain)
    try:
        port = server.port()
        plain = udp_ask(V4, port, question("big.example.test"))
        assert plain.header.tc == 1  # 512 without OPT
        assert plain.rr == []
        small = udp_ask(V4, port, question("big.example.test", edns_size=600))
        assert small.header.tc == 1
        small_opt = opt_of(small)
        assert small_opt is not None
        large = udp_ask(V4, port, question("big.example.test", edns_size=1400))
        assert large.header.tc == 0
        assert len(large.rr) == 60
        large_opt = opt_of(large)
        assert large_opt is not None
        assert large_opt.rclass == server.server.limits.max_udp_payload
    finally:
        server.close()


def test_truncated_answer_is_complete_over_tcp() -> None:
    server = ServerThread(FixedAnswer(count=60))
    try:
        request = question("big.example.test")
        over_udp = udp_ask(V4, server.port(), request)
        assert over_udp.header.tc == 1
        (raw,) = tcp_exchange(V4, server.port(), [request.pack()])
        over_tcp = DNSRecord.parse(raw)
        assert over_tcp.header.tc == 0
        assert len(over_tcp.rr) == 60
        assert server.stats().truncated == 1
    finally:
        server.close()


def test_malformed_question_gets_formerr(running: ServerThread) -> None:
    bad_label = header_only(0x1234) + b"\x45abc\x00\x00\x01\x00\x01"
    answer = udp_exchange(V4, running.port(), bad_label)
    ident, flags = struct.unpack(">HH", answer[:4])
    assert ident == 0x1234
    assert flags & 0x8000  # a response
    assert flags & 0x000F == RCODE.FORMERR
    two_questions = header_only(0x4321, qd=2) + b"\x01a\x00\x00\x01\x00\x01" * 2
    answer = udp_exchange(V4, running.port(), two_questions)
    assert struct.unpack(">H", answer[:2])[0] == 0x4321
    assert answer[3] & 0x0F == RCODE.FORMERR
    truncated_name = header_only(0x1111) + b"\x07exam"
    assert udp_exchange(V4, running.port(), truncated_name)[3] & 0x0F == RCODE.FORMERR


def test_unknown_opcode_gets_notimp_and_edns_version_one_gets_badvers(
    running: ServerThread,
) -> None:
    notify = header_only(7, flags=0x2000) + b"\x01a\x00\x00\x06\x00\x01"
    assert udp_exchange(V4, running.port(), notify)[3] & 0x0F == RCODE.NOTIMP
    request = question("www.example.test", edns_size=1232)
    opt = opt_of(request)
    assert opt is not None
    opt.ttl = 1 << 16  # EDNS version 1
    answer = udp_ask(V4, running.port(), request)
    answer_opt = opt_of(answer)
    assert answer_opt is not None
    assert (answer_opt.ttl >> 24) == 1  # upper bits of BADVERS (16)
    assert answer.header.rcode == 0


def test_garbage_is_dropped_and_the_server_still_answers(running: ServerThread) -> None:
    port = running.port()
    assert udp_no_answer(V4, port, b"\x00\x01\x02")  # shorter than a header
    response = question("x.example.test").reply().pack()
    assert udp_no_answer(V4, port, response)  # a response is never answered
    assert running.stats().dropped == 2
    assert udp_ask(V4, port, question("www.example.test")).rr


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    packet=st.one_of(
        st.binary(max_size=600),
        st.binary(min_size=12, max_size=80).map(lambda b: b[:2] + b"\x01\x00" + b[4:]),
        st.tuples(st.integers(0, 40), st.binary(min_size=1, max_size=4)).map(
            lambda cut: GOOD_QUERY[: cut[0]] + cut[1] + GOOD_QUERY[cut[0] + len(cut[1]) :]
        ),
    )
)
def test_random_malformed_packets_never_disturb_the_server(
    running: ServerThread, packet: bytes
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(packet, (V4, running.port()))
    assert udp_ask(V4, running.port(), question("still.example.test")).rr


def test_garbage_over_tcp_does_not_stop_the_connection_or_the_server(
    running: ServerThread,
) -> None:
    good = question("www.example.test")
    bad = header_only(9) + b"\x50zzz"
    answers = tcp_exchange(V4, running.port(), [bad, good.pack()])
    assert answers[0][3] & 0x0F == RCODE.FORMERR
    assert DNSRecord.parse(answers[1]).header.id == good.header.id


def test_a_chain_that_raises_gives_servfail_and_is_logged() -> None:
    server = ServerThread(Broken())
    try:
        request = question("www.example.test")
        answer = udp_ask(V4, server.port(), request)
        assert answer.header.rcode == RCODE.SERVFAIL
        assert answer.header.id == request.header.id
        ((query, result, _latency),) = server.logged()
        assert query.name == "www.example.test"
        assert result.answer_type is AnswerType.FAILED
        assert result.reason.kind is ReasonKind.FAILURE
        assert "RuntimeError" in (result.reason.detail or "")
        assert server.stats().servfail == 1
        assert server.server.memo_size == 0  # a failure is never memoised
    finally:
        server.close()


class Failing(Resolver):
    """Answers SERVFAIL as the upstream link does when every upstream fails."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def resolve(self, query: Query) -> Result:
        self.calls += 1
        response = query.request.reply()
        response.header.rcode = RCODE.SERVFAIL
        reason = Reason(ReasonKind.FAILURE, detail="all upstreams failed: x: timed out")
        return Result(response, AnswerType.FAILED, reason)


def test_a_failed_answer_is_logged_failed_and_never_memoised() -> None:
    chain = Failing()
    server = ServerThread(chain)
    try:
        for _ in range(2):
            answer = udp_ask(V4, server.port(), question("www.example.test"))
            assert answer.header.rcode == RCODE.SERVFAIL
        assert chain.calls == 2  # the second query asked the chain again
        assert server.server.memo_size == 0
        logged = server.logged()
        assert [result.answer_type for _query, result, _latency in logged] == [
            AnswerType.FAILED,
            AnswerType.FAILED,
        ]
    finally:
        server.close()


def test_memo_answers_with_the_new_id_and_case_and_reports_cached(
    running: ServerThread, fixed: FixedAnswer
) -> None:
    port = running.port()
    first = question("Www.Example.Test")
    second = question("wWW.eXAMPLE.tEST")
    assert first.header.id != second.header.id
    a1 = udp_ask(V4, port, first)
    a2 = udp_ask(V4, port, second)
    assert len(fixed.calls) == 1  # the second came from the memo
    assert a2.header.id == second.header.id
    assert str(a2.q.qname) == "wWW.eXAMPLE.tEST."  # 0x20 case echoed
    assert a2.rr[0].rdata == a1.rr[0].rdata
    assert 299 <= a2.rr[0].ttl <= 300
    types = [result.answer_type for _q, result, _s in running.logged()]
    assert types == [AnswerType.RESOLVED, AnswerType.CACHED]


def test_memo_keeps_blocked_answers_blocked() -> None:
    chain = FixedAnswer(AnswerType.BLOCKED, ttl=60, first_octet=127)
    server = ServerThread(chain)
    try:
        for _ in range(3):
            assert udp_ask(V4, server.port(), question("ads.example.test")).rr
        assert len(chain.calls) == 1
        logged = server.logged()
        assert [r.answer_type for _q, r, _s in logged] == [AnswerType.BLOCKED] * 3
        assert all(q.name == "ads.example.test" for q, _r, _s in logged)
    finally:
        server.close()


def test_memo_is_cleared_when_the_chain_is_swapped(
    running: ServerThread, fixed: FixedAnswer
) -> None:
    port = running.port()
    assert str(udp_ask(V4, port, question("www.example.test")).rr[0].rdata) == "192.0.2.1"
    replacement = FixedAnswer(first_octet=198)
    running.call(lambda: running.server.set_chain(replacement))
    assert running.server.memo_size == 0
    assert str(udp_ask(V4, port, question("www.example.test")).rr[0].rdata) == "198.0.2.1"
    assert len(replacement.calls) == 1


def test_memo_ages_ttls_and_expires_at_the_minute_boundary() -> None:
    now = [1000.0]
    wall = [60 * 1000 + 50.0]  # 10 s before a minute boundary
    chain = FixedAnswer(ttl=300)
    server = ServerThread(chain, clock=ListClock(now, wall))
    try:
        port = server.port()
        udp_ask(V4, port, question("www.example.test"))
        now[0] += 4.5
        aged = udp_ask(V4, port, question("www.example.test"))
        assert aged.rr[0].ttl == 296
        assert len(chain.calls) == 1
        now[0] += 6.0  # past the minute boundary: schedules may have changed
        udp_ask(V4, port, question("www.example.test"))
        assert len(chain.calls) == 2
    finally:
        server.close()


def test_memo_lives_until_the_next_policy_change() -> None:
    now = [1000.0]
    chain = FixedAnswer(ttl=300)
    server = ServerThread(
        chain,
        clock=ListClock(now, [60 * 1000 + 50.0]),
        policy_changes_at=lambda wall: None,  # no schedules: only the TTL counts
    )
    try:
        udp_ask(V4, server.port(), question("www.example.test"))
        now[0] += 120.0
        assert udp_ask(V4, server.port(), question("www.example.test")).rr[0].ttl == 180
        now[0] += 181.0  # past the TTL
        assert udp_ask(V4, server.port(), question("www.example.test")).rr[0].ttl == 300
        assert len(chain.calls) == 2
    finally:
        server.close()
    now[0] = 1000.0
    chain = FixedAnswer(ttl=300)
    server = ServerThread(
        chain,
        clock=ListClock(now, [60 * 1000 + 50.0]),
        policy_changes_at=lambda wall: wall + 100.0,  # a schedule starts in 100 s
    )
    try:
        udp_ask(V4, server.port(), question("www.example.test"))
        now[0] += 99.0
        udp_ask(V4, server.port(), question("www.example.test"))
        assert len(chain.calls) == 1
        now[0] += 1.5
        udp_ask(V4, server.port(), question("www.example.test"))
        assert len(chain.calls) == 2
    finally:
        server.close()


def test_blocked_answers_outlive_their_ttl_unaged_until_the_policy_changes() -> None:
    now = [1000.0]
    changes_at: list[float | None] = [None]
    chain = FixedAnswer(AnswerType.BLOCKED, ttl=60, first_octet=127)
    server = ServerThread(
        chain,
        clock=ListClock(now, [60 * 1000 + 50.0]),
        policy_changes_at=lambda wall: changes_at[0],
    )
    try:
        port = server.port()
        assert udp_ask(V4, port, question("ads.example.test")).rr[0].ttl == 60
        now[0] += 90.0  # past the block TTL: the policy, not the TTL, decides
        again = udp_ask(V4, port, question("ads.example.test"))
        assert again.rr[0].ttl == 60  # what the chain would say now, not 60 - 90
        assert len(chain.calls) == 1
        now[0] += 600.0  # past `policy_answer_seconds`: asked again
        udp_ask(V4, port, question("ads.example.test"))
        assert len(chain.calls) == 2
        server.call(server.server.clear_memo)  # a policy swap
        udp_ask(V4, port, question("ads.example.test"))
        assert len(chain.calls) == 3
        changes_at[0] = 60 * 1000 + 50.0 + 5.0  # a schedule starts in 5 s
        server.call(server.server.clear_memo)
        udp_ask(V4, port, question("ads.example.test"))
        now[0] += 6.0
        udp_ask(V4, port, question("ads.example.test"))
        assert len(chain.calls) == 5
        logged = server.logged()
        assert [r.answer_type for _q, r, _s in logged] == [AnswerType.BLOCKED] * 6
    finally:
        server.close()


def test_resolved_answers_still_age_and_expire_with_their_ttl() -> None:
    now = [1000.0]
    chain = FixedAnswer(AnswerType.RESOLVED, ttl=60)
    server = ServerThread(
        chain, clock=ListClock(now, [0.0]), policy_changes_at=lambda w: None
    )
    try:
        port = server.port()
        udp_ask(V4, port, question("www.example.test"))
        ttls = []
        for step in (0.4, 0.7, 1.0, 30.0):  # the same bytes each time: the exact memo
            now[0] += step
            ttls.append(udp_ask(V4, port, question("www.example.test")).rr[0].ttl)
        assert ttls == [60, 59, 58, 28]
        now[0] += 30.0
        udp_ask(V4, port, question("www.example.test"))
        assert len(chain.calls) == 2
    finally:
        server.close()


class GrantedAnswer(FixedAnswer):
    """A fixed answer given under a parent's approval that ends at `valid_until` (wall),
    its TTL cut to the whole seconds left as the block link does (or fixed by `ttl`)."""

    def __init__(self, valid_until: float, wall: list[float], ttl: int | None = None) -> None:
        super().__init__()
        self.valid_until = valid_until
        self.wall = wall
        self.fixed_ttl = ttl

    async def resolve(self, query: Query) -> Result:
        left = max(0, int(self.valid_until - self.wall[0]))
        self.ttl = left if self.fixed_ttl is None else self.fixed_ttl
        result = await super().resolve(query)
        return replace(result, valid_until=self.valid_until)


def test_an_answer_valid_until_a_moment_is_never_served_from_the_memo_past_it() -> None:
    now, wall = [1000.0], [5000.0]
    chain = GrantedAnswer(valid_until=5020.55, wall=wall)  # 20.55 s left: TTL 20
    server = ServerThread(chain, clock=ListClock(now, wall), policy_changes_at=lambda w: None)
    try:
        port = server.port()
        assert udp_ask(V4, port, question("www.example.test")).rr[0].ttl == 20
        while wall[0] + 0.3 < 5020.55:
            now[0] += 0.3
            wall[0] += 0.3
            ttl = udp_ask(V4, port, question("www.example.test")).rr[0].ttl
            assert ttl <= 5020.55 - wall[0]  # never more than the approval has left
        # From the memo but in the last second, when a TTL of 0 is not remembered.
        assert len(chain.calls) <= 3
        now[0] += 0.3
        wall[0] += 0.3  # the approval has ended: the chain decides again, every time
        for _ in range(2):
            calls = len(chain.calls)
            udp_ask(V4, port, question("www.example.test"))
            assert len(chain.calls) == calls + 1
    finally:
        server.close()
    # An answer whose TTL outlives its end (300 s) still leaves the memo at the end.
    now, wall = [1000.0], [5000.0]
    chain = GrantedAnswer(valid_until=5010.0, wall=wall, ttl=300)
    server = ServerThread(chain, clock=ListClock(now, wall), policy_changes_at=lambda w: None)
    try:
        udp_ask(V4, server.port(), question("www.example.test"))
        now[0] += 9.9
        wall[0] += 9.9
        udp_ask(V4, server.port(), question("www.example.test"))
        assert len(chain.calls) == 1
        now[0] += 0.2
        wall[0] += 0.2
        udp_ask(V4, server.port(), question("www.example.test"))
        assert len(chain.calls) == 2
    finally:
        server.close()


def test_memo_is_per_profile_when_profile_for_is_given() -> None:
    chain = PerClient()
    profiles = {"127.0.0.1": "an", "127.0.0.2": "an", "127.0.0.3": "binh"}
    server = ServerThread(chain, [("127.0.0.1", 0), ("127.0.0.2", 0)], profile_for=profiles.get)
    try:

        def ask_from(source: str) -> str:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.bind((source, 0))
                sock.settimeout(2)
                sock.sendto(question("www.example.test").pack(), (V4, server.port()))
                return str(DNSRecord.parse(sock.recvfrom(4096)[0]).rr[0].rdata)

        assert ask_from("127.0.0.1") == "10.0.0.1"
        assert ask_from("127.0.0.2") == "10.0.0.1"  # same profile: the memo answers
        assert ask_from("127.0.0.3") == "10.0.0.3"  # another profile: the chain again
        assert [q.client_ip for q in chain.calls] == ["127.0.0.1", "127.0.0.3"]
        logged = server.logged()
        assert [q.client_ip for q, _r, _s in logged] == ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    finally:
        server.close()


def test_memo_without_profile_for_is_per_client_address() -> None:
    chain = PerClient()
    server = ServerThread(chain)
    try:
        for source in ("127.0.0.1", "127.0.0.2", "127.0.0.1"):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.bind((source, 0))
                sock.settimeout(2)
                sock.sendto(question("www.example.test").pack(), (V4, server.port()))
                sock.recvfrom(4096)
        assert [q.client_ip for q in chain.calls] == ["127.0.0.1", "127.0.0.2"]
    finally:
        server.close()


def test_on_result_sees_every_query_even_when_it_fails(fixed: FixedAnswer) -> None:
    seen: list[str] = []

    def on_result(query: Query, result: Result, latency: float) -> None:
        seen.append(query.name)
        assert latency >= 0
        if len(seen) % 2:
            raise ValueError("a broken logger must not break answering")

    server = ServerThread(fixed, on_result=on_result)
    try:
        names = [f"n{i % 7}.example.test" for i in range(40)]
        random.Random(3).shuffle(names)
        for name in names:
            assert udp_ask(V4, server.port(), question(name)).rr
        server.logged()
        assert seen == names
        assert server.stats().log_errors == 20
    finally:
        server.close()


def test_tcp_connection_cap_and_idle_timeout(fixed: FixedAnswer) -> None:
    limits = ServerLimits(max_tcp_connections=1, tcp_idle_timeout=0.3)
    server = ServerThread(fixed, limits=limits)
    try:
        port = server.port()
        with socket.create_connection((V4, port), timeout=2) as first:
            request = question("www.example.test").pack()
            first.sendall(struct.pack(">H", len(request)) + request)
            length = struct.unpack(">H", read_exactly(first, 2))[0]
            assert DNSRecord.parse(read_exactly(first, length)).rr
            with socket.create_connection((V4, port), timeout=2) as second:
                # At the cap, the oldest idle connection gives way to the new one.
                assert first.recv(10) == b""
                second.sendall(struct.pack(">H", len(request)) + request)
                length = struct.unpack(">H", read_exactly(second, 2))[0]
                assert DNSRecord.parse(read_exactly(second, length)).rr
                started = time.monotonic()
                assert second.recv(10) == b""  # idle: closed by the server
                assert time.monotonic() - started < 1.5
        assert server.stats().tcp_idle_closed == 1
        assert server.stats().tcp_refused == 0
        assert udp_ask(V4, port, question("www.example.test")).rr
    finally:
        server.close()


def test_tcp_over_the_cap_with_every_connection_busy_is_closed_at_once() -> None:
    class Slow(Resolver):
        async def resolve(self, query: Query) -> Result:
            await asyncio.sleep(1.0)
            return await FixedAnswer().resolve(query)

    server = ServerThread(Slow(), limits=ServerLimits(max_tcp_connections=1))
    try:
        port = server.port()
        with socket.create_connection((V4, port), timeout=3) as first:
            request = question("www.example.test").pack()
            first.sendall(struct.pack(">H", len(request)) + request)
            time.sleep(0.2)  # its query is being answered: it is not idle
            with socket.create_connection((V4, port), timeout=2) as second:
                assert second.recv(10) == b""  # over the cap: closed at once
            length = struct.unpack(">H", read_exactly(first, 2))[0]
            assert DNSRecord.parse(read_exactly(first, length)).rr
        assert server.stats().tcp_refused == 1
    finally:
        server.close()


def test_a_slow_chain_gets_servfail_within_the_resolve_timeout() -> None:
    class Slow(Resolver):
        async def resolve(self, query: Query) -> Result:
            await asyncio.sleep(5)
            raise AssertionError("not reached")

    server = ServerThread(Slow(), limits=ServerLimits(resolve_timeout=0.2))
    try:
        started = time.monotonic()
        answer = udp_ask(V4, server.port(), question("slow.example.test"))
        assert answer.header.rcode == RCODE.SERVFAIL
        assert time.monotonic() - started < 1.5
    finally:
        server.close()


@pytest.mark.skipif(shutil.which("dig") is None, reason="dig (Debian dnsutils) is not installed")
def test_dig_end_to_end_with_tcp_retry() -> None:
    server = ServerThread(FixedAnswer(count=60))
    try:
        port = str(server.port())
        common = ["dig", "@127.0.0.1", "-p", port, "+tries=1", "+time=2"]
        small = subprocess.run(
            [*common, "+noedns", "+short", "+ignore", "one.example.test"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        assert small.stdout.splitlines() == []  # truncated and ignored: no answers
        full = subprocess.run(
            [*common, "+noedns", "big.example.test"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        assert "Truncated, retrying in TCP mode" in full.stdout
        assert full.stdout.count("\tIN\tA\t") == 60
        assert "status: NOERROR" in full.stdout
    finally:
        server.close()


def test_stop_closes_the_sockets(fixed: FixedAnswer) -> None:
    server = ServerThread(fixed)
    port = server.port()
    server.run(server.server.stop())
    assert udp_no_answer(V4, port, question("www.example.test").pack())
    server.close()


def test_start_fails_clearly_on_a_port_in_use(fixed: FixedAnswer) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind((V4, 0))
        port = taken.getsockname()[1]

        async def start() -> None:
            server = DnsServer(fixed, [(V4, port)])
            await server.start()

        with pytest.raises(OSError):
            asyncio.run(start())


class BadIsBlocked(Resolver):
    """Blocks names that start with "bad" and resolves the others, so a memo hit is reported
    as blocked or cached."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def resolve(self, query: Query) -> Result:
        self.calls += 1
        response = query.request.reply()
        qname = query.request.q.qname
        if query.name.startswith("bad"):
            response.add_answer(RR(qname, QTYPE.A, rdata=A("0.0.0.0"), ttl=60))
            return Result(response, AnswerType.BLOCKED, Reason(ReasonKind.DENY_LIST))
        response.add_answer(RR(qname, QTYPE.A, rdata=A("192.0.2.1"), ttl=300))
        return Result(response, AnswerType.RESOLVED, Reason(ReasonKind.UPSTREAM))


class BatchLog:
    """An `answer_log` that keeps each slice it was handed, an answer's key the answer
    itself (and counts the keys it made)."""

    def __init__(self, fail_every: int = 0) -> None:
        self.batches: list[list[tuple[LoggedAnswer, float]]] = []
        self.fail_every = fail_every
        self.keys_made = 0

    def log_key(self, answer: LoggedAnswer) -> LoggedAnswer:
        self.keys_made += 1
        return answer

    def log_answers(self, keys: list[LoggedAnswer], latencies: list[float]) -> None:
        assert len(keys) == len(latencies)
        self.batches.append(list(zip(keys, latencies, strict=True)))
        if self.fail_every and len(self.batches) % self.fail_every == 0:
            raise ValueError("a broken batch logger must not break answering")

    def answers(self) -> list[tuple[LoggedAnswer, float]]:
        return [answer for batch in self.batches for answer in batch]


def test_the_answer_log_gets_every_answer_once_with_its_type_in_batches() -> None:
    chain = BadIsBlocked()
    batch_log = BatchLog()
    server = ServerThread(chain, answer_log=batch_log)  # on_result: the per-answer list
    try:
        port = server.port()
        names = ["bad.example.test", "good.example.test"] * 6
        for name in names:
            assert udp_ask(V4, port, question(name)).rr
        (tcp_answer,) = tcp_exchange(V4, port, [question("bad.example.test").pack()])
        assert DNSRecord.parse(tcp_answer).rr
        per_answer = server.logged()  # drain_log flushes both callbacks
        assert chain.calls == 2
        assert server.stats().memo_hits == 11
        reported = batch_log.answers()
        assert all(batch for batch in batch_log.batches)  # no empty calls
        assert len(batch_log.batches) < len(reported)  # batched, not one call per answer
        assert [(a.name, a.transport, a.answer_type) for a, _ in reported] == [
            ("bad.example.test", "udp", AnswerType.BLOCKED),
            ("good.example.test", "udp", AnswerType.RESOLVED),
            *[
                ("bad.example.test", "udp", AnswerType.BLOCKED),
                ("good.example.test", "udp", AnswerType.CACHED),
            ]
            * 5,
            ("bad.example.test", "tcp", AnswerType.BLOCKED),
        ]
        assert all(a.client_ip == V4 and a.qtype == 1 and latency >= 0 for a, latency in reported)
        assert {a.reason for a, _ in reported} == {
            Reason(ReasonKind.DENY_LIST), Reason(ReasonKind.UPSTREAM)
        }
        # a key per chain answer, and one per memo entry, client and transport
        assert batch_log.keys_made == 2 + 2 + 1
        # on_result keeps working beside it and sees the very same answers
        assert [
            (q.name, q.qtype, q.client_ip, q.transport, r.answer_type, r.reason, latency)
            for q, r, latency in per_answer
        ] == [
            (a.name, a.qtype, a.client_ip, a.transport, a.answer_type, a.reason, latency)
            for a, latency in reported
        ]
    finally:
        server.close()


def test_a_failing_answer_log_is_counted_and_answering_goes_on() -> None:
    batch_log = BatchLog(fail_every=1)  # every call raises
    server = ServerThread(FixedAnswer(), on_result=None, answer_log=batch_log)
    try:
        names = [f"n{i % 5}.example.test" for i in range(30)]
        for index, name in enumerate(names):
            assert udp_ask(V4, server.port(), question(name)).rr
            if index % 10 == 9:
                server.run(server.server.drain_log())
        server.run(server.server.drain_log())
        # every answer was still handed over once, in order; each failed call was counted
        assert [a.name for a, _ in batch_log.answers()] == names
        assert server.stats().log_errors == len(batch_log.batches) >= 3
        assert server.stats().log_dropped == 0
    finally:
        server.close()


def test_a_burst_of_memo_hits_waits_as_one_item_and_the_backlog_counts_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A waiting item per answer would be garbage-collector work per answer at full speed;
    # the bound on the backlog is still in answers.
    monkeypatch.setattr("dns_filter.server._LOG_FLUSH_SECONDS", 60.0)
    server = ServerThread(BadIsBlocked(), limits=ServerLimits(log_backlog=25))
    try:
        port = server.port()
        assert udp_ask(V4, port, question("bad.example.test")).rr  # from the chain
        burst = 39
        queries = [question("bad.example.test") for _ in range(burst)]
        held = threading.Event()
        server._loop.call_soon_threadsafe(held.wait, 10)  # the loop reads nothing meanwhile
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(5)
            for query in queries:
                sock.sendto(query.pack(), (V4, port))
            held.set()
            answers = [DNSRecord.parse(sock.recvfrom(4096)[0]) for _ in range(burst)]
        assert sorted(a.header.id for a in answers) == sorted(q.header.id for q in queries)
        assert server.stats().memo_hits == burst
        assert len(server.call(lambda: list(server.server._log._pending))) == 2
        logged = server.logged()
        assert len(logged) == 25  # the backlog: the chain's answer and the first 24 hits
        assert server.stats().log_dropped == burst + 1 - 25
        assert [r.answer_type for _, r, _ in logged] == [AnswerType.BLOCKED] * 25
    finally:
        server.close()


def test_stop_flushes_the_answer_log(monkeypatch: pytest.MonkeyPatch) -> None:
    # the timed hand-off would come only after a minute: what arrives came from `stop`
    monkeypatch.setattr("dns_filter.server._LOG_FLUSH_SECONDS", 60.0)
    batch_log = BatchLog()
    server = ServerThread(BadIsBlocked(), on_result=None, answer_log=batch_log)
    port = server.port()
    for _ in range(4):
        udp_ask(V4, port, question("bad.example.test"))
    assert batch_log.batches == []
    server.run(server.server.stop())
    assert [a.answer_type for a, _ in batch_log.answers()] == [AnswerType.BLOCKED] * 4
    assert len(batch_log.batches) == 1
    assert not server.server.running
    server.close()


def cannot_watch_sockets(*_args: object) -> None:
    raise NotImplementedError  # as Windows' proactor loop answers add_reader


def test_a_loop_that_cannot_watch_sockets_is_named_and_the_port_is_let_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every socket the server opens is seen, so the test needs no guess of a free port.
    opened: list[socket.socket] = []

    class SeenSocket(socket.socket):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            opened.append(self)

    monkeypatch.setattr(socket, "socket", SeenSocket)
    loop = asyncio.SelectorEventLoop()
    setattr(loop, "add_reader", cannot_watch_sockets)  # noqa: B010 (a method, on purpose)
    try:
        server = DnsServer(FixedAnswer(), [(V4, 0)])
        with pytest.raises(RuntimeError, match="SelectorEventLoop"):
            loop.run_until_complete(server.start())
        assert server.addresses == []
        loop.run_until_complete(server.stop())
    finally:
        loop.close()
    udp = [sock for sock in opened if sock.type == socket.SOCK_DGRAM]
    assert udp, "the server opened no UDP socket"
    assert all(sock.fileno() == -1 for sock in opened)  # closed, not left bound
