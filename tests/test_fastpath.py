"""The C fast path for UDP memo hits (dns_filter/_fastpath.c), on real loopback sockets.

`tests/test_server.py` runs every server test over both UDP paths; these tests check what
is particular to the C path: which packets it answers itself, and that it answers them
exactly as the Python path would."""

from __future__ import annotations

import importlib.util
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from dnslib import QTYPE, RR, A, DNSRecord
from test_server import (
    GOOD_QUERY,
    V4,
    V6,
    BadIsBlocked,
    FixedAnswer,
    ListClock,
    ServerThread,
    header_only,
    ipv6_loopback_available,
    question,
    udp_ask,
    udp_exchange,
    udp_no_answer,
)

from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.reason import Reason, ReasonKind
from dns_filter.server import DnsServer, load_fastpath

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("dns_filter._fastpath") is None,
    reason="the C fast path (dns_filter._fastpath) is not built",
)


class CountingFastpath:
    """Wraps the extension module to count what it answered and what it handed back."""

    def __init__(self, module: Any) -> None:
        self.module = module
        self.answered = 0
        self.handed_back = 0

    def serve(self, *args: Any) -> int:
        hits, misses = args[5], args[6]
        before = len(hits)
        read: int = self.module.serve(*args)
        self.answered += (len(hits) - before) // 3  # entry, client_ip, latency each
        self.handed_back += len(misses)
        return read


def counted(server: ServerThread) -> CountingFastpath:
    assert server.server.fastpath_enabled
    counter = CountingFastpath(server.server._fastpath)

    def install() -> None:
        server.server._fastpath = counter

    server.call(install)
    return counter


@pytest.fixture
def fixed() -> FixedAnswer:
    return FixedAnswer()


@pytest.fixture
def running(fixed: FixedAnswer) -> Iterator[ServerThread]:
    listen: list[tuple[str, int]] = [(V4, 0)]
    if ipv6_loopback_available():
        listen.append((V6, 0))
    server = ServerThread(fixed, listen, fastpath=True)
    yield server
    server.close()


def with_id(request: DNSRecord, ident: int) -> bytes:
    request.header.id = ident
    return bytes(request.pack())


def test_a_repeated_query_is_answered_by_c_with_its_own_id(
    running: ServerThread, fixed: FixedAnswer
) -> None:
    counter = counted(running)
    request = question("www.example.test")
    first = udp_exchange(V4, running.port(), with_id(request, 0x1111))
    second = udp_exchange(V4, running.port(), with_id(request, 0x2222))
    third = udp_exchange(V4, running.port(), with_id(request, 0x3333))
    assert len(fixed.calls) == 1
    # the first was a miss, the second a Python memo hit (which teaches the exact memo:
    # most misses are never asked again), the third a C hit
    assert counter.answered == 1
    assert second[:2] == b"\x22\x22"
    assert third[:2] == b"\x33\x33"
    assert third[2:] == second[2:] == first[2:]


def test_the_name_comes_back_in_the_case_it_was_asked(
    running: ServerThread, fixed: FixedAnswer
) -> None:
    counter = counted(running)
    for _ in range(2):  # a miss, then the Python memo hit that teaches the exact memo
        udp_ask(V4, running.port(), question("www.example.test"))
    mixed = question("WwW.ExAmple.TEST")
    for ident in (1, 2):  # a Python memo hit, then a C hit of the same bytes
        raw = udp_exchange(V4, running.port(), with_id(mixed, ident))
        assert raw[:2] == ident.to_bytes(2, "big")
        assert b"\x03WwW\x07ExAmple\x04TEST\x00" in raw
    assert len(fixed.calls) == 1
    assert counter.answered == 1


def test_ipv6_clients_are_answered_by_c() -> None:
    if not ipv6_loopback_available():
        pytest.skip("no IPv6 loopback")
    server = ServerThread(FixedAnswer(), [(V6, 0)], fastpath=True)
    try:
        counter = counted(server)
        request = question("six.example.test", "AAAA")
        for ident in (6, 7, 8):  # a miss, a Python memo hit, a C hit
            answer = DNSRecord.parse(udp_exchange(V6, server.port(V6), with_id(request, ident)))
            assert answer.header.id == ident
            assert str(answer.rr[0].rdata) == "2001:db8::1"
        assert counter.answered == 1
    finally:
        server.close()


