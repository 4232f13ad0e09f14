"""The DNS filter as the agent runs it: one asyncio loop in its own thread, the server,
the resolver chain, and the compiled snapshot (family.toml + lists + the parents' grants)
swapped in whole on every change.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from agent.category_lists import CategoryLists
from agent.grant_expiry import GrantExpiry
from agent.policy import FamilyPolicy
from agent.policy.compile import compile_filter_policy
from dns_filter.addresses import is_loopback, normalise_ip
from dns_filter.clock import Clock
from dns_filter.factory import Chain, build_chain_from_config
from dns_filter.policy import FilterPolicy, Profile
from dns_filter.rate_limit import ClientRateLimit
from dns_filter.resolvers import ActiveChild, FilterPolicySlot
from dns_filter.resolvers.client_profile import ChildResolver
from dns_filter.server import AnswerLog, DnsServer, next_minute

log = logging.getLogger(__name__)

T = TypeVar("T")

class FamilyPolicySource(Protocol):
    """The family policy in force (``agent.policy.holder.PolicyHolder`` has it)."""

    @property
    def policy(self) -> FamilyPolicy: ...


class GrantedSite(Protocol):
    """One approval in force (``agent.access.Grant``): the names it opens, and its end."""

    @property
    def names(self) -> tuple[str, ...]: ...

    @property
    def until(self) -> datetime | None: ...


class GrantSource(Protocol):
    """The parents' temporary approvals (``agent.access.AccessService`` has these)."""

    def grants(
        self, child: str | None = None, now: datetime | None = None
    ) -> Sequence[GrantedSite]: ...

    def next_expiry(self, now: datetime | None = None) -> datetime | None: ...


@dataclass(frozen=True)
class BlockPageAddresses:
    """Where blocked names point: the block page's listener."""

    ipv4: str
    ipv6: str = "::1"


