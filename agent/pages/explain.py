"""Why a site is blocked, in plain words: the DNS filter's typed reason made a sentence.

:func:`explain` reads the :class:`~dns_filter.reason.Reason`'s kind and fields (a blocked
CNAME target explains the name that led to it). Only the category's display name, the
service's name and the time window ever reach the page — never the list a rule came from,
nor the rule text.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.pages.i18n import AgeBand
from agent.pages.strings import PARENT_REASONS, text
from agent.policy.categories import categories
from agent.policy.services import ServiceCatalogue
from dns_filter.reason import Reason, ReasonKind, ScheduleWindow, WindowMode


@dataclass(frozen=True)
class Explanation:
    """Why a name is blocked, as data; :meth:`sentence` gives the words."""

    kind: str  # category, service, parent, bedtime, schedule_only, schedule_blocked,
    # schedule_closed, allow_list, bypass, time_up, generic, not_blocked
    category: str | None = None  # category id
    service: str | None = None  # service id
    window: str | None = None  # "21:30–06:00"
    schedule_target: str | None = None  # "service:youtube", "category:games"

    @property
    def group(self) -> str:
        """Which heading and reassurance go with the reason: ``blocked``, ``schedule``,
        ``bedtime``, ``bypass``, ``time_up`` or ``not_blocked``."""
        if self.kind.startswith("schedule_"):
            return "schedule"
        if self.kind in ("bedtime", "bypass", "not_blocked", "time_up"):
            return self.kind
        return "blocked"

    @property
    def blocked(self) -> bool:
        return self.kind != "not_blocked"

    def sentence(
        self, language: str, band: AgeBand, catalogue: ServiceCatalogue | None = None
    ) -> str:
        """The reason as one plain sentence (not yet HTML-escaped)."""
        key = f"reason_{self.kind}"
        if self.kind == "service" and not self.category:
            key = "reason_service_plain"
        words = text(language, band, key)
        return words.format(
            category=category_name(self.category, language),
            service=service_name(self.service, catalogue),
            window=self.window or "",
            what=self._schedule_what(language, catalogue),
        )

    def _schedule_what(self, language: str, catalogue: ServiceCatalogue | None) -> str:
        target = self.schedule_target or ""
        kind, _, ident = target.partition(":")
        if kind == "service":
            return service_name(ident, catalogue)
        if kind == "category":
            return category_name(ident, language)
        return text(language, AgeBand.AGES_11_14, "everything")


def category_name(category_id: str | None, language: str) -> str:
    if category_id is None:
        return ""
    found = categories().get(category_id)
    if found is None:
        return category_id
    return found.name_en if language == "en" else found.name_vi


def service_name(service_id: str | None, catalogue: ServiceCatalogue | None) -> str:
    if not service_id:
        return ""
    if catalogue is not None:
        entry = catalogue.get(service_id)
        if entry is not None:
            return entry.name
    return service_id


def explain(reason: Reason, catalogue: ServiceCatalogue | None = None) -> Explanation:
    """The plain explanation for the DNS filter's reason, from its fields."""
    # A blocked CNAME target explains the name that led to it.
    reason = reason.target_reason()
    kind = reason.kind
    if kind in (ReasonKind.BYPASS, ReasonKind.SIGNAL) or reason.category == "bypass":
        return Explanation("bypass", category="bypass")
    if kind is ReasonKind.ALLOW_LIST_ONLY:
        return Explanation("allow_list")
    if kind is ReasonKind.DENY_LIST:
        return Explanation("parent")
    if kind is ReasonKind.TIME_UP and reason.service:
        return Explanation("time_up", category=reason.category, service=reason.service)
    if kind in (ReasonKind.SERVICE, ReasonKind.CATEGORY) and reason.service:
        category = reason.category
        if category is None and catalogue is not None:
            entry = catalogue.get(reason.service)
            category = entry.category if entry is not None else None
        return Explanation("service", category=category, service=reason.service)
    if kind is ReasonKind.CATEGORY and reason.category:
        return Explanation("category", category=reason.category)
    if kind is ReasonKind.SCHEDULE and reason.window is not None:
        return _schedule(reason.window)
    return Explanation("generic")


def window_words(window: ScheduleWindow) -> str:
    """``21:30–06:00``, or ``07:00–11:00, 13:30–17:00``: clock times read alike in vi and en."""
    return ", ".join(f"{start}–{end}" for start, end in window.spans)


def _schedule(window: ScheduleWindow) -> Explanation:
    times = window_words(window)
    if window.mode is WindowMode.BLOCKED:
        kind = "bedtime" if window.target == "*" else "schedule_blocked"
        return Explanation(kind, window=times, schedule_target=window.target)
    kind = "schedule_only" if times else "schedule_closed"
    return Explanation(kind, window=times, schedule_target=window.target)


def reason_in_words(
    reason: Reason, language: str, catalogue: ServiceCatalogue | None = None
) -> str:
    """The reason in a parent's words (`baoan check`), from its fields, in `language`."""
    words = PARENT_REASONS.get(language, PARENT_REASONS["vi"])
    kind = reason.kind
    key = str(kind)
    target = ""
    if kind is ReasonKind.CNAME:
        target = reason_in_words(reason.target_reason(), language, catalogue)
        if reason.target_kind is None:
            target = words["other"]
    elif kind is ReasonKind.CATEGORY and reason.service:
        key = "category_service"
    elif kind is ReasonKind.CATEGORY and not reason.rule:
        key = "category_plain"
    elif kind is ReasonKind.SERVICE and not reason.category:
        key = "service_plain"
    elif kind is ReasonKind.SCHEDULE:
        window = reason.window
        if window is None:
            key = "other"
        elif window.mode is WindowMode.BLOCKED:
            key = "schedule_blocked"
        else:
            key = "schedule_only" if window.spans else "schedule_closed"
    sentence = words.get(key, words["other"])
    return sentence.format(
        category=category_name(reason.category, language),
        service=service_name(reason.service, catalogue),
        rule=reason.rule or "",
        window=window_words(reason.window) if reason.window else "",
        what=_parent_what(reason.window, language, catalogue),
        detail=reason.detail or "",
        cname_target=reason.cname_target or "",
        upstream=reason.upstream or "",
        target=target,
    )


def _parent_what(
    window: ScheduleWindow | None, language: str, catalogue: ServiceCatalogue | None
) -> str:
    if window is None:
        return ""
    kind, _, ident = window.target.partition(":")
    if kind == "service":
        return service_name(ident, catalogue)
    if kind == "category":
        return category_name(ident, language)
    return PARENT_REASONS.get(language, PARENT_REASONS["vi"])["everything"]
