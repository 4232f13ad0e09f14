"""The bypass guard: keep browsers and phones on this filter.

For everyone, profile or not:

- `use-application-dns.net` -> NXDOMAIN: Firefox's canary domain; NXDOMAIN tells it not to
  turn on its own DNS-over-HTTPS.
- `mask.icloud.com`, `mask-h2.icloud.com` -> NXDOMAIN: Apple devices then do not use iCloud
  Private Relay on this network.
- `_dns.resolver.arpa` -> NODATA (RFC 9462, Discovery of Designated Resolvers): there is no
  encrypted resolver to upgrade to, so clients keep asking us.

For a child whose profile says `block_bypass`: the hosts of the `bypass` category (DoH,
VPN and proxy lists) and the services catalogued under that category are blocked in the
child's block mode -- unless a parent has let the name through: the help sites, a
parent's approval of the child's request (`granted`) and the child's allow list pass the
guard (a school VPN the parent allowed must work) and go on to the rules link, which
still applies an active `"*"` schedule to the allow list. The signal names above are
answered for everyone whatever the lists say: they keep devices on this filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dns_filter import answers
from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.reason import Reason, ReasonKind
from dns_filter.resolvers.rules import CompiledPolicy, RuleBook, blocked_result


class BypassAction(StrEnum):
    NXDOMAIN = "nxdomain"
    NODATA = "nodata"
    BLOCK = "block"  # the child's block mode


@dataclass(frozen=True)
class BypassDecision:
    action: BypassAction
    reason: Reason


def _signal(action: BypassAction, name: str, what: str) -> BypassDecision:
    return BypassDecision(action, Reason(ReasonKind.SIGNAL, rule=name, detail=what))


# name -> (action, reason); exact names, not their subdomains. The detail is a code for
# what the signal does: "browser-doh-canary", "private-relay", "resolver-discovery".
SIGNAL_NAMES: dict[str, BypassDecision] = {
    "use-application-dns.net": _signal(
        BypassAction.NXDOMAIN, "use-application-dns.net", "browser-doh-canary"
    ),
    "mask.icloud.com": _signal(BypassAction.NXDOMAIN, "mask.icloud.com", "private-relay"),
    "mask-h2.icloud.com": _signal(BypassAction.NXDOMAIN, "mask-h2.icloud.com", "private-relay"),
    "_dns.resolver.arpa": _signal(
        BypassAction.NODATA, "_dns.resolver.arpa", "resolver-discovery"
    ),
}


def bypass_decision(
    compiled: CompiledPolicy, profile_name: str | None, name: str
) -> BypassDecision | None:
    """What the bypass guard does with `name` for this child, or None to pass it on."""
    signal = SIGNAL_NAMES.get(name)
    if signal is not None:
        return signal
    profile = compiled.profile(profile_name)
    if profile is None or profile.allowed(name):
        return None
    reason = profile.bypass_host(name)
    if reason is None:
        return None
    return BypassDecision(BypassAction.BLOCK, reason)


class BypassGuardResolver(Resolver):
    """Answers the anti-bypass names itself; passes everything else on."""

    def __init__(self, next_resolver: Resolver | None, rules: RuleBook) -> None:
        super().__init__(next_resolver)
        self._rules = rules

    async def resolve(self, query: Query) -> Result:
        compiled = self._rules.current()
        decision = bypass_decision(compiled, query.profile, query.name)
        if decision is None:
            return await self.next.resolve(query)
        ttl = compiled.policy.block_ttl
        if decision.action is BypassAction.NXDOMAIN:
            response = answers.nxdomain(query.request, query.name, ttl)
        elif decision.action is BypassAction.NODATA:
            response = answers.nodata(query.request, query.name, ttl)
        else:
            profile = compiled.profile(query.profile)
            assert profile is not None  # a BLOCK decision needs a profile
            return blocked_result(compiled, profile, query, decision.reason, AnswerType.BYPASS)
        return Result(response, AnswerType.BYPASS, decision.reason, query.profile)