class DnsService:
    """Start with `start()` (returns once the server listens), stop with `stop()`."""

    def __init__(
        self,
        *,
        listen: Sequence[tuple[str, int]],
        block_page: BlockPageAddresses,
        family: FamilyPolicySource,
        lists: CategoryLists,
        filter_policy: FilterPolicySlot,
        child_resolver: ChildResolver,
        active_child: ActiveChild,
        grants: GrantSource,
        grant_expiry: GrantExpiry,
        query_log: AnswerLog[Any],  # agent.dns_query_log.DnsQueryLog
        clock: Clock,
        spent_services: Callable[[str], frozenset[str]] | None = None,
        paused_until: Callable[[], datetime | None] | None = None,
    ) -> None:
        # Screen time: a child's services whose minutes are spent today are blocked too.
        self._spent_services = spent_services
        # A parent's pause of protection: nothing is blocked until it ends.
        self._paused_until = paused_until
        self._listen = tuple(listen)
        self._block_page = block_page
        self._family = family
        self._lists = lists
        self._filter_policy = filter_policy
        self._child_resolver = child_resolver
        self._active_child = active_child
        self._grants = grants
        self._grant_expiry = grant_expiry
        self._query_log = query_log
        self._clock = clock
        self._compile_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._chain: Chain | None = None
        self.server: DnsServer | None = None
        self.rate_limit = ClientRateLimit(
            family.policy.settings.dns_rate_limit_qps, exempt=self._never_limited, clock=clock
        )

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Compile the policy, start the loop thread and the server on it."""
        self.recompile()
        self._start_loop()
        self._run_in_loop(self._start_server())

    def stop(self) -> None:
        loop = self._loop
        if loop is not None and loop.is_running():
            try:
                self._run_in_loop(self._stop_server(), timeout=10)
            except Exception:
                log.exception("the DNS server did not stop cleanly")
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _start_loop(self) -> None:
        # A selector loop on every system: the DNS server watches its UDP sockets with
        # add_reader, which Windows' default (proactor) loop does not offer.
        loop = asyncio.SelectorEventLoop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="baoan-dns", daemon=True)
        self._thread.start()
        ready.wait(5)

    def _run_in_loop(self, coroutine: Coroutine[object, object, T], timeout: float = 30) -> T:
        assert self._loop is not None
        future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(
            coroutine, self._loop
        )
        return future.result(timeout)

    async def _start_server(self) -> None:
        self._chain = build_chain_from_config(
            policy_source=self._filter_policy,
            clock=self._clock,
            active_child=self._active_child,
            upstream_urls=upstream_urls(self._family.policy),
            child_resolver=self._child_resolver,
        )
        if self._chain.upstream_group is not None:
            self._chain.upstream_group.start()
        self.server = DnsServer(
            self._chain.head,
            self._listen,
            answer_log=self._query_log,
            # The same decision as the chain's first link: the memo is kept per child.
            profile_for=self._child_resolver,
            policy_changes_at=self._policy_changes_at,
            rate_limit=self.rate_limit,
        )
        await self.server.start()

    async def _stop_server(self) -> None:
        if self.server is not None:
            await self.server.stop()
        if self._chain is not None and self._chain.upstream_group is not None:
            await self._chain.upstream_group.aclose()

    # -- the compiled policy ------------------------------------------------------------------

    def current_filter_policy(self) -> FilterPolicy:
        return self._filter_policy.current()

    def recompile(self) -> None:
        """Compile the policy in force again (new family.toml, lists or grants), swap it in
        and clear the memo; then wait for the next grant's end to do it again."""
        with self._compile_lock:
            now = self._clock.now()
            policy = compile_filter_policy(
                self._family.policy,
                self._lists.matchers(),
                self._block_page.ipv4,
                self._block_page.ipv6,
            )
            policy = self._with_grants(policy, now)
            paused = self._paused_until() if self._paused_until is not None else None
            if paused is not None:
                policy = without_blocks(policy)
            self._filter_policy.swap(policy)
            qps = self._family.policy.settings.dns_rate_limit_qps
            if qps != self.rate_limit.qps:
                self.rate_limit.set_rate(qps)
            if self.server is not None:
                self.server.clear_memo()
            # The next grant's end, or the pause's if sooner: compile again then.
            ends = [end for end in (self._grants.next_expiry(now), paused) if end is not None]
            self._grant_expiry.arm(min(ends) if ends else None, self.recompile)

    def _with_grants(self, policy: FilterPolicy, now: datetime) -> FilterPolicy:
        """Put the parents' temporary approvals in each child's `granted` names, with their
        ends: unlike the allow list, they open the site even at bedtime (a `"*"` schedule),
        and the filter stops them, and every answer given under them, at their end."""
        profiles = {}
        for name, profile in policy.profiles.items():
            grants = self._grants.grants(name, now)
            profile = with_grants(profile, grants) if grants else profile
            spent = self._spent_services(name) if self._spent_services else frozenset()
            if spent:
                profile = replace(profile, time_up_services=spent)
            profiles[name] = profile
        return replace(policy, profiles=MappingProxyType(profiles))

    def _never_limited(self, client: str) -> bool:
        """The PC's own queries and the block page's are never rate limited."""
        address = normalise_ip(client)
        if is_loopback(address) or address in self._child_resolver.local_addresses():
            return True
        page = self._block_page
        return address in (normalise_ip(page.ipv4), normalise_ip(page.ipv6))

    def _policy_changes_at(self, wall: float) -> float | None:
        """When a remembered answer may stop being right because of the clock: with no
        schedule in any profile, never (grants and edits clear the memo themselves)."""
        policy = self._filter_policy.current()
        if any(profile.schedules for profile in policy.profiles.values()):
            return next_minute(wall)
        return None

    # -- status and the query log -------------------------------------------------------------

    def listening(self) -> list[str]:
        """Where the server answers, as URLs: ``udp://127.0.0.1:53``, ``tcp://[::1]:53``."""
        if self.server is None:
            return []
        found = []
        for bound in self.server.addresses:
            host = f"[{bound.host}]" if ":" in bound.host else bound.host
            found.append(f"{bound.transport}://{host}:{bound.port}")
        return found

    def rate_limited(self) -> int:
        """Queries refused by the per-client rate limit since the server started."""
        return 0 if self.server is None else self.server.stats.rate_limited

    def log_backlog_dropped(self) -> int:
        """Answers the server could not hand to the query log (its backlog was full): no
        row and no count; never seen unless the DNS loop stalls for a second or more."""
        return 0 if self.server is None else self.server.stats.log_dropped


def without_blocks(policy: FilterPolicy) -> FilterPolicy:
    """`policy` while protection is paused: no category, service, list, schedule or bypass
    block for anyone (SafeSearch and YouTube's mode stay: they rewrite, not block)."""
    open_profiles = {
        name: replace(
            profile,
            blocked_categories=frozenset(),
            blocked_services=frozenset(),
            deny=(),
            allow_list_only=False,
            block_bypass=False,
            schedules=(),
        )
        for name, profile in policy.profiles.items()
    }
    return replace(policy, profiles=MappingProxyType(open_profiles))


def with_grants(profile: Profile, grants: Sequence[GrantedSite]) -> Profile:
    """`profile` with the names `grants` open and when each stops: for a name opened by
    several, the latest end; a name that one of them opens for good has no end."""
    ends: dict[str, datetime | None] = {}
    for grant in grants:
        for name in grant.names:
            if name not in ends:
                ends[name] = grant.until
            else:
                earlier = ends[name]
                ends[name] = (
                    None if earlier is None or grant.until is None else max(earlier, grant.until)
                )
    return replace(
        profile,
        granted=tuple(ends),
        granted_until=MappingProxyType(
            {name: end for name, end in ends.items() if end is not None}
        ),
    )


def upstream_urls(family: FamilyPolicy) -> list[str]:
    """The family's upstreams as the chain takes them (bootstrap addresses in the URL)."""
    return [upstream.url_with_bootstrap() for upstream in family.settings.upstreams]

