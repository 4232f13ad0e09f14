"""The upstream UDP path on real loopback sockets: long-lived pooled sockets on random
ports, rotated; answers matched on (ID, question) so forgeries are ignored; identical
questions in flight asked once; and SERVFAIL, not silence, past the bound of questions
waiting."""

from __future__ import annotations

import asyncio
import os
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dnslib import QTYPE, RCODE, RR, DNSRecord

from dns_filter import udp_pool
from dns_filter.chain import AnswerType, Query
from dns_filter.reason import ReasonKind
from dns_filter.resolvers.upstream import UpstreamResolver
from dns_filter.udp_pool import UdpSocketPool, question_of, random_message_id
from dns_filter.upstreams import UdpUpstream, UpstreamGroup, UpstreamsFailedError

Handler = Callable[[socket.socket, DNSRecord, bytes, tuple[str, int]], None]


def answer(request: DNSRecord, address: str = "192.0.2.1", name: str | None = None) -> bytes:
    reply = request.reply()
    owner = name or str(request.q.qname)
    reply.add_answer(*RR.fromZone(f"{owner} 300 A {address}"))
    return bytes(reply.pack())


def honest(sock: socket.socket, request: DNSRecord, data: bytes, peer: tuple[str, int]) -> None:
    sock.sendto(answer(request), peer)


