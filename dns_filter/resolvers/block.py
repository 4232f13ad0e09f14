"""Category and service blocking, and the check of CNAME targets against cloaking.

A name on a blocked category's lists, or under a blocked service's domains, is answered in
the child's block mode. A name that passes goes on to the cache and upstream; every CNAME
target in the answer is then checked against the same rules (the child's deny list, the
schedules, the blocked services and categories), because a tracker or an adult site can
hide behind an innocent-looking name that points at it ("CNAME cloaking").

Names the child's rules allow (the 111 hotline and help sites, a parent's temporary
approval, the child's allow list outside a `"*"` schedule) are never blocked here, and
neither are their CNAME targets: the parent chose to allow them.

An answer given because of a parent's temporary approval lives no longer than the
approval: its TTLs are cut to the whole seconds left, and it carries the approval's end
(`Result.valid_until`) so that the server's memo forgets it then. The browser's cache
cannot keep a site open after the parent's "for 30 minutes" is over.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from dns_filter import answer_wire
from dns_filter.answers import with_ttls_at_most
from dns_filter.chain import Query, Result
from dns_filter.message import Message
from dns_filter.reason import ReasonKind
from dns_filter.resolvers.rules import (
    CompiledPolicy,
    ProfileRules,
    ProfileRulesResolver,
    blocked_result,
)


class BlockResolver(ProfileRulesResolver):
    """Blocks blocked categories and services, before and after the upstream answers."""

    async def resolve_for(
        self, query: Query, compiled: CompiledPolicy, profile: ProfileRules, now: datetime
    ) -> Result:
        exemption = profile.exempt(query.name, now)
        if exemption is not None:
            result = await self.next.resolve(query)
            if exemption.kind is ReasonKind.GRANTED:
                return until_grant_ends(result, profile.grant_end(query.name, now), now)
            return result
        reason = profile.listed(query.name)
        if reason is not None:
            return blocked_result(compiled, profile, query, reason)

        result = await self.next.resolve(query)
        message = result.message
        for target in answer_wire.cname_targets(message.wire, message.records):
            if profile.exempt(target, now):
                continue
            reason = profile.listed(target) or profile.denied(target, now, cname_target=True)
            if reason is not None:
                return blocked_result(compiled, profile, query, reason.cname(target))
        return result


def until_grant_ends(result: Result, end: datetime | None, now: datetime) -> Result:
    """`result` cut to live until `end` at most (None: the approval has no end)."""
    if end is None:
        return result
    seconds_left = max(0, int((end - now).total_seconds()))  # whole seconds, rounded down
    return replace(
        result,
        message=Message(record=with_ttls_at_most(result.response, seconds_left)),
        valid_until=end.timestamp(),
    )
