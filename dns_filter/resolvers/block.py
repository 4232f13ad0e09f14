"""Category and service blocking, and the check of CNAME targets against cloaking.

A name on a blocked category's lists, or under a blocked service's domains, is answered in
the child's block mode. A name that passes goes on to the cache and upstream; every CNAME
target in the answer is then checked against the same rules (the child's deny list, the
schedules, the blocked services and categories), because a tracker or an adult site can
hide behind an innocent-looking name that points at it ("CNAME cloaking").

Names the child's rules allow (the 111 hotline and help sites, a parent's temporary
approval, the child's allow list outside a `"*"` schedule) are never blocked here, and
neither are their CNAME targets: the parent chose to allow them.
"""

from __future__ import annotations

from datetime import datetime

from dns_filter.answers import cname_targets
from dns_filter.chain import Query, Result
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
        if profile.exempt(query.name, now):
            return await self.next.resolve(query)
        reason = profile.listed(query.name)
        if reason is not None:
            return blocked_result(compiled, profile, query, reason)

        result = await self.next.resolve(query)
        for target in cname_targets(result.response):
            if profile.exempt(target, now):
                continue
            reason = profile.listed(target) or profile.denied(target, now, cname_target=True)
            if reason is not None:
                return blocked_result(compiled, profile, query, reason.cname(target))
        return result
