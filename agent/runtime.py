"""The agent's composition root: every service built once, with typed arguments, each
consumer handed the narrow part it needs, and all of it run until stopped.

The DNS filter (:mod:`agent.dns_service`) serves on one asyncio loop in its own thread;
the HTTP listener runs on another loop in a thread of its own, its handlers in a small
thread pool; the scheduler runs the periodic jobs (policy reload, retention, roll-over,
list refresh, active-session lookup) and the one-off job that ends the next grant on
time. The agent is the only writer of the store. Policy
(family.toml) and running state (SQLite) are kept apart.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from agent import platform
from agent.access import AccessService
from agent.active_child import ActiveChildTracker
from agent.alert_delivery import AlertRouting, DeadManPublisher, build_delivery, pc_name
from agent.api.app import create_server
from agent.api.caregiver_endpoints import register_caregiver_endpoints
from agent.api.caregiver_settings_endpoints import register_caregiver_settings_endpoints
from agent.api.family_endpoints import FamilyEndpointServices, register_family_endpoints
from agent.api.overview_routes import register_overview_routes
from agent.api.policy_endpoints import PolicyEndpointServices, register_policy_endpoints
from agent.api.requests_endpoints import register_request_endpoints
from agent.api.server import HttpServer
from agent.api.settings_endpoints import SettingsEndpointServices, register_settings_endpoints
from agent.api.tray_routes import register_tray_routes
from agent.api.types import OsAccountInfo
from agent.api.usage_routes import register_usage_routes
from agent.auth import Authenticator
from agent.caregiver_editor import CaregiverEditor
from agent.caregiver_status import CaregiverStatus
from agent.category_lists import CategoryLists
from agent.child_alerts import (
    ADULT_FLUSH_SECONDS,
    AdultAttempts,
    LimitReachedAlerts,
)
from agent.child_data import ChildData
from agent.dns_query_log import DnsQueryLog
from agent.dns_service import BlockPageAddresses, DnsService
from agent.family_editor import FamilyEditor
from agent.grant_expiry import GrantExpiry
from agent.list_update import ListUpdates
from agent.overview import OverviewService
from agent.pages import CsrfSigner, PageServices, register_pages
from agent.phone_approvals import PhoneApprovals
from agent.pin_setup import SetupCodes, setup_code_path
from agent.policy import FamilyPolicy
from agent.policy.holder import PolicyHolder
from agent.policy_alerts import PolicyAlerts, PolicyRefusedAlerts
from agent.policy_editor import PolicyEditor, catalogue_info, site_checker
from agent.private_files import secure_data_dir
from agent.protection import DnsFinding, resolv_conf_check
from agent.protection_pause import ProtectionPause
from agent.recovery_codes import RecoveryCodes
from agent.scheduler import Scheduler, add_agent_jobs
from agent.secrets import SecretStore, open_secret_store
from agent.services import RuntimeServices
from agent.store import QueryLogWriter, RetentionPolicy, Store
from agent.sync_conflicts import SyncConflictWatch
from agent.system import SystemIntegration, for_os
from agent.system.runner import SubprocessRunner
from agent.system_watch import JOB_SYSTEM_WATCH, WATCH_EVERY_SECONDS, SystemWatch
from agent.tray.handover import remove_empty_token_dir, token_dir_for
from agent.tray.service import TrayService
from agent.tray.wiring import connect_tray
from agent.usage.more_time import MoreTime
from agent.usage.service import UsageService, recent_dns_names
from agent.usage.tamper import AccountWatch, TamperAlerts
from agent.usage.wiring import add_usage_jobs
from dns_filter.clock import Clock, SystemClock
from dns_filter.http_client import HttpClient
from dns_filter.policy import FilterPolicy
from dns_filter.resolvers import FilterPolicySlot
from dns_filter.resolvers.client_profile import (
    ChildResolver,
    LinuxArpTable,
    MacLookup,
    SystemAddresses,
)
from dns_filter.server import DnsServer
from sync.deadman import PUBLISH_EVERY_MINUTES
from sync.delivery import DeliveryService

log = logging.getLogger(__name__)

DEFAULT_DNS_PORT = 53
DEFAULT_HTTP_PORT = 8053
# How long a stop waits for a scheduled job still running before it closes the store.
JOBS_STOP_SECONDS = 30.0
DATABASE_NAME = "baoan.sqlite3"
LAST_GOOD_POLICY_NAME = "family.last-good.toml"  # in the data folder: the agent's own copy


@dataclass(frozen=True)
class AgentSettings:
    """Where the agent reads and listens; everything else comes from family.toml."""

    config_path: Path
    data_dir: Path
    # This PC's own settings (agent.policy.this_pc); None: this-pc.toml beside config_path.
    local_config_path: Path | None = None
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
    # How often the outbox is checked for retries (a new alert wakes delivery at once).
    delivery_poll_seconds: float = 30.0
    # How long one minute of a parent's pause of protection lasts (tests shorten it).
    pause_minute_seconds: float = 60.0
    # The tamper watch (agent.system_watch): the installed service only, never a try-out
    # or a test's agent, since it rewrites the PC's DNS and browser policies.
    watch_system: bool = False


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


class Agent:
    """Start with `start()` (returns once DNS and HTTP are listening), stop with `stop()`."""

    def __init__(
        self,
        settings: AgentSettings,
        *,
        session_user: Callable[[], str | None] | None = None,
        os_accounts: Callable[[], frozenset[str] | None] | None = None,
        local_addresses: Callable[[], frozenset[str]] | None = None,
        mac_lookup: MacLookup | None = None,
        clock: Clock | None = None,
        system: SystemIntegration | None = None,
    ) -> None:
        self.settings = settings
        # The PC's own settings for the tamper watch; built at start when not given.
        self._system = system
        self.clock: Clock = clock or SystemClock()
        self.policy_holder = PolicyHolder(
            settings.config_path,
            last_good_path=settings.data_dir / LAST_GOOD_POLICY_NAME,
            local_path=settings.local_config_path,
        )
        self.active_child = ActiveChildTracker(
            session_user or platform.current().active_session_user
        )
        # The PC's people's accounts: a new one is a tamper alert (agent/usage/tamper.py),
        # and the parent picks a child's from them (GET /api/os-accounts).
        self._os_accounts = os_accounts or platform.current().os_accounts
        # The compiled snapshot the DNS filter reads, and the one answer to "which child
        # is this address?" for the chain, the server's memo and the child's pages. Both
        # lookups below are read per query, so both cache what they read.
        self.filter_policy = FilterPolicySlot()
        self._local_addresses: Callable[[], frozenset[str]] = (
            local_addresses or SystemAddresses()
        )
        if mac_lookup is None and sys.platform.startswith("linux"):
            mac_lookup = LinuxArpTable()
        self.child_resolver = ChildResolver(
            self.filter_policy,
            self.active_child,
            local_addresses=self._local_addresses,
            mac_lookup=mac_lookup,
        )
        self._stopped = threading.Event()
        self.loaded_at: datetime | None = None
        # Built by start(), in this order; stop() undoes them in reverse.
        self.http: HttpClient | None = None  # every outgoing call: lists, ntfy
        self.store: Store | None = None
        self.query_log: QueryLogWriter | None = None
        self.lists: CategoryLists | None = None
        self.scheduler: Scheduler | None = None
        self.access: AccessService | None = None
        self.dns: DnsService | None = None
        self.authenticator: Authenticator | None = None
        self.http_server: HttpServer | None = None
        self.tray: TrayService | None = None
        self.usage: UsageService | None = None
        self.more_time: MoreTime | None = None
        self.tamper: TamperAlerts | None = None
        self.account_watch: AccountWatch | None = None
        # This agent's own tray token folder (named from the data folder), once handed over.
        self.tray_token_dir: Path | None = None
        self.block_page_server: HttpServer | None = None
        self.delivery: DeliveryService | None = None
        self.approvals: PhoneApprovals | None = None
        self.dead_man: DeadManPublisher | None = None
        self.pause: ProtectionPause | None = None
        self.list_updates: ListUpdates | None = None
        self.adult_attempts: AdultAttempts | None = None

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
        # Before anything is read or written there: the folder and its files are private.
        secure_data_dir(settings.data_dir)
        http = self.http = HttpClient()
        # The store first: a file found at start that protects less than the last good
        # copy is an event and an alert like any other such change.
        store = self.store = Store(settings.data_dir / DATABASE_NAME)
        self.policy_holder.on_loosened(PolicyAlerts(store, self.clock.now))
        self.policy_holder.on_refused(
            PolicyRefusedAlerts(
                store,
                lambda: self.policy_holder.policy,
                self.clock.now,
                lambda: pc_name(self.policy_holder.policy),
            )
        )
        family = self.policy_holder.load()
        self.loaded_at = self.clock.now()
        if self.policy_holder.last_error is not None:
            log.error(
                "family.toml is not applied, running on the last good copy: %s",
                self.policy_holder.last_error,
            )
        self._apply_retention(family)
        adult = self.adult_attempts = AdultAttempts(
            store, lambda: self.policy_holder.policy, self.clock.now
        )
        query_log = self.query_log = QueryLogWriter(store.query_log, watchers=[adult.note])
        query_log.start()
        self.active_child.set_policy(family)
        lists = self.lists = CategoryLists(settings.data_dir, store, http)
        lists.load(family)
        self.more_time = MoreTime(
            store.requests, store.events, store.outbox, lambda: self.policy_holder.policy,
            self.clock.now,
        )
        self.tamper = TamperAlerts(
            store.events, store.outbox, lambda: self.policy_holder.policy, self.clock.now
        )
        usage = self.usage = UsageService(
            kv=store.kv,
            intervals=store.usage,
            events=store.events,
            family=lambda: self.policy_holder.policy,
            clock=self.clock,
            approved_minutes=self.more_time.approved_minutes,
            recent_names=lambda child: recent_dns_names(store.query_log, child, self.clock.now()),
            on_spent_changed=self.recompile,
            tamper=self.tamper,
            on_limit_reached=LimitReachedAlerts(
                store, lambda: self.policy_holder.policy, self.clock.now
            ),
        )
        usage.start()
        # Built now, started last: the DNS service arms the grant-expiry job at its first
        # compile, and the scheduler keeps it until it runs.
        scheduler = self.scheduler = Scheduler(clock=self.clock, timezone=family.settings.timezone)
        pause = self.pause = ProtectionPause(
            store.kv, store.events, store.outbox, lambda: self.policy_holder.policy,
            self.clock.now,
            minute=timedelta(seconds=settings.pause_minute_seconds),
        )
        pause.on_change(self.recompile)
        access = self.access = AccessService(
            store, lambda: self.policy_holder.policy, self.clock, self._grants_changed
        )
        dns = self.dns = DnsService(
            listen=settings.dns_listen,
            block_page=BlockPageAddresses(self.block_page_ipv4(), settings.block_page_ipv6),
            family=self.policy_holder,
            lists=lists,
            filter_policy=self.filter_policy,
            child_resolver=self.child_resolver,
            active_child=self.active_child,
            grants=access,
            grant_expiry=GrantExpiry(scheduler),
            query_log=DnsQueryLog(query_log, self.clock),
            clock=self.clock,
            spent_services=usage.spent_services,
            paused_until=pause.paused_until,
        )
        dns.start()
        self._start_http(store, access, dns, lists, http)
        # Alerts already waiting (a restart after a crash or days offline) go out first.
        secrets = open_secret_store(settings.data_dir)
        approvals = self.approvals = PhoneApprovals(
            store, access, secrets, self.clock.now, session=http
        )
        delivery = self.delivery = build_delivery(
            store,
            lambda: self.policy_holder.policy,
            secrets,
            self.clock.now,
            interval=settings.delivery_poll_seconds,
            buttons=approvals.buttons,
            pc=lambda: pc_name(self.policy_holder.policy),
            session=http,
        )
        delivery.start()
        approvals.follow(family)
        self.policy_holder.subscribe(self._on_new_policy)
        self._start_scheduler(scheduler, store, http)
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
        if self.approvals is not None:
            self.approvals.stop()
        if self.delivery is not None:
            self.delivery.stop()
        if self.block_page_server is not None:
            self.block_page_server.stop()
        if self.http_server is not None:
            self.http_server.stop()
        if self.tray_token_dir is not None:
            remove_empty_token_dir(self.tray_token_dir)
        if self.dns is not None:
            self.dns.stop()
        if self.http is not None:
            self.http.close()  # a job's call still in flight ends now, with an error
        jobs_done = self.scheduler is None or self.scheduler.wait_until_idle(JOBS_STOP_SECONDS)
        if self.query_log is not None:
            self.query_log.close()
        if self.usage is not None:
            self.usage.stop()  # saved on stop: a restart neither loses nor counts twice
        if self.store is not None and jobs_done:
            self.store.close()
        elif self.store is not None:
            # closing a SQLite connection under a thread that uses it can crash the process
            log.warning("a scheduled job still runs after %.0f s: the store is left open",
                        JOBS_STOP_SECONDS)
        log.info("Bảo An agent stopped")

    def wait(self, timeout: float | None = None) -> bool:
        return self._stopped.wait(timeout)

    # ------------------------------------------------------------------ HTTP

    def _start_http(
        self,
        store: Store,
        access: AccessService,
        dns: DnsService,
        lists: CategoryLists,
        http: HttpClient,
    ) -> None:
        """The API's routes, the child's pages and the tray's routes on one listener; each
        package registers its own."""
        settings = self.settings
        secrets = open_secret_store(settings.data_dir)
        setup_codes = SetupCodes(setup_code_path(settings.data_dir), secrets, clock=self.clock)
        authenticator = self.authenticator = Authenticator.create(
            secrets,
            clock=self.clock,
            setup_codes=setup_codes,
            recovery_codes=RecoveryCodes(secrets, clock=self.clock),
        )
        if not authenticator.pins.is_set():
            # A fresh code each start: the PIN is set with it (or with `baoan pin set`).
            setup_codes.issue()
            log.warning(
                "no parent PIN is set: set one with `baoan pin set`, or in the dashboard "
                "with the set-up code in %s",
                setup_codes.path,
            )
        services = RuntimeServices(
            family=self.policy_holder,
            loaded_at=lambda: self.loaded_at,
            store=store,
            dns=dns,
            lists=lists,
            clock=self.clock,
            usage=self.usage,
            log_shed=lambda: dns.log_backlog_dropped()
            + (0 if self.query_log is None else self.query_log.dropped),
        )
        host, port = settings.http_listen
        server = self.http_server = create_server(services, authenticator, host=host, port=port)
        register_request_endpoints(server.router, access)
        register_caregiver_endpoints(
            server.router,
            CaregiverStatus(
                lambda: self.policy_holder.policy,
                store,
                secrets,
                AlertRouting(lambda: self.policy_holder.policy, secrets, http),
            ),
        )
        editor = PolicyEditor(
            settings.config_path,
            self.policy_holder,
            store.events,
            self.clock.now,
            local_path=self.policy_holder.local_path,
        )
        register_policy_endpoints(
            server.router,
            PolicyEndpointServices(
                editor=editor,
                check_site=site_checker(dns.current_filter_policy, self.clock.now),
                catalogue=catalogue_info(),
            ),
        )
        register_family_endpoints(
            server.router,
            FamilyEndpointServices(
                family=FamilyEditor(editor, self.policy_holder, self.clock.now),
                accounts=lambda: account_infos(self._os_accounts()),
            ),
        )
        register_caregiver_settings_endpoints(
            server.router, CaregiverEditor(editor, self.policy_holder, secrets)
        )
        assert self.pause is not None
        self.list_updates = ListUpdates(
            lists, lambda: self.policy_holder.policy, self.recompile, self.clock.now
        )
        register_settings_endpoints(
            server.router,
            SettingsEndpointServices(
                pause=self.pause,
                list_updates=self.list_updates,
                child_data=ChildData(store, self.clock.now),
            ),
        )
        register_overview_routes(
            server.router,
            OverviewService(
                family=lambda: self.policy_holder.policy,
                store=store,
                clock=self.clock,
                lists=services.lists,
                dns_check=self._dns_check(dns),
                usage=self.usage,
            ),
        )
        register_pages(
            server.router,
            PageServices(
                access=access,
                filter_policy=dns.current_filter_policy,
                child_for_address=self.child_resolver,
                csrf=CsrfSigner(self.clock),
            ),
        )
        server.start()
        # After start: the token files name the listener's address.
        self.tray = self._connect_tray(server, store, access, secrets)
        if settings.block_page_listen is not None:
            self._start_block_page_listener(server, authenticator, *settings.block_page_listen)

    def _connect_tray(
        self, server: HttpServer, store: Store, access: AccessService, secrets: SecretStore
    ) -> TrayService:
        """The tray's service and routes, and its token handed to each child's OS account."""
        self.tray_token_dir = token_dir_for(self.settings.data_dir)
        tray = connect_tray(
            query_log=store.query_log,
            family=self.policy_holder,
            access=access,
            secret_store=secrets,
            api_url=self.http_url,
            data_dir=self.settings.data_dir,
            token_dir=self.tray_token_dir,
            local_addresses=self._local_addresses,
            extra_os_users=self.settings.extra_tray_users,
            clock=self.clock,
        )
        register_tray_routes(server.router, tray)
        if self.usage is not None:
            register_usage_routes(
                server.router, self.usage, tray.identify, store.events, self.more_time
            )
        return tray

    def _start_block_page_listener(
        self, server: HttpServer, authenticator: Authenticator, host: str, port: int
    ) -> None:
        listener = HttpServer(server.router, authenticator, host=host, port=port)
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

    def http_url(self) -> str:
        if self.http_server is None:
            return ""
        host, port = self.http_server.address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    # ------------------------------------------------------------------ scheduler

    def _start_scheduler(self, scheduler: Scheduler, store: Store, http: HttpClient) -> None:
        add_agent_jobs(
            scheduler,
            retention=store.prune,
            daily_rollover=self._daily_rollover,
            list_refresh=self.refresh_lists,
            list_refresh_hours=self.settings.list_refresh_hours,
        )
        scheduler.add_interval_job(
            "policy-reload",
            self.policy_holder.check_for_changes,
            seconds=self.settings.policy_poll_seconds,
        )
        if self.usage is not None:
            if self.tamper is not None:
                self.account_watch = AccountWatch(
                    self._os_accounts, store.kv, self.tamper, self._children_accounts
                )
            add_usage_jobs(
                scheduler, self.usage, self.active_child, accounts=self.account_watch
            )
        scheduler.add_interval_job(
            "active-session",
            self.active_child.refresh,
            seconds=self.settings.session_poll_seconds,
        )
        scheduler.add_interval_job(
            "policy-sync-conflicts",
            SyncConflictWatch(
                self.settings.config_path,
                store,
                self.clock.now,
                lambda: pc_name(self.policy_holder.policy),
            ),
            minutes=1,
            first_run=self.clock.now() + timedelta(seconds=5),
        )
        if self.adult_attempts is not None:
            scheduler.add_interval_job(
                "adult-attempts", self.adult_attempts.flush, seconds=ADULT_FLUSH_SECONDS
            )
        dead_man = self.dead_man = DeadManPublisher(
            lambda: self.policy_holder.policy,
            open_secret_store(self.settings.data_dir),
            store,
            session=http,
        )
        scheduler.add_interval_job(
            "dead-man-signal",
            dead_man,
            minutes=PUBLISH_EVERY_MINUTES,
            first_run=self.clock.now() + timedelta(seconds=5),  # soon after start
        )
        if self.settings.watch_system:
            self._add_system_watch(scheduler, store)
        scheduler.start()
        if self.settings.refresh_lists_at_start:
            threading.Thread(
                target=self._refresh_lists_quietly, name="baoan-lists", daemon=True
            ).start()

    def _port_53_addresses(self) -> tuple[str, ...]:
        # resolv.conf names no port: the system can only use the agent on port 53.
        return tuple(
            host for host, port in self.settings.dns_listen
            if port == DEFAULT_DNS_PORT and host not in ("0.0.0.0", "::")
        )

    def _dns_check(self, dns: DnsService) -> Callable[[], DnsFinding]:
        """Where the PC's DNS points, for the overview: the installed service asks its
        system integration (the tamper watch's own check); a try-out reads resolv.conf."""
        addresses = self._port_53_addresses()
        system = self._system
        if system is None and self.settings.watch_system and addresses:
            system = for_os(
                runner=SubprocessRunner(), root=Path("/"), data_dir=self.settings.data_dir
            )
        if system is None or not addresses:
            return resolv_conf_check(dns.listening)
        integration = system

        def check() -> DnsFinding:
            finding = integration.dns_points_at_agent(addresses)
            if finding.ok:
                return DnsFinding("ok", "asks_agent", addresses)
            return DnsFinding("off", "system_changed")

        return check

    def _children_accounts(self) -> frozenset[str]:
        return frozenset(
            user for child in self.policy_holder.policy.children for user in child.os_users
        )

    def _add_system_watch(self, scheduler: Scheduler, store: Store) -> None:
        addresses = self._port_53_addresses()
        if not addresses:
            log.warning("no tamper watch: the agent does not answer DNS on a port-53 address")
            return
        system = self._system or for_os(
            runner=SubprocessRunner(), root=Path("/"), data_dir=self.settings.data_dir
        )
        if system is None:
            log.warning("no tamper watch: Bảo An has no system integration for %s", sys.platform)
            return
        scheduler.add_interval_job(
            JOB_SYSTEM_WATCH,
            SystemWatch(
                system, store, lambda: self.policy_holder.policy, self.clock.now, addresses
            ),
            seconds=WATCH_EVERY_SECONDS,
            first_run=self.clock.now() + timedelta(seconds=10),
        )

    def _refresh_lists_quietly(self) -> None:
        try:
            self.refresh_lists()
        except Exception:
            log.exception("the blocklist refresh failed; the last good lists stay in force")

    def _daily_rollover(self) -> None:
        log.info("a new day begins in the family's time zone")
        if self.store is not None:
            self.store.events.add("day-rollover", "a new day began")
        self.recompile()  # yesterday's spent screen-time services are free again

    # ------------------------------------------------------------------ changes

    def recompile(self) -> None:
        """Compile the policy in force again (new lists, new grants) and swap it in."""
        if self.dns is not None:
            self.dns.recompile()

    def _grants_changed(self) -> None:
        # A parent allowed a site or took a grant back: the DNS policy follows at once.
        self.recompile()

    def _on_new_policy(self, family: FamilyPolicy) -> None:
        log.info("family.toml changed: the new policy is in force")
        self.loaded_at = self.clock.now()
        self.active_child.set_policy(family)
        self._apply_retention(family)
        if self.approvals is not None:
            self.approvals.follow(family)
        if self.lists is not None:
            self.lists.reload_if_changed(family)
        if self.dead_man is not None and self.scheduler is not None and self.dead_man.stale(family):
            # The PC renamed, a caregiver or topic gone: cancel its pending signal now,
            # not in ten minutes (off this thread: it is the server's round trip).
            self.scheduler.add_once_job("dead-man-now", self.dead_man, at=self.clock.now())
        self.recompile()

    def refresh_lists(self) -> None:
        """Download the list sources (last good copies kept on failure), then reload."""
        if self.lists is not None and self.lists.refresh(self.policy_holder.policy):
            self.recompile()

    def _apply_retention(self, family: FamilyPolicy) -> None:
        if self.store is None:
            return
        days = family.settings.query_log_retention_days
        self.store.database.set_retention(replace(RetentionPolicy(), query_log_days=days))

    # ------------------------------------------------------------------ status

    @property
    def dns_server(self) -> DnsServer | None:
        return None if self.dns is None else self.dns.server

    def dns_listening(self) -> list[str]:
        return [] if self.dns is None else self.dns.listening()

    def current_filter_policy(self) -> FilterPolicy | None:
        """The DNS filter's snapshot in force (None before the filter has started)."""
        return None if self.dns is None else self.dns.current_filter_policy()

    def local_addresses(self) -> frozenset[str]:
        return self._local_addresses()

    def block_page_ipv4(self) -> str:
        listener = self.settings.block_page_listen or self.settings.http_listen
        host = self.settings.block_page_ipv4 or listener[0]
        return host if host not in ("0.0.0.0", "", "localhost") else "127.0.0.1"


def account_infos(names: frozenset[str] | None) -> tuple[OsAccountInfo, ...]:
    """The PC's accounts for the API, by name (none when they cannot be read)."""
    return tuple(OsAccountInfo(name) for name in sorted(names or (), key=str.casefold))


def describe_addresses(addresses: Sequence[str]) -> str:
    return ", ".join(addresses) if addresses else "nothing"
