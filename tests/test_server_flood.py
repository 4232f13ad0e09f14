"""A client sending junk gets a bounded number of error answers, and another client's
questions are all answered while it floods (issue 11, item 5; the full-size flood is
`python -m benchmarks.flood`)."""

from __future__ import annotations

import random
import socket
import struct
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from dnslib import RCODE, DNSRecord, EDNSOption
from test_server import V4, FixedAnswer, ServerThread, question

from dns_filter.clock import ManualClock
from dns_filter.server import ServerLimits, load_fastpath

OTHER_LOOPBACK = "127.0.0.2"


def _two_questions(ident: int) -> bytes:
    name = b"\x03bad\x07example\x00\x00\x01\x00\x01"
    return struct.pack(">HHHHHH", ident, 0x0100, 2, 0, 0, 0) + name + name


def _junk(rng: random.Random, count: int) -> list[bytes]:
    kinds = (
        lambda: rng.randbytes(rng.randint(0, 300)),
        lambda: _two_questions(rng.getrandbits(16)),
        lambda: struct.pack(">HHHHHH", rng.getrandbits(16), 0x2800, 1, 0, 0, 0) + b"\x00",
        lambda: struct.pack(">HHHHHH", rng.getrandbits(16), 0x0100, 1, 0, 0, 0) + b"\x3fab",
    )
    return [kinds[index % len(kinds)]() for index in range(count)]


@pytest.fixture(params=["python", "c"])
def fastpath(request: pytest.FixtureRequest) -> bool:
    if request.param == "c" and load_fastpath() is None:
        pytest.skip("the C fast path (dns_filter._fastpath) is not built")
    return bool(request.param == "c")


def _socket(host: str) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, 0))
    sock.settimeout(2.0)
    try:
        yield sock
    finally:
        sock.close()


@pytest.fixture
def flooder() -> Iterator[socket.socket]:
    yield from _socket(OTHER_LOOPBACK)


@pytest.fixture
def client() -> Iterator[socket.socket]:
    yield from _socket(V4)


def _wait_for_queries(server: ServerThread, count: int, limit: float = 10.0) -> None:
    deadline = time.monotonic() + limit
    while server.stats().queries < count:
        assert time.monotonic() < deadline, "the server did not read every packet in time"
        time.sleep(0.01)


def _answers(sock: socket.socket) -> list[bytes]:
    sock.settimeout(0.3)
    found = []
    while True:
        try:
            found.append(sock.recv(4096))
        except TimeoutError:
            return found


def test_past_its_budget_a_client_s_malformed_packets_go_unanswered(
    fastpath: bool, flooder: socket.socket, client: socket.socket
) -> None:
    clock = ManualClock(datetime(2026, 12, 1, 12, tzinfo=UTC))  # no budget refills meanwhile
    limits = ServerLimits(error_answers_per_client=10)  # bursts of 20
    server = ServerThread(FixedAnswer(), fastpath=fastpath, limits=limits, clock=clock)
    try:
        target = (V4, server.port())
        for ident in range(50):
            flooder.sendto(_two_questions(ident), target)
        _wait_for_queries(server, 50)
        answers = _answers(flooder)
        assert len(answers) == 20
        assert all(DNSRecord.parse(answer).header.rcode == RCODE.FORMERR for answer in answers)
        stats = server.stats()
        assert (stats.error_answers, stats.errors_unanswered) == (20, 30)
        # Another client's budget is its own, and its questions are answered as ever.
        client.sendto(_two_questions(7), target)
        assert DNSRecord.parse(client.recv(4096)).header.rcode == RCODE.FORMERR
        client.sendto(question("fine.example.test").pack(), target)
        assert DNSRecord.parse(client.recv(4096)).header.rcode == RCODE.NOERROR
    finally:
        server.close()


def test_every_question_of_one_client_is_answered_while_another_floods(
    fastpath: bool, flooder: socket.socket, client: socket.socket
) -> None:
    clock = ManualClock(datetime(2026, 12, 1, 12, tzinfo=UTC))  # no budget refills meanwhile
    server = ServerThread(FixedAnswer(), fastpath=fastpath, clock=clock)
    rng = random.Random(11)
    try:
        target = (V4, server.port())
        flooder.setblocking(False)
        answered = 0
        sent = 0
        for round_number in range(20):
            # 1,000 junk packets, then one question; waiting for the server to read the
            # burst keeps the socket's buffer from overflowing on a slow machine (the
            # kernel would drop anyone's packets then, which this test is not about).
            for data in _junk(rng, 1_000):
                flooder.sendto(data, target)
            sent += 1_000
            request = question(f"n{round_number % 5}.example.test")
            client.sendto(request.pack(), target)
            reply = DNSRecord.parse(client.recv(4096))
            assert reply.header.id == request.header.id
            answered += 1
            _wait_for_queries(server, sent + answered)
        assert answered == 20
        stats = server.stats()
        assert stats.queries == sent + answered  # every packet was read
        # The flooder got no more error answers than one burst of its budget.
        assert stats.error_answers <= 2 * ServerLimits().error_answers_per_client
        assert stats.errors_unanswered > 10_000
    finally:
        server.close()


