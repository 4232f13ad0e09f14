"""The upstream answer is checked on the wire before it is passed on: our message ID, the
QR bit, our question (without regard to case), and a message that holds together from
end to end. Anything else is that upstream's failure: the next upstream is asked, and
when none answers well the client gets SERVFAIL — never silence, never NXDOMAIN.

The answers come from a real TCP upstream on loopback (over UDP the socket pool already
drops forged IDs and questions before the check; over TCP and DoH only the check stands
between a bad answer and the client), and the last tests ask through the real server."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Callable, Iterator

import pytest
from dnslib import QTYPE, RCODE, RR, A, DNSRecord
from test_upstreams_standin import Seen, StandInDns

from dns_filter import answer_wire
from dns_filter.chain import AnswerType, Query, Result
from dns_filter.reason import ReasonKind
from dns_filter.resolvers.upstream import UpstreamResolver
from dns_filter.server import DnsServer
from dns_filter.upstreams import TcpUpstream, UpstreamGroup, UpstreamsFailedError

Craft = Callable[[bytes], bytes]  # the query's bytes -> the answer's bytes


def honest(query: bytes, address: str = "192.0.2.1") -> bytes:
    request = DNSRecord.parse(query)
    reply = request.reply()
    reply.add_answer(RR(request.q.qname, QTYPE.A, rdata=A(address), ttl=300))
    return bytes(reply.pack())


class CraftedDns(StandInDns):
    """The stand-in upstream (UDP and TCP on loopback), answering every query with
    `craft(query)`; the tests ask it over TCP."""

    def __init__(self, craft: Craft) -> None:
        super().__init__()
        self.craft = craft

    @property
    def asked(self) -> int:
        return len(self.seen)

    def _reply(self, data: bytes, transport: str) -> bytes | None:
        self.seen.append(Seen(transport, "", ""))
        return self.craft(data)


@pytest.fixture
def stand_in() -> Iterator[Callable[[Craft], CraftedDns]]:
    made: list[CraftedDns] = []

    def make(craft: Craft) -> CraftedDns:
        server = CraftedDns(craft)
        server.start()
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()


def resolve_through(*servers: CraftedDns, name: str = "www.example.vn") -> tuple[Query, Result]:
    """Ask the upstream link (in front of a group of these servers) for `name`."""
    request = DNSRecord.question(name)

    async def run() -> Result:
        group = UpstreamGroup(
            [TcpUpstream("127.0.0.1", server.port) for server in servers], timeout=2.0
        )
        try:
            return await UpstreamResolver(group).resolve(query)
        finally:
            await group.aclose()

    query = Query(request, name, QTYPE.A, "127.0.0.1", "udp")
    return query, asyncio.run(run())


def assert_servfail_naming(result: Result, complaint: str) -> None:
    assert result.message.rcode == RCODE.SERVFAIL
    assert result.answer_type is AnswerType.FAILED
    assert result.reason.kind is ReasonKind.FAILURE
    assert complaint in (result.reason.detail or "")


# ------------------------------------------------------------------ crafted bad answers


def spoofed_id(query: bytes) -> bytes:
    answer = honest(query, "6.6.6.6")
    return struct.pack(">H", (struct.unpack_from(">H", query)[0] + 1) % 0x10000) + answer[2:]


def not_a_response(query: bytes) -> bytes:
    answer = bytearray(honest(query, "6.6.6.6"))
    answer[2] &= 0x7F  # QR clear: a query, not an answer
    return bytes(answer)


def other_name(query: bytes) -> bytes:
    forged = DNSRecord.parse(query)
    other = DNSRecord.question("bank.example")
    other.header.id = forged.header.id
    return honest(bytes(other.pack()), "6.6.6.6")


def other_type(query: bytes) -> bytes:
    request = DNSRecord.parse(query)
    other = DNSRecord.question(str(request.q.qname), "AAAA")
    other.header.id = request.header.id
    return bytes(other.reply().pack())


def no_question_noerror(query: bytes) -> bytes:
    return query[:2] + struct.pack(">HHHHH", 0x8180, 0, 0, 0, 0)


def cut_mid_record(query: bytes) -> bytes:
    return honest(query)[:-2]


def trailing_bytes(query: bytes) -> bytes:
    return honest(query) + b"\x00\x00\x00"


def garbage_after_header(query: bytes) -> bytes:
    return query[:2] + struct.pack(">HHHHH", 0x8180, 1, 1, 0, 0) + bytes(range(200, 240))


def pointer_forward(query: bytes) -> bytes:
    answer = bytearray(honest(query))
    owner = answer_wire.records(bytes(answer))[0].ttl_offset - 6  # the owner's pointer
    answer[owner : owner + 2] = struct.pack(">H", 0xC000 | (len(answer) - 2))
    return bytes(answer)


def pointer_loop(query: bytes) -> bytes:
    answer = bytearray(honest(query))
    owner = answer_wire.records(bytes(answer))[0].ttl_offset - 6
    answer[owner : owner + 2] = struct.pack(">H", 0xC000 | owner)  # points at itself
    return bytes(answer)


def short_address(query: bytes) -> bytes:
    answer = bytearray(honest(query))
    rdlength = answer_wire.records(bytes(answer))[0].data_start - 2
    answer[rdlength : rdlength + 2] = struct.pack(">H", 3)
    return bytes(answer[:-1])  # an A record of 3 bytes


def cname_into_nowhere(query: bytes) -> bytes:
    request = DNSRecord.parse(query)
    head = bytearray(request.reply().pack())
    head[6:8] = struct.pack(">H", 1)
    data = b"\x05abc"  # a label that claims more bytes than the data holds
    return bytes(head) + b"\xc0\x0c" + struct.pack(">HHIH", 5, 1, 300, len(data)) + data


BAD_ANSWERS: list[tuple[Craft, str]] = [
    (spoofed_id, "does not match the query"),
    (not_a_response, "does not match the query"),
    (other_name, "another question"),
    (other_type, "another question"),
    (no_question_noerror, "no question section"),
    (cut_mid_record, "malformed answer"),
    (trailing_bytes, "malformed answer"),
    (garbage_after_header, "malformed answer"),
    (pointer_forward, "malformed answer"),
    (pointer_loop, "malformed answer"),
    (short_address, "malformed answer"),
    (cname_into_nowhere, "malformed answer"),
]
BAD_ANSWER_NAMES = [craft.__name__ for craft, _complaint in BAD_ANSWERS]


@pytest.mark.parametrize(("craft", "complaint"), BAD_ANSWERS, ids=BAD_ANSWER_NAMES)
def test_a_bad_answer_is_servfail_naming_what_is_wrong(
    stand_in: Callable[[Craft], CraftedDns], craft: Craft, complaint: str
) -> None:
    server = stand_in(craft)
    _query, result = resolve_through(server)
    assert server.asked == 1
    assert_servfail_naming(result, complaint)


@pytest.mark.parametrize(("craft", "complaint"), BAD_ANSWERS, ids=BAD_ANSWER_NAMES)
def test_after_a_bad_answer_the_next_upstream_answers(
    stand_in: Callable[[Craft], CraftedDns], craft: Craft, complaint: str
) -> None:
    bad, good = stand_in(craft), stand_in(honest)
    query, result = resolve_through(bad, good)
    assert bad.asked == 1 and good.asked == 1
    assert result.answer_type is AnswerType.RESOLVED
    response = result.response
    assert response.header.id == query.request.header.id
    assert [str(rr.rdata) for rr in response.rr] == ["192.0.2.1"]


def test_a_good_answer_passes_unchanged_but_its_id_and_the_name_case_may_differ(
    stand_in: Callable[[Craft], CraftedDns],
) -> None:
    sent: list[bytes] = []

    def shouting(query: bytes) -> bytes:
        request = DNSRecord.parse(query)
        loud = DNSRecord.question(str(request.q.qname).upper())
        loud.header.id = request.header.id
        answer = honest(bytes(loud.pack()))
        sent.append(answer)
        return answer

    server = stand_in(shouting)
    query, result = resolve_through(server)
    wire_answer = result.message.wire
    assert wire_answer[2:] == sent[0][2:]  # the upstream's bytes, as it sent them
    assert wire_answer[:2] == bytes(query.request.pack())[:2]  # with the client's ID


def test_servfail_without_a_question_moves_on_and_names_the_rcode(
    stand_in: Callable[[Craft], CraftedDns],
) -> None:
    def bare_servfail(query: bytes) -> bytes:
        return query[:2] + struct.pack(">HHHHH", 0x8182, 0, 0, 0, 0)

    server = stand_in(bare_servfail)
    _query, result = resolve_through(server)
    assert_servfail_naming(result, "answered SERVFAIL")


def test_a_group_raises_for_a_bad_answer_and_never_answers_nxdomain(
    stand_in: Callable[[Craft], CraftedDns],
) -> None:
    def nxdomain_for_another_name(query: bytes) -> bytes:
        request = DNSRecord.parse(query)
        other = DNSRecord.question("elsewhere.example")
        other.header.id = request.header.id
        reply = other.reply()
        reply.header.rcode = RCODE.NXDOMAIN
        return bytes(reply.pack())

    server = stand_in(nxdomain_for_another_name)

    async def run() -> None:
        group = UpstreamGroup([TcpUpstream("127.0.0.1", server.port)], timeout=2.0)
        try:
            with pytest.raises(UpstreamsFailedError, match="another question"):
                await group.resolve(DNSRecord.question("www.example.vn"))
        finally:
            await group.aclose()

    asyncio.run(run())


# ------------------------------------------------------------------ through the server


def ask_server(upstream: CraftedDns, query: bytes) -> bytes:
    """Send `query` over UDP to the real server in front of the upstream link (asking
    `upstream` over TCP) and return what comes back."""

    async def run() -> bytes:
        group = UpstreamGroup([TcpUpstream("127.0.0.1", upstream.port)], timeout=2.0)
        server = DnsServer(UpstreamResolver(group), [("127.0.0.1", 0)], fastpath=False)
        await server.start()
        loop = asyncio.get_running_loop()
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
                client.setblocking(False)
                await loop.sock_connect(client, ("127.0.0.1", server.addresses[0].port))
                await loop.sock_sendall(client, query)
                async with asyncio.timeout(10):
                    return await loop.sock_recv(client, 4096)
        finally:
            await server.stop()
            await group.aclose()

    return asyncio.run(run())


@pytest.mark.parametrize(
    "craft", [spoofed_id, other_name, cut_mid_record, garbage_after_header, pointer_loop]
)
def test_the_client_gets_servfail_not_silence(
    stand_in: Callable[[Craft], CraftedDns], craft: Craft
) -> None:
    upstream = stand_in(craft)
    request = DNSRecord.question("www.example.vn")

    answer = DNSRecord.parse(ask_server(upstream, bytes(request.pack())))
    assert answer.header.id == request.header.id
    assert answer.header.rcode == RCODE.SERVFAIL
    assert not answer.rr
    assert upstream.asked == 1


def test_a_query_whose_name_is_not_utf8_gets_formerr_and_is_not_forwarded(
    stand_in: Callable[[Craft], CraftedDns],
) -> None:
    upstream = stand_in(honest)
    query = bytes.fromhex("123401000001000000000000") + b"\x02\xff\xfe\x02vn\x00\x00\x01\x00\x01"

    answer = ask_server(upstream, query)
    assert answer[:2] == query[:2] and answer[3] & 0x0F == RCODE.FORMERR
    assert upstream.asked == 0
