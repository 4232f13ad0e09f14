"""The domain index: which category rule, from which list, blocks a queried name.

A rule blocks its name and every name under it, so a lookup tries the name and then each
parent (`a.b.example.com`, `b.example.com`, `example.com`, `com`). Exceptions (`@@`
rules) are tried first and win over every list of the category.

The blocking rules are packed, about 9 bytes a rule instead of about 90 for a dict: a
sorted `array('q')` of 64-bit fingerprints (the rule name's `hash()`), a parallel array
of the numbers of the lists they came from (one byte each, left out when one list holds
them all), and an `array('I')` of where each bucket of fingerprints starts (a bucket is
the fingerprints' top bits, about eight rules each), so that a probe is two array reads
and a binary search over a few items. The rule itself is recovered from the queried name,
so the reason still names it. Python's string hash is salted per process, which is fine
for an index that lives only in memory. Two different names colliding on all 64 bits is
about a one-in-10^13 chance per lookup with a million rules, and a collision could only
block a name, never let one through: the exceptions, which let names through, are kept
as the exact names.

Sorting is done by the optional C module :mod:`dns_filter._packed` (a fraction of a
second for a million rules, without the GIL); without it the same steps run in Python,
more slowly and with more memory at build time.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from dns_filter.lists.parser import ListFormat, ParsedList, ParseReport, parse_stream, read_blocks
from dns_filter.names import query_name, suffixes
from dns_filter.policy import DomainMatcher

RULES_PER_BUCKET = 8  # the buckets' size aimed at: a binary search over a few items
MAX_LISTS = 1 << 16  # list numbers are kept in 16 bits


def _blake_fingerprint(name: str) -> int:
    digest = hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


# A 64-bit fingerprint: the string hash where it has 64 bits, else a slower 64-bit digest
# (a 32-bit hash would collide once in a few thousand lookups of a million rules).
fingerprint: Callable[[str], int] = hash if sys.hash_info.width >= 64 else _blake_fingerprint


def load_packed() -> ModuleType | None:
    """The C sorting module, or None when it is not built."""
    try:
        from dns_filter import _packed  # type: ignore[attr-defined]
    except ImportError:
        return None
    module: ModuleType = _packed
    return module


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


class PackedRules:
    """Sorted fingerprints with their list numbers: a set of rules in about 9 bytes each."""

    __slots__ = ("_bias", "_keys", "_numbers", "_only_number", "_shift", "_starts")

    def __init__(self, keys: array[int], numbers: array[int] | None, only_number: int) -> None:
        """`keys` sorted without repeats; `numbers[i]` is the list of `keys[i]` (None when
        every key is of `only_number`)."""
        self._keys = keys
        self._numbers = numbers
        self._only_number = only_number
        bits = max(1, (len(keys) // RULES_PER_BUCKET).bit_length())
        self._shift = 64 - bits
        self._bias = 1 << (bits - 1)
        self._starts = _bucket_starts(keys, bits)

    @classmethod
    def pack(cls, keys: array[int], numbers: array[int]) -> PackedRules:
        """Sort `keys` (array 'q') with their `numbers` (array 'H') in place, keeping the
        lowest number of a key that occurs more than once."""
        _sort_unique(keys, numbers)
        if numbers and min(numbers) == max(numbers):
            return cls(keys, None, numbers[0])
        if numbers and max(numbers) < 256:
            # The low byte of each 16-bit number, in a few C calls.
            low = numbers.tobytes()[:: numbers.itemsize] if sys.byteorder == "little" else (
                numbers.tobytes()[1 :: numbers.itemsize]
            )
            return cls(keys, array("B", low), 0)
        return cls(keys, numbers, 0)

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def nbytes(self) -> int:
        """The bytes the arrays hold (not counting the objects' small headers)."""
        numbers = self._numbers
        return (
            len(self._keys) * 8
            + (len(numbers) * numbers.itemsize if numbers is not None else 0)
            + len(self._starts) * self._starts.itemsize
        )

    def number_of(self, name: str) -> int | None:
        """The list number of the rule `name`, or None when it is not a rule."""
        position = self.position(fingerprint(name))
        return None if position is None else self.number_at(position)

    @property
    def table(self) -> tuple[array[int], array[int], int]:
        """(keys, bucket starts, shift): what `_packed.first_rule` probes."""
        return self._keys, self._starts, self._shift

    def number_at(self, position: int) -> int:
        """The list number of the key at `position`."""
        numbers = self._numbers
        return self._only_number if numbers is None else numbers[position]

    def position(self, key: int) -> int | None:
        """Where the fingerprint `key` is in the keys, or None."""
        bucket = (key >> self._shift) + self._bias
        high = self._starts[bucket + 1]
        position = bisect_left(self._keys, key, self._starts[bucket], high)
        return position if position != high and self._keys[position] == key else None

    def find(self, name: str) -> tuple[str, int] | None:
        """The first of `name` and its parents that is a rule, with its list number."""
        keys, starts, shift, bias = self._keys, self._starts, self._shift, self._bias
        # The hot path of every DNS query: per label a hash, two array reads and a short
        # binary search, no other call.
        while True:
            key = fingerprint(name)
            bucket = (key >> shift) + bias
            high = starts[bucket + 1]
            position = bisect_left(keys, key, starts[bucket], high)
            if position != high and keys[position] == key:
                numbers = self._numbers
                return name, (self._only_number if numbers is None else numbers[position])
            dot = name.find(".")
            if dot < 0:
                return None
            name = name[dot + 1 :]


def release_free_memory() -> bool:
    """After building big indexes: give the heap's free pages back to the OS (the parser's
    buffers, freed in the middle of the heap, are otherwise kept by glibc for good). True
    when the C library could be asked."""
    packed = load_packed()
    return bool(packed is not None and packed.release_free_memory())


def _bucket_starts(keys: array[int], bits: int) -> array[int]:
    """Where each bucket's keys start in the sorted `keys`, and the end after the last."""
    shift = 64 - bits
    starts = array("I", bytes(4 * ((1 << bits) + 1)))
    packed = load_packed()
    if packed is not None:
        packed.bucket_starts(keys, starts, shift)
        return starts
    bias = 1 << (bits - 1)
    for bucket in range(1 << bits):
        starts[bucket] = bisect_left(keys, (bucket - bias) << shift)
    starts[1 << bits] = len(keys)
    return starts


def _sort_unique(keys: array[int], numbers: array[int]) -> None:
    packed = load_packed()
    if packed is not None:
        kept = packed.sort_unique(keys, numbers)
    else:
        pairs = sorted(zip(keys, numbers, strict=True))
        kept = 0
        previous = None
        for key, number in pairs:
            if key != previous:
                keys[kept] = key
                numbers[kept] = number
                kept += 1
                previous = key
        del pairs
    del keys[kept:]
    del numbers[kept:]


class DomainIndex:
    """An immutable matcher over one or more lists (one category); a `DomainMatcher`."""

    __slots__ = ("_blocked", "_exceptions", "_list_ids")

    def __init__(
        self, blocked: PackedRules, exceptions: dict[str, int], list_ids: Sequence[str]
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
        builder = IndexBuilder()
        builder.add_rules(list_id, names)
        return builder.build()

    @property
    def list_ids(self) -> tuple[str, ...]:
        return self._list_ids

    @property
    def exception_count(self) -> int:
        return len(self._exceptions)

    @property
    def nbytes(self) -> int:
        """The bytes the blocking rules' arrays hold."""
        return self._blocked.nbytes

    def __len__(self) -> int:
        return len(self._blocked)

    def match(self, name: str) -> RuleMatch | None:
        """The rule that blocks `name` (a `str` carrying `.list_id`), or None."""
        if name.endswith(".") or not name.islower():
            name = query_name(name)
        if self._exceptions and _find_exact(self._exceptions, name) is not None:
            return None
        found = self._blocked.find(name)
        if found is None:
            return None
        return RuleMatch(found[0], self._list_ids[found[1]])

    @property
    def blocked(self) -> PackedRules:
        return self._blocked

    @property
    def exceptions(self) -> Mapping[str, int]:
        """The exact names of the `@@` rules, each with its list number."""
        return self._exceptions

    def explain(self, name: str) -> ListMatch | None:
        name = query_name(name)
        if not name:
            return None
        if self._exceptions and _find_exact(self._exceptions, name) is not None:
            return None
        found = self._blocked.find(name)
        if found is None:
            return None
        rule, number = found
        return ListMatch(rule, self._list_ids[number])

    def is_excepted(self, name: str) -> bool:
        exceptions = self._exceptions
        return bool(exceptions) and _find_exact(exceptions, query_name(name)) is not None


class CategoryLists:
    """The lists of several categories, asked in order: the first category whose lists
    block a name, and the rule.

    What a child's profile asks of every new name. Asking each category's
    `DomainIndex.match` in turn cut and hashed the name's parents again for every
    category (a dozen for a young child); here they are cut once (`suffixes`, memoised),
    each hashed once, the exceptions of every category are one dict, and the C module
    probes every category's keys in one call. A category whose matcher is not a
    `DomainIndex` is asked through its own `match`, in its place in the order.
    """

    __slots__ = ("_categories", "_excepted", "_first_rule", "_indexes", "_tables")

    def __init__(self, categories: Sequence[tuple[str, DomainMatcher]]) -> None:
        self._categories = tuple(categories)
        indexes = tuple(m for _category, m in self._categories if isinstance(m, DomainIndex))
        # Packed indexes only (at most 64: one bit each in the C probe's skip mask); else
        # every category is asked through its own `match`.
        packed = len(indexes) == len(self._categories) <= 64
        self._indexes: tuple[DomainIndex, ...] = indexes if packed else ()
        self._tables = tuple(index.blocked.table for index in self._indexes)
        # every exception name -> the bits of the categories whose lists let it through
        excepted: dict[str, int] = {}
        for bit, index in enumerate(self._indexes):
            for exception in index.exceptions:
                excepted[exception] = excepted.get(exception, 0) | 1 << bit
        self._excepted = excepted
        self._first_rule = self._c_probe()

    @staticmethod
    def _c_probe() -> Callable[..., tuple[int, int, int] | None] | None:
        """`_packed.first_rule`, when built (and the fingerprints are the hash())."""
        module = load_packed() if fingerprint is hash else None
        probe: Callable[..., tuple[int, int, int] | None] | None = getattr(
            module, "first_rule", None
        )
        return probe

    def __len__(self) -> int:
        return len(self._categories)

    def first_match(self, name: str) -> tuple[str, str] | None:
        """(category, rule) of the first category whose lists block `name`, or None; the
        rule is what the category's matcher gives (from a `DomainIndex`, a `RuleMatch`)."""
        if not self._indexes:
            for category, matcher in self._categories:
                rule = matcher.match(name)
                if rule:
                    return category, rule
            return None
        if name.endswith(".") or not name.islower():
            name = query_name(name)
        names = suffixes(name)
        if not names:
            return None
        skip = 0
        excepted = self._excepted
        if excepted:
            for candidate in names:
                skip |= excepted.get(candidate, 0)
        first_rule = self._first_rule
        if first_rule is not None and len(names) <= 128:
            found = first_rule(names, self._tables, skip)
        else:
            found = self._first_rule_in_python(names, skip)
        if found is None:
            return None
        which, suffix, position = found
        index = self._indexes[which]
        number = index.blocked.number_at(position)
        return self._categories[which][0], RuleMatch(names[suffix], index.list_ids[number])

    def _first_rule_in_python(
        self, names: tuple[str, ...], skip: int
    ) -> tuple[int, int, int] | None:
        keys = [fingerprint(candidate) for candidate in names]
        for which, index in enumerate(self._indexes):
            if skip >> which & 1:
                continue
            blocked = index.blocked
            for suffix, key in enumerate(keys):
                position = blocked.position(key)
                if position is not None:
                    return which, suffix, position
        return None


def _find_exact(table: dict[str, int], name: str) -> tuple[str, int] | None:
    get = table.get
    while True:
        number = get(name)
        if number is not None:
            return name, number
        dot = name.find(".")
        if dot < 0:
            return None
        name = name[dot + 1 :]


class IndexBuilder:
    """Builds a :class:`DomainIndex` list by list, streaming big files chunk by chunk.

    Fingerprints are gathered unsorted as they come (8 + 2 bytes a rule) and sorted once
    by :meth:`build`. When several lists hold the same rule, the reason names the first
    list added.
    """

    def __init__(self) -> None:
        self._keys: array[int] = array("q")
        self._numbers: array[int] = array("H")
        self._exceptions: dict[str, int] = {}
        self._list_ids: list[str] = []

    def _number(self, list_id: str) -> int:
        if len(self._list_ids) >= MAX_LISTS:
            raise ValueError(f"more than {MAX_LISTS} lists in one category")
        self._list_ids.append(list_id)
        return len(self._list_ids) - 1

    def _blocked_sink(self, number: int) -> Callable[[list[str]], None]:
        keys, numbers = self._keys, self._numbers
        one = array("H", [number])
        packed = load_packed() if fingerprint is hash else None

        def add(names: list[str]) -> None:
            keys.extend(map(fingerprint, names))
            numbers.extend(one * len(names))

        def add_packed(names: list[str]) -> None:
            assert packed is not None
            keys.frombytes(packed.fingerprints(names))
            numbers.extend(one * len(names))

        return add if packed is None else add_packed

    def _exception_sink(self, number: int) -> Callable[[list[str]], None]:
        table = self._exceptions

        def add(names: list[str]) -> None:
            for name in names:  # already there: keep the earlier list
                table.setdefault(name, number)

        return add

    def add_rules(self, list_id: str, names: Iterable[str], exceptions: Iterable[str] = ()) -> None:
        number = self._number(list_id)
        self._blocked_sink(number)(list(names))
        self._exception_sink(number)(list(exceptions))

    def add_file(
        self, list_id: str, path: Path, list_format: ListFormat = ListFormat.AUTO
    ) -> ParseReport:
        """Parse `path` straight into the index (OSError if it cannot be read)."""
        number = self._number(list_id)
        return parse_stream(
            read_blocks(path),
            list_format,
            self._blocked_sink(number),
            self._exception_sink(number),
        )

    def build(self) -> DomainIndex:
        """The index; the builder is empty afterwards (its arrays move into the index)."""
        keys, numbers = self._keys, self._numbers
        self._keys, self._numbers = array("q"), array("H")
        return DomainIndex(PackedRules.pack(keys, numbers), self._exceptions, self._list_ids)
