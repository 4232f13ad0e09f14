"""A family policy kept in step between PCs by a sync tool (Syncthing): a conflict copy
(`family.sync-conflict-<date>-<time>-<device>.toml`) is never read as the policy — the
agent reads family.toml only, and a half-synced family.toml fails its check line — but
it means two PCs changed the rules at once, so the parents are told once per copy."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from agent.access import ALERTS_CHANNEL
from agent.store import Store

log = logging.getLogger(__name__)

EVENT_SYNC_CONFLICT = "policy-sync-conflict"
_SEEN_KEY = "policy_sync_conflicts_seen"


def conflict_copies(config_path: Path) -> list[Path]:
    """Syncthing's conflict copies of `config_path` beside it."""
    pattern = f"{config_path.stem}.sync-conflict-*{config_path.suffix}"
    return sorted(config_path.parent.glob(pattern))


class SyncConflictWatch:
    """A scheduler job: one event and one alert for each conflict copy not seen before."""

    def __init__(
        self,
        config_path: Path,
        store: Store,
        now: Callable[[], datetime],
        pc: str | Callable[[], str],
    ) -> None:
        self._config_path = config_path
        self._store = store
        self._now = now
        self._pc = pc

    def __call__(self) -> list[Path]:
        seen_value = self._store.kv.get(_SEEN_KEY, [])
        seen = set(seen_value) if isinstance(seen_value, list) else set()
        fresh = [path for path in conflict_copies(self._config_path) if path.name not in seen]
        pc = self._pc() if callable(self._pc) else self._pc
        for path in fresh:
            event = self._store.events.add(
                EVENT_SYNC_CONFLICT,
                f"{path.name}: two PCs changed the family policy at once; "
                f"{self._config_path.name} stays in force until a parent merges the copy",
                severity="alert",
                data={"file": path.name},
                at=self._now(),
            )
            self._store.outbox.enqueue(
                ALERTS_CHANNEL,
                {
                    "kind": EVENT_SYNC_CONFLICT,
                    "severity": "alert",
                    "title": "Hai máy cùng sửa cài đặt của gia đình",
                    "title_en": "Two PCs changed the family policy at once",
                    "message": (
                        f"Bảo An trên máy {pc} vẫn dùng {self._config_path.name}; bản "
                        f"{path.name} chưa được áp dụng. Hãy xem và gộp lại hai bản."
                    ),
                    "message_en": (
                        f"Bảo An on {pc} keeps {self._config_path.name}; {path.name} "
                        "is not applied. Please look at both and merge them."
                    ),
                    "event_id": event.id,
                },
                event_id=event.id,
                now=self._now(),
            )
            log.warning("a sync conflict copy of the family policy: %s", path)
        if fresh:
            self._store.kv.set(_SEEN_KEY, sorted(seen | {path.name for path in fresh}))
        return fresh
