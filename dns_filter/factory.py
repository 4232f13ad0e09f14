"""Builds the resolver chain, in the order ARCHITECTURE.md draws it:

    client -> profile -> local zones -> bypass guard -> allow/deny + schedule -> safe search
           -> category/service block -> cache -> upstream

The filtering links are built here from the policy source, the clock and the agent's
`active_child`; the cache and upstream links come from their own modules and are passed in
(the upstream link already built, the cache as a function that wraps the link after it), so
that each can be configured, and replaced in tests, without this module knowing how.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dns_filter.chain import Resolver
from dns_filter.clock import Clock
from dns_filter.resolvers import ActiveChild, PolicySource
from dns_filter.resolvers.block import BlockResolver
from dns_filter.resolvers.bypass import BypassGuardResolver
from dns_filter.resolvers.client_profile import (
    ChildResolver,
    ClientProfileResolver,
    LocalAddresses,
    MacLookup,
)
from dns_filter.resolvers.local_zones import LocalZonesResolver
from dns_filter.resolvers.rules import RuleBook, RulesResolver
from dns_filter.resolvers.safe_search import SafeSearchResolver, SafeSearchTable

if TYPE_CHECKING:
    from dns_filter.resolvers.cache import CacheSettings
    from dns_filter.upstreams import UpstreamGroup

# The order of the links, first to last; `build_chain` follows it exactly.
CHAIN_ORDER = (
    "client_profile",
    "local_zones",
    "bypass",
    "rules",
    "safe_search",
    "block",
    "cache",
    "upstream",
)

WrapLink = Callable[[Resolver], Resolver]
"""Builds a link in front of the given next link (for example the cache)."""


@dataclass(frozen=True)
class Chain:
    """The built chain: `head` takes queries; `links` lists every link, first to last."""

    head: Resolver
    links: tuple[Resolver, ...]
    rules: RuleBook
    # Set by `build_chain_from_config`: the owner starts its health probe and closes it.
    upstream_group: UpstreamGroup | None = None


def filtering_links(
    tail: Resolver,
    *,
    rules: RuleBook,
    clock: Clock,
    safe_search_table: SafeSearchTable | None = None,
) -> list[Resolver]:
    """The policy links from bypass guard to category/service block, in front of `tail`.

    Shared by the served chain and by `baoan check` (:mod:`dns_filter.verdict`), so both
    decide with the same code. Returned first to last.
    """
    block = BlockResolver(tail, rules, clock)
    safe_search = SafeSearchResolver(block, rules, safe_search_table)
    rules_link = RulesResolver(safe_search, rules, clock)
    bypass = BypassGuardResolver(rules_link, rules)
    return [bypass, rules_link, safe_search, block]


def build_chain(
    *,
    policy_source: PolicySource,
    clock: Clock,
    active_child: ActiveChild,
    upstream: Resolver,
    cache: WrapLink | None = None,
    local_addresses: LocalAddresses | None = None,
    mac_lookup: MacLookup | None = None,
    child_resolver: ChildResolver | None = None,
) -> Chain:
    """Builds the whole chain in `CHAIN_ORDER` and returns its head.

    `upstream` is the last link (it never passes on). `cache`, when given, is called with
    the upstream link and returns the cache link in front of it. The first link asks
    `child_resolver` which child a query belongs to; without one, a resolver is built from
    `active_child`, `local_addresses` and `mac_lookup` (the PC's own addresses from psutil
    and no MAC lookup by default).
    """
    rules = RuleBook(policy_source)
    tail = cache(upstream) if cache is not None else upstream
    policy_links = filtering_links(tail, rules=rules, clock=clock)
    if child_resolver is None:
        child_resolver = ChildResolver(
            policy_source, active_child, local_addresses=local_addresses, mac_lookup=mac_lookup
        )
    # Local names are answered before any rule: they never leave this network, for anyone.
    local_zones = LocalZonesResolver(policy_links[0], policy_source)
    head = ClientProfileResolver(local_zones, child_resolver)
    links: list[Resolver] = [head, local_zones, *policy_links]
    if tail is not upstream:
        links.append(tail)
    links.append(upstream)
    return Chain(head=head, links=tuple(links), rules=rules)


def build_chain_from_config(
    *,
    policy_source: PolicySource,
    clock: Clock,
    active_child: ActiveChild,
    upstream_urls: Sequence[str],
    cache_settings: CacheSettings | None = None,
    verify: bool | str = True,
    local_addresses: LocalAddresses | None = None,
    mac_lookup: MacLookup | None = None,
    child_resolver: ChildResolver | None = None,
) -> Chain:
    """The whole chain with the cache and upstream links built from their settings.

    `upstream_urls` look like `udp://1.1.1.1`, `tcp://127.0.0.2:5301` or
    `https://dns.google/dns-query`; a bad one raises `UpstreamConfigError` naming it. The
    caller starts `chain.upstream_group` on its event loop and closes it on shutdown.
    """
    # Imported here so that `baoan check`, which needs no upstream, stays light.
    from dns_filter.resolvers.cache import CacheResolver
    from dns_filter.resolvers.upstream import UpstreamResolver
    from dns_filter.upstreams import UpstreamGroup

    group = UpstreamGroup.from_urls(upstream_urls, verify=verify)
    chain = build_chain(
        policy_source=policy_source,
        clock=clock,
        active_child=active_child,
        upstream=UpstreamResolver(group),
        cache=lambda upstream: CacheResolver(upstream, cache_settings),
        local_addresses=local_addresses,
        mac_lookup=mac_lookup,
        child_resolver=child_resolver,
    )
    return Chain(chain.head, chain.links, chain.rules, group)
