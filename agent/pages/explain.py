"""Why a site is blocked, in plain words: the DNS filter's reason turned into a sentence.

The filter's reasons look like ``category adult (example.com)``, ``service tiktok``,
``category social (service tiktok)``, ``schedule * blocked 21:30–06:00``,
``schedule service:youtube allowed only 17:00–19:00``, ``rule deny example.com``,
``allow list only``, ``bypass category bypass (...)`` or ``CNAME x: <reason>``. Only the
category's display name, the service's name and the time window ever reach the page — never
the list a rule came from, nor the rule text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.pages.i18n import AgeBand
from agent.pages.strings import text
from agent.policy.categories import categories
from agent.policy.services import ServiceCatalogue

_CATEGORY = re.compile(r"\Acategory ([a-z0-9_-]+)(?: \((.*)\))?\Z", re.S)
_SERVICE = re.compile(r"\Aservice ([a-z0-9_.-]+)\Z")
_SCHEDULE = re.compile(r"\Aschedule (\S+) (blocked|allowed only) (.+)\Z")
_WINDOW = re.compile(r"\A[0-9:–, -]+\Z")  # "21:30–06:00, 17:00–19:00"


@dataclass(frozen=True)
class Explanation:
    """Why a name is blocked, as data; :meth:`sentence` gives the words."""

    kind: str  # category, service, parent, bedtime, schedule_only, schedule_blocked,
    # allow_list, bypass, generic, not_blocked
    category: str | None = None  # category id
    service: str | None = None  # service id
    window: str | None = None  # "21:30–06:00"
    schedule_target: str | None = None  # "service:youtube", "category:games"

    def sentence(
        self, language: str, band: AgeBand, catalogue: ServiceCatalogue | None = None
    ) -> str:
        """The reason as one plain sentence (not yet HTML-escaped)."""
        key = f"reason_{self.kind}"
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


def explain(reason: str, catalogue: ServiceCatalogue | None = None) -> Explanation:
    """The plain explanation for a blocking reason from the DNS filter."""
    reason = reason.strip()
    # A blocked CNAME target explains the name that led to it.
    while reason.startswith("CNAME ") and ": " in reason:
        reason = reason.split(": ", 1)[1]
    if reason.startswith("bypass "):
        return Explanation("bypass", category="bypass")
    if reason == "allow list only":
        return Explanation("allow_list")
    if reason.startswith("rule deny"):
        return Explanation("parent")
    found = _SERVICE.match(reason)
    if found:
        service_id = found.group(1)
        entry = catalogue.get(service_id) if catalogue is not None else None
        return Explanation(
            "service", category=entry.category if entry else None, service=service_id
        )
    found = _CATEGORY.match(reason)
    if found:
        category_id, detail = found.group(1), found.group(2) or ""
        if category_id == "bypass":
            return Explanation("bypass", category="bypass")
        inner = _SERVICE.match(detail)
        if inner:
            return Explanation("service", category=category_id, service=inner.group(1))
        return Explanation("category", category=category_id)
    found = _SCHEDULE.match(reason)
    if found:
        target, mode, window = found.groups()
        window = window if _WINDOW.match(window) else ""
        if target == "*" and mode == "blocked":
            return Explanation("bedtime", window=window, schedule_target="*")
        kind = "schedule_only" if mode == "allowed only" else "schedule_blocked"
        return Explanation(kind, window=window, schedule_target=target)
    return Explanation("generic")
