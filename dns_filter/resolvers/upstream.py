"""The last link of the chain: asks the upstream resolvers.

An answer is passed through as the upstream gave it (only the message ID is the client's),
typed ``resolved`` with a reason of kind ``upstream`` naming its URL. When every upstream
fails (an error, a timeout, SERVFAIL or REFUSED) the answer is SERVFAIL — never NXDOMAIN,
never silence — typed ``failed``, with a reason of kind ``failure`` whose detail names each
upstream's failure, so the cache above can serve a stale answer instead.
"""

from __future__ import annotations

import logging

from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.log_throttle import LogThrottle
from dns_filter.reason import Reason, ReasonKind, failure_reason
from dns_filter.upstreams import UpstreamGroup, UpstreamsFailedError, servfail_response

log = logging.getLogger(__name__)


class UpstreamResolver(Resolver):
    """Resolves every query through an :class:`UpstreamGroup`; it never passes on."""

    def __init__(self, group: UpstreamGroup) -> None:
        super().__init__(None)
        self.group = group
        self._reasons: dict[str, Reason] = {}  # upstream URL -> its reason, built once
        self._warnings = LogThrottle(log)

    async def resolve(self, query: Query) -> Result:
        try:
            answer = await self.group.resolve(query.message.wire)
        except UpstreamsFailedError as failure:
            # The name only at DEBUG: at the default level the log holds no browsing history.
            log.debug("SERVFAIL for %s: %s", query.name, failure)
            self._warnings.warning("servfail", "SERVFAIL: %s", failure)
            return Result(
                servfail_response(query.request),
                AnswerType.FAILED,
                failure_reason(str(failure)),
                query.profile,
            )
        reason = self._reasons.get(answer.upstream)
        if reason is None:
            reason = Reason(ReasonKind.UPSTREAM, upstream=answer.upstream)
            if len(self._reasons) < 64:
                self._reasons[answer.upstream] = reason
        return Result(answer.message, AnswerType.RESOLVED, reason, query.profile)
