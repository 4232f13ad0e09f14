"""Allow/deny and schedules: the child's own rules, and the compiled form every link shares.

Order of precedence for one name and one child (the same in the chain and in `baoan check`):

1. the always-allowed names (the 111 hotline and help sites) pass every rule, for everyone,
   at every hour, even when a list or a schedule would block them;
2. a parent's temporary approval (`Profile.granted`) passes every later block, a `"*"`
   schedule included: a parent who allows a site at bedtime means it for now; until its
   end (`Profile.granted_until`), checked at each query's time;
3. a `"*"` schedule that is blocking now (for example "no internet 21:30-06:00 on school
   nights") blocks everything else, the child's allow list included; so does a service
   whose screen-time minutes the child spent today (`Profile.time_up_services`, until
   the next day);
4. the child's allow list passes every later block: deny list, other schedules,
   allow-list-only, categories, services and CNAME cloaking;
5. the child's deny list;
6. the other schedules (`service:<id>`, `category:<id>`);
7. allow-list-only profiles (the youngest) block every name not allowed above.

The bypass guard (DoH, VPN and proxy hosts) comes before this link; the names of 1, 2 and
4 pass it, so a parent's allow list and approvals open a VPN or DoH host too.

Categories and services are blocked later by :mod:`dns_filter.resolvers.block`, after safe
search has had its turn; they use the compiled rules defined here.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dns_filter import answers
from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.clock import Clock
from dns_filter.lists.index import CategoryLists
from dns_filter.names import normalise_name, suffixes
from dns_filter.policy import (
    FilterPolicy,
    Profile,
    ScheduleMode,
    ScheduleRule,
    Service,
    TimeWindow,
)
from dns_filter.reason import (
    ALLOW_LIST_ONLY_REASON,
    Reason,
    ReasonKind,
    ScheduleWindow,
    WindowMode,
)
from dns_filter.resolvers import PolicySource, SuffixSet

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
BYPASS_CATEGORY = "bypass"


def _clock_text(moment: time) -> str:
    return moment.strftime("%H:%M")


def window_span(window: TimeWindow) -> tuple[str, str]:
    return (_clock_text(window.start), _clock_text(window.end))


def window_is_open(window: TimeWindow, local: datetime) -> bool:
    """Whether `local` (in the family's zone) falls inside `window`.

    A window whose end is not after its start crosses midnight and belongs to the weekday
    on which it starts: Friday 21:30-06:00 covers Friday night and Saturday until 06:00.
    """
    weekday = local.weekday()
    moment = local.time().replace(tzinfo=None)
    if window.start < window.end:
        return weekday in window.days and window.start <= moment < window.end
    previous_day = (weekday - 1) % 7
    return (weekday in window.days and moment >= window.start) or (
        previous_day in window.days and moment < window.end
    )


class _ServiceIndex:
    """Suffix index of service domains -> the reason a match is reported with (its `rule`
    is the service domain that matched)."""

    def __init__(self) -> None:
        self._reasons: dict[str, Reason] = {}

    def add(self, service: Service, reason: Reason) -> None:
        for domain in SuffixSet(service.domains, source=f"service {service.service_id}"):
            self._reasons.setdefault(domain, replace(reason, rule=domain))

    def match(self, name: str) -> Reason | None:
        if not self._reasons:
            return None
        for candidate in suffixes(name):
            reason = self._reasons.get(candidate)
            if reason is not None:
                return reason
        return None


@dataclass(frozen=True)
class _CompiledSchedule:
    rule: ScheduleRule
    applies_to: Callable[[str], bool]
    category: str | None = None  # the target's category, counted by the statistics
    service: str | None = None  # the target's service

    @property
    def everything(self) -> bool:
        return self.rule.target == "*"

    def blocking_reason(self, local: datetime) -> Reason | None:
        """Why this schedule blocks now (for any name it applies to), or None."""
        target = self.rule.target
        if self.rule.mode is ScheduleMode.BLOCKED_DURING:
            for window in self.rule.windows:
                if window_is_open(window, local):
                    open_now = (window_span(window),)
                    return self._reason(ScheduleWindow(target, WindowMode.BLOCKED, open_now))
            return None
        if any(window_is_open(window, local) for window in self.rule.windows):
            return None
        spans = tuple(window_span(window) for window in self.rule.windows)
        return self._reason(ScheduleWindow(target, WindowMode.ALLOWED_ONLY, spans))

    def _reason(self, window: ScheduleWindow) -> Reason:
        return Reason(
            ReasonKind.SCHEDULE, category=self.category, service=self.service, window=window
        )


class ProfileRules:
    """One child's rules, compiled for fast lookups."""

    def __init__(
        self, policy: FilterPolicy, profile: Profile, always_allowed: SuffixSet, zone: ZoneInfo
    ) -> None:
        self.profile = profile
        self.zone = zone
        self._always_allowed = always_allowed
        self._allow = SuffixSet(profile.allow, source=f"profile {profile.name} allow")
        self._granted = SuffixSet(profile.granted, source=f"profile {profile.name} granted")
        self._granted_rules = frozenset(self._granted)
        self._grant_ends = _grant_ends(profile)
        self._deny = SuffixSet(profile.deny, source=f"profile {profile.name} deny")

        self._categories = CategoryLists(
            [
                (category, policy.categories[category])
                for category in sorted(profile.blocked_categories)
                if category in policy.categories
            ]
        )
        self._services = _ServiceIndex()
        for service_id in sorted(profile.blocked_services):
            service = policy.services.get(service_id)
            if service is None:
                log.warning("profile %s blocks unknown service %r", profile.name, service_id)
                continue
            self._services.add(
                service,
                Reason(ReasonKind.SERVICE, category=service.category, service=service_id),
            )
        self._time_up = _ServiceIndex()
        for service_id in sorted(profile.time_up_services):
            service = policy.services.get(service_id)
            if service is not None:
                self._time_up.add(
                    service,
                    Reason(ReasonKind.TIME_UP, category=service.category, service=service_id),
                )
        for service in policy.services.values():
            if service.category in profile.blocked_categories:
                self._services.add(
                    service,
                    Reason(
                        ReasonKind.CATEGORY,
                        category=service.category,
                        service=service.service_id,
                    ),
                )

        self._bypass_matcher = policy.categories.get(BYPASS_CATEGORY)
        self._bypass_services = _ServiceIndex()
        for service in policy.services.values():
            if service.category == BYPASS_CATEGORY:
                self._bypass_services.add(
                    service,
                    Reason(
                        ReasonKind.BYPASS, category=BYPASS_CATEGORY, service=service.service_id
                    ),
                )

        self._schedules = tuple(
            _CompiledSchedule(
                rule, self._target_matcher(policy, rule.target), *_target_facts(policy, rule)
            )
            for rule in profile.schedules
        )

    def _target_matcher(self, policy: FilterPolicy, target: str) -> Callable[[str], bool]:
        if target == "*":
            return lambda _name: True
        kind, _, ident = target.partition(":")
        if kind == "service":
            service = policy.services.get(ident)
            if service is None:
                log.warning("profile %s: schedule for unknown %s", self.profile.name, target)
                return lambda _name: False
            domains = SuffixSet(service.domains, source=target)
            return lambda name: domains.match(name) is not None
        if kind == "category":
            matcher = policy.categories.get(ident)
            services = _ServiceIndex()
            for service in policy.services.values():
                if service.category == ident:
                    services.add(service, Reason(ReasonKind.CATEGORY, category=ident))
            return lambda name: (
                (matcher is not None and matcher.match(name) is not None)
                or services.match(name) is not None
            )
        log.warning("profile %s: schedule target %r is not understood", self.profile.name, target)
        return lambda _name: False

    def local_time(self, now: datetime) -> datetime:
        if now.tzinfo is None:
            raise ValueError("the clock must return an aware datetime")
        return now.astimezone(self.zone)

    def always_allowed(self, name: str) -> Reason | None:
        rule = self._always_allowed.match(name)
        return Reason(ReasonKind.HELP_SITE, rule=rule) if rule else None

    def granted(self, name: str, now: datetime | None = None) -> Reason | None:
        """Why a parent's temporary approval opens `name` (it beats every block), or None.
        With `now`, an approval that has ended by then no longer counts."""
        live = self._live_grants(name, now)
        return Reason(ReasonKind.GRANTED, rule=live[0][0]) if live else None

    def grant_end(self, name: str, now: datetime) -> datetime | None:
        """When the approvals that open `name` at `now` end: the latest of them. None when
        one of them has no end (or none opens it)."""
        ends = [end for _rule, end in self._live_grants(name, now)]
        if not ends or any(end is None for end in ends):
            return None
        return max(end for end in ends if end is not None)

    def _live_grants(self, name: str, now: datetime | None) -> list[tuple[str, datetime | None]]:
        """(rule, end) of each approval matching `name` that is still running at `now`,
        the most specific rule first."""
        if not self._granted_rules:
            return []
        live = []
        for candidate in suffixes(name):
            if candidate not in self._granted_rules:
                continue
            end = self._grant_ends.get(candidate)
            if now is None or end is None or now < end:
                live.append((candidate, end))
        return live

    def allowed(self, name: str, now: datetime | None = None) -> Reason | None:
        """Why `name` passes every block except, for the allow list, a `"*"` schedule: the
        help sites, a parent's temporary approval, the child's allow list."""
        always = self.always_allowed(name) or self.granted(name, now)
        if always:
            return always
        rule = self._allow.match(name)
        return Reason(ReasonKind.ALLOW_LIST, rule=rule) if rule else None

    def exempt(self, name: str, now: datetime) -> Reason | None:
        """Why `name` must not be blocked by any later link right now, or None."""
        always = self.always_allowed(name) or self.granted(name, now)
        if always:
            return always
        if self._everything_blocked(self.local_time(now)):
            return None
        return self.allowed(name, now)

    def _everything_blocked(self, local: datetime) -> Reason | None:
        for schedule in self._schedules:
            if schedule.everything:
                reason = schedule.blocking_reason(local)
                if reason:
                    return reason
        return None

    def denied(self, name: str, now: datetime, *, cname_target: bool = False) -> Reason | None:
        """Why the child's own rules block `name` now (steps 3-7 above), or None.

        For a CNAME target the allow-list-only rule does not apply (the allowed site's own
        CDN names would be blocked otherwise); every other rule does.
        """
        if self.always_allowed(name) or self.granted(name, now):
            return None
        local = self.local_time(now)
        reason = self._everything_blocked(local) or self._time_up.match(name)
        if reason:
            return reason
        if self.allowed(name, now):
            return None
        rule = self._deny.match(name)
        if rule:
            return Reason(ReasonKind.DENY_LIST, rule=rule)
        for schedule in self._schedules:
            if not schedule.everything and schedule.applies_to(name):
                reason = schedule.blocking_reason(local)
                if reason:
                    return reason
        if self.profile.allow_list_only and not cname_target:
            return ALLOW_LIST_ONLY_REASON
        return None

    def listed(self, name: str) -> Reason | None:
        """Why a blocked service or category list matches `name`, or None."""
        reason = self._services.match(name)
        if reason:
            return reason
        found = self._categories.first_match(name)
        if found is None:
            return None
        category, rule = found
        return Reason(ReasonKind.CATEGORY, category=category, rule=rule)

    def bypass_host(self, name: str) -> Reason | None:
        """Why `name` is a DoH/VPN/proxy host this child may not use, or None."""
        if not self.profile.block_bypass:
            return None
        if self._bypass_matcher is not None:
            rule = self._bypass_matcher.match(name)
            if rule:
                return Reason(ReasonKind.BYPASS, category=BYPASS_CATEGORY, rule=rule)
        return self._bypass_services.match(name)


def _grant_ends(profile: Profile) -> dict[str, datetime]:
    """The granted names' ends, keyed by the rule as the suffix set normalised it."""
    ends: dict[str, datetime] = {}
    for name, end in profile.granted_until.items():
        try:
            rule = normalise_name(name, allow_wildcard=True, allow_single_label=True)
        except ValueError:
            continue  # the suffix set has warned about it
        ends[rule] = max(end, ends.get(rule, end))
    return ends


def _target_facts(policy: FilterPolicy, rule: ScheduleRule) -> tuple[str | None, str | None]:
    """(category, service) a schedule's target names, for the reasons it blocks with."""
    kind, _, ident = rule.target.partition(":")
    if kind == "category":
        return ident, None
    if kind == "service":
        service = policy.services.get(ident)
        return (service.category if service is not None else None), ident
    return None, None


class CompiledPolicy:
    """A policy snapshot with every profile's rules compiled."""

    def __init__(self, policy: FilterPolicy) -> None:
        self.policy = policy
        try:
            self.zone = ZoneInfo(policy.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            log.error("unknown time zone %r; using %s", policy.timezone, DEFAULT_TIMEZONE)
            self.zone = ZoneInfo(DEFAULT_TIMEZONE)
        self.always_allowed = SuffixSet(policy.always_allowed, source="always allowed")
        self._profiles = {
            name: ProfileRules(policy, profile, self.always_allowed, self.zone)
            for name, profile in policy.profiles.items()
        }

    def profile(self, name: str | None) -> ProfileRules | None:
        if name is None:
            return None
        return self._profiles.get(name)


class RuleBook:
    """Compiles the policy source's snapshot once per swap and hands out the compiled form.

    One instance is shared by the links of a chain; a new snapshot (a different object) is
    compiled on first use, and a snapshot that fails to compile leaves the last good one.
    """

    def __init__(self, source: PolicySource) -> None:
        self._source = source
        self._compiled: CompiledPolicy | None = None

    def current(self) -> CompiledPolicy:
        policy = self._source.current()
        compiled = self._compiled
        if compiled is not None and compiled.policy is policy:
            return compiled
        try:
            compiled = CompiledPolicy(policy)
        except Exception:
            if self._compiled is None:
                raise
            log.exception("the new policy could not be compiled; keeping the last good one")
            return self._compiled
        self._compiled = compiled
        return compiled


class ProfileRulesResolver(Resolver):
    """A link that applies the asking child's compiled rules at the clock's time.

    A query of no known profile passes on untouched; for the others the clock is read once
    and :meth:`resolve_for` decides.
    """

    def __init__(self, next_resolver: Resolver | None, rules: RuleBook, clock: Clock) -> None:
        super().__init__(next_resolver)
        self._rules = rules
        self._clock = clock

    async def resolve(self, query: Query) -> Result:
        compiled = self._rules.current()
        profile = compiled.profile(query.profile)
        if profile is None:
            return await self.next.resolve(query)
        return await self.resolve_for(query, compiled, profile, self._clock.now())

    @abc.abstractmethod
    async def resolve_for(
        self, query: Query, compiled: CompiledPolicy, profile: ProfileRules, now: datetime
    ) -> Result:
        """Answer `query` for the child's `profile`, or pass it on."""


class RulesResolver(ProfileRulesResolver):
    """Blocks by the child's deny list, schedules and allow-list-only setting."""

    async def resolve_for(
        self, query: Query, compiled: CompiledPolicy, profile: ProfileRules, now: datetime
    ) -> Result:
        reason = profile.denied(query.name, now)
        if reason is None:
            return await self.next.resolve(query)
        return blocked_result(compiled, profile, query, reason)


def blocked_result(
    compiled: CompiledPolicy,
    profile: ProfileRules,
    query: Query,
    reason: Reason,
    answer_type: AnswerType = AnswerType.BLOCKED,
) -> Result:
    """The answer for a name blocked by `reason`, in the child's block mode."""
    policy = compiled.policy
    response = answers.blocked(
        query.request,
        query.name,
        query.qtype,
        profile.profile.block_mode,
        ipv4=policy.block_page_ipv4,
        ipv6=policy.block_page_ipv6,
        ttl=policy.block_ttl,
    )
    return Result(response, answer_type, reason, query.profile)