def test_past_its_budget_a_client_s_junk_is_dropped_unread_but_not_its_questions(
    fastpath: bool, flooder: socket.socket, client: socket.socket
) -> None:
    clock = ManualClock(datetime(2026, 12, 1, 12, tzinfo=UTC))  # no budget refills meanwhile
    limits = ServerLimits(error_answers_per_client=10)  # bursts of 20
    server = ServerThread(FixedAnswer(), fastpath=fastpath, limits=limits, clock=clock)
    try:
        target = (V4, server.port())
        for _ in range(30):  # no header at all: never answered, but it spends the budget
            flooder.sendto(b"\x00\x01\x02", target)
        _wait_for_queries(server, 30)
        spent = server.stats()
        assert spent.dropped + spent.errors_unanswered == 30
        assert spent.dropped >= 20
        # Muted now: its junk is dropped before any look-up (not even counted as read)...
        for _ in range(5):
            flooder.sendto(b"\x00\x01\x02", target)
        flooder.sendto(_two_questions(9), target)  # two questions: not a plain query
        _wait_for_queries(server, 36)
        muted = server.stats()
        assert muted.dropped == spent.dropped
        assert muted.errors_unanswered == spent.errors_unanswered + 6
        assert muted.error_answers == 0
        assert _answers(flooder) == []
        # ... but a plain question from the same address (a PC's apps share one) is heard.
        request = question("still.example.test")
        flooder.settimeout(2.0)
        flooder.sendto(request.pack(), target)
        assert DNSRecord.parse(flooder.recv(4096)).header.id == request.header.id
        # Others are not muted with it.
        client.sendto(_two_questions(7), target)
        assert DNSRecord.parse(client.recv(4096)).header.rcode == RCODE.FORMERR
    finally:
        server.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_RCVBUFFORCE is Linux's")
def test_the_listening_socket_takes_as_much_receive_buffer_as_it_may() -> None:
    # 16 MiB, forced past net.core.rmem_max when the process may (Linux doubles the figure).
    wanted = 16 * 1024 * 1024
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        default = probe.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        try:
            probe.setsockopt(socket.SOL_SOCKET, 33, wanted)  # SO_RCVBUFFORCE
        except OSError:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, wanted)
        most = probe.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    server = ServerThread(FixedAnswer())
    try:
        sizes: list[int] = []
        server.call(
            lambda: sizes.extend(
                sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
                for sock in server.server._udp_sockets
            )
        )
        assert sizes and all(size == most for size in sizes)
        assert most > default
    finally:
        server.close()


def _plain_and_not() -> tuple[list[bytes], list[bytes]]:
    """Queries a muted client is still heard with, and junk that is dropped unread."""
    with_cookie = question("cookie.example.test", edns_size=1232)
    with_cookie.ar[0].rdata = [EDNSOption(10, b"\x01" * 8)]
    plain = [
        question("plain.example.test").pack(),
        question("edns.example.test", "AAAA", edns_size=1232).pack(),
        with_cookie.pack(),
    ]
    good = plain[1]
    version_one = bytearray(good)
    version_one[-5] = 1  # the OPT's EDNS version
    junk = [
        bytes(version_one),
        _two_questions(1),
        good[:12] + b"\x50" + good[13:],  # a label length past 63
        good[:12] + b"\xc0\x0c" + good[-15:],  # a compression pointer in the question
        good[:-3],  # the OPT's data runs past the end
        good[:2] + b"\x81\x00" + good[4:],  # an answer sent as a question
        good[:2] + b"\x28\x00" + good[4:],  # opcode UPDATE
        good + b"\x00" * 600,  # more than a plain query is
        b"\x00" * 11,
    ]
    return plain, junk


def test_a_plain_query_is_told_from_junk_without_parsing_it() -> None:
    from dns_filter.server import _looks_like_a_query

    plain, junk = _plain_and_not()
    assert all(_looks_like_a_query(packet) for packet in plain)
    assert not any(_looks_like_a_query(packet) for packet in junk)


def test_both_paths_hear_the_same_packets_of_a_muted_client(
    fastpath: bool, flooder: socket.socket
) -> None:
    clock = ManualClock(datetime(2026, 12, 1, 12, tzinfo=UTC))  # no budget refills meanwhile
    limits = ServerLimits(error_answers_per_client=10)
    server = ServerThread(FixedAnswer(), fastpath=fastpath, limits=limits, clock=clock)
    try:
        target = (V4, server.port())
        for _ in range(40):  # spend the budget
            flooder.sendto(b"\x00\x01\x02", target)
        _wait_for_queries(server, 40)
        before = server.stats()
        plain, junk = _plain_and_not()
        for packet in junk:
            flooder.sendto(packet, target)
        _wait_for_queries(server, 40 + len(junk))
        assert server.stats().errors_unanswered == before.errors_unanswered + len(junk)
        assert _answers(flooder) == []
        flooder.settimeout(2.0)
        for packet in plain:
            flooder.sendto(packet, target)
            answer = DNSRecord.parse(flooder.recv(4096))
            assert answer.header.id == DNSRecord.parse(packet).header.id
            assert answer.header.rcode == RCODE.NOERROR
    finally:
        server.close()
