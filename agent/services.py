"""The running agent seen through the API's :class:`agent.api.services.AgentServices`.

Each method reads a snapshot (the policy in force, the store through its per-thread
connection), so HTTP worker threads can call them at any time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from agent.api.types import (
    ChildProfile,
    ListInfo,
    PolicyState,
    QueryLogEntry,
    ReasonInfo,
    Stats,
    UsageToday,
)
from agent.policy.compile import resolve_child

if TYPE_CHECKING:
    from agent.runtime import Agent
    from agent.store import Store


class RuntimeServices:
    def __init__(self, agent: Agent) -> None:
        self._agent = agent

    def _store(self) -> Store:
        store = self._agent.store
        if store is None:
            raise RuntimeError("the store is not open")
        return store

    def dns_listening(self) -> Sequence[str]:
        return self._agent.dns_listening()

    def policy_state(self) -> PolicyState:
        holder = self._agent.policy_holder
        error = holder.last_error
        return PolicyState(
            source=str(holder.path),
            loaded_at=self._agent.loaded_at,
            error=str(error) if error is not None else None,
        )

    def language(self) -> str:
        return str(self._agent.policy_holder.policy.settings.language)

    def timezone(self) -> str:
        return str(self._agent.policy_holder.policy.settings.timezone)

    def lists(self) -> Sequence[ListInfo]:
        states = {(state.category, state.source): state for state in self._store().list_states()}
        family = self._agent.policy_holder.policy
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
        from dns_filter.lists import load_starter

        # The hand-written starter lists ship with the program and always count.
        for category in sorted(self._agent.loaded_categories()):
            starter = load_starter(category)
            if starter is not None and starter.names:
                found.append(ListInfo(category=category, source="starter",
                                      count=len(starter.names)))
        return found

    def children(self) -> Sequence[ChildProfile]:
        family = self._agent.policy_holder.policy
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
        timezone = self._agent.policy_holder.policy.settings.timezone
        today = datetime.now(ZoneInfo(timezone)).date()
        minutes = self._store().usage_minutes_by_child(today, timezone)
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
            )
            for row in self._store().query_log(child=child, limit=limit)
        ]

    def stats(self, child: str | None) -> Stats:
        found = self._store().stats(child=child)
        return Stats(
            top_blocked=tuple(found.top_blocked),
            top_allowed=tuple(found.top_allowed),
            by_category=dict(found.by_category),
        )
