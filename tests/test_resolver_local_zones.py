"""The local-zones link, through the real server and the factory's chain on loopback: names
that stay on this network are answered here, and the stand-in upstream never hears them."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest
from dnslib import QTYPE, RCODE, RR, DNSRecord

from dns_filter.chain import AnswerType, Query, Result
from dns_filter.clock import SystemClock
from dns_filter.factory import build_chain_from_config
from dns_filter.policy import FilterPolicy, Profile
from dns_filter.reason import ReasonKind
from dns_filter.resolvers import FilterPolicySlot
from dns_filter.resolvers.local_zones import (
    LocalZones,
    device_host_name,
    reverse_address,
)
from dns_filter.server import DnsServer


class RecordingUpstream:
    """A UDP DNS server on loopback that answers every A question with 192.0.2.1 and
    remembers each name it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            request = DNSRecord.parse(data)
            name = str(request.q.qname).rstrip(".").lower()
            self.asked.append(name)
            reply = request.reply()
            if request.q.qtype == QTYPE.A:
                reply.add_answer(*RR.fromZone(f"{name}. 300 A 192.0.2.1"))
            self.sock.sendto(reply.pack(), peer)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


class Served:
    """The factory's chain behind a real DnsServer on its own loop thread."""

    def __init__(self, upstream_port: int, policy: FilterPolicy) -> None:
        self.results: list[tuple[Query, Result, float]] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._slot = FilterPolicySlot(policy)
        self.run(self._start(upstream_port))

    async def _start(self, upstream_port: int) -> None:
        self.chain = build_chain_from_config(
            policy_source=self._slot,
            clock=SystemClock(),
            active_child=lambda: "an",
            upstream_urls=[f"udp://127.0.0.1:{upstream_port}"],
            local_addresses=lambda: frozenset({"127.0.0.1"}),
        )
        self.server = DnsServer(
            self.chain.head,
            [("127.0.0.1", 0)],
            on_result=lambda q, r, s: self.results.append((q, r, s)),
        )
        await self.server.start()
        self.port = self.server.addresses[0].port

    def run(self, coroutine: object, timeout: float = 10.0) -> object:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)  # type: ignore[arg-type]

    def ask(self, name: str, qtype: str = "A") -> DNSRecord:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(3)
            sock.sendto(DNSRecord.question(name, qtype).pack(), ("127.0.0.1", self.port))
            return DNSRecord.parse(sock.recvfrom(65535)[0])

    def reason_of(self, name: str) -> Result:
        self.run(self.server.drain_log())
        return next(r for q, r, _s in reversed(self.results) if q.name == name)

    def close(self) -> None:
        async def stop() -> None:
            await self.server.stop()
            if self.chain.upstream_group is not None:
                await self.chain.upstream_group.aclose()

        try:
            self.run(stop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop.close()


POLICY = FilterPolicy(
    profiles={"an": Profile("an", "tieu-hoc")},  # type: ignore[arg-type]
    default_profile="an",
    lan_hosts=(("may-tinh-cua-an", "192.168.1.20"), ("ipad", "fd00::20")),
    block_page_ipv4="192.168.1.5",
    block_page_ipv6="fd00::5",
)


@pytest.fixture
def upstream() -> Iterator[RecordingUpstream]:
    server = RecordingUpstream()
    yield server
    server.close()


@pytest.fixture
def served(upstream: RecordingUpstream) -> Iterator[Served]:
    server = Served(upstream.port, POLICY)
    yield server
    server.close()


def addresses(response: DNSRecord) -> list[str]:
    return [str(rr.rdata) for rr in response.rr]


@pytest.mark.parametrize(
    "name",
    [
        "10.1.168.192.in-addr.arpa",  # dig -x 192.168.1.10
        "5.4.3.10.in-addr.arpa",
        "1.0.16.172.in-addr.arpa",
        "1.0.31.172.in-addr.arpa",
        "9.9.254.169.in-addr.arpa",
        "1.0.64.100.in-addr.arpa",
        "1.0.127.100.in-addr.arpa",
        "168.192.in-addr.arpa",
        "10.in-addr.arpa",
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa",
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa",
        "c.f.ip6.arpa",
    ],
)
def test_private_reverse_zones_are_nxdomain_with_an_soa_and_never_forwarded(
    served: Served, upstream: RecordingUpstream, name: str
) -> None:
    response = served.ask(name, "PTR")
    assert response.header.rcode == RCODE.NXDOMAIN
    assert [rr.rtype for rr in response.auth] == [QTYPE.SOA]
    result = served.reason_of(name)
    assert result.answer_type is AnswerType.RESOLVED
    assert result.reason.kind is ReasonKind.LOCAL
    assert result.reason.detail == "reverse-private"
    assert upstream.asked == []


def test_loopback_reverse_names_are_localhost(served: Served, upstream: RecordingUpstream) -> None:
    response = served.ask("1.0.0.127.in-addr.arpa", "PTR")  # dig -x 127.0.0.1
    assert response.header.rcode == RCODE.NOERROR
    assert addresses(response) == ["localhost."]
    six = served.ask("1." + "0." * 31 + "ip6.arpa", "PTR")  # dig -x ::1
    assert addresses(six) == ["localhost."]
    assert upstream.asked == []


def test_a_named_lan_device_answers_by_name_both_ways(
    served: Served, upstream: RecordingUpstream
) -> None:
    assert addresses(served.ask("20.1.168.192.in-addr.arpa", "PTR")) == [
        "may-tinh-cua-an.home.arpa."
    ]
    ipad_reverse = "0.2." + "0." * 28 + "d.f.ip6.arpa"
    assert addresses(served.ask(ipad_reverse, "PTR")) == ["ipad.home.arpa."]
    assert addresses(served.ask("may-tinh-cua-an.home.arpa")) == ["192.168.1.20"]
    assert addresses(served.ask("may-tinh-cua-an")) == ["192.168.1.20"]
    assert addresses(served.ask("ipad.home.arpa", "AAAA")) == ["fd00::20"]
    nodata = served.ask("ipad.home.arpa", "A")  # it has an address, not of this type
    assert nodata.header.rcode == RCODE.NOERROR and not nodata.rr
    assert served.reason_of("ipad.home.arpa").reason.detail == "lan-device"
    assert upstream.asked == []


def test_localhost_and_its_subdomains_are_loopback(
    served: Served, upstream: RecordingUpstream
) -> None:
    for name in ("localhost", "app.localhost", "a.b.LOCALHOST"):
        assert addresses(served.ask(name)) == ["127.0.0.1"]
        assert addresses(served.ask(name, "AAAA")) == ["::1"]
    assert served.ask("localhost", "MX").header.rcode == RCODE.NOERROR
    assert upstream.asked == []


@pytest.mark.parametrize(
    ("name", "detail"),
    [
        ("printer.local", "mdns"),
        ("_ipp._tcp.local", "mdns"),
        ("home.arpa", "home-arpa"),
        ("nas.home.arpa", "home-arpa"),
        ("wpad", "single-label"),
        ("printer", "single-label"),
    ],
)
def test_local_and_single_label_names_are_not_sent_upstream(
    served: Served, upstream: RecordingUpstream, name: str, detail: str
) -> None:
    response = served.ask(name)
    assert response.header.rcode == RCODE.NXDOMAIN
    result = served.reason_of(name)
    assert (result.reason.kind, result.reason.detail) == (ReasonKind.LOCAL, detail)
    assert upstream.asked == []


def test_the_block_pages_name_and_address_answer_from_the_agent(
    served: Served, upstream: RecordingUpstream
) -> None:
    assert addresses(served.ask("baoan.home.arpa")) == ["192.168.1.5"]
    assert addresses(served.ask("baoan.home.arpa", "AAAA")) == ["fd00::5"]
    assert addresses(served.ask("5.1.168.192.in-addr.arpa", "PTR")) == ["baoan.home.arpa."]
    assert upstream.asked == []


def test_public_names_and_public_reverse_zones_still_go_upstream(
    served: Served, upstream: RecordingUpstream
) -> None:
    assert addresses(served.ask("example.com")) == ["192.0.2.1"]
    served.ask("8.8.8.8.in-addr.arpa", "PTR")
    served.ask("1.0.32.172.in-addr.arpa", "PTR")  # 172.32/16 is public
    served.ask("1.0.128.100.in-addr.arpa", "PTR")  # beyond 100.64/10
    served.ask("vn", "NS")  # a top-level domain's own types do go
    served.ask("_dns.resolver.arpa", "SVCB")  # the bypass guard's signal, not a local name
    assert upstream.asked == [
        "example.com", "8.8.8.8.in-addr.arpa", "1.0.32.172.in-addr.arpa",
        "1.0.128.100.in-addr.arpa", "vn",
    ]
    assert served.reason_of("_dns.resolver.arpa").reason.kind is ReasonKind.SIGNAL


def test_reverse_names_and_device_labels() -> None:
    assert str(reverse_address("10.1.168.192.in-addr.arpa")) == "192.168.1.10"
    assert reverse_address("1.168.192.in-addr.arpa") is None  # a zone, not an address
    assert reverse_address("x.1.168.192.in-addr.arpa") is None
    assert reverse_address("1.2.3.999.in-addr.arpa") is None
    assert device_host_name("Máy tính của An") == "may-tinh-cua-an"
    assert device_host_name("Lan's iPad") == "lans-ipad"
    assert device_host_name("Điện thoại") == "dien-thoai"
    assert device_host_name("  ") is None
    zones = LocalZones((), "127.0.0.1", "::1")
    assert zones.answer("999.168.192.in-addr.arpa", QTYPE.PTR) is None
    assert zones.answer("example.com", QTYPE.A) is None