class Upstream:
    """A UDP server on loopback that hands each query to `handler`, and remembers the
    source ports and IDs it saw."""

    def __init__(self, handler: Handler = honest) -> None:
        self.handler = handler
        self.ports: list[int] = []
        self.ids: list[int] = []
        self.names: list[str] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = int(self.sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            request = DNSRecord.parse(data)
            self.ports.append(peer[1])
            self.ids.append(request.header.id)
            self.names.append(str(request.q.qname).rstrip("."))
            self.handler(self.sock, request, data, peer)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def make_upstream() -> Iterator[Callable[[Handler], Upstream]]:
    made: list[Upstream] = []

    def make(handler: Handler = honest) -> Upstream:
        made.append(Upstream(handler))
        return made[-1]

    yield make
    for upstream in made:
        upstream.close()


def addresses(response: DNSRecord) -> list[str]:
    return [str(rr.rdata) for rr in response.rr if rr.rtype == QTYPE.A]


def test_forged_answers_with_the_wrong_id_question_or_port_are_ignored(
    make_upstream: Callable[[Handler], Upstream],
) -> None:
    forger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    forger.bind(("127.0.0.1", 0))

    def spoofed(
        sock: socket.socket, request: DNSRecord, data: bytes, peer: tuple[str, int]
    ) -> None:
        forger.sendto(answer(request, "6.6.6.6"), peer)  # right ID and question, other port
        wrong_id = DNSRecord.parse(answer(request, "6.6.6.7"))
        wrong_id.header.id = (request.header.id + 1) % 0x10000
        sock.sendto(wrong_id.pack(), peer)
        other = DNSRecord.question("bank.example")
        other.header.id = request.header.id
        sock.sendto(answer(other, "6.6.6.8"), peer)  # right ID, another question
        time.sleep(0.05)
        sock.sendto(answer(request), peer)

    upstream = make_upstream(spoofed)

    async def run() -> DNSRecord:
        group = UpstreamGroup([UdpUpstream("127.0.0.1", upstream.port)], timeout=2.0)
        try:
            return (await group.resolve(DNSRecord.question("www.example.vn"))).response
        finally:
            await group.aclose()

    try:
        assert addresses(asyncio.run(run())) == ["192.0.2.1"]
    finally:
        forger.close()


def test_sockets_live_long_use_random_ports_and_ids_and_are_rotated(
    make_upstream: Callable[[Handler], Upstream],
) -> None:
    upstream = make_upstream(honest)
    pool = UdpSocketPool("127.0.0.1", upstream.port, size=2, max_uses=100)

    async def run() -> None:
        for index in range(400):
            query = DNSRecord.question(f"n{index}.example")
            got = DNSRecord.parse(await pool.exchange(bytes(query.pack()), 2.0))
            assert got.header.id == query.header.id and addresses(got) == ["192.0.2.1"]
        pool.close()

    asyncio.run(run())
    assert pool.opened == 4  # 400 queries in turn on two sockets, 100 on each one
    assert len(set(upstream.ports)) == 4  # each a new port
    assert len(set(upstream.ids)) > 380  # random IDs, not a counter


def test_many_concurrent_questions_share_the_pool(
    make_upstream: Callable[[Handler], Upstream],
) -> None:
    upstream = make_upstream(honest)

    async def run() -> list[list[str]]:
        group = UpstreamGroup([UdpUpstream("127.0.0.1", upstream.port)], timeout=3.0)
        try:
            answers = await asyncio.gather(
                *(group.resolve(DNSRecord.question(f"c{i}.example")) for i in range(100))
            )
            return [addresses(a.response) for a in answers]
        finally:
            await group.aclose()

    assert asyncio.run(run()) == [["192.0.2.1"]] * 100
    assert len(set(upstream.ports)) <= 4


def test_identical_questions_in_flight_are_asked_once(
    make_upstream: Callable[[Handler], Upstream],
) -> None:
    def slow(sock: socket.socket, request: DNSRecord, data: bytes, peer: tuple[str, int]) -> None:
        time.sleep(0.2)
        sock.sendto(answer(request), peer)

    upstream = make_upstream(slow)

    async def run() -> None:
        group = UpstreamGroup([UdpUpstream("127.0.0.1", upstream.port)], timeout=3.0)
        try:
            requests = [DNSRecord.question("same.example") for _ in range(50)]
            answers = await asyncio.gather(*(group.resolve(r) for r in requests))
            for request, got in zip(requests, answers, strict=True):
                assert got.response.header.id == request.header.id
                assert addresses(got.response) == ["192.0.2.1"]
        finally:
            await group.aclose()

    asyncio.run(run())
    assert upstream.names == ["same.example"]


def test_past_the_bound_of_waiting_questions_the_answer_is_servfail_at_once(
    make_upstream: Callable[[Handler], Upstream],
) -> None:
    def silent(sock: socket.socket, request: DNSRecord, data: bytes, peer: tuple[str, int]) -> None:
        return None

    upstream = make_upstream(silent)

    async def run() -> None:
        group = UpstreamGroup(
            [UdpUpstream("127.0.0.1", upstream.port)], timeout=0.5, max_outstanding=5
        )
        link = UpstreamResolver(group)
        try:
            started = time.monotonic()
            asking = [
                asyncio.ensure_future(group.resolve(DNSRecord.question(f"w{i}.example")))
                for i in range(5)
            ]
            await asyncio.sleep(0.05)
            request = DNSRecord.question("one-more.example")
            result = await link.resolve(Query(request, "one-more.example", 1, "127.0.0.1", "udp"))
            assert time.monotonic() - started < 0.3  # not after the timeout: at once
            assert result.response.header.rcode == RCODE.SERVFAIL
            assert result.answer_type is AnswerType.FAILED
            assert result.reason.kind is ReasonKind.FAILURE
            assert "already waiting" in (result.reason.detail or "")
            for task in asking:
                with pytest.raises(UpstreamsFailedError):
                    await task
        finally:
            await group.aclose()

    asyncio.run(run())


def test_the_question_is_read_without_regard_to_case() -> None:
    upper = bytes(DNSRecord.question("WWW.Example.VN").pack())
    lower = bytes(DNSRecord.question("www.example.vn").pack())
    assert question_of(upper) == question_of(lower)
    assert question_of(b"\x00" * 5) is None
    assert question_of(b"\x00" * 12) == b""


def test_message_ids_are_read_in_batches_and_a_forked_child_draws_others() -> None:
    ids = [random_message_id() for _ in range(5_000)]  # past two batches of 2,048
    assert len(set(ids)) > 4_500  # a counter or a repeated batch would not get here
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child: its next IDs, as the parent's next ones would be
        os.close(reader)
        os.write(writer, struct.pack("!32H", *(random_message_id() for _ in range(32))))
        os._exit(0)
    os.close(writer)
    try:
        data = b""
        while len(data) < 64:
            chunk = os.read(reader, 64 - len(data))
            if not chunk:
                break
            data += chunk
    finally:
        os.close(reader)
        os.waitpid(child, 0)
    parent_next = [random_message_id() for _ in range(32)]
    assert list(struct.unpack("!32H", data)) != parent_next


def test_a_refused_socket_fails_at_once_and_is_replaced_by_a_new_one() -> None:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nobody listens there now: the system answers ICMP port unreachable
    pool = UdpSocketPool("127.0.0.1", port, size=1)
    query = bytes(DNSRecord.question("example.vn").pack())

    async def run() -> None:
        started = time.monotonic()
        with pytest.raises(OSError):
            await pool.exchange(query, 5.0)
        assert time.monotonic() - started < 2.0  # the refusal, not the timeout
        server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        server.bind(("127.0.0.1", port))
        server.setblocking(False)
        loop = asyncio.get_running_loop()
        try:
            asked = asyncio.ensure_future(pool.exchange(query, 5.0))
            data, peer = await loop.sock_recvfrom(server, 4096)
            await loop.sock_sendto(server, answer(DNSRecord.parse(data)), peer)
            got = DNSRecord.parse(await asked)
        finally:
            server.close()
        assert addresses(got) == ["192.0.2.1"]
        assert pool.opened == 2  # the refused socket was retired, a new one opened
        pool.close()

    asyncio.run(run())


def test_closing_the_pool_fails_the_queries_still_waiting_at_once(
    make_upstream: Callable[[Handler], Upstream],
) -> None:
    silent = make_upstream(lambda sock, request, data, peer: None)
    pool = UdpSocketPool("127.0.0.1", silent.port)

    async def run() -> None:
        waiting = [
            asyncio.ensure_future(
                pool.exchange(bytes(DNSRecord.question(f"n{i}.vn").pack()), 10.0)
            )
            for i in range(5)
        ]
        await asyncio.sleep(0.1)
        started = time.monotonic()
        pool.close()
        results = await asyncio.gather(*waiting, return_exceptions=True)
        assert time.monotonic() - started < 1.0
        assert all(isinstance(result, ConnectionError) for result in results)

    asyncio.run(run())


class _FullOnce(socket.socket):
    """A socket whose send buffer is full for its first three sends to `port`."""

    full = 3
    port = 0

    def send(self, data: Any, flags: int = 0) -> int:
        if _FullOnce.full > 0 and self.getpeername()[1] == _FullOnce.port:
            _FullOnce.full -= 1
            raise BlockingIOError("send buffer full")
        return super().send(data, flags)


def test_queries_that_find_the_send_buffer_full_go_out_when_there_is_room(
    make_upstream: Callable[[Handler], Upstream], monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = make_upstream(honest)
    monkeypatch.setattr(udp_pool.socket, "socket", _FullOnce)
    _FullOnce.full, _FullOnce.port = 3, upstream.port
    pool = UdpSocketPool("127.0.0.1", upstream.port, size=1)

    async def run() -> list[DNSRecord]:
        answers = await asyncio.gather(
            *(pool.exchange(bytes(DNSRecord.question(f"n{i}.vn").pack()), 5.0) for i in range(5))
        )
        pool.close()
        return [DNSRecord.parse(answer) for answer in answers]

    got = asyncio.run(run())
    assert _FullOnce.full == 0  # the first three sends did find it full
    assert [str(answer.q.qname) for answer in got] == [f"n{i}.vn." for i in range(5)]
    assert all(addresses(answer) == ["192.0.2.1"] for answer in got)
    assert sorted(upstream.names) == sorted(f"n{i}.vn" for i in range(5))  # each sent once


class _NoWatching(asyncio.SelectorEventLoop):
    """An event loop that watches no sockets, as Windows' proactor loop."""

    def add_reader(self, fd: Any, callback: Any, *args: Any) -> None:  # type: ignore[override]
        raise NotImplementedError


def test_on_a_loop_that_watches_no_sockets_a_query_fails_with_a_clear_error() -> None:
    pool = UdpSocketPool("127.0.0.1", 9)
    loop = _NoWatching()
    try:
        with pytest.raises(OSError, match="selector event loop"):
            loop.run_until_complete(
                pool.exchange(bytes(DNSRecord.question("example.vn").pack()), 1.0)
            )
    finally:
        loop.close()
    assert pool.opened == 0
