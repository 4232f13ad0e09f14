"""The running agent seen through the API's :class:`agent.api.services.AgentServices`.

Built by the composition root (:mod:`agent.runtime`) from the narrow parts it reads: the
family policy holder, the store, the DNS filter's status and the loaded lists. Each method
reads a snapshot (the policy in force, the store through its per-thread connection), so
HTTP worker threads can call them at any time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from agent.alert_receivers import help_alerts_unheard
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
from agent.policy import FamilyPolicy
from agent.policy.compile import resolve_child
from agent.store import Store
from dns_filter.clock import Clock
from dns_filter.lists import load_starter


class FamilyPolicyView(Protocol):
    """The family policy in force, its file and the newest edit's error
    (``agent.policy.holder.PolicyHolder``)."""

    path: Path

    @property
    def policy(self) -> FamilyPolicy: ...

    @property
    def last_error(self) -> Exception | None: ...


class DnsStatus(Protocol):
    def listening(self) -> list[str]: ...

    def rate_limited(self) -> int: ...


class LoadedLists(Protocol):
    def categories(self) -> tuple[str, ...]: ...


class UsageTodaySource(Protocol):
    """Today's counted screen time (``agent.usage.service.UsageService``)."""

    def today(self) -> UsageToday: ...


class RuntimeServices:
    def __init__(
        self,
        *,
        family: FamilyPolicyView,
        loaded_at: Callable[[], datetime | None],
        store: Store,
        dns: DnsStatus,
        lists: LoadedLists,
        clock: Clock,
        usage: UsageTodaySource | None = None,
        log_shed: Callable[[], int] = lambda: 0,
    ) -> None:
        self._clock = clock
        self._log_shed = log_shed
        self._usage = usage
        self._family = family
        self._loaded_at = loaded_at
        self._store = store
        self._dns = dns
        self._lists = lists

    def dns_listening(self) -> Sequence[str]:
        return self._dns.listening()

    def dns_counters(self) -> DnsCounters:
        return DnsCounters(log_shed=self._log_shed(), rate_limited=self._dns.rate_limited())

    def policy_state(self) -> PolicyState:
        error = self._family.last_error
        return PolicyState(
            source=str(self._family.path),
            loaded_at=self._loaded_at(),
            error=str(error) if error is not None else None,
            help_alerts_unheard=help_alerts_unheard(self._family.policy),
        )

    def language(self) -> str:
        return str(self._family.policy.settings.language)

    def timezone(self) -> str:
        return str(self._family.policy.settings.timezone)

    def lists(self) -> Sequence[ListInfo]:
        states = {(state.category, state.source): state for state in self._store.lists.all()}
        family = self._family.policy
        found: list[ListInfo] = []
        for category, sources in family.settings.lists.items():
            for source in sources:
                state = states.get((category, source))
                found.append(
                    ListInfo(
                        category=category,
                        source=source,
                        count=state.count if state else 0,
                        updated_at=state.updated_at if state else None,
                        bad_lines=state.bad_lines if state else 0,
                        error=state.error if state else None,
                    )
                )
        # The hand-written starter lists ship with the program and always count.
        for category in sorted(self._lists.categories()):
            starter = load_starter(category)
            if starter is not None and starter.names:
                found.append(ListInfo(category=category, source="starter",
                                      count=len(starter.names)))
        return found

    def children(self) -> Sequence[ChildProfile]:
        family = self._family.policy
        profiles = []
        for child in family.children:
            resolved = resolve_child(child)
            profiles.append(
                ChildProfile(
                    name=child.name,
                    age=resolved.age,
                    preset=resolved.preset.preset_id,
                    os_users=child.os_users,
                )
            )
        return profiles

    def usage_today(self) -> UsageToday:
        if self._usage is not None:
            return self._usage.today()
        timezone = self._family.policy.settings.timezone
        today = self._clock.now().astimezone(ZoneInfo(timezone)).date()
        minutes = self._store.usage.minutes_by_child(today, timezone)
        return UsageToday(date=today, minutes=minutes)

    def query_log(self, child: str | None, limit: int) -> Sequence[QueryLogEntry]:
        return [
            QueryLogEntry(
                time=row.time,
                child=row.child,
                name=row.name,
                qtype=row.qtype,
                decision=row.decision,
                reason=ReasonInfo.from_stored(row.reason),
                category=row.category,
                client=row.client,
                latency_ms=row.latency_ms,
                count=row.count,
            )
            for row in self._store.query_log.recent(child=child, limit=limit)
        ]

    def stats(self, child: str | None) -> Stats:
        found = self._store.query_log.stats(child=child)
        return Stats(
            top_blocked=tuple(found.top_blocked),
            top_allowed=tuple(found.top_allowed),
            by_category=dict(found.by_category),
        )
