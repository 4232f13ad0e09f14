"""The blocklists the DNS filter matches against: loaded from the last good copies (and
the starter lists), reloaded when family.toml names other sources, refreshed on demand."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

from agent.lists_service import (
    JsonListStateStore,
    StoreMirror,
    lists_dir_for,
    load_list_matchers,
    refresh_lists,
)
from agent.policy import FamilyPolicy
from agent.store import Store
from dns_filter.http_client import HttpClient
from dns_filter.lists import DomainIndex, ListSource, RefreshOutcome
from dns_filter.lists.refresh import RefreshStatus
from dns_filter.policy import DomainMatcher

log = logging.getLogger(__name__)


class CategoryLists:
    """Category -> loaded matcher, and the sources they were built from (thread-safe)."""

    def __init__(
        self, data_dir: Path, store: Store, session: HttpClient | None = None
    ) -> None:
        # The store mirrors each source's state (its ``list_state`` table).
        self._data_dir = data_dir
        self._store = store
        self._session = session  # None: each refresh opens a client of its own
        self._categories: Mapping[str, DomainIndex] = MappingProxyType({})
        self._sources: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def load(self, family: FamilyPolicy) -> None:
        """Load the family's sources from the copies on disk; never downloads."""
        sources = dict(family.settings.lists)
        loaded = load_list_matchers(family.settings.lists, self._data_dir)
        with self._lock:
            self._categories = MappingProxyType(loaded)
            self._sources = sources
        log.info(
            "blocklists loaded: %s",
            ", ".join(f"{name} {len(index)}" for name, index in sorted(loaded.items())),
        )

    def reload_if_changed(self, family: FamilyPolicy) -> bool:
        """Load again when family.toml names other sources; True when it did."""
        if dict(family.settings.lists) == self._sources:
            return False
        self.load(family)
        return True

    def refresh(
        self,
        family: FamilyPolicy,
        *,
        on_start: Callable[[ListSource], None] | None = None,
        on_outcome: Callable[[RefreshOutcome], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> bool:
        """Download the sources (last good copies kept on failure); reload and return True
        when any of them changed. The callbacks follow each source (for a progress bar);
        `should_stop` ends it between two sources."""
        states = StoreMirror(
            JsonListStateStore(lists_dir_for(self._data_dir) / "state.json"), self._store.lists
        )
        outcomes = refresh_lists(
            family.settings.lists,
            self._data_dir,
            state_store=states,
            session=self._session,
            on_start=on_start,
            on_outcome=on_outcome,
            should_stop=should_stop,
        )
        if any(outcome.status == RefreshStatus.UPDATED for outcome in outcomes):
            self.load(family)
            return True
        return False

    def matchers(self) -> Mapping[str, DomainMatcher]:
        """The loaded matchers, for the compiler (a read-only snapshot)."""
        return MappingProxyType(dict(self._categories))

    def source_count(self, family: FamilyPolicy) -> int:
        """How many sources a refresh of `family`'s lists fetches."""
        return sum(len(locations) for locations in family.settings.lists.values())

    def categories(self) -> tuple[str, ...]:
        """The names of the loaded categories."""
        return tuple(self._categories)
