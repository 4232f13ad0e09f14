"""Domain matchers for the DNS filter's tests: plain names, and real AdBlock-format lists.

Not a test module of its own; the tests import from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dns_filter.resolvers import SuffixSet


@dataclass(frozen=True)
class StoppedClock:
    """A clock stopped at one moment, taken as given (even naive, so that a test can prove
    a link refuses it)."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment

    def monotonic(self) -> float:
        return 1_000.0


class SetMatcher:
    """A DomainMatcher over suffix rules, naming its source and rule as the lists do."""

    def __init__(self, source: str, domains: Iterable[str]) -> None:
        self._source = source
        self._domains = SuffixSet(domains)

    def match(self, name: str) -> str | None:
        rule = self._domains.match(name)
        return f"{self._source}: ||{rule}^" if rule else None

    def __len__(self) -> int:
        return len(self._domains)


class AdblockListMatcher(SetMatcher):
    """`||name^` lines of a real list (the AdBlock format hostsVN uses), plus extra names."""

    def __init__(self, path: Path, extra: tuple[str, ...] = ()) -> None:
        names = [
            line[2:-1]
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("||") and line.endswith("^")
        ]
        super().__init__(f"hostsVN {path.name}", [*names, *extra])
