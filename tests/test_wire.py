"""The wire-format fast path agrees with dnslib and rejects bad packets cleanly."""

from __future__ import annotations

import struct

import pytest
from dnslib import EDNS0, QTYPE, RR, A, DNSRecord
from hypothesis import given
from hypothesis import strategies as st

from dns_filter import wire


def packed(name: str, qtype: str = "A", *, edns: int | None = None, do: bool = False) -> bytes:
    record = DNSRecord.question(name, qtype)
    if edns is not None:
        record.add_ar(EDNS0(udp_len=edns, flags="do" if do else ""))
    return bytes(record.pack())


def test_parse_plain_query() -> None:
    data = packed("Www.Example.Test", "AAAA")
    parsed = wire.parse_query(data)
    assert data[12 : parsed.name_end] == b"\x03Www\x07Example\x04Test\x00"
    assert parsed.qtype == QTYPE.AAAA
    assert parsed.qclass == 1
    assert parsed.question_end == len(data)
    assert (parsed.edns, parsed.udp_size, parsed.do_bit) == (False, 512, False)


def test_parse_edns_size_and_do_bit() -> None:
    parsed = wire.parse_query(packed("example.test", edns=1400, do=True))
    assert (parsed.edns, parsed.udp_size, parsed.do_bit) == (True, 1400, True)
    small = wire.parse_query(packed("example.test", edns=100))
    assert small.udp_size == 512  # below 512 counts as 512 (RFC 6891)


