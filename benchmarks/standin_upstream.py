"""A stand-in upstream resolver on loopback for the benchmark: answers every A question
with one address (TTL one hour) and everything else with an empty NOERROR, straight from
the bytes, so both servers under test forward to the same fast upstream."""

from __future__ import annotations

import argparse
import socket
import struct
import sys
import time
import zlib

from dns_filter import wire


def answer(query: bytes) -> bytes | None:
    try:
        parsed = wire.parse_query(query)
    except (wire.UnreadablePacketError, wire.QueryError):
        return None
    ident, flags = struct.unpack_from(">HH", query)
    question = query[12 : parsed.question_end]
    records = b""
    if parsed.qtype == 1:
        last = zlib.crc32(query[12 : parsed.name_end].lower()) % 250 + 1
        records = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 3600, 4) + bytes((192, 0, 2, last))
    header = struct.pack(">HHHHHH", ident, 0x8180 | (flags & 0x0100), 1, 1 if records else 0, 0, 0)
    return header + question + records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--max-seconds", type=float, default=900.0)
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", args.port))
    sock.settimeout(1.0)
    print("ready", flush=True)
    deadline = time.monotonic() + args.max_seconds
    while time.monotonic() < deadline:
        try:
            data, address = sock.recvfrom(4096)
        except TimeoutError:
            continue
        reply = answer(data)
        if reply is not None:
            sock.sendto(reply, address)
    return 0


if __name__ == "__main__":
    sys.exit(main())
