"""What a home resolver answers itself and never sends to the internet's resolvers.

- Reverse zones of addresses that mean nothing outside this network (RFC 6303: 10/8,
  172.16/12, 192.168/16, 127/8, 169.254/16, 100.64/10, fc00::/7, fe80::/10 and ::1):
  the name of a LAN device the family named (a PTR), else NXDOMAIN with an SOA. Windows
  and macOS ask these all day; the internet's resolvers can only fail them.
- `localhost` and every `*.localhost` (RFC 6761): 127.0.0.1 and ::1.
- `*.local` (mDNS, RFC 6762) and `home.arpa` (RFC 8375): never forwarded; a device the
  family named answers as `<its name>.home.arpa`.
- Single-label names (dnsmasq's `domain-needed`): never forwarded, except the types a
  top-level domain really has (NS, SOA, DS, DNSKEY); a named device answers by its name.
- The block page's own name (`baoan.home.arpa`) answers with the block page's addresses.

Every answer is typed `resolved` with a `local` reason whose `detail` says which rule of
the above answered, so the query log shows the name was never forwarded.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from dnslib import AAAA, PTR, QTYPE, RR, A, DNSRecord

from dns_filter import answers
from dns_filter.addresses import normalise_ip
from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.reason import Reason, ReasonKind
from dns_filter.resolvers import PolicySource

BLOCK_PAGE_NAME = "baoan.home.arpa"
LAN_DOMAIN = "home.arpa"
LOCAL_TTL = 300  # what a local answer may be remembered for

# RFC 6303 section 4 and RFC 6598 (100.64/10), as networks.
PRIVATE_NETWORKS: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = tuple(
    ipaddress.ip_network(text)
    for text in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "100.64.0.0/10",
        "0.0.0.0/8",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
        "::/128",
    )
)
# Types a top-level domain has, which a validating stub may ask about a single label.
_TLD_TYPES = frozenset({QTYPE.NS, QTYPE.SOA, QTYPE.DS, QTYPE.DNSKEY})


@dataclass(frozen=True)
class LocalAnswer:
    """What the link answers: an address (A/AAAA), a name (PTR), or nothing (NXDOMAIN)."""

    detail: str
    ipv4: tuple[str, ...] = ()
    ipv6: tuple[str, ...] = ()
    ptr: str | None = None


def reverse_address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a whole `in-addr.arpa` / `ip6.arpa` name stands for, or None."""
    if name.endswith(".in-addr.arpa"):
        labels = name[: -len(".in-addr.arpa")].split(".")
        if len(labels) != 4 or not all(label.isdigit() and len(label) <= 3 for label in labels):
            return None
        try:
            return ipaddress.IPv4Address(".".join(reversed(labels)))
        except ValueError:
            return None
    if name.endswith(".ip6.arpa"):
        nibbles = name[: -len(".ip6.arpa")].split(".")
        if len(nibbles) != 32 or not all(len(nibble) == 1 for nibble in nibbles):
            return None
        try:
            return ipaddress.IPv6Address(int("".join(reversed(nibbles)), 16))
        except ValueError:
            return None
    return None


def _in_private_reverse_zone(name: str) -> bool:
    """Whether `name` is in (or is the apex of) one of the RFC 6303 reverse zones, whole
    address or not (`168.192.in-addr.arpa` itself counts)."""
    if name.endswith(".in-addr.arpa"):
        labels = list(reversed(name[: -len(".in-addr.arpa")].split(".")))
        if not labels or not all(label.isdigit() for label in labels) or len(labels) > 4:
            return False
        octets = [int(label) for label in labels]
        if any(octet > 255 for octet in octets):
            return False
        prefix_bits = 8 * len(octets)
        address = ipaddress.IPv4Address(bytes(octets + [0] * (4 - len(octets))))
        return _covered(address, prefix_bits)
    if name.endswith(".ip6.arpa"):
        nibbles = list(reversed(name[: -len(".ip6.arpa")].split(".")))
        hexdigits = "0123456789abcdef"
        if not nibbles or len(nibbles) > 32 or any(
            len(nibble) != 1 or nibble not in hexdigits for nibble in nibbles
        ):
            return False
        value = int("".join(nibbles).ljust(32, "0"), 16)
        return _covered(ipaddress.IPv6Address(value), 4 * len(nibbles))
    return False


def _covered(address: ipaddress.IPv4Address | ipaddress.IPv6Address, prefix_bits: int) -> bool:
    """Whether the first `prefix_bits` of `address` lie inside one private network (the
    zone asked about is that network or a part of it)."""
    for network in PRIVATE_NETWORKS:
        if network.version != address.version or prefix_bits < network.prefixlen:
            continue
        if address in network:
            return True
    return False


def device_host_name(label: str) -> str | None:
    """A device's name as a DNS label: `Máy tính của An` -> `may-tinh-cua-an`, `Lan's
    iPad` -> `lans-ipad`; None when nothing of it is left."""
    # Vietnamese marks come off (NFKD splits them from their letters); đ is its own letter.
    plain = unicodedata.normalize("NFKD", label.casefold().replace("đ", "d"))
    cleaned: list[str] = []
    for char in plain:
        if char.isascii() and char.isalnum():
            cleaned.append(char)
        elif char in " -_." and cleaned and cleaned[-1] != "-":
            cleaned.append("-")
    text = "".join(cleaned).strip("-")[:63]
    return text or None