@pytest.mark.parametrize(
    ("data", "rcode"),
    [
        (struct.pack(">HHHHHH", 1, 0x0100, 0, 0, 0, 0), wire.RCODE_FORMERR),
        (struct.pack(">HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01", 1),
        (struct.pack(">HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\x03ab", wire.RCODE_FORMERR),
        (struct.pack(">HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\x00\x00", wire.RCODE_FORMERR),
        (struct.pack(">HHHHHH", 1, 0x2800, 1, 0, 0, 0) + b"\x00\x00\x01\x00\x01", 4),
        (struct.pack(">HHHHHH", 1, 0x0100, 1, 0, 0, 1) + b"\x00\x00\x01\x00\x01\x00", 1),
        (
            struct.pack(">HHHHHH", 1, 0x0100, 1, 0, 0, 1)
            + b"\x01a" * 130
            + b"\x00\x00\x01\x00\x01",
            wire.RCODE_FORMERR,
        ),
    ],
)
def test_bad_queries_give_the_right_rcode(data: bytes, rcode: int) -> None:
    with pytest.raises(wire.QueryError) as caught:
        wire.parse_query(data)
    assert caught.value.rcode == rcode


def test_two_opt_records_are_formerr() -> None:
    record = DNSRecord.question("example.test")
    record.add_ar(EDNS0())
    record.add_ar(EDNS0())
    with pytest.raises(wire.QueryError) as caught:
        wire.parse_query(bytes(record.pack()))
    assert caught.value.rcode == wire.RCODE_FORMERR
    assert caught.value.question_end > 12


def test_responses_and_short_packets_are_unreadable() -> None:
    with pytest.raises(wire.UnreadablePacketError):
        wire.parse_query(b"\x00" * 11)
    response = bytes(DNSRecord.question("example.test").reply().pack())
    with pytest.raises(wire.UnreadablePacketError):
        wire.parse_query(response)


def test_error_response_repeats_id_question_and_opt() -> None:
    data = packed("example.test", edns=1232)
    parsed = wire.parse_query(data)
    answer = DNSRecord.parse(
        wire.error_response(
            data, wire.RCODE_SERVFAIL, parsed.question_end, wire.opt_record(1232, False)
        )
    )
    assert answer.header.id == DNSRecord.parse(data).header.id
    assert answer.header.rcode == wire.RCODE_SERVFAIL
    assert str(answer.q.qname) == "example.test."
    assert [rr.rtype for rr in answer.ar] == [QTYPE.OPT]


def test_truncated_keeps_question_and_sets_tc() -> None:
    query = DNSRecord.question("big.example.test")
    reply = query.reply()
    for i in range(40):
        reply.add_answer(RR("big.example.test", QTYPE.A, rdata=A(f"192.0.2.{i + 1}"), ttl=60))
    data = bytes(reply.pack())
    cut = DNSRecord.parse(
        wire.truncated(data, wire.parse_query(bytes(query.pack())).question_end, None)
    )
    assert cut.header.tc == 1
    assert cut.rr == []
    assert str(cut.q.qname) == "big.example.test."


def test_record_ttls_and_ageing() -> None:
    reply = DNSRecord.question("example.test").reply()
    reply.add_answer(RR("example.test", QTYPE.A, rdata=A("192.0.2.1"), ttl=100))
    reply.add_answer(RR("example.test", QTYPE.A, rdata=A("192.0.2.2"), ttl=3))
    data = wire.with_opt(bytes(reply.pack()), wire.opt_record(1232, True))
    ttls = wire.record_ttls(data)
    assert ttls.ttls == (100, 3)  # the OPT record's flags are not a TTL
    aged = DNSRecord.parse(wire.aged(data, ttls, 5))
    assert [rr.ttl for rr in aged.rr] == [95, 0]
    opt = next(rr for rr in aged.ar if rr.rtype == QTYPE.OPT)
    assert opt.ttl & 0x8000  # DO bit untouched


def test_for_query_re_addresses_a_stored_answer() -> None:
    first = DNSRecord.question("example.test")
    reply = first.reply()
    reply.add_answer(RR("example.test", QTYPE.A, rdata=A("192.0.2.1"), ttl=60))
    stored = bytes(reply.pack())
    second = DNSRecord.question("ExAmPlE.test")
    second.header.rd = 0
    data = bytes(second.pack())
    answer = DNSRecord.parse(wire.for_query(stored, data, wire.parse_query(data).name_end))
    assert answer.header.id == second.header.id
    assert answer.header.rd == 0
    assert str(answer.q.qname) == "ExAmPlE.test."
    assert str(answer.rr[0].rdata) == "192.0.2.1"


@given(st.binary(max_size=700))
def test_parse_query_only_raises_its_own_errors(data: bytes) -> None:
    try:
        parsed = wire.parse_query(data)
    except (wire.UnreadablePacketError, wire.QueryError):
        return
    assert 12 < parsed.name_end < parsed.question_end <= len(data)


@given(
    st.lists(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from(["A", "AAAA", "HTTPS", "MX", "TXT"]),
)
def test_parse_query_agrees_with_dnslib(labels: list[str], qtype: str) -> None:
    data = packed(".".join(labels), qtype, edns=1232)
    parsed = wire.parse_query(data)
    record = DNSRecord.parse(data)
    assert parsed.qtype == record.q.qtype
    assert parsed.udp_size == 1232
    expected = b"".join(bytes([len(label)]) + label.encode() for label in labels) + b"\x00"
    assert data[12 : parsed.name_end] == expected


def test_readdress_answers_the_exact_query_and_drops_the_chains_opt() -> None:
    chain_request = DNSRecord.question("example.test")
    chain_response = chain_request.reply()
    chain_response.add_answer(RR("example.test", QTYPE.A, rdata=A("192.0.2.1"), ttl=60))
    chain_response.add_ar(EDNS0(udp_len=4096))
    client = DNSRecord.question("ExAmPle.TEST")
    client.header.cd = 1
    data = bytes(client.pack())
    parsed = wire.parse_query(data)
    packed = wire.readdress(
        bytes(chain_response.pack()), data, parsed.name_end, parsed.question_end
    )
    assert packed is not None
    answer = DNSRecord.parse(packed)
    assert answer.header.id == client.header.id
    assert (answer.header.qr, answer.header.cd, answer.header.tc) == (1, 1, 0)
    assert str(answer.q.qname) == "ExAmPle.TEST."
    assert [str(rr.rdata) for rr in answer.rr] == ["192.0.2.1"]
    assert answer.ar == []


def test_readdress_refuses_another_question() -> None:
    response = bytes(DNSRecord.question("other.test").reply().pack())
    data = packed("example.test")
    parsed = wire.parse_query(data)
    assert wire.readdress(response, data, parsed.name_end, parsed.question_end) is None
