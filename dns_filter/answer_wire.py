"""Reading a DNS answer straight from its bytes, for the forwarding path.

An upstream's answer goes to the client as the upstream sent it (but its ID), so the
forwarding path never needs it as dnslib records. :func:`records` makes sure the bytes are
a well-formed message (every name, pointer and record inside the packet, the names in the
data of the record types that hold names readable, no bytes past the last record) and
lists where each record's TTL and data are, for the cache; :func:`cname_targets` reads the
CNAME targets the block link checks against the lists.
Names are read as text exactly as dnslib writes them (:func:`name_text`), so every rule
sees the same name either way.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import NamedTuple

from dns_filter.names import query_name
from dns_filter.wire import HEADER, MAX_NAME_LENGTH, TYPE_OPT

_RR_FIXED = struct.Struct(">HHIH")  # type, class, ttl, rdlength

TYPE_A = 1
TYPE_NS = 2
TYPE_CNAME = 5
TYPE_SOA = 6
TYPE_PTR = 12
TYPE_MX = 15
TYPE_AAAA = 28
TYPE_DNAME = 39
CLASS_IN = 1

# Record types whose data is one name, and types with a name after a fixed field.
_NAME_DATA = frozenset({TYPE_NS, TYPE_CNAME, TYPE_PTR, TYPE_DNAME})
_ADDRESS_LENGTH = {TYPE_A: 4, TYPE_AAAA: 16}

ANSWER = 0
AUTHORITY = 1
ADDITIONAL = 2

# dnslib writes the bytes 33-126 of a label as they are and any other as \DDD.
_PRINTABLE = bytes(range(33, 127))


class Record(NamedTuple):
    """Where one resource record of a message is."""

    section: int  # ANSWER, AUTHORITY or ADDITIONAL
    rtype: int
    ttl: int
    ttl_offset: int  # of the 4-byte TTL field (for an OPT record: its flags)
    data_start: int
    data_length: int


def _name_end(data: bytes, pos: int, end: int) -> int:
    """The offset after the name at `pos`, checking the whole name: labels of at most 63
    bytes that dnslib can read (UTF-8), pointers only backwards (so never a loop), at most
    255 bytes in all. Raises ValueError."""
    after = -1  # where the name ends in place, once a pointer has been followed
    total = 0
    while True:
        if pos >= end:
            raise ValueError("name runs past the end of the message")
        length = data[pos]
        if length & 0xC0 == 0xC0:
            if pos + 2 > end:
                raise ValueError("compression pointer runs past the end of the message")
            target = ((length & 0x3F) << 8) | data[pos + 1]
            if target < 12 or target >= pos:
                raise ValueError(f"compression pointer to offset {target} at {pos}")
            if after < 0:
                after = pos + 2
            pos = target
            continue
        if length > 63:
            raise ValueError(f"bad label type {length:#x} at offset {pos}")
        if length == 0:
            return after if after >= 0 else pos + 1
        if pos + 1 + length > end:
            raise ValueError("label runs past the end of its data")
        label = data[pos + 1 : pos + 1 + length]
        if not label.isascii():
            try:
                label.decode()
            except UnicodeDecodeError:
                raise ValueError(f"label at offset {pos} is not UTF-8") from None
        total += length + 1
        if total > MAX_NAME_LENGTH:
            raise ValueError("name longer than 255 bytes")
        pos += length + 1


def _check_data(data: bytes, rtype: int, rclass: int, start: int, length: int) -> None:
    """The data of the record types whose layout is known holds together."""
    end = start + length
    if rtype in _NAME_DATA:
        if _name_end(data, start, end) != end:
            raise ValueError(f"type {rtype} record's name does not fill its data")
    elif rtype == TYPE_MX:
        if length < 3 or _name_end(data, start + 2, end) != end:
            raise ValueError("MX record's data does not hold together")
    elif rtype == TYPE_SOA:
        pos = _name_end(data, _name_end(data, start, end), end)
        if pos + 20 != end:
            raise ValueError("SOA record's data does not hold together")
    elif rclass == CLASS_IN and rtype in _ADDRESS_LENGTH and length != _ADDRESS_LENGTH[rtype]:
        raise ValueError(f"address record of {length} bytes")


def records(message: bytes) -> list[Record]:
    """Every resource record of `message`, in order: answers, authority, additional.
    Raises ValueError unless the message is well-formed from end to end."""
    end = len(message)
    if end < 12:
        raise ValueError(f"message of {end} bytes is shorter than a DNS header")
    _ident, _flags, qdcount, ancount, nscount, arcount = HEADER.unpack_from(message)
    pos = 12
    for _ in range(qdcount):
        pos = _name_end(message, pos, end) + 4
        if pos > end:
            raise ValueError("question runs past the end of the message")
    found: list[Record] = []
    for section, count in ((ANSWER, ancount), (AUTHORITY, nscount), (ADDITIONAL, arcount)):
        for _ in range(count):
            pos = _name_end(message, pos, end)
            if pos + 10 > end:
                raise ValueError("record header runs past the end of the message")
            rtype, rclass, ttl, length = _RR_FIXED.unpack_from(message, pos)
            start = pos + 10
            if start + length > end:
                raise ValueError("record data runs past the end of the message")
            if rtype != TYPE_OPT:
                _check_data(message, rtype, rclass, start, length)
            found.append(Record(section, rtype, ttl, pos + 4, start, length))
            pos = start + length
    if pos != end:
        raise ValueError(f"{end - pos} bytes past the last record")
    return found


def name_text(message: bytes, pos: int) -> str:
    """The name at `pos` of a well-formed message as dnslib writes it, with its trailing
    dot: bytes 33-126 as they are, any other as \\DDD."""
    labels: list[str] = []
    while True:
        length = message[pos]
        if length & 0xC0 == 0xC0:
            pos = ((length & 0x3F) << 8) | message[pos + 1]
            continue
        if length == 0:
            return ".".join(labels) + "."
        label = message[pos + 1 : pos + 1 + length]
        if label.strip(_PRINTABLE):  # a byte outside 33-126
            labels.append("".join(chr(c) if 33 <= c <= 126 else f"\\{c:03d}" for c in label))
        else:
            labels.append(label.decode("ascii"))
        pos += length + 1


def question_name(message: bytes, name_end: int) -> str:
    """The normalised name of the question that ends at `name_end` (uncompressed, as a
    query's is): lower case, no trailing dot. Raises ValueError, as dnslib would refuse
    the query, when a label is not UTF-8."""
    if not message[12:name_end].isascii():
        message[12:name_end].decode()  # length bytes never join a label's sequence
    return query_name(name_text(message, 12))


def cname_targets(message: bytes, found: Sequence[Record]) -> list[str]:
    """The normalised targets of every CNAME record in the answer section (`found`: the
    message's :func:`records`)."""
    targets = []
    for record in found:
        if record.section == ANSWER and record.rtype == TYPE_CNAME:
            targets.append(query_name(name_text(message, record.data_start)))
    return targets