class LocalZones:
    """The answers for names that stay on this network, from the policy's LAN hosts."""

    def __init__(
        self,
        hosts: Iterable[tuple[str, str]],
        block_page_ipv4: str,
        block_page_ipv6: str,
    ) -> None:
        # label -> addresses, and address -> fully qualified name
        self._by_label: dict[str, list[str]] = {}
        self._by_address: dict[str, str] = {}
        for label, address in hosts:
            self._by_label.setdefault(label, []).append(normalise_ip(address))
            self._by_address.setdefault(normalise_ip(address), f"{label}.{LAN_DOMAIN}")
        self._block_page = (normalise_ip(block_page_ipv4), normalise_ip(block_page_ipv6))

    def answer(self, name: str, qtype: int) -> LocalAnswer | None:
        """The local answer for `name`, or None: it goes on to be filtered and forwarded."""
        if name == "localhost" or name.endswith(".localhost"):
            return LocalAnswer("localhost", ("127.0.0.1",), ("::1",))
        if name == BLOCK_PAGE_NAME:
            ipv4, ipv6 = self._block_page
            return LocalAnswer("block-page", (ipv4,), (ipv6,))
        if name == LAN_DOMAIN or name.endswith("." + LAN_DOMAIN):
            return self._device(name[: -len(LAN_DOMAIN) - 1], "home-arpa")
        if name.endswith(".arpa"):
            return self._reverse(name)
        if name == "local" or name.endswith(".local"):
            return LocalAnswer("mdns")
        if name and "." not in name and qtype not in _TLD_TYPES:
            return self._device(name, "single-label")
        return None

    def _device(self, label: str, detail: str) -> LocalAnswer:
        addresses = self._by_label.get(label)
        if not addresses:
            return LocalAnswer(detail)
        ipv4 = tuple(address for address in addresses if ":" not in address)
        ipv6 = tuple(address for address in addresses if ":" in address)
        return LocalAnswer("lan-device", ipv4, ipv6)

    def _reverse(self, name: str) -> LocalAnswer | None:
        if not _in_private_reverse_zone(name):
            return None  # a public address's reverse zone is the internet's to answer
        address = reverse_address(name)
        if address is None:
            return LocalAnswer("reverse-private")
        text = normalise_ip(str(address))
        if address.is_loopback:
            return LocalAnswer("localhost", ptr="localhost")
        named = self._by_address.get(text)
        if named is not None:
            return LocalAnswer("lan-device", ptr=named)
        if text in self._block_page:
            return LocalAnswer("block-page", ptr=BLOCK_PAGE_NAME)
        return LocalAnswer("reverse-private")


def local_response(request: DNSRecord, name: str, qtype: int, found: LocalAnswer) -> DNSRecord:
    """The wire answer for `found`: the records of the type asked, NODATA when the name
    has others, NXDOMAIN when it has none."""
    has_records = bool(found.ipv4 or found.ipv6 or found.ptr)
    if not has_records:
        return answers.nxdomain(request, name, LOCAL_TTL)
    reply = answers.reply_to(request)
    reply.header.aa = 1
    owner = name + "."
    if qtype == QTYPE.A:
        for address in found.ipv4:
            reply.add_answer(RR(owner, QTYPE.A, ttl=LOCAL_TTL, rdata=A(address)))
    elif qtype == QTYPE.AAAA:
        for address in found.ipv6:
            reply.add_answer(RR(owner, QTYPE.AAAA, ttl=LOCAL_TTL, rdata=AAAA(address)))
    elif qtype == QTYPE.PTR and found.ptr is not None:
        reply.add_answer(RR(owner, QTYPE.PTR, ttl=LOCAL_TTL, rdata=PTR(found.ptr + ".")))
    if not reply.rr:
        return answers.nodata(request, name, LOCAL_TTL)
    return reply


class LocalZonesResolver(Resolver):
    """Answers the names that stay on this network; passes everything else on."""

    def __init__(self, next_resolver: Resolver | None, policy_source: PolicySource) -> None:
        super().__init__(next_resolver)
        self._policy_source = policy_source
        self._zones_for: tuple[object, LocalZones] | None = None

    def zones(self) -> LocalZones:
        """The zones of the snapshot in force, built once per snapshot."""
        policy = self._policy_source.current()
        held = self._zones_for
        if held is None or held[0] is not policy:
            held = (
                policy,
                LocalZones(policy.lan_hosts, policy.block_page_ipv4, policy.block_page_ipv6),
            )
            self._zones_for = held
        return held[1]

    async def resolve(self, query: Query) -> Result:
        found = self.zones().answer(query.name, query.qtype)
        if found is None:
            return await self.next.resolve(query)
        response = local_response(query.request, query.name, query.qtype, found)
        reason = Reason(ReasonKind.LOCAL, rule=found.ptr, detail=found.detail)
        return Result(response, AnswerType.RESOLVED, reason, query.profile)
