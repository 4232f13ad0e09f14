"""Reading answers from the wire gives what dnslib gives: the same names as text (so the
block link checks the same CNAME targets), the same records, and a refusal of messages
that do not hold together."""

from __future__ import annotations

import struct

import pytest
from dnslib import CNAME, QTYPE, RR, SOA, A, DNSError, DNSLabel, DNSRecord

from dns_filter import answer_wire

ODD_LABELS = [
    (b"www", b"Example", b"VN"),
    (b"a.b", b"example", b"com"),  # a dot inside a label
    (b"sp ace", b"tab\t", b"example"),  # bytes below 33
    ("ngân-hàng".encode(), b"example"),  # UTF-8 above 126
    (b"back\\slash", b"_srv", b"-dash-"),
]


def message_with_cname(labels: tuple[bytes, ...]) -> bytes:
    reply = DNSRecord.question("www.example.vn").reply()
    reply.add_answer(RR("www.example.vn", QTYPE.CNAME, rdata=CNAME(DNSLabel(list(labels)))))
    reply.add_answer(RR(DNSLabel(list(labels)), QTYPE.A, rdata=A("192.0.2.7")))
    return bytes(reply.pack())


@pytest.mark.parametrize("labels", ODD_LABELS, ids=[repr(labels) for labels in ODD_LABELS])
def test_cname_targets_are_the_names_dnslib_reads(labels: tuple[bytes, ...]) -> None:
    packed = message_with_cname(labels)
    parsed = DNSRecord.parse(packed)
    expected = [
        str(rr.rdata.label).rstrip(".").lower() for rr in parsed.rr if rr.rtype == QTYPE.CNAME
    ]
    assert answer_wire.cname_targets(packed, answer_wire.records(packed)) == expected
    assert answer_wire.question_name(packed, 12 + len(b"www.example.vn") + 2) == "www.example.vn"


def test_records_are_where_dnslib_finds_them() -> None:
    reply = DNSRecord.question("example.vn").reply()
    reply.header.rcode = 3
    reply.add_auth(
        RR("example.vn", QTYPE.SOA, ttl=900,
           rdata=SOA("ns.example.vn", "admin.example.vn", (1, 2, 3, 4, 60)))
    )
    packed = bytes(reply.pack())
    (soa,) = answer_wire.records(packed)
    assert (soa.section, soa.rtype, soa.ttl) == (answer_wire.AUTHORITY, QTYPE.SOA, 900)
    assert struct.unpack_from(">I", packed, soa.ttl_offset)[0] == 900
    assert struct.unpack_from(">I", packed, soa.data_start + soa.data_length - 4)[0] == 60


@pytest.mark.parametrize(
    "cut", [b"", b"\x00" * 11, b"\x00\x00\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00\x03ww"]
)
def test_short_messages_are_refused(cut: bytes) -> None:
    with pytest.raises(ValueError):
        answer_wire.records(cut)


def test_a_question_name_dnslib_cannot_read_is_refused() -> None:
    query = bytes.fromhex("123401000001000000000000") + b"\x02\xff\xfe\x02vn\x00\x00\x01\x00\x01"
    with pytest.raises(DNSError):
        DNSRecord.parse(query)
    with pytest.raises(ValueError):
        answer_wire.question_name(query, 12 + 7)
