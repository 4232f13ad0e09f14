"""The policy's verdict for one name, synchronously and without any upstream (`baoan check`).

It runs the very links the server runs (from the bypass guard to the category/service
block, built by :func:`dns_filter.factory.filtering_links`) in front of a terminal link that
answers at once instead of asking an upstream, so the verdict and the served answer cannot
drift apart. No link awaits real I/O in that arrangement, so the coroutine is driven to its
end directly: this works inside or outside a running event loop.
"""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from dnslib import QTYPE, DNSError, DNSRecord

from dns_filter.answers import reply_to
from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.clock import ManualClock
from dns_filter.factory import filtering_links
from dns_filter.names import InvalidNameError, normalise_name
from dns_filter.policy import FilterPolicy
from dns_filter.reason import NO_RULE_REASON, UNFILTERED_REASON, Reason
from dns_filter.resolvers import FilterPolicySlot
from dns_filter.resolvers.rules import RuleBook

Decision = Literal["allowed", "blocked", "rewritten"]
_T = TypeVar("_T")


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reason: Reason
    answer_type: AnswerType | None  # None when the name would go on to the upstream
    profile: str | None = None


class _Terminal(Resolver):
    """Stands where the cache and upstream are: the name would be resolved normally."""

    async def resolve(self, query: Query) -> Result:
        return Result(reply_to(query.request), AnswerType.RESOLVED, NO_RULE_REASON, query.profile)


def _run_to_end(coroutine: Coroutine[Any, Any, _T]) -> _T:
    try:
        coroutine.send(None)
    except StopIteration as finished:
        return finished.value
    coroutine.close()
    raise RuntimeError("a filtering link waited for I/O while computing a verdict")


def verdict(
    policy: FilterPolicy,
    profile_name: str | None,
    name: str,
    qtype: str = "A",
    now: datetime | None = None,
) -> Verdict:
    """What the policy answers for `name` asked by `profile_name` at `now`.

    `profile_name` None means the PC's default child; an unknown profile or query type, or
    an invalid name, raises ValueError saying which.
    """
    if profile_name is None:
        profile_name = policy.default_profile
    elif profile_name not in policy.profiles:
        known = ", ".join(sorted(policy.profiles)) or "none"
        raise ValueError(f"no child profile named {profile_name!r} (known: {known})")
    try:
        qtype_code = int(getattr(QTYPE, qtype.upper()))
    except (DNSError, ValueError, TypeError):
        raise ValueError(f"unknown DNS query type {qtype!r}") from None
    if not name.strip().strip("."):
        raise ValueError("the name to check is empty")
    try:
        normalised = normalise_name(name, allow_wildcard=True)
    except InvalidNameError as error:
        raise ValueError(f"not a domain name: {name!r} ({error})") from None
    moment = now if now is not None else datetime.now(UTC)

    rules = RuleBook(FilterPolicySlot(policy))
    head = filtering_links(_Terminal(), rules=rules, clock=ManualClock(moment))[0]
    query = Query(
        message=DNSRecord.question(normalised, qtype.upper()),
        name=normalised,
        qtype=qtype_code,
        client_ip="127.0.0.1",
        transport="udp",
        profile=profile_name,
    )
    result = _run_to_end(head.resolve(query))
    if result.answer_type is AnswerType.REWRITTEN:
        return Verdict("rewritten", result.reason, result.answer_type, profile_name)
    if result.answer_type in (AnswerType.BLOCKED, AnswerType.BYPASS):
        return Verdict("blocked", result.reason, result.answer_type, profile_name)
    reason = _allowed_reason(rules, profile_name, normalised, moment)
    return Verdict("allowed", reason, None, profile_name)


def _allowed_reason(
    rules: RuleBook, profile_name: str | None, name: str, now: datetime
) -> Reason:
    profile = rules.current().profile(profile_name)
    if profile is None:
        return UNFILTERED_REASON
    return profile.exempt(name, now) or NO_RULE_REASON
