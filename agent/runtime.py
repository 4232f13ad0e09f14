"""The agent: every part wired together and run until stopped.

One asyncio loop in its own thread serves DNS; the HTTP listener has its own threads; the
scheduler runs the periodic jobs (policy reload, retention, roll-over, list refresh,
active-session lookup). The agent is the only writer of the store. Policy (family.toml)
and running state (SQLite) are kept apart.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from agent.policy import FamilyPolicy
from agent.policy.compile import compile_filter_policy
from agent.policy.holder import PolicyHolder
from agent.store import QueryLogEntry, QueryLogWriter, RetentionPolicy, Store
from dns_filter.chain import AnswerType, Query, Result
from dns_filter.lists import DomainIndex
from dns_filter.policy import DomainMatcher, FilterPolicy

log = logging.getLogger(__name__)

DEFAULT_DNS_PORT = 53
DEFAULT_HTTP_PORT = 8053
DATABASE_NAME = "baoan.sqlite3"


@dataclass(frozen=True)
class AgentSettings:
    """Where the agent reads and listens; everything else comes from family.toml."""

    config_path: Path
    data_dir: Path
    dns_listen: tuple[tuple[str, int], ...] = (("127.0.0.1", DEFAULT_DNS_PORT),)
    http_listen: tuple[str, int] = ("127.0.0.1", DEFAULT_HTTP_PORT)
    # A second listener for the block page, on port 80 where browsers go for a blocked
    # name (the same router: the pages answer any Host, the API keeps its Host check).
    block_page_listen: tuple[str, int] | None = None
    # The address blocked names point to: the block page. None: the listener's host.
    block_page_ipv4: str | None = None
    block_page_ipv6: str = "::1"
    policy_poll_seconds: float = 2.0
    session_poll_seconds: float = 5.0
    list_refresh_hours: int = 24
    refresh_lists_at_start: bool = True
    try_mode: bool = False
    # OS accounts that get a tray token besides the children's (the try-out's own user).
    extra_tray_users: tuple[str, ...] = ()


def parse_listen(value: str, default_port: int) -> tuple[str, int]:
    """`HOST:PORT`, `[v6]:PORT`, `HOST` or `:PORT` -> (host, port), with a clear error."""
    text = value.strip()
    host, port_text = text, ""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError(f"bad listen address {value!r}: missing ']'")
        host, rest = text[1:end], text[end + 1 :]
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    if not host:
        host = "127.0.0.1"
    if not port_text:
        return host, default_port
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ValueError(f"bad listen address {value!r}: the port must be 0-65535")
    return host, int(port_text)


class ActiveChildTracker:
    """Maps the OS account of the active desktop session to a child, refreshed on a timer
    (the DNS path reads the last answer; looking it up per query would be far too slow)."""

    def __init__(self, session_user: Callable[[], str | None]) -> None:
        self._session_user = session_user
        self._by_os_user: MappingProxyType[str, str] = MappingProxyType({})
        self._child: str | None = None

    def set_policy(self, family: FamilyPolicy) -> None:
        self._by_os_user = MappingProxyType(
            {user.lower(): child.name for child in family.children for user in child.os_users}
        )
        self.refresh()

    def refresh(self) -> None:
        try:
            user = self._session_user()
        except Exception:  # an OS lookup failing must not stop the agent
            log.exception("cannot tell whose desktop session is active")
            user = None
        self._child = self._by_os_user.get(user.lower()) if user else None

    def __call__(self) -> str | None:
        return self._child


class Agent:
    """Start with `start()` (returns once DNS and HTTP are listening), stop with `stop()`."""

    def __init__(
        self,
        settings: AgentSettings,
        *,
        session_user: Callable[[], str | None] | None = None,
        local_addresses: Callable[[], frozenset[str]] | None = None,
    ) -> None:
        from agent import platform
        from dns_filter.resolvers.client_profile import LinuxArpTable, SystemAddresses

        os_module = platform.current()
        self.settings = settings
        self.policy_holder = PolicyHolder(settings.config_path)
        self.active_child = ActiveChildTracker(session_user or os_module.active_session_user)
        # Both are read per query by the chain, so both cache what they read.
        self._local_addresses = local_addresses or SystemAddresses()
        self._mac_lookup = LinuxArpTable() if sys.platform.startswith("linux") else None
        self._compiled_grants: tuple[tuple[str, tuple[str, ...]], ...] = ()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._categories: dict[str, DomainIndex] = {}
        self._list_sources: dict[str, tuple[str, ...]] = {}  # what _categories was built from
        self._compile_lock = threading.Lock()
        self.loaded_at: datetime | None = None
        self.store: Store | None = None
        self.query_log: QueryLogWriter | None = None
        self.dns_server: Any = None
        self.http_server: Any = None
        self.block_page_server: Any = None
        self.scheduler: Any = None
        self.access: Any = None
        self.tray: Any = None
        self._chain: Any = None
        self._dns_policy: Any = None

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Load the policy, open the store, start DNS, HTTP and the scheduler. Raises (and
        cleans up) if the policy is unusable or a port cannot be bound."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        settings = self.settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        family = self.policy_holder.load()
        self.loaded_at = datetime.now(UTC)
        if self.policy_holder.last_error is not None:
            log.error(
                "family.toml is broken, using the last good copy: %s", self.policy_holder.last_error
            )
        self.store = Store(settings.data_dir / DATABASE_NAME)
        self._apply_retention(family)
        self.query_log = QueryLogWriter(self.store)
        self.query_log.start()
        self.active_child.set_policy(family)
        self._categories = self._load_lists(family)
        self._start_loop()
        self._run_in_loop(self._start_dns(family))
        self._start_http()
        self.policy_holder.subscribe(self._on_new_policy)
        self._start_scheduler()
        log.info(
            "Bảo An agent is running: DNS %s, HTTP %s",
            ", ".join(self.dns_listening()),
            self.http_url(),
        )

    def stop(self) -> None:
        """Stop everything that was started, in reverse order; safe to call twice."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        if self.block_page_server is not None:
            self.block_page_server.stop()
        if self.http_server is not None:
            self.http_server.stop()
        if self._loop is not None and self._loop.is_running():
            try:
                self._run_in_loop(self._stop_dns(), timeout=10)
            except Exception:
                log.exception("the DNS server did not stop cleanly")
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.query_log is not None:
            self.query_log.close()
        if self.store is not None:
            self.store.close()
        log.info("Bảo An agent stopped")

    def wait(self, timeout: float | None = None) -> bool:
        return self._stopped.wait(timeout)

    # ------------------------------------------------------------------ the event loop

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

    def _run_in_loop(self, coroutine: Any, timeout: float = 30) -> Any:
        assert self._loop is not None
        future: concurrent.futures.Future[Any] = asyncio.run_coroutine_threadsafe(
            coroutine, self._loop
        )
        return future.result(timeout)

    # ------------------------------------------------------------------ DNS

    async def _start_dns(self, family: FamilyPolicy) -> None:
        from dns_filter.factory import build_chain_from_config
        from dns_filter.resolvers import PolicyHolder as DnsPolicyHolder
        from dns_filter.server import DnsServer

        self._dns_policy = DnsPolicyHolder(self._compile(family))
        self._chain = build_chain_from_config(
            policy_source=self._dns_policy,
            clock=lambda: datetime.now(UTC),
            active_child=self.active_child,
            upstream_urls=self._upstream_urls(family),
            local_addresses=self._local_addresses,
            mac_lookup=self._mac_lookup,
        )
        if self._chain.upstream_group is not None:
            self._chain.upstream_group.start()
        self.dns_server = DnsServer(
            self._chain.head,
            self.settings.dns_listen,
            on_results=self._log_queries,
            profile_for=self._profile_for,
            policy_changes_at=self._policy_changes_at,
        )
        await self.dns_server.start()

    async def _stop_dns(self) -> None:
        if self.dns_server is not None:
            await self.dns_server.stop()
        if self._chain is not None and self._chain.upstream_group is not None:
            await self._chain.upstream_group.aclose()

    def _profile_for(self, client_ip: str) -> str | None:
        """The same decision as the chain's first link, so the server's memo of final
        answers is kept per child."""
        from dns_filter.resolvers.client_profile import profile_for_client

        return profile_for_client(
            self._dns_policy.current(),
            client_ip,
            active_child=self.active_child,
            local_addresses=self._local_addresses(),
            mac_lookup=self._mac_lookup,
        )

    def _policy_changes_at(self, wall: float) -> float | None:
        """When a remembered answer may stop being right because of the clock: with no
        schedule in any profile, never (grants and edits clear the memo themselves)."""
        from dns_filter.server import next_minute

        policy = self._dns_policy.current()
        if any(profile.schedules for profile in policy.profiles.values()):
            return next_minute(wall)
        return None

    @staticmethod
    def _upstream_urls(family: FamilyPolicy) -> list[str]:
        urls = []
        for upstream in family.settings.upstreams:
            if upstream.bootstrap and "#" not in upstream.url:
                urls.append(f"{upstream.url}#bootstrap={','.join(upstream.bootstrap)}")
            else:
                urls.append(upstream.url)
        return urls

    def block_page_ipv4(self) -> str:
        listener = self.settings.block_page_listen or self.settings.http_listen
        host = self.settings.block_page_ipv4 or listener[0]
        return host if host not in ("0.0.0.0", "", "localhost") else "127.0.0.1"

    def _compile(self, family: FamilyPolicy) -> FilterPolicy:
        policy = compile_filter_policy(
            family,
            self._categories_view(),
            self.block_page_ipv4(),
            self.settings.block_page_ipv6,
        )
        return self._with_grants(policy)

    def _with_grants(self, policy: FilterPolicy) -> FilterPolicy:
        """Put the parents' temporary approvals in each child's `granted` names: unlike the
        allow list, they open the site even at bedtime (a `"*"` schedule)."""
        if self.access is None:
            return policy
        grants = self._active_grants(policy)
        self._compiled_grants = grants
        granted = dict(grants)
        profiles = {
            name: replace(profile, granted=granted[name]) if granted.get(name) else profile
            for name, profile in policy.profiles.items()
        }
        return replace(policy, profiles=MappingProxyType(profiles))

    def _active_grants(self, policy: FilterPolicy) -> tuple[tuple[str, tuple[str, ...]], ...]:
        now = datetime.now(UTC)
        return tuple(
            (name, tuple(self.access.active_grants(name, now))) for name in policy.profiles
        )

    def current_filter_policy(self) -> FilterPolicy | None:
        """The DNS filter's snapshot in force (None before the filter has started)."""
        return None if self._dns_policy is None else self._dns_policy.current()

    def local_addresses(self) -> frozenset[str]:
        return self._local_addresses()

    def loaded_categories(self) -> dict[str, DomainIndex]:
        return dict(self._categories)

    def _categories_view(self) -> MappingProxyType[str, DomainMatcher]:
        return MappingProxyType(dict(self._categories))

    def recompile(self) -> None:
        """Compile the policy in force again (new lists, new grants) and swap it in."""
        with self._compile_lock:
            if self._dns_policy is None:
                return
            self._dns_policy.swap(self._compile(self.policy_holder.policy))
            if self.dns_server is not None:
                self.dns_server.clear_memo()

    def _on_new_policy(self, family: FamilyPolicy) -> None:
        log.info("family.toml changed: the new policy is in force")
        self.loaded_at = datetime.now(UTC)
        self.active_child.set_policy(family)
        self._apply_retention(family)
        if dict(family.settings.lists) != self._list_sources:
            self._categories = self._load_lists(family)
        self.recompile()

    def _log_query(self, query: Query, result: Result, latency: float) -> None:
        self._log_queries(((query, result, latency),))

    def _log_queries(self, answers: Sequence[tuple[Query, Result, float]]) -> None:
        """The DNS server's batch query-log callback: one record per answer, one clock read
        and one hand-off to the writer per batch."""
        if self.query_log is None or not answers:
            return
        now = datetime.now(UTC)
        blocks = (AnswerType.BLOCKED, AnswerType.BYPASS)
        entries = []
        for query, result, latency in answers:
            # every block's category is counted: lists, services, CNAME cloaking, bypass
            category = (result.reason.category or None) if result.answer_type in blocks else None
            entries.append(
                QueryLogEntry(
                    time=now,
                    client=query.client_ip,
                    name=query.name,
                    qtype=_qtype_name(query.qtype),
                    decision=str(result.answer_type),
                    reason=result.reason.to_json(),
                    child=result.profile or query.profile,
                    category=category,
                    latency_ms=round(latency * 1000, 3),
                )
            )
        self.query_log.log_many(entries)

    def dns_listening(self) -> list[str]:
        if self.dns_server is None:
            return []
        found = []
        for bound in self.dns_server.addresses:
            host = f"[{bound.host}]" if ":" in bound.host else bound.host
            found.append(f"{bound.transport}://{host}:{bound.port}")
        return found

    # ------------------------------------------------------------------ lists

    def _load_lists(self, family: FamilyPolicy) -> dict[str, DomainIndex]:
        from agent.lists_service import load_list_matchers

        self._list_sources = dict(family.settings.lists)
        loaded = load_list_matchers(family.settings.lists, self.settings.data_dir)
        log.info(
            "blocklists loaded: %s",
            ", ".join(f"{name} {len(index)}" for name, index in sorted(loaded.items())),
        )
        return loaded

    def refresh_lists(self) -> None:
        """Download the list sources (last good copies kept on failure), then reload."""
        from agent.lists_service import (
            JsonListStateStore,
            StoreMirror,
            lists_dir_for,
            refresh_lists,
        )

        family = self.policy_holder.policy
        states = StoreMirror(
            JsonListStateStore(lists_dir_for(self.settings.data_dir) / "state.json"), self.store
        )
        outcomes = refresh_lists(family.settings.lists, self.settings.data_dir, state_store=states)
        from dns_filter.lists.refresh import RefreshStatus

        if any(outcome.status == RefreshStatus.UPDATED for outcome in outcomes):
            self._categories = self._load_lists(family)
            self.recompile()

    # ------------------------------------------------------------------ HTTP

    def _start_http(self) -> None:
        from agent.api.app import create_server
        from agent.auth import Authenticator
        from agent.secrets import open_secret_store
        from agent.services import RuntimeServices

        secrets = open_secret_store(self.settings.data_dir)
        self.authenticator = Authenticator.create(secrets)
        services = RuntimeServices(self)
        host, port = self.settings.http_listen
        self.http_server = create_server(services, self.authenticator, host=host, port=port)
        self._register_child_pages(services)
        self.http_server.start()
        self._connect_tray(secrets)
        if self.settings.block_page_listen is not None:
            self._start_block_page_listener(*self.settings.block_page_listen)

    def _connect_tray(self, secrets: Any) -> None:
        """The tray's endpoints, and its token handed to each child's OS account."""
        from agent.api.tray_endpoints import connect_tray

        self.tray = connect_tray(
            self,
            secrets,
            data_dir=self.settings.data_dir,
            local_addresses=self._local_addresses,
            extra_os_users=self.settings.extra_tray_users,
        )

    def _start_block_page_listener(self, host: str, port: int) -> None:
        from agent.api.server import HttpServer

        listener = HttpServer(self.http_server.router, self.authenticator, host=host, port=port)
        try:
            listener.start()
        except OSError as error:
            # DNS filtering still works; only plain-HTTP visits miss the friendly page.
            log.error(
                "cannot serve the block page on %s:%s (%s); blocked sites will show "
                "a connection error instead of the page",
                host,
                port,
                error.strerror,
            )
            return
        self.block_page_server = listener

    def _register_child_pages(self, services: Any) -> None:
        """The block page, the help page and the request endpoints, when built."""
        import importlib

        try:
            access = importlib.import_module("agent.access")
            pages = importlib.import_module("agent.pages")
        except ImportError:
            return
        register = getattr(pages, "register_pages", None)
        if register is None:
            return
        self.access = access.build_for_agent(self)
        register(self.http_server.router, self.access)

    def http_url(self) -> str:
        if self.http_server is None:
            return ""
        host, port = self.http_server.address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    # ------------------------------------------------------------------ scheduler

    def _start_scheduler(self) -> None:
        from agent.scheduler import Scheduler, add_agent_jobs

        family = self.policy_holder.policy
        scheduler = Scheduler(timezone=family.settings.timezone)
        assert self.store is not None
        store = self.store
        add_agent_jobs(
            scheduler,
            retention=lambda: store.prune(),
            daily_rollover=self._daily_rollover,
            list_refresh=self.refresh_lists,
            list_refresh_hours=self.settings.list_refresh_hours,
        )
        scheduler.add_interval_job(
            "policy-reload",
            self.policy_holder.check_for_changes,
            seconds=self.settings.policy_poll_seconds,
        )
        scheduler.add_interval_job(
            "active-session",
            self.active_child.refresh,
            seconds=self.settings.session_poll_seconds,
        )
        scheduler.add_interval_job("grants", self._expire_grants, minutes=1)
        scheduler.start()
        self.scheduler = scheduler
        if self.settings.refresh_lists_at_start:
            threading.Thread(
                target=self._refresh_lists_quietly, name="baoan-lists", daemon=True
            ).start()

    def _refresh_lists_quietly(self) -> None:
        try:
            self.refresh_lists()
        except Exception:
            log.exception("the blocklist refresh failed; the last good lists stay in force")

    def _expire_grants(self) -> None:
        """Recompile only when a grant has ended (or begun): a swap clears the DNS memo."""
        if self.access is None or self._dns_policy is None:
            return
        if self._active_grants(self._dns_policy.current()) != self._compiled_grants:
            self.recompile()

    def _daily_rollover(self) -> None:
        log.info("a new day begins in the family's time zone")
        if self.store is not None:
            self.store.add_event("day-rollover", "a new day began")

    def _apply_retention(self, family: FamilyPolicy) -> None:
        if self.store is None:
            return
        days = family.settings.query_log_retention_days
        self.store.set_retention(replace(RetentionPolicy(), query_log_days=days))


def _qtype_name(qtype: int) -> str:
    from dnslib import QTYPE

    try:
        return str(QTYPE[qtype])
    except Exception:
        return str(qtype)


def describe_addresses(addresses: Sequence[str]) -> str:
    return ", ".join(addresses) if addresses else "nothing"
