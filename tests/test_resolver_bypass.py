"""The bypass guard, against the link itself, with the real HaGeZi DoH/VPN/proxy list."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from dnslib import QTYPE, RCODE, DNSRecord

from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.policy import BlockMode, FilterPolicy, Profile, Service
from dns_filter.reason import Reason, ReasonKind
from dns_filter.resolvers import FilterPolicySlot, SuffixSet
from dns_filter.resolvers.bypass import BypassGuardResolver
from dns_filter.resolvers.rules import RuleBook

BLOCKLISTS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "blocklists"


class WildcardListMatcher:
    """`*.name` lines of a real list (the HaGeZi wildcard format)."""

    def __init__(self, path: Path) -> None:
        lines = path.read_text(encoding="utf-8").splitlines()
        self._source = f"HaGeZi {path.name}"
        self._domains = SuffixSet(
            line[2:] for line in lines if line.startswith("*.") and " " not in line
        )

    def match(self, name: str) -> str | None:
        rule = self._domains.match(name)
        return f"{self._source}: *.{rule}" if rule else None

    def __len__(self) -> int:
        return len(self._domains)


@pytest.fixture(scope="module")
def bypass_list() -> WildcardListMatcher:
    matcher = WildcardListMatcher(BLOCKLISTS / "hagezi" / "doh-vpn-proxy-bypass.txt")
    assert len(matcher) > 500
    return matcher


class Terminal(Resolver):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    async def resolve(self, query: Query) -> Result:
        self.seen.append(query.name)
        reason = Reason(ReasonKind.UPSTREAM)
        return Result(query.request.reply(), AnswerType.RESOLVED, reason, query.profile)


def make_policy(matcher: WildcardListMatcher, **profile_fields: object) -> FilterPolicy:
    return FilterPolicy(
        profiles={"an": Profile("an", "tieu-hoc", **profile_fields)},  # type: ignore[arg-type]
        categories={"bypass": matcher},
        services={"psiphon": Service("psiphon", "Psiphon", "bypass", ("psiphon.ca",))},
        always_allowed=("tongdai111.vn",),
        block_page_ipv4="10.0.0.53",
        block_ttl=30,
    )


def resolve(
    policy: FilterPolicy, name: str, qtype: str = "A", profile: str | None = "an"
) -> tuple[Result, Terminal]:
    terminal = Terminal()
    link = BypassGuardResolver(terminal, RuleBook(FilterPolicySlot(policy)))
    query = Query(
        DNSRecord.question(name, qtype), name, getattr(QTYPE, qtype), "192.168.1.7", "udp", profile
    )
    return asyncio.run(link.resolve(query)), terminal


@pytest.mark.parametrize(
    "name", ["use-application-dns.net", "mask.icloud.com", "mask-h2.icloud.com"]
)
@pytest.mark.parametrize("profile", ["an", None])
def test_signal_names_get_nxdomain_for_everyone(
    bypass_list: WildcardListMatcher, name: str, profile: str | None
) -> None:
    result, terminal = resolve(make_policy(bypass_list, block_bypass=False), name, profile=profile)
    assert result.answer_type is AnswerType.BYPASS
    assert result.response.header.rcode == RCODE.NXDOMAIN
    assert result.response.auth[0].rtype == QTYPE.SOA
    assert result.reason.kind is ReasonKind.SIGNAL
    assert result.reason.rule == name
    assert result.reason.category is None  # a signal is no blocked category
    assert terminal.seen == []


@pytest.mark.parametrize("qtype", ["SVCB", "A"])
def test_designated_resolver_discovery_gets_nodata(
    bypass_list: WildcardListMatcher, qtype: str
) -> None:
    result, terminal = resolve(make_policy(bypass_list), "_dns.resolver.arpa", qtype, None)
    assert result.answer_type is AnswerType.BYPASS
    assert result.response.header.rcode == RCODE.NOERROR
    assert result.response.rr == []
    assert [record.rtype for record in result.response.auth] == [QTYPE.SOA]
    assert result.reason == Reason(
        ReasonKind.SIGNAL, rule="_dns.resolver.arpa", detail="resolver-discovery"
    )
    assert terminal.seen == []


def test_subdomains_of_signal_names_are_not_signals(bypass_list: WildcardListMatcher) -> None:
    result, terminal = resolve(make_policy(bypass_list), "x.use-application-dns.net", profile=None)
    assert result.answer_type is AnswerType.RESOLVED
    assert terminal.seen == ["x.use-application-dns.net"]


@pytest.mark.parametrize("name", ["dns.google", "mozilla.cloudflare-dns.com", "nordvpn.com"])
def test_doh_and_vpn_hosts_are_blocked_when_the_profile_says_so(
    bypass_list: WildcardListMatcher, name: str
) -> None:
    result, terminal = resolve(make_policy(bypass_list), name)
    assert result.answer_type is AnswerType.BYPASS
    assert result.reason.kind is ReasonKind.BYPASS
    assert result.reason.category == "bypass"  # counted by the statistics
    assert result.reason.rule is not None
    assert result.reason.rule.startswith("HaGeZi doh-vpn-proxy-bypass.txt: *.")
    assert [str(record.rdata) for record in result.response.rr] == ["10.0.0.53"]
    assert terminal.seen == []


def test_bypass_hosts_pass_when_the_profile_allows_them(bypass_list: WildcardListMatcher) -> None:
    result, terminal = resolve(make_policy(bypass_list, block_bypass=False), "dns.google")
    assert result.answer_type is AnswerType.RESOLVED
    assert terminal.seen == ["dns.google"]


def test_bypass_hosts_pass_without_a_profile(bypass_list: WildcardListMatcher) -> None:
    result, _ = resolve(make_policy(bypass_list), "dns.google", profile=None)
    assert result.answer_type is AnswerType.RESOLVED


def test_bypass_services_and_block_mode(bypass_list: WildcardListMatcher) -> None:
    policy = make_policy(bypass_list, block_mode=BlockMode.NXDOMAIN)
    result, _ = resolve(policy, "www.psiphon.ca")
    assert result.answer_type is AnswerType.BYPASS
    assert result.reason == Reason(
        ReasonKind.BYPASS, category="bypass", service="psiphon", rule="psiphon.ca"
    )
    assert result.response.header.rcode == RCODE.NXDOMAIN


def test_ordinary_names_pass(bypass_list: WildcardListMatcher) -> None:
    result, terminal = resolve(make_policy(bypass_list), "vnexpress.net")
    assert result.answer_type is AnswerType.RESOLVED
    assert terminal.seen == ["vnexpress.net"]


@pytest.mark.parametrize(
    "lists",
    [
        {"allow": ("vpn.school.example", "nordvpn.com")},  # the parent allowed it for good
        {"granted": ("nordvpn.com",)},  # the parent approved the child's request
    ],
)
def test_a_bypass_host_the_parent_let_through_passes_the_guard(
    bypass_list: WildcardListMatcher, lists: dict[str, tuple[str, ...]]
) -> None:
    assert bypass_list.match("nordvpn.com") is not None  # on the real bypass list
    result, terminal = resolve(make_policy(bypass_list, **lists), "nordvpn.com")
    assert result.answer_type is AnswerType.RESOLVED
    assert terminal.seen == ["nordvpn.com"]
    # another bypass host stays blocked
    other, _ = resolve(make_policy(bypass_list, **lists), "dns.google")
    assert other.answer_type is AnswerType.BYPASS


def test_signal_names_stay_answered_even_when_allowed(bypass_list: WildcardListMatcher) -> None:
    policy = make_policy(bypass_list, allow=("use-application-dns.net", "mask.icloud.com"))
    for name in ("use-application-dns.net", "mask.icloud.com"):
        result, terminal = resolve(policy, name)
        assert result.response.header.rcode == RCODE.NXDOMAIN
        assert terminal.seen == []
