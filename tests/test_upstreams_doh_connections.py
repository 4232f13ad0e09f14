"""DoH keeps its connections: questions share kept HTTPS connections to real local TLS
servers (the connections they accepted are counted), one TLS handshake per connection, not
per question. Against a server offering h2 by ALPN (hypercorn) every question goes over one
HTTP/2 connection, many at once; the stand-in `http.server` offers no ALPN and is spoken to
in HTTP/1.1, with a bounded pool."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from dnslib import RCODE, DNSRecord
from helpers_doh import HypercornDoh
from test_upstreams import _write_certificates, addresses
from test_upstreams_standin import ZONE, StandInDoh

from dns_filter.chain import AnswerType, Query, Result
from dns_filter.resolvers.upstream import UpstreamResolver
from dns_filter.upstreams import (
    DohUpstream,
    Upstream,
    UpstreamError,
    UpstreamGroup,
    parse_upstream,
    parse_upstream_url,
)


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


# --------------------------------------------------------------------------- HTTP/2


@pytest.fixture
def certificates(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A private CA, and a certificate for doh.test signed by it (CA, cert, key)."""
    return _write_certificates(tmp_path)


@pytest.fixture
def h2_server(certificates: tuple[Path, Path, Path]) -> Iterator[HypercornDoh]:
    _, cert_path, key_path = certificates
    server = HypercornDoh((cert_path, key_path)).start()
    yield server
    server.close()


def _doh(server: HypercornDoh, ca_path: Path, host: str = "doh.test") -> DohUpstream:
    upstream = parse_upstream(
        f"https://{host}:{server.port}/dns-query#bootstrap=127.0.0.1", verify=str(ca_path)
    )
    assert isinstance(upstream, DohUpstream)
    return upstream


def _ask_all(group: UpstreamGroup, waves: list[list[str]]) -> list[list[str]]:
    """Each wave's names asked at once, wave after wave; the addresses of each answer."""

    async def run() -> list[list[str]]:
        found = []
        try:
            for names in waves:
                answers = await asyncio.gather(
                    *(group.resolve(DNSRecord.question(name)) for name in names)
                )
                found += [addresses(answer.response) for answer in answers]
        finally:
            await group.aclose()
        return found

    return asyncio.run(run())


def test_questions_share_one_http2_connection(
    h2_server: HypercornDoh, certificates: tuple[Path, Path, Path]
) -> None:
    upstream = _doh(h2_server, certificates[0])
    group = UpstreamGroup([upstream], timeout=10.0)
    one_by_one = [[f"www.{ZONE}"]] * 10
    at_once = [[f"n{index}.{ZONE}" for index in range(16)]] * 3
    found = _ask_all(group, one_by_one + at_once)
    assert found[:10] == [["192.0.2.10"]] * 10
    assert len(found) == 58 and len(h2_server.asked) == 58
    assert h2_server.versions() == {"2"}  # the server negotiated HTTP/2 by ALPN
    assert len(h2_server.connections()) == 1  # one TLS handshake for all 58 questions
    assert {asked.authority for asked in h2_server.asked} == {f"doh.test:{h2_server.port}"}
    assert upstream.http_version == "HTTP/2"


def test_questions_at_once_are_multiplexed_on_one_connection(
    h2_server: HypercornDoh, certificates: tuple[Path, Path, Path]
) -> None:
    # The server answers none until all 16 are in progress: they cannot be one after another.
    h2_server.hold = 16
    group = UpstreamGroup([_doh(h2_server, certificates[0])], timeout=20.0)
    found = _ask_all(group, [[f"www{index}.{ZONE}" for index in range(16)]])
    assert len(found) == 16
    assert h2_server.most_at_once == 16
    assert len(h2_server.connections()) == 1
    assert h2_server.versions() == {"2"}


def test_a_server_offering_only_http1_still_answers(
    certificates: tuple[Path, Path, Path],
) -> None:
    ca_path, cert_path, key_path = certificates
    server = HypercornDoh((cert_path, key_path), alpn=("http/1.1",)).start()
    try:
        upstream = _doh(server, ca_path)
        found = _ask_all(UpstreamGroup([upstream], timeout=10.0), [[f"www.{ZONE}"]] * 10)
        assert found == [["192.0.2.10"]] * 10
        assert server.versions() == {"1.1"}
        assert len(server.connections()) == 1  # kept alive between questions
        assert upstream.http_version == "HTTP/1.1"
    finally:
        server.close()


