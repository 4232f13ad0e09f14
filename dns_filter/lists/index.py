"""The domain index: which category rule, from which list, blocks a queried name.

A rule blocks its name and every name under it, so a lookup tries the name and then each
parent (`a.b.example.com`, `b.example.com`, `example.com`, `com`). Exceptions (`@@`
rules) are tried first and win over every list of the category.

The rules are kept as a dict from the 64-bit `hash()` of the rule name to the number of
the list it came from: about 84 bytes a rule instead of about 130 for a set of strings,
one dict probe per label, and the rule itself is recovered from the queried name, so
the reason still names it. Python's string hash is salted per process, which is fine
for an index that lives only in memory. Two different names colliding on all 64 bits is
about a one-in-10^13 chance per lookup with a million rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

from dns_filter.lists.parser import ListFormat, ParsedList, ParseReport, parse_stream, read_blocks
from dns_filter.names import query_name


@dataclass(frozen=True)
class ListMatch:
    """Why a name matched: the rule (a name or one of its parents) and its list."""

    rule: str
    list_id: str


class RuleMatch(str):
    """The matched rule as `DomainMatcher.match` promises (a plain string to compare and
    print), that also carries the id of the list it came from."""

    list_id: str

    def __new__(cls, rule: str, list_id: str) -> RuleMatch:
        match = super().__new__(cls, rule)
        match.list_id = list_id
        return match


@dataclass(frozen=True)
class NamedList:
    """A parsed list with the id that reasons will name (e.g. `hostsvn-adult`)."""

    list_id: str
    parsed: ParsedList


class DomainIndex:
    """An immutable matcher over one or more lists (one category); a `DomainMatcher`."""

    __slots__ = ("_blocked", "_exceptions", "_list_ids")

    def __init__(
        self, blocked: dict[int, int], exceptions: dict[int, int], list_ids: Sequence[str]
    ) -> None:
        self._blocked = blocked
        self._exceptions = exceptions
        self._list_ids = tuple(list_ids)

    @classmethod
    def build(cls, lists: Iterable[NamedList]) -> DomainIndex:
        """Merge parsed lists; when several lists hold a rule, the reason names the first."""
        builder = IndexBuilder()
        for named in lists:
            builder.add_rules(named.list_id, named.parsed.names, named.parsed.exceptions)
        return builder.build()

    @classmethod
    def from_names(cls, names: Iterable[str], list_id: str = "") -> DomainIndex:
        """An index over already-normalised rule names (tests, small built-in lists)."""
        return cls(dict.fromkeys(map(hash, names), 0), {}, [list_id])

    @property
    def list_ids(self) -> tuple[str, ...]:
        return self._list_ids

    @property
    def exception_count(self) -> int:
        return len(self._exceptions)

    def __len__(self) -> int:
        return len(self._blocked)

    def match(self, name: str) -> RuleMatch | None:
        """The rule that blocks `name` (a `str` carrying `.list_id`), or None."""
        if name.endswith(".") or not name.islower():
            name = query_name(name)
        if self._exceptions and _find(self._exceptions, name) is not None:
            return None
        # The hot path of every DNS query: one dict probe per label, no other call.
        get = self._blocked.get
        while True:
            number = get(hash(name))
            if number is not None:
                return RuleMatch(name, self._list_ids[number])
            dot = name.find(".")
            if dot < 0:
                return None
            name = name[dot + 1 :]

    def explain(self, name: str) -> ListMatch | None:
        name = query_name(name)
        if not name:
            return None
        if self._exceptions and _find(self._exceptions, name) is not None:
            return None
        found = _find(self._blocked, name)
        if found is None:
            return None
        rule, number = found
        return ListMatch(rule, self._list_ids[number])

    def is_excepted(self, name: str) -> bool:
        return bool(self._exceptions) and _find(self._exceptions, query_name(name)) is not None


def _find(table: dict[int, int], name: str) -> tuple[str, int] | None:
    get = table.get
    while True:
        number = get(hash(name))
        if number is not None:
            return name, number
        dot = name.find(".")
        if dot < 0:
            return None
        name = name[dot + 1 :]


class IndexBuilder:
    """Builds a :class:`DomainIndex` list by list, streaming big files chunk by chunk.

    When several lists hold the same rule, the reason names the first list added.
    """

    def __init__(self) -> None:
        self._blocked: dict[int, int] = {}
        self._exceptions: dict[int, int] = {}
        self._list_ids: list[str] = []

    def _number(self, list_id: str) -> int:
        self._list_ids.append(list_id)
        return len(self._list_ids) - 1

    def _sink(self, table: dict[int, int], number: int) -> Callable[[list[str]], None]:
        def add(names: list[str]) -> None:
            fresh = dict(zip(map(hash, names), repeat(number)))
            for key in fresh.keys() & table.keys():  # already there: keep the earlier list
                fresh[key] = table[key]
            table.update(fresh)

        def add_first(names: list[str]) -> None:
            table.update(zip(map(hash, names), repeat(number)))

        return add_first if number == 0 else add

    def add_rules(self, list_id: str, names: Iterable[str], exceptions: Iterable[str] = ()) -> None:
        number = self._number(list_id)
        self._sink(self._blocked, number)(list(names))
        self._sink(self._exceptions, number)(list(exceptions))

    def add_file(
        self, list_id: str, path: Path, list_format: ListFormat = ListFormat.AUTO
    ) -> ParseReport:
        """Parse `path` straight into the index (OSError if it cannot be read)."""
        number = self._number(list_id)
        return parse_stream(
            read_blocks(path),
            list_format,
            self._sink(self._blocked, number),
            self._sink(self._exceptions, number),
        )

    def build(self) -> DomainIndex:
        return DomainIndex(self._blocked, self._exceptions, self._list_ids)
