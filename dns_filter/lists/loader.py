"""Loading the category matchers at start-up: the last good copies plus the starter lists.

Nothing is downloaded here: a fresh, offline install gets the starter lists shipped in the
package, and every refreshed copy adds to them. The 111 hotline and the help sites are
written into every category as exceptions, so no list can ever block them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dns_filter.lists.index import DomainIndex, IndexBuilder, release_free_memory
from dns_filter.lists.parser import ListFormat, ParsedList, parse_text
from dns_filter.lists.sources import ListSource

log = logging.getLogger(__name__)

STARTER_LIST_ID = "starter"
HELP_LIST_ID = "help-sites"
# Never blocked by any list: the child helpline (Tổng đài 111) and the help sites.
NEVER_BLOCKED: tuple[str, ...] = ("tongdai111.vn", "vn-cop.vn")


def starter_categories() -> tuple[str, ...]:
    """The categories that have a starter list in the package."""
    folder = resources.files("dns_filter.lists") / "starter"
    return tuple(
        sorted(
            entry.name.removesuffix(".txt")
            for entry in folder.iterdir()
            if entry.name.endswith(".txt")
        )
    )


def load_starter(category: str) -> ParsedList | None:
    """The starter list of `category`, or None when the package has none."""
    entry = resources.files("dns_filter.lists") / "starter" / f"{category}.txt"
    if not entry.is_file():
        return None
    return parse_text(entry.read_text(encoding="utf-8"), ListFormat.WILDCARD)


@dataclass(frozen=True)
class LoadedSource:
    """How one source's copy loaded at start-up."""

    source: ListSource
    loaded: bool
    count: int = 0
    bad_lines: int = 0
    error: str | None = None


@dataclass(frozen=True)
class LoadedCategory:
    category: str
    index: DomainIndex
    sources: tuple[LoadedSource, ...]
    starter_count: int


def load_category(
    category: str,
    sources: Iterable[ListSource],
    lists_dir: Path | None,
    *,
    include_starter: bool = True,
) -> LoadedCategory:
    """Build one category's index from its sources' last good copies and its starter list."""
    builder = IndexBuilder()
    builder.add_rules(HELP_LIST_ID, (), NEVER_BLOCKED)
    reports: list[LoadedSource] = []
    for source in sources:
        copy = source.copy_path(lists_dir) if lists_dir is not None else None
        if copy is None or not copy.is_file():
            reports.append(LoadedSource(source, loaded=False, error="chưa tải về"))
            continue
        try:
            report = builder.add_file(source.list_id, copy)
        except OSError as exc:
            log.warning("cannot read list copy %s: %s", copy, exc)
            reports.append(LoadedSource(source, loaded=False, error=f"lỗi đọc tệp: {exc}"))
            continue
        reports.append(LoadedSource(source, True, report.name_count, report.bad_count))
    starter_count = 0
    if include_starter:
        starter = load_starter(category)
        if starter is not None:
            builder.add_rules(STARTER_LIST_ID, starter.names, starter.exceptions)
            starter_count = len(starter.names)
    return LoadedCategory(category, builder.build(), tuple(reports), starter_count)


def load_categories(
    sources_by_category: Mapping[str, Sequence[str]],
    lists_dir: Path | None,
    *,
    include_starter: bool = True,
) -> dict[str, LoadedCategory]:
    """Every category named in `sources_by_category`, plus every starter category."""
    wanted = list(sources_by_category)
    if include_starter:
        wanted += [c for c in starter_categories() if c not in sources_by_category]
    loaded = {
        category: load_category(
            category,
            [ListSource(category, location) for location in sources_by_category.get(category, ())],
            lists_dir,
            include_starter=include_starter,
        )
        for category in wanted
    }
    # A million rules leave megabytes of parser buffers freed inside the heap.
    release_free_memory()
    return loaded


def build_matchers(
    sources_by_category: Mapping[str, Sequence[str]],
    lists_dir: Path | None,
    *,
    include_starter: bool = True,
) -> dict[str, DomainIndex]:
    """`FilterPolicy.categories`: category id -> matcher over all its lists."""
    loaded = load_categories(sources_by_category, lists_dir, include_starter=include_starter)
    return {category: item.index for category, item in loaded.items()}
