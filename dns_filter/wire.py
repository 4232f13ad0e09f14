"""Fast DNS wire-format helpers for the server's hot path.

Parsing every packet with dnslib costs tens of microseconds; the server instead reads the
header, the single question and the EDNS OPT record straight from the bytes, and builds
error, truncated and memoised answers by splicing bytes. dnslib is still used for
everything the chain sees (a cache miss), where its cost is small next to the chain's.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

HEADER = struct.Struct(">HHHHHH")
_TYPE_CLASS = struct.Struct(">HH")
_RR_FIXED = struct.Struct(">HHIH")  # type, class, ttl, rdlength
_TTL = struct.Struct(">I")

FLAG_QR = 0x8000
FLAG_TC = 0x0200
FLAG_RD = 0x0100
FLAG_RA = 0x0080
FLAG_CD = 0x0010

RCODE_NOERROR = 0
RCODE_FORMERR = 1
RCODE_SERVFAIL = 2
RCODE_NXDOMAIN = 3
RCODE_NOTIMP = 4
RCODE_REFUSED = 5
EXTENDED_RCODE_BADVERS = 16

TYPE_OPT = 41
MIN_UDP_PAYLOAD = 512
MAX_NAME_LENGTH = 255


class UnreadablePacketError(Exception):
    """The packet cannot be answered at all (no readable header, or it is a response)."""


class QueryError(Exception):
    """The header is readable but the query is not acceptable; answer with `rcode`.

    `question_end` is set when the question itself was read, so the answer can repeat it;
    `edns` / `do_bit` when the client's OPT record was read (the answer then carries one).
    """

    def __init__(
        self,
        rcode: int,
        message: str,
        *,
        question_end: int = 0,
        edns: bool = False,
        do_bit: bool = False,
    ) -> None:
        super().__init__(message)
        self.rcode = rcode
        self.question_end = question_end
        self.edns = edns
        self.do_bit = do_bit


class ParsedQuery(NamedTuple):
    """What the hot path needs from a query, read straight from the wire."""

    name_end: int  # offset just past the question name (which starts at 12)
    question_end: int  # offset just past QTYPE and QCLASS
    qtype: int
    qclass: int
    edns: bool  # the client sent an OPT record
    udp_size: int  # the client's advertised payload size (512 without OPT)
    do_bit: bool  # DNSSEC OK, echoed in our OPT


def _skip_name(data: bytes, pos: int, end: int) -> int:
    """Return the offset after the (possibly compressed) name at `pos`."""
    while True:
        if pos >= end:
            raise ValueError("name runs past the end of the packet")
        length = data[pos]
        if length == 0:
            return pos + 1
        if length & 0xC0 == 0xC0:
            if pos + 2 > end:
                raise ValueError("compression pointer runs past the end of the packet")
            return pos + 2
        if length > 63:
            raise ValueError(f"bad label type {length:#x} at offset {pos}")
        pos += length + 1


def parse_query(data: bytes) -> ParsedQuery:
    """Read the question and EDNS facts of a standard query.

    Raises :class:`UnreadablePacketError` for packets that must be dropped and :class:`QueryError`
    (with the rcode to answer) for readable but unacceptable ones.
    """
    end = len(data)
    if end < 12:
        raise UnreadablePacketError(f"packet of {end} bytes is shorter than a DNS header")
    _ident, flags, qdcount, ancount, nscount, arcount = HEADER.unpack_from(data)
    if flags & FLAG_QR:
        raise UnreadablePacketError("packet is a response, not a query")
    opcode = (flags >> 11) & 0xF
    if opcode != 0:
        raise QueryError(RCODE_NOTIMP, f"opcode {opcode} is not supported")
    if qdcount != 1:
        raise QueryError(RCODE_FORMERR, f"{qdcount} questions; exactly one is supported")
    pos = 12
    while True:
        if pos >= end:
            raise QueryError(RCODE_FORMERR, "question name runs past the end of the packet")
        length = data[pos]
        if length == 0:
            pos += 1
            break
        if length > 63:
            raise QueryError(RCODE_FORMERR, f"bad label byte {length:#x} in the question")
        pos += length + 1
        if pos - 12 > MAX_NAME_LENGTH:
            raise QueryError(RCODE_FORMERR, "question name longer than 255 bytes")
    name_end = pos
    if pos + 4 > end:
        raise QueryError(RCODE_FORMERR, "question type and class are missing")
    qtype, qclass = _TYPE_CLASS.unpack_from(data, pos)
    pos += 4
    question_end = pos
    edns = False
    udp_size = MIN_UDP_PAYLOAD
    do_bit = False
    version = 0
    if ancount or nscount or arcount:
        try:
            for _ in range(ancount + nscount):
                pos = _skip_name(data, pos, end)
                if pos + 10 > end:
                    raise ValueError("record header runs past the end of the packet")
                rdlength = _RR_FIXED.unpack_from(data, pos)[3]
                pos += 10 + rdlength
            for _ in range(arcount):
                name_start = pos
                pos = _skip_name(data, pos, end)
                if pos + 10 > end:
                    raise ValueError("record header runs past the end of the packet")
                rtype, rclass, ttl, rdlength = _RR_FIXED.unpack_from(data, pos)
                if rtype == TYPE_OPT:
                    if edns:
                        raise ValueError("more than one OPT record")
                    if pos - name_start != 1:
                        raise ValueError("OPT record owner is not the root")
                    edns = True
                    udp_size = max(MIN_UDP_PAYLOAD, rclass)
                    version = (ttl >> 16) & 0xFF
                    do_bit = bool(ttl & 0x8000)
                pos += 10 + rdlength
            if pos > end:
                raise ValueError("record data runs past the end of the packet")
        except ValueError as exc:
            raise QueryError(
                RCODE_FORMERR, str(exc), question_end=question_end, edns=edns, do_bit=do_bit
            ) from None
    if version != 0:
        raise QueryError(
            EXTENDED_RCODE_BADVERS,
            f"EDNS version {version} is not supported",
            question_end=question_end,
            edns=True,
            do_bit=do_bit,
        )
    return ParsedQuery(name_end, question_end, qtype, qclass, edns, udp_size, do_bit)


def opt_record(udp_size: int, do_bit: bool, extended_rcode: int = 0) -> bytes:
    """Our OPT pseudo-record: root owner, our payload size, version 0, DO echoed."""
    ttl = ((extended_rcode >> 4) << 24) | (0x8000 if do_bit else 0)
    return b"\x00" + _RR_FIXED.pack(TYPE_OPT, udp_size, ttl, 0)


def error_response(query: bytes, rcode: int, question_end: int, opt: bytes | None = None) -> bytes:
    """An answer with no records: the query's ID, opcode, RD and CD, the question when it
    was readable (`question_end` > 0) and `opt` appended when given. Extended rcodes carry
    their upper bits in `opt`."""
    flags = HEADER.unpack_from(query)[1]
    flags = FLAG_QR | FLAG_RA | (flags & (0x7800 | FLAG_RD | FLAG_CD)) | (rcode & 0xF)
    qdcount = 1 if question_end else 0
    header = HEADER.pack(
        HEADER.unpack_from(query)[0], flags, qdcount, 0, 0, 1 if opt is not None else 0
    )
    return header + query[12:question_end] + (opt or b"")


def truncated(response: bytes, question_end: int, opt: bytes | None) -> bytes:
    """`response` cut to its header and question with TC=1 (and our OPT), telling the
    client to ask again over TCP."""
    ident, flags = struct.unpack_from(">HH", response)
    header = HEADER.pack(ident, flags | FLAG_TC, 1, 0, 0, 1 if opt is not None else 0)
    return header + response[12:question_end] + (opt or b"")


def with_opt(response: bytes, opt: bytes) -> bytes:
    """Append `opt` to a packed response that has none."""
    arcount = struct.unpack_from(">H", response, 10)[0]
    return response[:10] + struct.pack(">H", arcount + 1) + response[12:] + opt


class RecordTtls(NamedTuple):
    """Where the TTLs of a packed response are, for ageing a memoised copy."""

    offsets: tuple[int, ...]
    ttls: tuple[int, ...]


def record_ttls(response: bytes) -> RecordTtls:
    """Offsets and values of every record TTL (the OPT record's is flags, skipped)."""
    end = len(response)
    _ident, _flags, qdcount, ancount, nscount, arcount = HEADER.unpack_from(response)
    pos = 12
    for _ in range(qdcount):
        pos = _skip_name(response, pos, end) + 4
    offsets: list[int] = []
    ttls: list[int] = []
    for _ in range(ancount + nscount + arcount):
        pos = _skip_name(response, pos, end)
        if pos + 10 > end:
            raise ValueError("record header runs past the end of the response")
        rtype, _rclass, ttl, rdlength = _RR_FIXED.unpack_from(response, pos)
        if rtype != TYPE_OPT:
            offsets.append(pos + 4)
            ttls.append(ttl)
        pos += 10 + rdlength
    if pos > end:
        raise ValueError("record data runs past the end of the response")
    return RecordTtls(tuple(offsets), tuple(ttls))


def aged(response: bytes, ttls: RecordTtls, elapsed: int) -> bytes:
    """A copy of `response` with every record TTL lowered by `elapsed` seconds."""
    if elapsed <= 0 or not ttls.offsets:
        return response
    patched = bytearray(response)
    for offset, ttl in zip(ttls.offsets, ttls.ttls, strict=True):
        _TTL.pack_into(patched, offset, ttl - elapsed if ttl > elapsed else 0)
    return bytes(patched)


def for_query(stored: bytes, query: bytes, name_end: int) -> bytes:
    """A stored answer re-addressed to `query`: its ID, RD and CD bits, and its exact
    question name (clients that randomise the case of the name check it comes back)."""
    flags_hi = (stored[2] & 0xFE) | (query[2] & 0x01)
    flags_lo = (stored[3] & 0xEF) | (query[3] & 0x10)
    return (
        query[:2]
        + bytes((flags_hi, flags_lo))
        + stored[4:12]
        + query[12:name_end]
        + stored[name_end:]
    )


def readdress(response: bytes, query: bytes, name_end: int, question_end: int) -> bytes | None:
    """The chain's packed `response` made the answer to `query`: its ID, QR set, TC clear,
    the query's RD and CD, its exact question bytes, and no OPT record of the chain's own.

    Returns None when the response does not have the same single question at the same
    place, or when an OPT record is not the last record (the caller then rebuilds it)."""
    end = len(response)
    if end < question_end or HEADER.unpack_from(response)[2] != 1:
        return None
    if response[12:name_end].lower() != query[12:name_end].lower():
        return None
    if response[name_end:question_end] != query[name_end:question_end]:
        return None
    _ident, flags, _qd, ancount, nscount, arcount = HEADER.unpack_from(response)
    body_end = end
    pos = question_end
    try:
        for index in range(ancount + nscount + arcount):
            start = pos
            pos = _skip_name(response, pos, end)
            if pos + 10 > end:
                return None
            rtype, _rclass, _ttl, rdlength = _RR_FIXED.unpack_from(response, pos)
            pos += 10 + rdlength
            if rtype == TYPE_OPT:
                if index != ancount + nscount + arcount - 1 or pos != end:
                    return None  # not last: cutting it out could break compression
                body_end = start
                arcount -= 1
    except ValueError:
        return None
    if pos > end:
        return None
    query_flags = HEADER.unpack_from(query)[1]
    flags = (flags & ~(FLAG_TC | FLAG_RD | FLAG_CD)) | FLAG_QR | (query_flags & (FLAG_RD | FLAG_CD))
    header = HEADER.pack(HEADER.unpack_from(query)[0], flags, 1, ancount, nscount, arcount)
    return header + query[12:question_end] + response[question_end:body_end]
