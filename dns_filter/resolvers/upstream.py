"""The last link of the chain: asks the upstream resolvers.

An answer is passed through as the upstream gave it (only the message ID is the client's),
typed ``resolved`` with the reason ``upstream <url>``. When every upstream fails the answer
is SERVFAIL — never NXDOMAIN, never silence — still typed ``resolved``, with a reason that
names each upstream's failure, so the cache above can serve a stale answer instead.
"""

from __future__ import annotations

import logging

from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.log_throttle import LogThrottle
from dns_filter.upstreams import UpstreamGroup, UpstreamsFailedError, servfail_response

log = logging.getLogger(__name__)


class UpstreamResolver(Resolver):
    """Resolves every query through an :class:`UpstreamGroup`; it never passes on."""

    def __init__(self, group: UpstreamGroup) -> None:
        super().__init__(None)
        self.group = group
        self._warnings = LogThrottle(log)

    async def resolve(self, query: Query) -> Result:
        try:
            answer = await self.group.resolve(query.request)
        except UpstreamsFailedError as failure:
            # The name only at DEBUG: at the default level the log holds no browsing history.
            log.debug("SERVFAIL for %s: %s", query.name, failure)
            self._warnings.warning("servfail", "SERVFAIL: %s", failure)
            return Result(
                servfail_response(query.request), AnswerType.RESOLVED, str(failure), query.profile
            )
        return Result(
            answer.response, AnswerType.RESOLVED, f"upstream {answer.upstream}", query.profile
        )
