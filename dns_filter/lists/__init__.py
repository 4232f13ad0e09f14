"""Blocklists: parsing, normalisation, the domain index, sources, refresh and loading.

The agent reads list sources from `family.toml`, calls :func:`refresh_source` on a
schedule and :func:`build_matchers` to fill `FilterPolicy.categories`.
"""

from dns_filter.lists.index import DomainIndex, IndexBuilder, ListMatch, NamedList, RuleMatch
from dns_filter.lists.loader import (
    NEVER_BLOCKED,
    LoadedCategory,
    LoadedSource,
    build_matchers,
    load_categories,
    load_category,
    load_starter,
    starter_categories,
)
from dns_filter.lists.parser import (
    BadLine,
    ListFormat,
    ParsedList,
    ParseReport,
    parse_bytes,
    parse_file,
    parse_text,
    scan_file,
)
from dns_filter.lists.refresh import (
    FetchSettings,
    RefreshOutcome,
    RefreshStatus,
    SourceState,
    refresh_source,
)
from dns_filter.lists.sources import DEFAULT_SOURCES, ListSource, describe_source, is_url
from dns_filter.names import InvalidNameError, normalise_name

__all__ = [
    "DEFAULT_SOURCES",
    "NEVER_BLOCKED",
    "BadLine",
    "DomainIndex",
    "FetchSettings",
    "IndexBuilder",
    "InvalidNameError",
    "ListFormat",
    "ListMatch",
    "ListSource",
    "LoadedCategory",
    "LoadedSource",
    "NamedList",
    "ParseReport",
    "ParsedList",
    "RefreshOutcome",
    "RefreshStatus",
    "RuleMatch",
    "SourceState",
    "build_matchers",
    "describe_source",
    "is_url",
    "load_categories",
    "load_category",
    "load_starter",
    "normalise_name",
    "parse_bytes",
    "parse_file",
    "parse_text",
    "refresh_source",
    "scan_file",
    "starter_categories",
]
