"""The agent's side of the blocklists: `family.toml` list sources -> refreshed copies,
their recorded state, and the loaded matchers for `FilterPolicy.categories`.

Copies and their state live under `<data dir>/lists/`. The state is kept in
`lists/state.json` (so the command line works without the agent) and, when the agent
passes its store, mirrored into the store's `list_state` table.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from agent.private_files import PRIVATE_FILE_MODE, make_private_dir
from agent.store.list_state import ListStates
from agent.store.models import ListState
from dns_filter.clock import Clock
from dns_filter.fileio import atomic_write_bytes
from dns_filter.http_client import HttpClient
from dns_filter.lists import (
    DEFAULT_SOURCES,
    BadLine,
    DomainIndex,
    FetchSettings,
    ListSource,
    LoadedCategory,
    RefreshOutcome,
    SourceState,
    load_categories,
    refresh_source,
)
from dns_filter.lists.refresh import ProgressCallback

log = logging.getLogger(__name__)

STATE_FILE = "state.json"


def lists_dir_for(data_dir: Path) -> Path:
    return Path(data_dir) / "lists"


def default_data_dir() -> Path:
    """The OS's standard place for the agent's data (system-wide when run as root)."""
    import platformdirs  # imported here: only the command line without --data-dir needs it

    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path(platformdirs.site_data_dir("baoan"))
    return Path(platformdirs.user_data_dir("baoan"))


def read_list_sources(config: Path) -> Mapping[str, tuple[str, ...]]:
    """Category -> sources from `family.toml` (defaults filled in by the policy loader).

    Raises the policy's InvalidPolicyError, with its precise message, for a broken file.
    """
    from agent.policy import load_policy  # the policy package validates the whole file

    return load_policy(config).settings.lists


# --- state --------------------------------------------------------------------------------


class ListStateStore(Protocol):
    def get(self, category: str, source: str) -> SourceState | None: ...

    def put(self, state: SourceState) -> None: ...

    def all(self) -> list[SourceState]: ...


class JsonListStateStore:
    """List states in one JSON file, rewritten atomically."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def _read(self) -> dict[str, SourceState]:
        try:
            raw = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("list state %s unreadable (%s); starting afresh", self._path, exc)
            return {}
        states: dict[str, SourceState] = {}
        for item in raw.get("sources", []):
            try:
                state = _state_from_json(item)
            except (KeyError, TypeError, ValueError):
                continue
            states[_key(state.category, state.source)] = state
        return states

    def get(self, category: str, source: str) -> SourceState | None:
        return self._read().get(_key(category, source))

    def all(self) -> list[SourceState]:
        return sorted(self._read().values(), key=lambda s: (s.category, s.source))

    def put(self, state: SourceState) -> None:
        states = self._read()
        states[_key(state.category, state.source)] = state
        payload = {"version": 1, "sources": [_state_to_json(s) for s in states.values()]}
        make_private_dir(self._path.parent)
        text = json.dumps(payload, ensure_ascii=False, indent=1)
        atomic_write_bytes(self._path, text.encode("utf-8"), mode=PRIVATE_FILE_MODE)


class StoreMirror:
    """Writes every state to a JSON store and mirrors it into the agent store's table."""

    def __init__(self, primary: ListStateStore, list_states: ListStates) -> None:
        self._primary = primary
        self._list_states = list_states

    def get(self, category: str, source: str) -> SourceState | None:
        return self._primary.get(category, source)

    def all(self) -> list[SourceState]:
        return self._primary.all()

    def put(self, state: SourceState) -> None:
        self._primary.put(state)
        self._list_states.upsert(
            ListState(
                category=state.category,
                source=state.source,
                etag=state.etag,
                last_modified=state.last_modified,
                count=state.count,
                bad_lines=state.bad_lines,
                updated_at=state.updated_at,
                error=state.error,
            )
        )


def _key(category: str, source: str) -> str:
    return f"{category}\n{source}"


def _state_to_json(state: SourceState) -> dict[str, Any]:
    data = asdict(state)
    for field_name in ("updated_at", "error_at"):
        value = data[field_name]
        data[field_name] = value.isoformat() if value is not None else None
    return data


def _state_from_json(item: dict[str, Any]) -> SourceState:
    values = dict(item)
    for field_name in ("updated_at", "error_at"):
        if values.get(field_name):
            values[field_name] = datetime.fromisoformat(values[field_name])
    values["bad_samples"] = tuple(BadLine(**sample) for sample in values.get("bad_samples", ()))
    return SourceState(**values)


