"""Why the chain answered as it did, as data: a kind and the facts that apply to it.

Every answer of the resolver chain carries a :class:`Reason`. Consumers (the query log,
statistics, the block page, `baoan check`, the dashboard) read its fields and put them in
their reader's words; nobody parses text back. `to_json()` / `from_json()` give the plain
object the agent stores and serves: ``{"kind": ...}`` plus the fields that are set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class ReasonKind(StrEnum):
    CATEGORY = "category"  # a blocked category's list (or a service catalogued in it)
    SERVICE = "service"  # a blocked service's domains
    TIME_UP = "time_up"  # the service's screen-time minutes are spent for today
    DENY_LIST = "deny_list"  # the child's deny list
    ALLOW_LIST_ONLY = "allow_list_only"  # the child may open only the allow list
    ALLOW_LIST = "allow_list"  # the child's allow list let the name through
    HELP_SITE = "help_site"  # the 111 hotline and help sites, open for everyone
    GRANTED = "granted"  # a parent's temporary approval of the child's request
    SCHEDULE = "schedule"  # a schedule in force now
    SAFE_SEARCH = "safe_search"  # a search engine answered with its safe mode
    BYPASS = "bypass"  # a DoH, VPN or proxy host the child may not use
    SIGNAL = "signal"  # a name that tells devices to stay on this filter
    CNAME = "cname"  # the name points at a blocked name (CNAME cloaking)
    UPSTREAM = "upstream"  # answered by an upstream resolver
    LOCAL = "local"  # a name that stays on this network, answered here, never forwarded
    CACHE = "cache"  # answered from the cache
    STALE = "stale"  # an expired cached answer, served while the upstreams fail
    FAILURE = "failure"  # no answer could be had: SERVFAIL
    NO_RULE = "no_rule"  # no rule of the child's matched
    UNFILTERED = "unfiltered"  # the query belongs to no child
    OTHER = "other"  # a reason this version does not know (an old log row)


class WindowMode(StrEnum):
    BLOCKED = "blocked"  # blocked during the span
    ALLOWED_ONLY = "allowed_only"  # open only during the spans


_CLOCK = re.compile(r"\A(?:[01][0-9]|2[0-3]):[0-5][0-9]\Z")
_MAX_TEXT = 1000  # longer text in a stored or received reason is refused


class ReasonError(ValueError):
    """A stored or received reason does not have the shape of one; says what is wrong."""


@dataclass(frozen=True, slots=True)
class ScheduleWindow:
    """The schedule behind a block: its target (``*``, ``service:youtube``,
    ``category:games``), its mode, and the spans (``("21:30", "06:00")``) that apply: the
    open one for BLOCKED, all allowed ones (maybe none) for ALLOWED_ONLY."""

    target: str
    mode: WindowMode
    spans: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "target": self.target,
            "mode": str(self.mode),
            "spans": [[start, end] for start, end in self.spans],
        }

    @classmethod
    def from_json(cls, value: object) -> ScheduleWindow:
        if not isinstance(value, Mapping):
            raise ReasonError("reason.window: expected an object")
        target = _text(value.get("target"), "reason.window.target")
        mode_text = _text(value.get("mode"), "reason.window.mode")
        try:
            mode = WindowMode(mode_text)
        except ValueError:
            raise ReasonError(f"reason.window.mode: unknown mode {mode_text[:40]!r}") from None
        spans_value = value.get("spans", [])
        if not isinstance(spans_value, list) or len(spans_value) > 48:
            raise ReasonError("reason.window.spans: expected a list of [start, end]")
        spans = []
        for span in spans_value:
            if (
                not isinstance(span, list)
                or len(span) != 2
                or not all(isinstance(part, str) and _CLOCK.match(part) for part in span)
            ):
                raise ReasonError("reason.window.spans: expected [\"HH:MM\", \"HH:MM\"] pairs")
            spans.append((span[0], span[1]))
        return cls(target, mode, tuple(spans))


@dataclass(frozen=True, slots=True)
class Reason:
    """Why one answer is what it is. Only the fields that apply to `kind` are set:

    - `category`: the category of a blocked name (category, service, bypass, CNAME and
      category/service schedules), so that statistics count every block's category;
    - `service`: the service id; `rule`: the list entry or domain rule that matched;
    - `window`: the schedule in force; `cname_target` and `target_kind`: the CNAME target
      that was blocked and the kind of rule that blocked it (a safe-search rewrite names
      its target in `cname_target` too); `upstream`: the upstream's URL;
    - `detail`: what else there is to say (the search engine, the failure's text).
    """

    kind: ReasonKind
    category: str | None = None
    service: str | None = None
    rule: str | None = None
    window: ScheduleWindow | None = None
    cname_target: str | None = None
    target_kind: ReasonKind | None = None
    upstream: str | None = None
    detail: str | None = None

    def cname(self, target: str) -> Reason:
        """This reason, found for the CNAME target `target` of the name asked."""
        return Reason(
            ReasonKind.CNAME,
            category=self.category,
            service=self.service,
            rule=self.rule,
            window=self.window,
            cname_target=target,
            target_kind=self.kind,
            detail=self.detail,
        )

    def target_reason(self) -> Reason:
        """For a CNAME reason, the reason the target itself was blocked for."""
        if self.kind is not ReasonKind.CNAME or self.target_kind is None:
            return self
        return Reason(
            self.target_kind,
            category=self.category,
            service=self.service,
            rule=self.rule,
            window=self.window,
            detail=self.detail,
        )

    def to_json(self) -> dict[str, object]:
        """``{"kind": ...}`` plus every field that is set."""
        data: dict[str, object] = {"kind": str(self.kind)}
        for name in ("category", "service", "rule", "cname_target", "upstream", "detail"):
            value = getattr(self, name)
            if value:
                data[name] = value
        if self.window is not None:
            data["window"] = self.window.to_json()
        if self.target_kind is not None:
            data["target_kind"] = str(self.target_kind)
        return data

    @classmethod
    def from_json(cls, value: object) -> Reason:
        """The reason `to_json()` wrote; ReasonError for anything else (unknown fields are
        ignored, so a newer writer's extras do not break an older reader)."""
        if not isinstance(value, Mapping):
            raise ReasonError(f"reason: expected an object, got {type(value).__name__}")
        kind = _kind(value.get("kind"), "reason.kind")
        target_kind = value.get("target_kind")
        window = value.get("window")
        return cls(
            kind,
            category=_optional_text(value, "category"),
            service=_optional_text(value, "service"),
            rule=_optional_text(value, "rule"),
            window=None if window is None else ScheduleWindow.from_json(window),
            cname_target=_optional_text(value, "cname_target"),
            target_kind=None if target_kind is None else _kind(target_kind, "reason.target_kind"),
            upstream=_optional_text(value, "upstream"),
            detail=_optional_text(value, "detail"),
        )


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ReasonError(f"{where}: expected text, got {type(value).__name__}")
    if len(value) > _MAX_TEXT:
        raise ReasonError(f"{where}: longer than {_MAX_TEXT} characters")
    return value


def _optional_text(data: Mapping[str, object], name: str) -> str | None:
    value = data.get(name)
    return None if value is None else _text(value, f"reason.{name}")


def _kind(value: object, where: str) -> ReasonKind:
    text = _text(value, where)
    try:
        return ReasonKind(text)
    except ValueError:
        raise ReasonError(f"{where}: unknown kind {text[:40]!r}") from None


# Reasons that never change, built once.
CACHE_REASON = Reason(ReasonKind.CACHE)
STALE_REASON = Reason(ReasonKind.STALE)
NO_RULE_REASON = Reason(ReasonKind.NO_RULE)
UNFILTERED_REASON = Reason(ReasonKind.UNFILTERED)
ALLOW_LIST_ONLY_REASON = Reason(ReasonKind.ALLOW_LIST_ONLY)


def failure_reason(detail: str) -> Reason:
    """No answer: `detail` says what failed (each upstream's failure, a timeout, ...)."""
    return Reason(ReasonKind.FAILURE, detail=detail)
