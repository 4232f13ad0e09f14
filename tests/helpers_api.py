"""Helpers for the API, auth and status tests: a clock, services, a running agent API.

Not a test module of its own; the tests import from it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from agent.api.app import create_server
from agent.api.server import HttpLimits, HttpServer
from agent.api.types import (
    ChildProfile,
    DnsCounters,
    ListInfo,
    PolicyState,
    QueryLogEntry,
    ReasonInfo,
    Stats,
    UsageToday,
)
from agent.auth import PIN_SECRET_NAME, Authenticator, LockoutPolicy, ScryptParams
from agent.pin_setup import SetupCodes, setup_code_path
from agent.secrets import open_secret_store
from dns_filter.clock import ManualClock

# Cheap scrypt so that dozens of PIN checks stay quick; one test checks the real defaults.
FAST_SCRYPT = ScryptParams(n=2**8, r=8, p=1)
TEST_VERSION = "9.8.7"
TEST_LOCKOUT = LockoutPolicy(max_tries=5, base_seconds=30, max_seconds=3600)


CLOCK_START = datetime.fromtimestamp(1_750_000_000, tz=UTC)  # where test clocks start


@dataclass
class StaticServices:
    """AgentServices over plain data, as the runtime would give from its policy and store."""

    listening: tuple[str, ...] = ("udp://127.0.0.1:5353", "tcp://127.0.0.1:5353")
    policy: PolicyState = field(
        default_factory=lambda: PolicyState(
            source="/home/family/family.toml",
            loaded_at=datetime(2025, 6, 1, 8, 30, tzinfo=UTC),
        )
    )
    family_language: str = "vi"
    family_timezone: str = "Asia/Ho_Chi_Minh"
    list_infos: tuple[ListInfo, ...] = (
        ListInfo("adult", "hostsVN", 54321, datetime(2025, 6, 1, 8, 0, tzinfo=UTC)),
        ListInfo("gambling", "starter", 120, None, bad_lines=2),
    )
    profiles: tuple[ChildProfile, ...] = (
        ChildProfile("Minh", 9, "tieu-hoc", ("minh",)),
        ChildProfile("Lan", 13, "thcs", ("lan", "lan-school")),
    )
    usage: UsageToday = field(
        default_factory=lambda: UsageToday(date(2025, 6, 1), {"Minh": 42, "Lan": 95})
    )
    queries: tuple[QueryLogEntry, ...] = (
        QueryLogEntry(
            time=datetime(2025, 6, 1, 9, 0, 5, tzinfo=UTC),
            child="Minh",
            name="casino.example",
            qtype="A",
            decision="blocked",
            reason=ReasonInfo("category", category="gambling"),
            category="gambling",
            client="127.0.0.1",
            latency_ms=0.4,
            count=3,
        ),
        QueryLogEntry(
            time=datetime(2025, 6, 1, 9, 0, 1, tzinfo=UTC),
            child="Lan",
            name="vnexpress.net",
            qtype="AAAA",
            decision="resolved",
            latency_ms=12.5,
        ),
        QueryLogEntry(
            time=datetime(2025, 6, 1, 8, 59, 0, tzinfo=UTC),
            child="Minh",
            name="wikipedia.org",
            qtype="A",
            decision="cached",
        ),
    )
    calls: list[tuple[str, object]] = field(default_factory=list)

    def dns_listening(self) -> Sequence[str]:
        return self.listening

    def dns_counters(self) -> DnsCounters:
        return DnsCounters()

    def policy_state(self) -> PolicyState:
        return self.policy

    def language(self) -> str:
        return self.family_language

    def timezone(self) -> str:
        return self.family_timezone

    def lists(self) -> Sequence[ListInfo]:
        return self.list_infos

    def children(self) -> Sequence[ChildProfile]:
        return self.profiles

    def usage_today(self) -> UsageToday:
        return self.usage

    def query_log(self, child: str | None, limit: int) -> Sequence[QueryLogEntry]:
        self.calls.append(("query_log", (child, limit)))
        rows = [entry for entry in self.queries if child is None or entry.child == child]
        return sorted(rows, key=lambda entry: entry.time, reverse=True)[:limit]

    def stats(self, child: str | None) -> Stats:
        self.calls.append(("stats", child))
        rows = [entry for entry in self.queries if child is None or entry.child == child]
        blocked: dict[str, int] = {}
        allowed: dict[str, int] = {}
        by_category: dict[str, int] = {}
        for entry in rows:
            target = blocked if entry.decision == "blocked" else allowed
            target[entry.name] = target.get(entry.name, 0) + 1
            if entry.decision == "blocked" and entry.category:
                by_category[entry.category] = by_category.get(entry.category, 0) + 1
        return Stats(
            top_blocked=tuple(sorted(blocked.items(), key=lambda item: -item[1])),
            top_allowed=tuple(sorted(allowed.items(), key=lambda item: -item[1])),
            by_category=by_category,
        )


@dataclass
class RunningApi:
    server: HttpServer
    auth: Authenticator
    services: StaticServices
    clock: ManualClock

    @property
    def url(self) -> str:
        return self.server.base_url

    @property
    def port(self) -> int:
        return self.server.address[1]

    def setup_code(self) -> str:
        """The one-time set-up code, as the agent's user reads it from its data folder."""
        codes = self.auth.setup_codes
        assert isinstance(codes, SetupCodes)
        return codes.path.read_text(encoding="ascii").strip()


def make_authenticator(data_dir: Path, clock: ManualClock) -> Authenticator:
    """As the agent builds it: with the set-up code of `data_dir` (issued while no PIN is
    set, as at the agent's start)."""
    store = open_secret_store(data_dir)
    codes = SetupCodes(setup_code_path(data_dir), store, clock=clock, lockout=TEST_LOCKOUT)
    if store.get(PIN_SECRET_NAME) is None:
        codes.issue()
    return Authenticator.create(
        store,
        setup_codes=codes,
        clock=clock,
        scrypt=FAST_SCRYPT,
        lockout=LockoutPolicy(max_tries=5, base_seconds=30, max_seconds=3600),
        session_idle_seconds=600,
        session_max_age_seconds=3600,
    )


@contextmanager
def running_api(
    data_dir: Path,
    clock: ManualClock | None = None,
    services: StaticServices | None = None,
    allowed_hosts: Sequence[str] = (),
    limits: HttpLimits | None = None,
) -> Iterator[RunningApi]:
    """The real API server on a random loopback port, over a file secret store."""
    clock = clock or ManualClock(CLOCK_START)
    services = services or StaticServices()
    auth = make_authenticator(data_dir, clock)
    server = create_server(
        services,
        auth,
        host="127.0.0.1",
        port=0,
        allowed_hosts=allowed_hosts,
        version=TEST_VERSION,
        limits=limits,
    )
    server.start()
    try:
        yield RunningApi(server, auth, services, clock)
    finally:
        server.stop()
