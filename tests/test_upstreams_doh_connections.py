"""DoH keeps its connections: questions share pooled HTTPS connections to a real local
TLS server (the connections it accepted are counted), one TLS handshake per connection,
not per question."""

from __future__ import annotations

import asyncio
from pathlib import Path

from dnslib import DNSRecord
from test_upstreams import _write_certificates, addresses
from test_upstreams_standin import ZONE, StandInDoh

from dns_filter.upstreams import DohUpstream, UpstreamGroup, parse_upstream


def _group(server: StandInDoh, ca_path: Path) -> UpstreamGroup:
    url = f"https://doh.test:{server.port}/dns-query#bootstrap=127.0.0.1"
    upstream = parse_upstream(url, verify=str(ca_path))
    assert isinstance(upstream, DohUpstream)
    # Generous: the stand-in completes TLS handshakes one at a time, on its accepting thread.
    return UpstreamGroup([upstream], timeout=10.0)


def test_questions_one_after_another_share_one_connection(tmp_path: Path) -> None:
    ca_path, cert_path, key_path = _write_certificates(tmp_path)
    server = StandInDoh(certificate=(cert_path, key_path)).start()
    try:
        group = _group(server, ca_path)

        async def ask_in_turn() -> list[list[str]]:
            found = []
            try:
                for qtype in ("A", "AAAA") * 10:
                    answer = await group.resolve(DNSRecord.question(f"www.{ZONE}", qtype))
                    found.append(addresses(answer.response))
            finally:
                await group.aclose()
            return found

        found = asyncio.run(ask_in_turn())
        assert len(found) == 20 and all(found[::2])
        assert len(server.seen) == 20
        assert server.connections == 1
    finally:
        server.close()


def test_questions_at_once_use_no_more_connections_than_the_pool_holds(tmp_path: Path) -> None:
    ca_path, cert_path, key_path = _write_certificates(tmp_path)
    server = StandInDoh(certificate=(cert_path, key_path)).start()
    try:
        group = _group(server, ca_path)

        async def ask_together() -> int:
            try:
                for _ in range(3):  # three waves of 16 different questions at once
                    names = [f"n{index}.{ZONE}" for index in range(16)]
                    await asyncio.gather(
                        *(group.resolve(DNSRecord.question(name)) for name in names)
                    )
            finally:
                await group.aclose()
            return len(server.seen)

        assert asyncio.run(ask_together()) == 48
        assert 1 <= server.connections <= 8  # the DoH upstream's pool (and its workers)
    finally:
        server.close()