def test_a_dropped_connection_is_opened_again(
    h2_server: HypercornDoh, certificates: tuple[Path, Path, Path]
) -> None:
    group = UpstreamGroup([_doh(h2_server, certificates[0])], timeout=10.0)

    async def run() -> list[list[str]]:
        found = []
        try:
            for qtype in ("A", "AAAA", "A"):
                answer = await group.resolve(DNSRecord.question(f"www.{ZONE}", qtype))
                found.append(addresses(answer.response))
                # Gone without a word: the next question finds its connection reset.
                h2_server.drop_connections()
        finally:
            await group.aclose()
        return found

    assert asyncio.run(run()) == [["192.0.2.10"], ["2001:db8::10"], ["192.0.2.10"]]
    assert len(h2_server.connections()) == 3 and h2_server.versions() == {"2"}
    assert group.status()[0].consecutive_failures == 0  # no question failed for it


def test_a_question_given_up_on_leaves_the_connection_to_the_others(
    h2_server: HypercornDoh, certificates: tuple[Path, Path, Path]
) -> None:
    # The group cancels an exchange when another upstream answered first or the budget ran
    # out, at any point of the request: its request goes on by itself, so the connection
    # every other question shares is never left half-written.
    upstream = _doh(h2_server, certificates[0])
    www = DNSRecord.question(f"www.{ZONE}").pack()

    async def run() -> list[bytes]:
        answers = []
        try:
            for index in range(100):
                question = DNSRecord.question(f"n{index}.{ZONE}").pack()
                given_up = asyncio.create_task(upstream.exchange(question, 30.0))
                for _ in range(index % 16):  # a different point of the request each time
                    await asyncio.sleep(0)
                given_up.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await given_up
                answers.append(await upstream.exchange(www, 30.0))
        finally:
            await upstream.aclose()
        return answers

    answers = asyncio.run(run())
    assert [addresses(DNSRecord.parse(answer)) for answer in answers] == [["192.0.2.10"]] * 100
    assert len(h2_server.connections()) == 1


def test_past_its_bound_a_question_fails_at_once_instead_of_queueing(
    h2_server: HypercornDoh, certificates: tuple[Path, Path, Path]
) -> None:
    h2_server.hold = 5  # never reached: the four questions wait until released
    spec = parse_upstream_url(f"https://doh.test:{h2_server.port}/dns-query#bootstrap=127.0.0.1")
    upstream = DohUpstream(spec, verify=str(certificates[0]), max_waiting=4)
    questions = [DNSRecord.question(f"n{index}.{ZONE}").pack() for index in range(5)]

    async def run() -> list[bytes]:
        try:
            waiting = [
                asyncio.create_task(upstream.exchange(question, 30.0))
                for question in questions[:4]
            ]
            await _wait_until(lambda: len(h2_server.asked) == 4)
            with pytest.raises(UpstreamError, match="4 questions already waiting"):
                await upstream.exchange(questions[4], 30.0)
            await asyncio.to_thread(h2_server.release_held)
            return await asyncio.gather(*waiting)
        finally:
            await upstream.aclose()

    assert len(asyncio.run(run())) == 4
    assert len(h2_server.asked) == 4  # the fifth was never sent


async def _wait_until(condition: Callable[[], bool], limit: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the server never saw what the test waited for"
        await asyncio.sleep(0.01)


def test_a_wrong_certificate_fails_closed(
    h2_server: HypercornDoh, certificates: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    ca_path = certificates[0]
    (tmp_path / "other").mkdir()
    other_ca, _, _ = _write_certificates(tmp_path / "other")
    wrong = {
        "another name's certificate": (_doh(h2_server, ca_path, "other.test"), "hostname mismatch"),
        "a CA nobody trusts here": (_doh(h2_server, other_ca), "unable to get local issuer"),
        "the public CAs": (
            parse_upstream(f"https://doh.test:{h2_server.port}/dns-query#bootstrap=127.0.0.1"),
            "unable to get local issuer",
        ),
    }
    for case, (upstream, why) in wrong.items():
        query = Query(DNSRecord.question(f"www.{ZONE}"), f"www.{ZONE}", 1, "127.0.0.1", "udp", "an")

        async def run(upstream: Upstream = upstream, query: Query = query) -> Result:
            group = UpstreamGroup([upstream], timeout=10.0)
            try:
                return await UpstreamResolver(group).resolve(query)
            finally:
                await group.aclose()

        result = asyncio.run(run())
        assert result.response.header.rcode == RCODE.SERVFAIL, case  # never NXDOMAIN
        assert result.answer_type is AnswerType.FAILED, case
        detail = result.reason.detail or ""
        assert "TLS error" in detail and why in detail.lower(), (case, detail)
    assert h2_server.asked == []  # no question was sent to a server not proven to be doh.test
