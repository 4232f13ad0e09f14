"""A stand-in upstream resolver on loopback for the benchmark: answers every A question
with one address (TTL one hour, or with `--varied-ttl` one of 30 s, 5 min, 1 h and a day
chosen by the name, as real sites' records vary) and everything else with an empty
NOERROR, straight from the bytes, so both servers under test forward to the same fast
upstream."""

from __future__ import annotations

import argparse
import socket
import struct
import sys
import time
import zlib

from dns_filter import wire

VARIED_TTLS = (30, 300, 3600, 86400)


def answer(query: bytes, varied_ttl: bool = False) -> bytes | None:
    try:
        parsed = wire.parse_query(query)
    except (wire.UnreadablePacketError, wire.QueryError):
        return None
    ident, flags = struct.unpack_from(">HH", query)
    question = query[12 : parsed.question_end]
    records = b""
    if parsed.qtype == 1:
        digest = zlib.crc32(query[12 : parsed.name_end].lower())
        ttl = VARIED_TTLS[digest % len(VARIED_TTLS)] if varied_ttl else 3600
        records = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, ttl, 4) + bytes(
            (192, 0, 2, digest % 250 + 1)
        )
    header = struct.pack(">HHHHHH", ident, 0x8180 | (flags & 0x0100), 1, 1 if records else 0, 0, 0)
    return header + question + records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--max-seconds", type=float, default=900.0)
    parser.add_argument("--varied-ttl", action="store_true", help="TTLs from 30 s to a day")
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
        reply = answer(data, args.varied_ttl)
        if reply is not None:
            sock.sendto(reply, address)
    return 0


if __name__ == "__main__":
    sys.exit(main())