def test_c_hits_are_reported_as_blocked_or_cached() -> None:
    chain = BadIsBlocked()
    server = ServerThread(chain, fastpath=True)
    try:
        counter = counted(server)
        for name in ("bad.example.test", "good.example.test"):
            for _ in range(4):  # a miss, a Python memo hit, two C hits
                answer = udp_ask(V4, server.port(), question(name))
                assert answer.rr
        assert chain.calls == 2
        assert counter.answered == 4
        types = [(q.name, r.answer_type) for q, r, _ in server.logged()]
        assert types == [
            ("bad.example.test", AnswerType.BLOCKED),
            ("bad.example.test", AnswerType.BLOCKED),
            ("bad.example.test", AnswerType.BLOCKED),
            ("bad.example.test", AnswerType.BLOCKED),
            ("good.example.test", AnswerType.RESOLVED),
            ("good.example.test", AnswerType.CACHED),
            ("good.example.test", AnswerType.CACHED),
            ("good.example.test", AnswerType.CACHED),
        ]
        assert all(q.client_ip == V4 and q.transport == "udp" for q, _, _ in server.logged())
        assert server.stats().queries == 8
        assert server.stats().memo_hits == 6
    finally:
        server.close()


def test_misses_and_malformed_packets_go_to_python(running: ServerThread) -> None:
    counter = counted(running)
    port = running.port()
    assert udp_no_answer(V4, port, b"")
    assert udp_no_answer(V4, port, b"\x12\x34\x01")
    bad_label = GOOD_QUERY[:12] + b"\x50" + GOOD_QUERY[13:]
    for _ in range(2):  # a malformed query is never memoised: FORMERR both times
        formerr = DNSRecord.parse(udp_exchange(V4, port, bad_label))
        assert formerr.header.rcode == 1
    notimp = DNSRecord.parse(udp_exchange(V4, port, header_only(9, flags=0x2100) + b"\x00"))
    assert notimp.header.rcode == 4
    assert counter.answered == 0
    assert counter.handed_back == 5
    assert running.stats().dropped == 2
    assert udp_ask(V4, port, question("still.example.test")).rr


def test_set_chain_and_clear_memo_end_the_c_answers(running: ServerThread) -> None:
    counter = counted(running)
    request = question("swap.example.test")
    for _ in range(3):  # a miss, a Python memo hit, a C hit
        assert str(udp_ask(V4, running.port(), request).rr[0].rdata) == "192.0.2.1"
    assert counter.answered == 1
    new_chain = FixedAnswer(first_octet=10)
    running.call(lambda: running.server.set_chain(new_chain))
    for _ in range(3):
        assert str(udp_ask(V4, running.port(), request).rr[0].rdata) == "10.0.2.1"
    assert len(new_chain.calls) == 1
    running.call(running.server.clear_memo)
    assert str(udp_ask(V4, running.port(), request).rr[0].rdata) == "10.0.2.1"
    assert len(new_chain.calls) == 2
    assert counter.answered == 2


def test_a_new_profile_for_the_same_address_is_seen_at_once() -> None:
    current = {"profile": "an"}

    class PerProfile(Resolver):
        async def resolve(self, query: Query) -> Result:
            profile = current["profile"]
            response = query.request.reply()
            address = "10.0.0.1" if profile == "an" else "10.0.0.2"
            response.add_answer(RR(query.request.q.qname, QTYPE.A, rdata=A(address), ttl=300))
            return Result(response, AnswerType.RESOLVED, Reason(ReasonKind.UPSTREAM), profile)

    server = ServerThread(
        PerProfile(),
        fastpath=True,
        profile_for=lambda _ip: current["profile"],
    )
    try:
        request = question("who.example.test")
        for _ in range(2):
            assert str(udp_ask(V4, server.port(), request).rr[0].rdata) == "10.0.0.1"
        current["profile"] = "binh"  # e.g. another child logged in on this PC
        assert str(udp_ask(V4, server.port(), request).rr[0].rdata) == "10.0.0.2"
    finally:
        server.close()


EDNS_CASES = [
    ("no EDNS", question("big.example.test")),
    ("EDNS 512", question("big.example.test", edns_size=512)),
    ("EDNS 1232", question("big.example.test", edns_size=1232)),
    ("EDNS 4096", question("big.example.test", edns_size=4096)),
    ("small", question("small.example.test", edns_size=1232)),
]


