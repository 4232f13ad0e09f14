"""One DNS message as the chain carries it: wire bytes, a dnslib record, or both.

A query read from a client and an answer from an upstream travel through the chain as the
bytes they came in; only a link that really needs records (safe search, a local answer,
a parent's approval that shortens TTLs) asks for the record, which is parsed then, once.
Answers the links build themselves are records, packed when the server sends them.
"""

from __future__ import annotations

from dnslib import DNSRecord

from dns_filter import answer_wire


class Message:
    """A DNS message held as bytes or as a dnslib record; each form is made from the
    other when first asked. The record of a message that came as bytes is for reading:
    changing it does not change the bytes. `records`, when given, is where the bytes'
    resource records are (:func:`answer_wire.records` of them, found by whoever checked
    the bytes first)."""

    __slots__ = ("_record", "_records", "_wire")

    def __init__(
        self,
        wire: bytes | None = None,
        record: DNSRecord | None = None,
        *,
        records: tuple[answer_wire.Record, ...] | None = None,
    ) -> None:
        if wire is None and record is None:
            raise ValueError("a message needs its bytes or its record")
        self._wire = wire
        self._record = record
        self._records = records if wire is not None else None

    @classmethod
    def of(cls, value: DNSRecord | Message) -> Message:
        """`value` as a message (a record is wrapped, a message kept)."""
        return value if isinstance(value, Message) else cls(record=value)

    @property
    def from_wire(self) -> bool:
        """Whether the message came as bytes (the record, if any, was parsed from them)."""
        return self._wire is not None

    @property
    def wire(self) -> bytes:
        """The message's bytes (a record is packed at every call: it may have changed)."""
        if self._wire is not None:
            return self._wire
        assert self._record is not None
        return bytes(self._record.pack())

    @property
    def record(self) -> DNSRecord:
        """The message as a dnslib record (parsed from the bytes at the first call)."""
        if self._record is None:
            assert self._wire is not None
            self._record = DNSRecord.parse(self._wire)
        return self._record

    @property
    def records(self) -> tuple[answer_wire.Record, ...]:
        """Where the resource records of :attr:`wire` are (found once for bytes; a
        record's are found again at every call). Raises ValueError for malformed bytes."""
        if self._records is not None:
            return self._records
        found = tuple(answer_wire.records(self.wire))
        if self._wire is not None:
            self._records = found
        return found

    @property
    def rcode(self) -> int:
        if self._wire is not None:
            return self._wire[3] & 0x0F if len(self._wire) >= 4 else 0
        assert self._record is not None
        return int(self._record.header.rcode)

    @property
    def truncated(self) -> bool:
        if self._wire is not None:
            return len(self._wire) >= 3 and bool(self._wire[2] & 0x02)
        assert self._record is not None
        return bool(self._record.header.tc)

    def __repr__(self) -> str:
        form = "bytes" if self._wire is not None else "record"
        return f"Message({form})"
