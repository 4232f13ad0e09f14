"""Upstream transports, health checks and failover, against stand-in servers on loopback."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dnslib import QTYPE, RCODE, DNSRecord
from test_upstreams_standin import ZONE, StandInDns, StandInDoh, dead_port, running_dns

from dns_filter.upstreams import (
    DohUpstream,
    TcpUpstream,
    UdpUpstream,
    UpstreamConfigError,
    UpstreamGroup,
    UpstreamScheme,
    UpstreamsFailedError,
    UpstreamSpec,
    parse_upstream,
    parse_upstream_url,
)


def ask(group: UpstreamGroup, name: str, qtype: str = "A") -> tuple[DNSRecord, str]:
    async def run() -> tuple[DNSRecord, str]:
        request = DNSRecord.question(name, qtype)
        try:
            answer = await group.resolve(request)
        finally:
            await group.aclose()
        assert answer.response.header.id == request.header.id
        return answer.response, answer.upstream

    return asyncio.run(run())


def addresses(response: DNSRecord) -> list[str]:
    return [str(rr.rdata) for rr in response.rr if rr.rtype in (QTYPE.A, QTYPE.AAAA)]


@pytest.fixture
def standin() -> Iterator[StandInDns]:
    with running_dns(1) as servers:
        yield servers[0]


@pytest.fixture
def doh() -> Iterator[StandInDoh]:
    server = StandInDoh().start()
    yield server
    server.close()


# --------------------------------------------------------------------------- URLs


def test_parse_plain_upstreams() -> None:
    udp = parse_upstream("udp://1.1.1.1")
    assert isinstance(udp, UdpUpstream) and (udp.host, udp.port) == ("1.1.1.1", 53)
    local = parse_upstream("udp://127.0.0.2:5301")
    assert isinstance(local, UdpUpstream) and (local.host, local.port) == ("127.0.0.2", 5301)
    tcp = parse_upstream("tcp://9.9.9.9:53")
    assert isinstance(tcp, TcpUpstream) and tcp.url == "tcp://9.9.9.9:53"
    six = parse_upstream("udp://[2606:4700:4700::1111]")
    assert isinstance(six, UdpUpstream) and six.url == "udp://[2606:4700:4700::1111]:53"


def test_parse_doh_upstreams_and_their_bootstrap() -> None:
    google = parse_upstream("https://dns.google/dns-query")
    assert isinstance(google, DohUpstream)
    assert google.url == "https://dns.google/dns-query"
    assert "8.8.8.8" in google.bootstrap  # built in, so the name is never resolved via us
    own = parse_upstream("https://doh.example/dns-query#bootstrap=192.0.2.1,[2001:db8::1]")
    assert isinstance(own, DohUpstream)
    assert own.url == "https://doh.example/dns-query"  # the fragment is not part of the URL
    assert own.bootstrap == ("192.0.2.1", "2001:db8::1")
    local = parse_upstream("http://doh.test:8053/dns-query#bootstrap=127.0.0.1")
    assert isinstance(local, DohUpstream) and local.bootstrap == ("127.0.0.1",)


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("udp://dns.google", "udp and tcp need an IP address"),
        ("ftp://1.1.1.1", "unknown scheme"),
        ("1.1.1.1", "no host"),
        ("http://dns.google/dns-query", "only on loopback"),
        ("http://doh.test/dns-query#bootstrap=192.0.2.1", "only on loopback"),
        ("https://doh.example/dns-query#bootstrap=not-an-ip", "not an IP address"),
        ("https://doh.example/dns-query#server=192.0.2.1", "#bootstrap=IP"),
        ("udp://1.1.1.1:99999", "1.1.1.1:99999"),
        ("tcp://1.1.1.1/path", "only an address and a port"),
    ],
)
def test_bad_upstream_urls_are_refused_with_the_reason(url: str, complaint: str) -> None:
    with pytest.raises(UpstreamConfigError, match=complaint) as error:
        parse_upstream(url)
    assert url in str(error.value)


def test_the_one_parser_returns_a_frozen_spec() -> None:
    spec = parse_upstream_url("  https://Doh.Example/dns-query#bootstrap=192.0.2.1 ", ["192.0.2.2"])
    assert spec == UpstreamSpec(
        "https://doh.example/dns-query",
        UpstreamScheme.HTTPS,
        "doh.example",
        443,
        "/dns-query",
        ("192.0.2.1", "192.0.2.2"),
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.port = 8443  # type: ignore[misc]
    # The runtime hands the chain one string per upstream; it reads back the same.
    assert spec.url_with_bootstrap() == "https://doh.example/dns-query#bootstrap=192.0.2.1,192.0.2.2"
    assert parse_upstream_url(spec.url_with_bootstrap()) == spec
    plain = parse_upstream_url("udp://[2606:4700:4700::1111]")
    assert (plain.url, plain.port, plain.bootstrap) == ("udp://[2606:4700:4700::1111]:53", 53, ())


def test_doh_without_a_path_posts_to_dns_query() -> None:
    assert parse_upstream_url("https://1.1.1.1").path == "/dns-query"
    assert parse_upstream("https://1.1.1.1/").url == "https://1.1.1.1/dns-query"
    assert parse_upstream("https://dns.example:8443/resolve").url == (
        "https://dns.example:8443/resolve"
    )


def test_plain_http_is_for_loopback_only() -> None:
    for url in (
        "http://127.0.0.1:8053/dns-query",
        "http://[::1]:8053/dns-query",
        "http://localhost:8053/dns-query",
        "http://[::ffff:127.0.0.1]:8053/dns-query",  # the loopback check of the chain
        "http://doh.test:8053/dns-query#bootstrap=127.0.0.1",
    ):
        assert parse_upstream_url(url).scheme is UpstreamScheme.HTTP, url
    for url in (
        "http://192.0.2.1/dns-query",
        "http://dns.google/dns-query",  # the built-in addresses are not loopback either
        "http://doh.test/dns-query",  # a name would be looked up, who knows where
        "http://doh.test/dns-query#bootstrap=127.0.0.1,192.0.2.1",
    ):
        with pytest.raises(UpstreamConfigError, match="only on loopback"):
            parse_upstream_url(url)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://doh.example/dns-query?dns=AAAB", "no query (?...) allowed"),
        ("https://user:pw@doh.example/dns-query", "no user or password allowed"),
        (
            "https://doh.example/dns-query#server=192.0.2.1",
            "the fragment must be #bootstrap=IP[,IP...]",
        ),
        ("udp://1.1.1.1#bootstrap=1.1.1.1", "udp:// takes only an address and a port"),
        ("https://doh.example:0/dns-query", "port 0 is not a port"),
        ("https://doh..example/dns-query", "the host is neither a domain name nor an IP address"),
        ("//1.1.1.1", "no scheme; expected udp://, tcp:// or https://"),
    ],
)
def test_the_parser_gives_its_reason_apart_from_the_url(url: str, reason: str) -> None:
    with pytest.raises(UpstreamConfigError) as error:
        parse_upstream_url(url)
    assert (error.value.url, error.value.reason) == (url, reason)
    assert str(error.value) == f"{url!r}: {reason}"


def test_the_group_refuses_what_the_parser_refuses() -> None:
    with pytest.raises(UpstreamConfigError, match="only on loopback"):
        UpstreamGroup.from_urls(["udp://127.0.0.1:5301", "http://dns.google/dns-query"])


# --------------------------------------------------------------------------- transports


def test_resolves_over_udp(standin: StandInDns) -> None:
    response, upstream = ask(UpstreamGroup.from_urls([standin.udp_url]), f"www.{ZONE}")
    assert addresses(response) == ["192.0.2.10"]
    assert upstream == standin.udp_url
    assert standin.transports() == ["udp"]


def test_resolves_over_tcp(standin: StandInDns) -> None:
    response, upstream = ask(UpstreamGroup.from_urls([standin.tcp_url]), f"www.{ZONE}", "AAAA")
    assert addresses(response) == ["2001:db8::10"]
    assert upstream == standin.tcp_url
    assert standin.transports() == ["tcp"]


def test_truncated_udp_answer_is_asked_again_over_tcp(standin: StandInDns) -> None:
    response, _ = ask(UpstreamGroup.from_urls([standin.udp_url]), f"big.{ZONE}")
    assert response.header.tc == 0
    assert len(addresses(response)) == 60
    assert standin.transports() == ["udp", "tcp"]


def test_forced_truncation_also_falls_back_to_tcp(standin: StandInDns) -> None:
    standin.behaviour.mode = "truncate"
    response, _ = ask(UpstreamGroup.from_urls([standin.udp_url]), f"www.{ZONE}")
    assert addresses(response) == ["192.0.2.10"]
    assert standin.transports() == ["udp", "tcp"]


def test_resolves_over_doh(doh: StandInDoh) -> None:
    response, upstream = ask(UpstreamGroup.from_urls([doh.url]), f"alias.{ZONE}")
    assert [QTYPE.get(rr.rtype) for rr in response.rr] == ["CNAME", "A"]
    assert addresses(response) == ["192.0.2.10"]
    assert upstream == doh.url
    assert [seen.transport for seen in doh.seen] == ["doh-post"]


def test_doh_bootstrap_connects_to_the_address_but_names_the_host(doh: StandInDoh) -> None:
    # `doh.test` is never resolved: the connection goes to the bootstrap address.
    url = f"http://doh.test:{doh.port}/dns-query#bootstrap=127.0.0.1"
    response, upstream = ask(UpstreamGroup.from_urls([url]), f"www.{ZONE}")
    assert addresses(response) == ["192.0.2.10"]
    assert upstream == f"http://doh.test:{doh.port}/dns-query"
    assert doh.seen[0].host == f"doh.test:{doh.port}"


def test_doh_bootstrap_tries_the_next_address_when_one_is_dead(doh: StandInDoh) -> None:
    # 127.0.0.3 is loopback too, but nothing listens there on this port.
    url = f"http://doh.test:{doh.port}/dns-query#bootstrap=127.0.0.3,127.0.0.1"
    response, _ = ask(UpstreamGroup.from_urls([url]), f"www.{ZONE}")
    assert addresses(response) == ["192.0.2.10"]


# --------------------------------------------------------------------------- failover


def test_refused_first_upstream_fails_over_to_the_second(standin: StandInDns) -> None:
    dead = f"udp://127.0.0.1:{dead_port()}"
    group = UpstreamGroup.from_urls([dead, standin.udp_url])
    response, upstream = ask(group, f"www.{ZONE}")
    assert addresses(response) == ["192.0.2.10"]
    assert upstream == standin.udp_url


def test_silent_first_upstream_fails_over_within_one_second() -> None:
    with running_dns(2) as (black_hole, good):
        black_hole.behaviour.mode = "drop"
        group = UpstreamGroup.from_urls([black_hole.udp_url, good.udp_url])
        started = time.monotonic()
        response, upstream = ask(group, f"www.{ZONE}")
        elapsed = time.monotonic() - started
    assert upstream == good.udp_url
    assert addresses(response) == ["192.0.2.10"]
    assert black_hole.transports() == ["udp"]  # it was asked first and never answered
    assert elapsed < 1.0


def test_servfail_from_the_first_upstream_moves_on_to_the_second() -> None:
    with running_dns(2) as (broken, good):
        broken.behaviour.mode = "servfail"
        response, upstream = ask(
            UpstreamGroup.from_urls([broken.udp_url, good.udp_url]), f"www.{ZONE}"
        )
    assert upstream == good.udp_url
    assert response.header.rcode == RCODE.NOERROR


def test_negative_answers_pass_through_unchanged(standin: StandInDns) -> None:
    response, _ = ask(UpstreamGroup.from_urls([standin.udp_url]), f"nope.{ZONE}")
    assert response.header.rcode == RCODE.NXDOMAIN
    assert QTYPE.get(response.auth[0].rtype) == "SOA"


def test_all_upstreams_dead_fails_quickly_naming_each_failure() -> None:
    with running_dns(1) as (black_hole,):
        black_hole.behaviour.mode = "drop"
        refused = f"udp://127.0.0.1:{dead_port()}"
        group = UpstreamGroup.from_urls([refused, black_hole.udp_url])
        started = time.monotonic()
        with pytest.raises(UpstreamsFailedError) as failure:
            ask(group, f"www.{ZONE}")
        elapsed = time.monotonic() - started
    message = str(failure.value)
    assert f"{refused}: connection refused" in message
    assert f"{black_hole.udp_url}: timed out" in message
    assert elapsed < 1.5


def test_slow_single_upstream_gets_the_whole_budget(standin: StandInDns) -> None:
    standin.behaviour.delay = 0.4
    response, _ = ask(UpstreamGroup.from_urls([standin.udp_url]), f"www.{ZONE}")
    assert addresses(response) == ["192.0.2.10"]


def test_slow_first_answer_is_still_taken_when_the_second_is_dead(standin: StandInDns) -> None:
    # The first upstream is past its share of the budget; the second is asked as well but
    # cannot answer, and the first's late answer is used.
    standin.behaviour.delay = 0.6
    with running_dns(1) as (black_hole,):
        black_hole.behaviour.mode = "drop"
        response, upstream = ask(
            UpstreamGroup.from_urls([standin.udp_url, black_hole.udp_url]), f"www.{ZONE}"
        )
    assert upstream == standin.udp_url
    assert black_hole.transports() == ["udp"]
    assert addresses(response) == ["192.0.2.10"]


# --------------------------------------------------------------------------- health


def test_failing_upstream_is_marked_unhealthy_and_tried_last() -> None:
    async def run(first: StandInDns, second: StandInDns) -> None:
        group = UpstreamGroup.from_urls([first.udp_url, second.udp_url], timeout=0.4)
        try:
            first.behaviour.mode = "drop"
            for _ in range(2):
                answer = await group.resolve(DNSRecord.question(f"www.{ZONE}"))
                assert answer.upstream == second.udp_url
            status = {s.url: s for s in group.status()}
            assert not status[first.udp_url].healthy
            assert status[first.udp_url].last_error == "timed out"
            assert [s.url for s in group.status()] == [second.udp_url, first.udp_url]
            # Now the healthy one goes first: the dead one is not even asked.
            asked_before = len(first.seen)
            await group.resolve(DNSRecord.question(f"www.{ZONE}"))
            assert len(first.seen) == asked_before
            # It recovers; the probe notices and brings it back.
            first.behaviour.mode = "answer"
            await group.check_health()
            assert {s.url: s.healthy for s in group.status()}[first.udp_url]
        finally:
            await group.aclose()

    with running_dns(2) as (first, second):
        asyncio.run(run(first, second))


def test_periodic_probe_marks_a_recovered_upstream_healthy_again() -> None:
    async def run(server: StandInDns) -> None:
        group = UpstreamGroup.from_urls([server.udp_url], timeout=0.2, probe_interval=0.05)
        try:
            server.behaviour.mode = "drop"
            group.start()
            while group.status()[0].healthy:
                await asyncio.sleep(0.02)
            assert "probe: timed out" in (group.status()[0].last_error or "")
            server.behaviour.mode = "answer"
            async with asyncio.timeout(2):
                while not group.status()[0].healthy:
                    await asyncio.sleep(0.02)
            assert group.status()[0].latency_ms is not None
        finally:
            await group.aclose()
        assert any(seen.name == "." and seen.qtype == "NS" for seen in server.seen)

    with running_dns(1) as (server,):
        asyncio.run(run(server))


def test_faster_upstream_is_preferred_once_measured() -> None:
    async def run(slow: StandInDns, fast: StandInDns) -> None:
        slow.behaviour.delay = 0.1
        group = UpstreamGroup.from_urls([slow.udp_url, fast.udp_url])
        try:
            await group.check_health()
            assert group.status()[0].url == fast.udp_url
            answer = await group.resolve(DNSRecord.question(f"www.{ZONE}"))
            assert answer.upstream == fast.udp_url
        finally:
            await group.aclose()

    with running_dns(2) as (slow, fast):
        asyncio.run(run(slow, fast))


# --------------------------------------------------------------------------- DoH over TLS


def _write_certificates(folder: Path, host: str = "doh.test") -> tuple[Path, Path, Path]:
    """A private CA and a server certificate for `host` signed by it."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)

    def build(subject: str, key: Any, issuer: Any, issuer_key: Any, ca: bool) -> Any:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer or name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        else:
            builder = (
                builder.add_extension(
                    x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False
                )
                .add_extension(
                    x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                    critical=False,
                )
                .add_extension(
                    x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                    critical=False,
                )
            )
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = build("Bao An test CA", ca_key, None, ca_key, True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = build(host, server_key, ca_cert.subject, ca_key, False)
    pem = serialization.Encoding.PEM
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_path.write_bytes(ca_cert.public_bytes(pem))
    cert_path.write_bytes(server_cert.public_bytes(pem))
    key_path.write_bytes(
        server_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ca_path, cert_path, key_path


def test_doh_over_tls_checks_the_certificate_for_the_host_name(tmp_path: Path) -> None:
    ca_path, cert_path, key_path = _write_certificates(tmp_path)
    server = StandInDoh(certificate=(cert_path, key_path)).start()
    try:
        # Connect to 127.0.0.1, but SNI and the certificate check are for doh.test.
        url = f"https://doh.test:{server.port}/dns-query#bootstrap=127.0.0.1"
        group = UpstreamGroup([parse_upstream(url, verify=str(ca_path))])
        response, upstream = ask(group, f"www.{ZONE}")
        assert addresses(response) == ["192.0.2.10"]
        assert upstream == f"https://doh.test:{server.port}/dns-query"
        assert server.seen[0].host == f"doh.test:{server.port}"

        # A certificate for another name is refused, not trusted.
        wrong = f"https://other.test:{server.port}/dns-query#bootstrap=127.0.0.1"
        with pytest.raises(UpstreamsFailedError, match="TLS error"):
            ask(UpstreamGroup([parse_upstream(wrong, verify=str(ca_path))]), f"www.{ZONE}")
        assert len(server.seen) == 1
    finally:
        server.close()


def test_doh_host_name_is_found_through_the_plain_upstreams(tmp_path: Path) -> None:
    # No bootstrap address: the name doh.example.test is looked up through the UDP upstream
    # (never the system resolver), then TLS is checked for that name.
    host = f"doh.{ZONE}"
    ca_path, cert_path, key_path = _write_certificates(tmp_path, host)
    server = StandInDoh(certificate=(cert_path, key_path)).start()
    try:
        with running_dns(1) as (plain,):
            url = f"https://{host}:{server.port}/dns-query"
            doh = parse_upstream(url, verify=str(ca_path))
            group = UpstreamGroup([doh, parse_upstream(plain.udp_url)])
            response, upstream = ask(group, f"www.{ZONE}")
        assert upstream == url
        assert addresses(response) == ["192.0.2.10"]
        assert [(seen.name, seen.qtype) for seen in server.seen] == [(f"www.{ZONE}.", "A")]
        assert sorted((seen.name, seen.qtype) for seen in plain.seen) == [
            (f"{host}.", "A"),
            (f"{host}.", "AAAA"),
        ]
    finally:
        server.close()


def test_bootstrap_addresses_can_be_given_apart_from_the_url() -> None:
    upstream = parse_upstream("https://doh.example/dns-query", ["192.0.2.7"])
    assert isinstance(upstream, DohUpstream) and upstream.bootstrap == ("192.0.2.7",)
    with pytest.raises(UpstreamConfigError, match="'nope' is not an IP address"):
        parse_upstream("https://doh.example/dns-query", ["nope"])