def test_edns_and_truncation_answers_are_the_python_paths_byte_for_byte() -> None:
    class SizedAnswer(FixedAnswer):
        async def resolve(self, query: Query) -> Result:
            self.count = 60 if query.name.startswith("big") else 1
            return await super().resolve(query)

    def answers(fastpath: bool) -> dict[str, list[bytes]]:
        # a clock that stands still: no TTL ageing between the two servers
        server = ServerThread(SizedAnswer(), fastpath=fastpath, clock=ListClock([1000.0], [0.0]))
        try:
            seen: dict[str, list[bytes]] = {}
            for label, request in EDNS_CASES:
                seen[label] = [
                    udp_exchange(V4, server.port(), with_id(request, ident)) for ident in (1, 2, 3)
                ]
            for label, request in EDNS_CASES:  # the DO and CD bits change the key
                request.header.cd = 1
                seen[label + ", CD"] = [
                    udp_exchange(V4, server.port(), with_id(request, ident)) for ident in (4, 5)
                ]
                request.header.cd = 0
            return seen
        finally:
            server.close()

    python, c = answers(False), answers(True)
    assert c == python
    no_edns = DNSRecord.parse(c["no EDNS"][2])
    assert no_edns.header.tc == 1 and not no_edns.rr
    assert DNSRecord.parse(c["EDNS 512"][2]).header.tc == 1
    full = DNSRecord.parse(c["EDNS 4096"][2])
    assert full.header.tc == 0 and len(full.rr) == 60
    assert DNSRecord.parse(c["small, CD"][1]).header.cd == 1


def test_stop_is_clean_and_reports_every_c_hit(fixed: FixedAnswer) -> None:
    server = ServerThread(fixed, fastpath=True)
    port = server.port()
    counter = counted(server)
    request = question("stop.example.test")
    for _ in range(6):  # a miss, a Python memo hit, four C hits
        udp_ask(V4, port, request)
    server.run(server.server.stop())
    assert counter.answered == 4
    assert len(server.results) == 6  # stop flushes the query log
    assert not server.server.running
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as again:
        again.bind((V4, port))  # the port is free again
    server.close()


def test_serve_hands_back_every_unanswered_packet_unchanged() -> None:
    module = load_fastpath(True)
    assert module is not None
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender,
    ):
        listener.bind((V4, 0))
        listener.setblocking(False)
        sender.bind((V4, 0))
        sizes = [0, 1, 11, 12, 13, 100, 4096, 5000]
        payloads = [bytes((index * 7 + size) & 0xFF for index in range(size)) for size in sizes]
        for payload in payloads:
            sender.sendto(payload, listener.getsockname())
        time.sleep(0.05)
        hits: list[Any] = []
        misses: list[Any] = []
        unknown = object()
        read = module.serve(
            listener.fileno(), {}, lambda ip: "kid", unknown, time.monotonic, hits, misses
        )
        assert read == len(sizes)
        assert hits == []
        # unchanged; what does not fit the 4096-byte read is cut, as recvfrom(4096) does
        assert [data for data, _, _, _ in misses] == [payload[:4096] for payload in payloads]
        for _data, addr, client_ip, who in misses:
            assert addr == sender.getsockname()
            assert (client_ip, who) == (V4, "kid")
        empty = module.serve(listener.fileno(), {}, None, unknown, time.monotonic, hits, [])
        assert empty == 0


def test_the_environment_turns_the_c_path_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAOAN_DNS_FASTPATH", "0")
    assert not DnsServer(FixedAnswer()).fastpath_enabled
    assert DnsServer(FixedAnswer(), fastpath=True).fastpath_enabled
    monkeypatch.delenv("BAOAN_DNS_FASTPATH")
    assert DnsServer(FixedAnswer()).fastpath_enabled
    assert not DnsServer(FixedAnswer(), fastpath=False).fastpath_enabled


def test_a_module_built_from_an_older_source_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    module = load_fastpath(True)
    assert module is not None and module.API_VERSION >= 2
    monkeypatch.setattr(module, "API_VERSION", 1)  # as a build from before serve(muted)
    assert load_fastpath() is None
    with pytest.raises(RuntimeError, match="older source"):
        load_fastpath(True)
