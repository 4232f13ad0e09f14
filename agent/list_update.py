"""A parent's "update now" for the list sources: one download at a time, in its own
thread, with its progress to read and a cancel.

The dashboard starts it (``POST /api/lists/update``), reads the progress while it runs
(``GET``) and may cancel it (``DELETE``): the refresh then stops before the next source;
the sources fetched so far are kept, every other keeps its last good copy. When any source
changed, the lists are loaded again and the DNS policy compiled with them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from agent.api.types import ListUpdateInfo
from agent.policy.model import FamilyPolicy
from dns_filter.lists import ListSource, RefreshOutcome
from dns_filter.lists.refresh import RefreshStatus

log = logging.getLogger(__name__)


class RefreshableLists(Protocol):
    """The part of :class:`agent.category_lists.CategoryLists` this needs."""

    def refresh(
        self,
        family: FamilyPolicy,
        *,
        on_start: Callable[[ListSource], None] | None = ...,
        on_outcome: Callable[[RefreshOutcome], None] | None = ...,
        should_stop: Callable[[], bool] | None = ...,
    ) -> bool: ...

    def source_count(self, family: FamilyPolicy) -> int: ...


class ListUpdates:
    """The one list update of an agent (thread-safe)."""

    def __init__(
        self,
        lists: RefreshableLists,
        family: Callable[[], FamilyPolicy],
        recompile: Callable[[], None],
        now: Callable[[], datetime],
    ) -> None:
        self._lists = lists
        self._family = family
        self._recompile = recompile
        self._now = now
        self._lock = threading.Lock()
        self._state = ListUpdateInfo()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def state(self) -> ListUpdateInfo:
        with self._lock:
            return self._state

    def start(self) -> ListUpdateInfo:
        """Start an update; one already running is left to run (its progress is answered)."""
        with self._lock:
            if self._state.running:
                return self._state
            family = self._family()
            self._cancel.clear()
            self._state = ListUpdateInfo(
                state="running", total=self._lists.source_count(family), started_at=self._now()
            )
            self._thread = threading.Thread(
                target=self._run, args=(family,), name="baoan-list-update", daemon=True
            )
            self._thread.start()
            return self._state

    def cancel(self) -> ListUpdateInfo:
        """Stop before the next source (the one being fetched finishes or times out)."""
        self._cancel.set()
        return self.state()

    def wait(self, timeout: float | None = None) -> bool:
        """For tests and the agent's stop: True when no update runs (any more)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _run(self, family: FamilyPolicy) -> None:
        changed = False
        try:
            changed = self._lists.refresh(
                family,
                on_start=self._on_start,
                on_outcome=self._on_outcome,
                should_stop=self._cancel.is_set,
            )
            if changed:
                self._recompile()
        except Exception:
            log.exception("the list update failed; the last good lists stay in force")
            self._finish("failed")
            return
        self._finish("cancelled" if self._cancel.is_set() else "done")

    def _on_start(self, source: ListSource) -> None:
        with self._lock:
            self._state = replace(self._state, current=f"{source.category}: {source.location}")

    def _on_outcome(self, outcome: RefreshOutcome) -> None:
        with self._lock:
            state = self._state
            self._state = replace(
                state,
                done=state.done + 1,
                updated=state.updated + (outcome.status == RefreshStatus.UPDATED),
                failed=state.failed + (outcome.status == RefreshStatus.FAILED),
            )

    def _finish(self, how: str) -> None:
        with self._lock:
            self._state = replace(self._state, state=how, current=None, finished_at=self._now())
        log.info("the list update ended: %s", how)
