"""The links of the resolver chain and the small services they share.

Every filtering link reads the current :class:`~dns_filter.policy.FilterPolicy` through a
:class:`PolicySource` (the agent swaps the snapshot atomically) and, where time matters, a
:class:`~dns_filter.clock.Clock` (schedules convert its aware `now()` to the family's time
zone). Both are passed in; nothing here is global.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from dns_filter.names import normalise_name, suffixes
from dns_filter.policy import FilterPolicy

log = logging.getLogger(__name__)

ActiveChild = Callable[[], "str | None"]
"""Returns the profile name of the child whose OS account holds the active desktop session."""


class PolicySource(Protocol):
    """Where a link reads the policy snapshot in force right now."""

    def current(self) -> FilterPolicy: ...


class FilterPolicySlot:
    """The slot holding the filter's policy snapshot: a :class:`PolicySource` whose
    snapshot is replaced as a whole. (The agent's `PolicyHolder` holds the live
    `family.toml`; this holds what was compiled from it.)

    Assigning one attribute is atomic in Python, so readers always see either the old or
    the new snapshot, never a mix.
    """

    def __init__(self, policy: FilterPolicy | None = None) -> None:
        self._policy = policy if policy is not None else FilterPolicy()

    def current(self) -> FilterPolicy:
        return self._policy

    def swap(self, policy: FilterPolicy) -> None:
        self._policy = policy


class SuffixSet:
    """Domain rules that match the name itself and every subdomain of it."""

    def __init__(self, domains: Iterable[str], *, source: str = "rules") -> None:
        accepted: set[str] = set()
        rejected: list[str] = []
        for domain in domains:
            if not domain.strip():
                continue
            try:
                # Rules arrive normalised (a top-level domain is a single label); a leading
                # "*." means what a suffix rule means anyway.
                accepted.add(normalise_name(domain, allow_wildcard=True, allow_single_label=True))
            except ValueError:
                rejected.append(domain)
        if rejected:
            # A bad entry must not take the rest of the rules down with it.
            log.warning("%s: ignored %d invalid name(s): %s", source, len(rejected), rejected[:5])
        self._domains = frozenset(accepted)
        self.rejected: tuple[str, ...] = tuple(rejected)

    def match(self, name: str) -> str | None:
        """The rule that matches `name`, or None."""
        if not self._domains:
            return None
        for candidate in suffixes(name):
            if candidate in self._domains:
                return candidate
        return None

    def __iter__(self) -> Iterator[str]:
        return iter(self._domains)

    def __len__(self) -> int:
        return len(self._domains)

    def __bool__(self) -> bool:
        return bool(self._domains)