# --- refresh and load ---------------------------------------------------------------------


def iter_sources(lists: Mapping[str, Sequence[str]]) -> Iterable[ListSource]:
    for category, locations in lists.items():
        for location in locations:
            yield ListSource(category, location)


def refresh_lists(
    lists: Mapping[str, Sequence[str]],
    data_dir: Path,
    *,
    state_store: ListStateStore | None = None,
    settings: FetchSettings | None = None,
    session: HttpClient | None = None,
    clock: Clock | None = None,
    on_progress: ProgressCallback | None = None,
    on_outcome: Callable[[RefreshOutcome], None] | None = None,
    on_start: Callable[[ListSource], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[RefreshOutcome]:
    """Refresh every source; the function the scheduler calls. Never raises for a source
    that fails: its last good copy stays and its state records the error. `should_stop`
    is asked before each source (a cancel ends the refresh between two sources)."""
    lists_dir = lists_dir_for(data_dir)
    states = state_store or JsonListStateStore(lists_dir / STATE_FILE)
    own_session = session is None
    session = session or HttpClient()
    outcomes: list[RefreshOutcome] = []
    try:
        for source in iter_sources(lists):
            if should_stop is not None and should_stop():
                log.info("the list refresh was cancelled")
                break
            if on_start is not None:
                on_start(source)
            outcome = refresh_source(
                source,
                lists_dir,
                states.get(source.category, source.location),
                settings=settings,
                session=session,
                clock=clock,
                on_progress=on_progress,
            )
            states.put(outcome.state)
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
    finally:
        if own_session:
            session.close()
    return outcomes


def refresh_lists_from_config(config: Path, data_dir: Path, **options: Any) -> list[RefreshOutcome]:
    """`refresh_lists` with the sources that `family.toml` names (for the scheduler)."""
    return refresh_lists(read_list_sources(config), data_dir, **options)


def load_list_matchers(
    lists: Mapping[str, Sequence[str]], data_dir: Path | None
) -> dict[str, DomainIndex]:
    """Category -> matcher (last good copies plus starter lists), for
    `FilterPolicy.categories`. Never downloads anything."""
    loaded = load_categories(lists, lists_dir_for(data_dir) if data_dir is not None else None)
    return {category: item.index for category, item in loaded.items()}


@dataclass(frozen=True)
class SourceSummary:
    category: str
    source: str
    list_id: str
    has_copy: bool
    state: SourceState | None


@dataclass(frozen=True)
class CategorySummary:
    category: str
    sources: tuple[SourceSummary, ...]
    starter_count: int
    total_rules: int | None  # distinct rules once loaded (None when not loaded)


def summarise(
    lists: Mapping[str, Sequence[str]],
    data_dir: Path,
    *,
    state_store: ListStateStore | None = None,
    load: bool = False,
) -> list[CategorySummary]:
    """Every category with its sources, their last known state and (optionally) the
    number of distinct rules the agent would load."""
    lists_dir = lists_dir_for(data_dir)
    states = state_store or JsonListStateStore(lists_dir / STATE_FILE)
    loaded: dict[str, LoadedCategory] = load_categories(lists, lists_dir) if load else {}
    from dns_filter.lists import load_starter, starter_categories

    categories = list(lists) + [c for c in starter_categories() if c not in lists]
    summaries: list[CategorySummary] = []
    for category in categories:
        sources = tuple(
            SourceSummary(
                category,
                location,
                ListSource(category, location).list_id,
                ListSource(category, location).copy_path(lists_dir).is_file(),
                states.get(category, location),
            )
            for location in lists.get(category, ())
        )
        starter = load_starter(category)
        item = loaded.get(category)
        summaries.append(
            CategorySummary(
                category,
                sources,
                len(starter.names) if starter is not None else 0,
                len(item.index) if item is not None else None,
            )
        )
    return summaries


__all__ = [
    "DEFAULT_SOURCES",
    "CategorySummary",
    "JsonListStateStore",
    "ListStateStore",
    "SourceSummary",
    "StoreMirror",
    "default_data_dir",
    "lists_dir_for",
    "load_list_matchers",
    "read_list_sources",
    "refresh_lists",
    "refresh_lists_from_config",
    "summarise",
]
