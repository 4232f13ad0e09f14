"""The plain data the local API carries, shared by the agent and its clients.

Each type knows its JSON shape (``to_json()`` / ``from_json()``, the shapes in
docs/api.md). The agent's services hand these to the API; :mod:`agent.api.client` hands
them to the dashboard and to ``baoan status``. Nothing here imports more than the standard
library, so the GUI may use it freely.

Times are aware datetimes, written as ISO 8601.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

JsonObject = dict[str, Any]


class ShapeError(ValueError):
    """A JSON value does not have the shape the API promises; says which field."""


# -- helpers --------------------------------------------------------------------------------


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ShapeError(f"{where}: expected an object, got {type(value).__name__}")
    return value


def _field(data: Mapping[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    if name not in data:
        raise ShapeError(f"{where}: missing field {name!r}")
    value = data[name]
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise ShapeError(f"{where}.{name}: expected {_kind_name(kind)}, got {value!r}")
    return value


def _optional(data: Mapping[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    if data.get(name) is None:
        return None
    return _field(data, name, kind, where)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    if isinstance(kind, tuple):
        return " or ".join(k.__name__ for k in kind)
    return kind.__name__


def _time(value: str | None, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ShapeError(f"{where}: not an ISO 8601 time: {value!r}") from exc
    if moment.tzinfo is None:
        raise ShapeError(f"{where}: the time has no time zone: {value!r}")
    return moment


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ShapeError(f"{where}: expected a list of strings")
    return tuple(value)


def _counts(value: Any, where: str) -> tuple[tuple[str, int], ...]:
    """``[[name, n], ...]``."""
    if not isinstance(value, list):
        raise ShapeError(f"{where}: expected a list of [name, count] pairs")
    pairs: list[tuple[str, int]] = []
    for index, item in enumerate(value):
        if (
            not isinstance(item, list | tuple)
            or len(item) != 2
            or not isinstance(item[0], str)
            or not isinstance(item[1], int)
        ):
            raise ShapeError(f"{where}[{index}]: expected [name, count], got {item!r}")
        pairs.append((item[0], item[1]))
    return tuple(pairs)


def _count_map(value: Any, where: str) -> dict[str, int]:
    data = _object(value, where)
    for key, count in data.items():
        if not isinstance(count, int) or isinstance(count, bool):
            raise ShapeError(f"{where}.{key}: expected a whole number, got {count!r}")
    return dict(data)


def _answers(data: Mapping[str, Any], where: str) -> int:
    """A query-log row's `count`: 1 when absent (an agent from before it), else ≥ 1."""
    count = _optional(data, "count", int, where)
    if count is None:
        return 1
    if count < 1:
        raise ShapeError(f"{where}.count: expected at least 1, got {count!r}")
    return int(count)


# -- the types ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    """``GET /api/health``."""

    status: str
    version: str

    def to_json(self) -> JsonObject:
        return {"status": self.status, "version": self.version}

    @classmethod
    def from_json(cls, value: Any) -> Health:
        data = _object(value, "health")
        return cls(_field(data, "status", str, "health"), _field(data, "version", str, "health"))


@dataclass(frozen=True)
class PolicyState:
    """Which family.toml is in force, since when, and what is wrong with the newest one."""

    source: str
    loaded_at: datetime | None = None
    error: str | None = None
    # Help alerts are on in the policy, but it names no caregiver who could receive them.
    help_alerts_unheard: bool = False

    def to_json(self) -> JsonObject:
        value: JsonObject = {
            "loaded_at": _iso(self.loaded_at),
            "source": self.source,
            "error": self.error,
        }
        if self.help_alerts_unheard:  # in the answer only when true
            value["help_alerts_unheard"] = True
        return value

    @classmethod
    def from_json(cls, value: Any) -> PolicyState:
        where = "policy"
        data = _object(value, where)
        return cls(
            source=_field(data, "source", str, where),
            loaded_at=_time(_optional(data, "loaded_at", str, where), f"{where}.loaded_at"),
            error=_optional(data, "error", str, where),
            help_alerts_unheard=bool(_optional(data, "help_alerts_unheard", bool, where)),
        )


@dataclass(frozen=True)
class ListInfo:
    """One blocklist source and what its last load found."""

    category: str
    source: str
    count: int
    updated_at: datetime | None = None
    bad_lines: int = 0
    error: str | None = None

    def to_json(self) -> JsonObject:
        return {
            "category": self.category,
            "source": self.source,
            "count": self.count,
            "updated_at": _iso(self.updated_at),
            "bad_lines": self.bad_lines,
            "error": self.error,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "list") -> ListInfo:
        data = _object(value, where)
        return cls(
            category=_field(data, "category", str, where),
            source=_field(data, "source", str, where),
            count=_field(data, "count", int, where),
            updated_at=_time(_optional(data, "updated_at", str, where), f"{where}.updated_at"),
            bad_lines=_optional(data, "bad_lines", int, where) or 0,
            error=_optional(data, "error", str, where),
        )


@dataclass(frozen=True)
class ChildProfile:
    """A child as the family policy has it (what the agent's services give the API)."""

    name: str
    age: int | None
    preset: str
    os_users: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChildInfo:
    """A child with today's screen time so far."""

    name: str
    age: int | None
    preset: str
    os_users: tuple[str, ...]
    usage_today_minutes: int

    def to_json(self) -> JsonObject:
        return {
            "name": self.name,
            "age": self.age,
            "preset": self.preset,
            "os_users": list(self.os_users),
            "usage_today_minutes": self.usage_today_minutes,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "child") -> ChildInfo:
        data = _object(value, where)
        return cls(
            name=_field(data, "name", str, where),
            age=_optional(data, "age", int, where),
            preset=_field(data, "preset", str, where),
            os_users=_strings(data.get("os_users", []), f"{where}.os_users"),
            usage_today_minutes=_field(data, "usage_today_minutes", int, where),
        )


@dataclass(frozen=True)
class UsageToday:
    """Minutes of counted screen time per child on the family's current day, and each
    child's detail (`details`: per app, service and category, and the time left)."""

    date: date
    minutes: Mapping[str, float] = field(default_factory=dict)  # whole minutes on the wire
    details: tuple[ChildUsage, ...] = ()

    def to_json(self) -> JsonObject:
        # Whole minutes: a partly used minute is not counted yet.
        minutes = {name: int(value) for name, value in self.minutes.items()}
        body: JsonObject = {"date": self.date.isoformat(), "children": minutes}
        if self.details:  # an agent without screen time counting sends none
            body["details"] = [detail.to_json() for detail in self.details]
        return body

    @classmethod
    def from_json(cls, value: Any) -> UsageToday:
        where = "usage"
        data = _object(value, where)
        day_text = _field(data, "date", str, where)
        try:
            day = date.fromisoformat(day_text)
        except ValueError as exc:
            raise ShapeError(f"{where}.date: not a YYYY-MM-DD date: {day_text!r}") from exc
        details = data.get("details", [])
        if not isinstance(details, list):
            raise ShapeError(f"{where}.details: expected a list")
        return cls(
            day,
            _count_map(data.get("children", {}), f"{where}.children"),
            tuple(
                ChildUsage.from_json(item, f"{where}.details[{index}]")
                for index, item in enumerate(details)
            ),
        )


@dataclass(frozen=True)
class DnsCounters:
    """What the DNS filter counted since it started: answers whose query-log rows were
    shed under load (each still counted in the statistics) and queries refused by the
    per-client rate limit."""

    log_shed: int = 0
    rate_limited: int = 0


@dataclass(frozen=True)
class Status:
    """``GET /api/status``. `children` is None unless asked with a parent token.
    `timezone` is the family's IANA time zone (``Asia/Ho_Chi_Minh``); None from an older
    agent that does not say."""

    version: str
    dns_listening: tuple[str, ...]
    policy: PolicyState
    lists: tuple[ListInfo, ...]
    pin_set: bool
    language: str
    children: tuple[ChildInfo, ...] | None = None
    timezone: str | None = None
    dns_counters: DnsCounters | None = None  # None from an older agent that does not say

    @property
    def total_list_entries(self) -> int:
        return sum(item.count for item in self.lists)

    def to_json(self) -> JsonObject:
        value: JsonObject = {
            "version": self.version,
            "dns": {"listening": list(self.dns_listening)},
            "policy": self.policy.to_json(),
            "lists": [item.to_json() for item in self.lists],
            "pin_set": self.pin_set,
            "language": self.language,
        }
        if self.timezone is not None:
            value["timezone"] = self.timezone
        if self.dns_counters is not None:
            dns = value["dns"]
            assert isinstance(dns, dict)
            dns["log_shed"] = self.dns_counters.log_shed
            dns["rate_limited"] = self.dns_counters.rate_limited
        if self.children is not None:
            value["children"] = [child.to_json() for child in self.children]
        return value

    @classmethod
    def from_json(cls, value: Any) -> Status:
        where = "status"
        data = _object(value, where)
        dns = _object(data.get("dns"), f"{where}.dns")
        lists = _field(data, "lists", list, where)
        children = _optional(data, "children", list, where)
        return cls(
            version=_field(data, "version", str, where),
            dns_listening=_strings(dns.get("listening", []), f"{where}.dns.listening"),
            policy=PolicyState.from_json(data.get("policy")),
            lists=tuple(
                ListInfo.from_json(item, f"{where}.lists[{i}]") for i, item in enumerate(lists)
            ),
            pin_set=_field(data, "pin_set", bool, where),
            language=_field(data, "language", str, where),
            timezone=_optional(data, "timezone", str, where),
            dns_counters=None
            if "log_shed" not in dns
            else DnsCounters(
                log_shed=_field(dns, "log_shed", int, f"{where}.dns"),
                rate_limited=_optional(dns, "rate_limited", int, f"{where}.dns") or 0,
            ),
            children=None
            if children is None
            else tuple(
                ChildInfo.from_json(item, f"{where}.children[{i}]")
                for i, item in enumerate(children)
            ),
        )


@dataclass(frozen=True)
class SessionInfo:
    """A parent session: the bearer token and when it ends if left unused."""

    token: str
    expires_at: datetime

    def to_json(self) -> JsonObject:
        return {"token": self.token, "expires_at": self.expires_at.isoformat()}

    @classmethod
    def from_json(cls, value: Any) -> SessionInfo:
        where = "session"
        data = _object(value, where)
        expires = _time(_field(data, "expires_at", str, where), f"{where}.expires_at")
        assert expires is not None
        return cls(_field(data, "token", str, where), expires)

    def __repr__(self) -> str:
        return f"SessionInfo(token=<hidden>, expires_at={self.expires_at.isoformat()})"


@dataclass(frozen=True)
class ScheduleWindowInfo:
    """The schedule behind a reason: its target (``*``, ``service:youtube``,
    ``category:games``), mode (``blocked`` during the spans, or ``allowed_only`` during
    them) and spans as ``("HH:MM", "HH:MM")`` pairs."""

    target: str
    mode: str
    spans: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> JsonObject:
        return {
            "target": self.target,
            "mode": self.mode,
            "spans": [[start, end] for start, end in self.spans],
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "window") -> ScheduleWindowInfo:
        data = _object(value, where)
        spans_value = data.get("spans", [])
        if not isinstance(spans_value, list):
            raise ShapeError(f"{where}.spans: expected a list of [start, end]")
        spans: list[tuple[str, str]] = []
        for index, span in enumerate(spans_value):
            if (
                not isinstance(span, list)
                or len(span) != 2
                or not all(isinstance(part, str) for part in span)
            ):
                raise ShapeError(f"{where}.spans[{index}]: expected [start, end], got {span!r}")
            spans.append((span[0], span[1]))
        return cls(
            target=_field(data, "target", str, where),
            mode=_field(data, "mode", str, where),
            spans=tuple(spans),
        )


_REASON_TEXT_FIELDS = (
    "category", "service", "rule", "cname_target", "target_kind", "upstream", "detail"
)


@dataclass(frozen=True)
class ReasonInfo:
    """Why a query was answered as it was: ``kind`` (``category``, ``service``,
    ``deny_list``, ``allow_list_only``, ``allow_list``, ``help_site``, ``granted``,
    ``schedule``, ``safe_search``, ``bypass``, ``signal``, ``cname``, ``upstream``,
    ``cache``, ``stale``, ``failure``, ``no_rule``, ``unfiltered``, ``other``) and the
    fields that apply (docs/api.md). A kind this version does not know is kept as it is."""

    kind: str
    category: str | None = None
    service: str | None = None
    rule: str | None = None
    window: ScheduleWindowInfo | None = None
    cname_target: str | None = None
    target_kind: str | None = None
    upstream: str | None = None
    detail: str | None = None

    def to_json(self) -> JsonObject:
        data: JsonObject = {"kind": self.kind}
        for name in _REASON_TEXT_FIELDS:
            value = getattr(self, name)
            if value:
                data[name] = value
        if self.window is not None:
            data["window"] = self.window.to_json()
        return data

    @classmethod
    def from_json(cls, value: Any, where: str = "reason") -> ReasonInfo:
        data = _object(value, where)
        window = data.get("window")
        texts = {name: _optional(data, name, str, where) for name in _REASON_TEXT_FIELDS}
        return cls(
            kind=_field(data, "kind", str, where),
            window=None
            if window is None
            else ScheduleWindowInfo.from_json(window, f"{where}.window"),
            **texts,
        )

    @classmethod
    def from_stored(cls, value: Any) -> ReasonInfo:
        """The reason as the store gave it; a damaged one is kind ``other``, never an error
        (one bad row must not break the whole log)."""
        try:
            return cls.from_json(value)
        except ShapeError:
            return cls("other")


def _reason(value: Any, where: str) -> ReasonInfo:
    # An agent before typed reasons sent text: kept as the detail of kind "other".
    if value is None:
        return ReasonInfo("other")
    if isinstance(value, str):
        return ReasonInfo("other", detail=value or None)
    return ReasonInfo.from_json(value, where)


@dataclass(frozen=True)
class QueryLogEntry:
    """One answered DNS query."""

    time: datetime
    child: str | None
    name: str
    qtype: str
    decision: str
    reason: ReasonInfo = field(default_factory=lambda: ReasonInfo("other"))
    category: str | None = None
    client: str | None = None
    latency_ms: float = 0.0
    count: int = 1  # the answers the row stands for (repeats within a minute merged)

    def to_json(self) -> JsonObject:
        return {
            "time": self.time.isoformat(),
            "child": self.child,
            "name": self.name,
            "qtype": self.qtype,
            "decision": self.decision,
            "reason": self.reason.to_json(),
            "category": self.category,
            "client": self.client,
            "latency_ms": self.latency_ms,
            "count": self.count,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "query") -> QueryLogEntry:
        data = _object(value, where)
        moment = _time(_field(data, "time", str, where), f"{where}.time")
        assert moment is not None
        return cls(
            time=moment,
            child=_optional(data, "child", str, where),
            name=_field(data, "name", str, where),
            qtype=_field(data, "qtype", str, where),
            decision=_field(data, "decision", str, where),
            reason=_reason(data.get("reason"), f"{where}.reason"),
            category=_optional(data, "category", str, where),
            client=_optional(data, "client", str, where),
            latency_ms=float(_optional(data, "latency_ms", (int, float), where) or 0.0),
            count=_answers(data, where),
        )


@dataclass(frozen=True)
class Stats:
    """Most blocked and most allowed names, and blocks per category."""

    top_blocked: tuple[tuple[str, int], ...] = ()
    top_allowed: tuple[tuple[str, int], ...] = ()
    by_category: Mapping[str, int] = field(default_factory=dict)

    def to_json(self) -> JsonObject:
        return {
            "top_blocked": [[name, count] for name, count in self.top_blocked],
            "top_allowed": [[name, count] for name, count in self.top_allowed],
            "by_category": dict(self.by_category),
        }

    @classmethod
    def from_json(cls, value: Any) -> Stats:
        where = "stats"
        data = _object(value, where)
        return cls(
            top_blocked=_counts(data.get("top_blocked", []), f"{where}.top_blocked"),
            top_allowed=_counts(data.get("top_allowed", []), f"{where}.top_allowed"),
            by_category=_count_map(data.get("by_category", {}), f"{where}.by_category"),
        )


@dataclass(frozen=True)
class AccessRequestInfo:
    """A child's request to open a site (``GET /api/requests`` and the decision answers).

    `status` is the stored one: ``pending``, ``allowed`` or ``denied``. `state` is what the
    agent says the request is at the moment of the answer: ``pending``, ``allowed`` (a grant
    in force), ``denied``, ``expired`` (its time ran out) or ``revoked`` (a parent took it
    back, at `revoked_at`). Older agents send neither: `state` is then None.
    """

    id: str
    child: str
    kind: str
    target: str
    reason: str
    status: str
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    allowed_until: datetime | None = None
    state: str | None = None
    revoked_at: datetime | None = None

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "child": self.child,
            "kind": self.kind,
            "target": self.target,
            "reason": self.reason,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "decided_at": _iso(self.decided_at),
            "decided_by": self.decided_by,
            "allowed_until": _iso(self.allowed_until),
            "state": self.state,
            "revoked_at": _iso(self.revoked_at),
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "request") -> AccessRequestInfo:
        data = _object(value, where)
        created = _time(_field(data, "created_at", str, where), f"{where}.created_at")
        assert created is not None
        return cls(
            id=_field(data, "id", str, where),
            child=_field(data, "child", str, where),
            kind=_field(data, "kind", str, where),
            target=_field(data, "target", str, where),
            reason=_optional(data, "reason", str, where) or "",
            status=_field(data, "status", str, where),
            created_at=created,
            decided_at=_time(_optional(data, "decided_at", str, where), f"{where}.decided_at"),
            decided_by=_optional(data, "decided_by", str, where),
            allowed_until=_time(
                _optional(data, "allowed_until", str, where), f"{where}.allowed_until"
            ),
            state=_optional(data, "state", str, where),
            revoked_at=_time(_optional(data, "revoked_at", str, where), f"{where}.revoked_at"),
        )


@dataclass(frozen=True)
class GrantInfo:
    """A grant in force (``GET /api/grants``): `names` are opened for `child` until `until`
    (None: until a parent revokes it)."""

    request_id: str
    child: str
    site: str
    names: tuple[str, ...] = ()
    until: datetime | None = None

    def to_json(self) -> JsonObject:
        return {
            "request_id": self.request_id,
            "child": self.child,
            "site": self.site,
            "names": list(self.names),
            "until": _iso(self.until),
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "grant") -> GrantInfo:
        data = _object(value, where)
        return cls(
            request_id=_field(data, "request_id", str, where),
            child=_field(data, "child", str, where),
            site=_field(data, "site", str, where),
            names=_strings(data.get("names", []), f"{where}.names"),
            until=_time(_optional(data, "until", str, where), f"{where}.until"),
        )


# -- the child's tray (``/api/tray/*``, docs/tray.md) ---------------------------------------


def _number(data: Mapping[str, Any], name: str, where: str, default: float) -> float:
    if data.get(name) is None:
        return default
    return float(_field(data, name, (int, float), where))


@dataclass(frozen=True)
class WatchNotice:
    """ "What Bảo An watches", in the words for one child's age band and language."""

    title: str
    intro: str
    recorded_heading: str
    recorded: tuple[str, ...]
    not_recorded_heading: str
    not_recorded: tuple[str, ...]
    who_heading: str
    who: tuple[str, ...]
    kept: str  # the closing note: how to answer, and what the answer does
    leaves_heading: str = ""
    leaves: tuple[str, ...] = ()  # what leaves the PC, and to whom
    rights_heading: str = ""
    rights: str = ""  # how to see or delete the records
    # Consent is asked: the child is 7 or more (Decree 13/2023) and answers "agree" or
    # "disagree"; else they acknowledge it ("acknowledged"), read with a parent.
    choice: bool = False
    agree_label: str = ""
    disagree_label: str = ""

    def to_json(self) -> JsonObject:
        return {
            "title": self.title,
            "intro": self.intro,
            "recorded_heading": self.recorded_heading,
            "recorded": list(self.recorded),
            "not_recorded_heading": self.not_recorded_heading,
            "not_recorded": list(self.not_recorded),
            "leaves_heading": self.leaves_heading,
            "leaves": list(self.leaves),
            "who_heading": self.who_heading,
            "who": list(self.who),
            "rights_heading": self.rights_heading,
            "rights": self.rights,
            "kept": self.kept,
            "choice": self.choice,
            "agree_label": self.agree_label,
            "disagree_label": self.disagree_label,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "notice") -> WatchNotice:
        data = _object(value, where)
        return cls(
            title=_field(data, "title", str, where),
            intro=_field(data, "intro", str, where),
            recorded_heading=_field(data, "recorded_heading", str, where),
            recorded=_strings(data.get("recorded"), f"{where}.recorded"),
            not_recorded_heading=_field(data, "not_recorded_heading", str, where),
            not_recorded=_strings(data.get("not_recorded"), f"{where}.not_recorded"),
            who_heading=_field(data, "who_heading", str, where),
            who=_strings(data.get("who"), f"{where}.who"),
            kept=_field(data, "kept", str, where),
            leaves_heading=_optional(data, "leaves_heading", str, where) or "",
            leaves=_strings(data.get("leaves", []), f"{where}.leaves"),
            rights_heading=_optional(data, "rights_heading", str, where) or "",
            rights=_optional(data, "rights", str, where) or "",
            choice=bool(_optional(data, "choice", bool, where)),
            agree_label=_optional(data, "agree_label", str, where) or "",
            disagree_label=_optional(data, "disagree_label", str, where) or "",
        )


@dataclass(frozen=True)
class TrayProfile:
    """``GET /api/tray/me``: whose tray this is and how to speak to them."""

    child: str | None
    os_user: str | None
    age_band: str
    language: str
    help_alerts: bool
    poll_seconds: float
    acknowledged: bool
    acknowledged_at: datetime | None
    notice: WatchNotice
    watch_page: str = "/__baoan/watch"
    help_page: str = "/__baoan/help"
    # How many caregivers a help alert would reach now; None from an agent that does not say.
    help_receivers: int | None = None
    # How many caregivers "Báo điều xấu" → "tell my parents" would reach now (help alerts on
    # or off); None from an agent that does not say.
    report_receivers: int | None = None

    def to_json(self) -> JsonObject:
        return {
            "child": self.child,
            "os_user": self.os_user,
            "age_band": self.age_band,
            "language": self.language,
            "help_alerts": self.help_alerts,
            "help_receivers": self.help_receivers,
            "report_receivers": self.report_receivers,
            "poll_seconds": self.poll_seconds,
            "pages": {"watch": self.watch_page, "help": self.help_page},
            "watch": {
                "acknowledged": self.acknowledged,
                "acknowledged_at": _iso(self.acknowledged_at),
                "notice": self.notice.to_json(),
            },
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "tray") -> TrayProfile:
        data = _object(value, where)
        watch = _object(data.get("watch"), f"{where}.watch")
        pages = _object(data.get("pages", {}), f"{where}.pages")
        return cls(
            child=_optional(data, "child", str, where),
            os_user=_optional(data, "os_user", str, where),
            age_band=_field(data, "age_band", str, where),
            language=_field(data, "language", str, where),
            help_alerts=bool(_optional(data, "help_alerts", bool, where)),
            help_receivers=_optional(data, "help_receivers", int, where),
            report_receivers=_optional(data, "report_receivers", int, where),
            poll_seconds=_number(data, "poll_seconds", where, 5.0),
            acknowledged=_field(watch, "acknowledged", bool, f"{where}.watch"),
            acknowledged_at=_time(
                _optional(watch, "acknowledged_at", str, f"{where}.watch"),
                f"{where}.watch.acknowledged_at",
            ),
            notice=WatchNotice.from_json(watch.get("notice"), f"{where}.watch.notice"),
            watch_page=_optional(pages, "watch", str, f"{where}.pages") or "/__baoan/watch",
            help_page=_optional(pages, "help", str, f"{where}.pages") or "/__baoan/help",
        )


@dataclass(frozen=True)
class BlockedSite:
    """A site blocked for the child on this PC, as the tray notifies it."""

    time: datetime
    name: str
    category: str | None
    why: str | None  # one plain sentence in the child's words, never a list's name
    page: str  # the block page's path on the agent's address

    def to_json(self) -> JsonObject:
        return {
            "time": self.time.isoformat(),
            "name": self.name,
            "category": self.category,
            "why": self.why,
            "page": self.page,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "blocked") -> BlockedSite:
        data = _object(value, where)
        moment = _time(_field(data, "time", str, where), f"{where}.time")
        assert moment is not None
        return cls(
            time=moment,
            name=_field(data, "name", str, where),
            category=_optional(data, "category", str, where),
            why=_optional(data, "why", str, where),
            page=_field(data, "page", str, where),
        )


@dataclass(frozen=True)
class BlockedBatch:
    """``GET /api/tray/blocked``: blocks since the cursor, oldest first, and the next cursor."""

    items: tuple[BlockedSite, ...]
    cursor: str
    truncated: bool = False  # older entries were skipped to keep the answer short

    def to_json(self) -> JsonObject:
        return {
            "items": [item.to_json() for item in self.items],
            "cursor": self.cursor,
            "truncated": self.truncated,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "blocked") -> BlockedBatch:
        data = _object(value, where)
        items = _field(data, "items", list, where)
        return cls(
            items=tuple(
                BlockedSite.from_json(item, f"{where}.items[{index}]")
                for index, item in enumerate(items)
            ),
            cursor=_field(data, "cursor", str, where),
            truncated=bool(_optional(data, "truncated", bool, where)),
        )


@dataclass(frozen=True)
class HelpOutcome:
    """``POST /api/tray/help``: whether the caregivers were alerted. `already_told`: this
    press sent nothing new because they were told a moment ago (in the answer only when
    true). `child` is None when no known child pressed it: then no alert went."""

    alerted: bool
    alerts_enabled: bool
    child: str | None = None
    already_told: bool = False
    # How many caregivers the alert was queued for; 0: nobody is set up to receive one.
    # In the answer only when an alert was tried.
    receivers: int | None = None

    def to_json(self) -> JsonObject:
        body: JsonObject = {
            "child": self.child,
            "alerted": self.alerted,
            "alerts_enabled": self.alerts_enabled,
        }
        if self.already_told:
            body["already_told"] = True
        if self.receivers is not None:
            body["receivers"] = self.receivers
        return body

    @classmethod
    def from_json(cls, value: Any, where: str = "help") -> HelpOutcome:
        data = _object(value, where)
        return cls(
            alerted=bool(_optional(data, "alerted", bool, where)),
            alerts_enabled=bool(_optional(data, "alerts_enabled", bool, where)),
            child=_optional(data, "child", str, where),
            already_told=bool(_optional(data, "already_told", bool, where)),
            receivers=_optional(data, "receivers", int, where),
        )


@dataclass(frozen=True)
class ReportOutcome:
    """``POST /api/tray/report``: whether the caregivers were told that the child wants to
    report something bad. `receivers`: how many the alert was queued for (0: nobody is set
    up, so nobody was told). `already_told`: this press sent nothing new, since they were
    told a few minutes ago. `child` is None when no known child pressed it."""

    alerted: bool
    receivers: int = 0
    child: str | None = None
    already_told: bool = False

    def to_json(self) -> JsonObject:
        return {
            "child": self.child,
            "alerted": self.alerted,
            "receivers": self.receivers,
            "already_told": self.already_told,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "report") -> ReportOutcome:
        data = _object(value, where)
        return cls(
            alerted=bool(_optional(data, "alerted", bool, where)),
            receivers=_optional(data, "receivers", int, where) or 0,
            child=_optional(data, "child", str, where),
            already_told=bool(_optional(data, "already_told", bool, where)),
        )


@dataclass(frozen=True)
class WatchAcknowledgementInfo:
    """A child's acknowledgement of "what Bảo An watches" (``POST /api/tray/watch``, and
    each child's entry in ``GET /api/watch``). `current`: of the notice now shown."""

    child: str
    acknowledged_at: datetime
    notice_version: int
    language: str
    current: bool = True
    # "agree", "disagree" (not yet; wants to talk with the parents) or "acknowledged"
    answer: str = "acknowledged"

    def to_json(self) -> JsonObject:
        return {
            "child": self.child,
            "acknowledged_at": self.acknowledged_at.isoformat(),
            "notice_version": self.notice_version,
            "language": self.language,
            "current": self.current,
            "answer": self.answer,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "acknowledgement") -> WatchAcknowledgementInfo:
        data = _object(value, where)
        moment = _time(_field(data, "acknowledged_at", str, where), f"{where}.acknowledged_at")
        assert moment is not None
        return cls(
            child=_field(data, "child", str, where),
            acknowledged_at=moment,
            notice_version=_field(data, "notice_version", int, where),
            language=_field(data, "language", str, where),
            current=bool(_optional(data, "current", bool, where) is not False),
            answer=_optional(data, "answer", str, where) or "acknowledged",
        )


# -- screen time ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForegroundApp:
    """The app in front, as the tray sees it. The window title is shown only to a parent
    and never kept in the agent's store."""

    exe_path: str = ""
    pid: int | None = None
    create_time: float | None = None  # the process's start, epoch seconds
    title: str = ""
    product_name: str = ""  # the executable's version information, where the OS has it
    original_name: str = ""

    def to_json(self) -> JsonObject:
        return {
            "exe_path": self.exe_path,
            "pid": self.pid,
            "create_time": self.create_time,
            "title": self.title,
            "product_name": self.product_name,
            "original_name": self.original_name,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "app") -> ForegroundApp:
        data = _object(value, where)
        create_time = _optional(data, "create_time", (int, float), where)
        return cls(
            exe_path=_optional(data, "exe_path", str, where) or "",
            pid=_optional(data, "pid", int, where),
            create_time=None if create_time is None else float(create_time),
            title=_optional(data, "title", str, where) or "",
            product_name=_optional(data, "product_name", str, where) or "",
            original_name=_optional(data, "original_name", str, where) or "",
        )


@dataclass(frozen=True)
class HeartbeatReport:
    """One heartbeat of the child's tray (``POST /api/usage/heartbeat``). `monotonic` is the
    tray's clock that goes on while the PC sleeps; `wall` its wall clock; `tray_instance`
    changes at each start of the tray."""

    tray_instance: str
    monotonic: float
    wall: datetime
    app: ForegroundApp | None = None
    idle_seconds: float = 0.0
    locked: bool = False
    full_screen: bool = False
    media_playing: bool = False
    utc_offset_minutes: int | None = None

    def to_json(self) -> JsonObject:
        return {
            "tray_instance": self.tray_instance,
            "monotonic": self.monotonic,
            "wall": self.wall.isoformat(),
            "app": None if self.app is None else self.app.to_json(),
            "idle_seconds": self.idle_seconds,
            "locked": self.locked,
            "full_screen": self.full_screen,
            "media_playing": self.media_playing,
            "utc_offset_minutes": self.utc_offset_minutes,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "heartbeat") -> HeartbeatReport:
        data = _object(value, where)
        wall = _time(_field(data, "wall", str, where), f"{where}.wall")
        assert wall is not None
        app = data.get("app")
        return cls(
            tray_instance=_field(data, "tray_instance", str, where),
            monotonic=float(_field(data, "monotonic", (int, float), where)),
            wall=wall,
            app=None if app is None else ForegroundApp.from_json(app, f"{where}.app"),
            idle_seconds=_number(data, "idle_seconds", where, 0.0),
            locked=bool(_optional(data, "locked", bool, where)),
            full_screen=bool(_optional(data, "full_screen", bool, where)),
            media_playing=bool(_optional(data, "media_playing", bool, where)),
            utc_offset_minutes=_optional(data, "utc_offset_minutes", int, where),
        )


# At most this many heartbeats in one request (a queue is sent in several).
HEARTBEAT_BATCH_MAX = 100
WATCHER_NAME_MAX = 40  # "linux-wayland" and the like


@dataclass(frozen=True)
class HeartbeatBatch:
    """Heartbeats oldest first, with the tray's monotonic reading when it sent them (so
    the agent dates each one by its age, whatever the PC's clock says); `watcher`: the
    tray's session watcher (``linux-x11``, ``linux-wayland``, ``windows``, ``macos``,
    ``null``; "" from an older tray) and whether it knows the app in front
    (`foreground_known`; None: not said)."""

    sent_monotonic: float
    beats: tuple[HeartbeatReport, ...]
    watcher: str = ""
    foreground_known: bool | None = None

    def to_json(self) -> JsonObject:
        return {
            "sent_monotonic": self.sent_monotonic,
            "beats": [beat.to_json() for beat in self.beats],
            "watcher": self.watcher,
            "foreground_known": self.foreground_known,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "batch") -> HeartbeatBatch:
        data = _object(value, where)
        beats = data.get("beats")
        if not isinstance(beats, list):
            raise ShapeError(f"{where}.beats: expected a list")
        if len(beats) > HEARTBEAT_BATCH_MAX:
            raise ShapeError(f"{where}.beats: at most {HEARTBEAT_BATCH_MAX} in one batch")
        watcher = _optional(data, "watcher", str, where) or ""
        if len(watcher) > WATCHER_NAME_MAX:
            raise ShapeError(f"{where}.watcher: at most {WATCHER_NAME_MAX} characters")
        return cls(
            sent_monotonic=float(_field(data, "sent_monotonic", (int, float), where)),
            beats=tuple(
                HeartbeatReport.from_json(beat, f"{where}.beats[{index}]")
                for index, beat in enumerate(beats)
            ),
            watcher=watcher,
            foreground_known=_optional(data, "foreground_known", bool, where),
        )


@dataclass(frozen=True)
class LimitInfo:
    """Why a child may go on or not (``agent.usage.limits.LimitReason``): the kind of the
    nearest limit (`none`, `always_allowed`, `daily`, `allowed_hours`, `service`,
    `category`, `game`) and its fields. `service_name`: the catalogue's name of the
    service the limit is about (for a category's limit, of the service in front), for the
    child's words."""

    kind: str
    limit_minutes: int | None = None
    service: str | None = None
    category: str | None = None
    decree_147: bool = False
    window_ends: datetime | None = None
    service_name: str | None = None

    def to_json(self) -> JsonObject:
        return {
            "kind": self.kind,
            "limit_minutes": self.limit_minutes,
            "service": self.service,
            "category": self.category,
            "decree_147": self.decree_147,
            "window_ends": _iso(self.window_ends),
            "service_name": self.service_name,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "limit") -> LimitInfo:
        data = _object(value, where)
        return cls(
            kind=_field(data, "kind", str, where),
            limit_minutes=_optional(data, "limit_minutes", int, where),
            service=_optional(data, "service", str, where),
            category=_optional(data, "category", str, where),
            decree_147=bool(_optional(data, "decree_147", bool, where)),
            window_ends=_time(_optional(data, "window_ends", str, where), f"{where}.window_ends"),
            service_name=_optional(data, "service_name", str, where),
        )


@dataclass(frozen=True)
class ClosingApp:
    """One of a heartbeat answer's `close_pids`, for the child's words: the service's
    name (``Minecraft``) and why it closes — ``service`` (its own minutes, or a game's
    cap), ``games`` (the day's game minutes), ``category`` (its category's minutes)."""

    pid: int
    name: str
    why: str = "service"

    def to_json(self) -> JsonObject:
        return {"pid": self.pid, "name": self.name, "why": self.why}

    @classmethod
    def from_json(cls, value: Any, where: str = "closing") -> ClosingApp:
        data = _object(value, where)
        pid = _field(data, "pid", int, where)
        if isinstance(pid, bool) or pid <= 0:
            raise ShapeError(f"{where}.pid: expected a process id")
        why = _optional(data, "why", str, where) or "service"
        if why not in CLOSING_REASONS:
            raise ShapeError(f"{where}.why: expected one of {', '.join(CLOSING_REASONS)}")
        return cls(pid=pid, name=_field(data, "name", str, where), why=why)


CLOSING_REASONS = ("service", "games", "category")


@dataclass(frozen=True)
class HeartbeatAnswer:
    """The agent's answer to a batch: how many counted anew, and the child's standing now
    (`seconds_left` None: nothing limits; `action`: what happens at zero). `close_pids`:
    the child's processes of services whose minutes are spent today (the app in front or
    one running behind), which the tray closes whatever the standing."""

    accepted: int
    child: str | None
    allowed: bool
    seconds_left: float | None
    limit: LimitInfo
    action: str = "lock"
    warnings_minutes: tuple[int, ...] = (15, 5, 1)
    close_pids: tuple[int, ...] = ()
    closing: tuple[ClosingApp, ...] = ()  # close_pids' names and why, for the child

    def to_json(self) -> JsonObject:
        return {
            "close_pids": list(self.close_pids),
            "closing": [app.to_json() for app in self.closing],
            "accepted": self.accepted,
            "child": self.child,
            "allowed": self.allowed,
            "seconds_left": self.seconds_left,
            "limit": self.limit.to_json(),
            "action": self.action,
            "warnings_minutes": list(self.warnings_minutes),
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "answer") -> HeartbeatAnswer:
        data = _object(value, where)
        left = _optional(data, "seconds_left", (int, float), where)
        warnings = data.get("warnings_minutes", [15, 5, 1])
        if not isinstance(warnings, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in warnings
        ):
            raise ShapeError(f"{where}.warnings_minutes: expected a list of whole minutes")
        close = data.get("close_pids", [])
        if not isinstance(close, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) and item > 0 for item in close
        ):
            raise ShapeError(f"{where}.close_pids: expected a list of process ids")
        closing = data.get("closing", [])
        if not isinstance(closing, list):
            raise ShapeError(f"{where}.closing: expected a list")
        return cls(
            accepted=_field(data, "accepted", int, where),
            child=_optional(data, "child", str, where),
            allowed=_field(data, "allowed", bool, where),
            seconds_left=None if left is None else float(left),
            limit=LimitInfo.from_json(data.get("limit"), f"{where}.limit"),
            action=_optional(data, "action", str, where) or "lock",
            warnings_minutes=tuple(warnings),
            close_pids=tuple(close),
            closing=tuple(
                ClosingApp.from_json(app, f"{where}.closing[{index}]")
                for index, app in enumerate(closing)
            ),
        )


TIME_REQUEST_STATES = ("pending", "allowed", "denied", "expired", "revoked")


@dataclass(frozen=True)
class TimeRequestInfo:
    """A child's request for more time (``POST /api/usage/more-time`` and ``GET
    /api/usage/more-time/{request_id}``). `state`: ``pending``, ``allowed`` (the minutes
    count today; ``expired`` once their span is over), ``denied`` or ``revoked``.
    `minutes`: what the child asked; `minutes_given`: what the parent gave (None until
    allowed). `receivers`: how many of the family a message about it was queued for (0:
    nobody is set up to get one, so only a parent at this PC can see it). `new`: this ask
    made the request (else a pending one was returned as it is)."""

    request_id: str
    state: str
    minutes: int
    minutes_given: int | None = None
    receivers: int = 0
    new: bool = False

    @property
    def approved(self) -> bool:
        return self.state in ("allowed", "expired")

    def to_json(self) -> JsonObject:
        return {
            "request_id": self.request_id,
            "state": self.state,
            # the stored decision, as /api/requests gives it (kept for older trays)
            "status": "allowed" if self.approved or self.state == "revoked" else self.state,
            "minutes": self.minutes,
            "minutes_given": self.minutes_given,
            "receivers": self.receivers,
            "new": self.new,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "time_request") -> TimeRequestInfo:
        data = _object(value, where)
        state = _field(data, "state", str, where)
        if state not in TIME_REQUEST_STATES:
            raise ShapeError(f"{where}.state: unknown state {state[:40]!r}")
        return cls(
            request_id=_field(data, "request_id", str, where),
            state=state,
            minutes=_field(data, "minutes", int, where),
            minutes_given=_optional(data, "minutes_given", int, where),
            receivers=_optional(data, "receivers", int, where) or 0,
            new=bool(_optional(data, "new", bool, where)),
        )


def _seconds_pairs(value: Any, where: str) -> tuple[tuple[str, int], ...]:
    return _counts(value if value is not None else [], where)


@dataclass(frozen=True)
class ChildUsage:
    """One child's day: counted seconds (what the daily limit sees), per app, service and
    category (most first), and the time left with its reason."""

    child: str
    counted_seconds: int
    apps: tuple[tuple[str, int], ...] = ()
    services: tuple[tuple[str, int], ...] = ()
    categories: tuple[tuple[str, int], ...] = ()
    seconds_left: int | None = None
    limit: LimitInfo = field(default_factory=lambda: LimitInfo("none"))
    extra_minutes: int = 0
    running: tuple[str, ...] = ()  # catalogue services running now, in front or not

    def to_json(self) -> JsonObject:
        return {
            "running": list(self.running),
            "child": self.child,
            "counted_seconds": self.counted_seconds,
            "apps": [list(pair) for pair in self.apps],
            "services": [list(pair) for pair in self.services],
            "categories": [list(pair) for pair in self.categories],
            "seconds_left": self.seconds_left,
            "limit": self.limit.to_json(),
            "extra_minutes": self.extra_minutes,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "child_usage") -> ChildUsage:
        data = _object(value, where)
        return cls(
            child=_field(data, "child", str, where),
            counted_seconds=_field(data, "counted_seconds", int, where),
            apps=_seconds_pairs(data.get("apps"), f"{where}.apps"),
            services=_seconds_pairs(data.get("services"), f"{where}.services"),
            categories=_seconds_pairs(data.get("categories"), f"{where}.categories"),
            seconds_left=_optional(data, "seconds_left", int, where),
            limit=LimitInfo.from_json(data.get("limit", {"kind": "none"}), f"{where}.limit"),
            extra_minutes=_optional(data, "extra_minutes", int, where) or 0,
            running=_strings(data.get("running", []), f"{where}.running"),
        )


@dataclass(frozen=True)
class EventInfo:
    """``GET /api/events``: an alert, tamper or clock event (newest first)."""

    event_id: int
    time: datetime
    kind: str
    severity: str
    message: str
    child: str | None = None
    # What happened, as structured facts (a policy edit's changes): clients word it.
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> JsonObject:
        return {
            "id": self.event_id,
            "time": self.time.isoformat(),
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "child": self.child,
            "data": dict(self.data),
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "event") -> EventInfo:
        data = _object(value, where)
        moment = _time(_field(data, "time", str, where), f"{where}.time")
        assert moment is not None
        return cls(
            event_id=_field(data, "id", int, where),
            time=moment,
            kind=_field(data, "kind", str, where),
            severity=_field(data, "severity", str, where),
            message=_field(data, "message", str, where),
            child=_optional(data, "child", str, where),
            data=dict(_object(data.get("data") or {}, f"{where}.data")),
        )



# -- the dashboard's pages: today at a glance, the history, the weekly schedule -------------


@dataclass(frozen=True)
class ChildOverview:
    """One child's today in ``GET /api/overview``: time used and left, the apps and sites
    most used, blocks, requests waiting, alerts, and whether the child's tray reports
    (``tray``: ``running``, ``missing`` while the child's session is on without it, or
    ``not_seen`` since the agent started); the tray's session watcher (``watcher``, None
    before its first heartbeat) and whether it knows the app in front (``foreground_known``:
    False on a Wayland session, where app time comes from the apps that run)."""

    child: str
    used_seconds: int
    seconds_left: int | None = None
    limit_kind: str = "none"
    top_apps: tuple[tuple[str, int], ...] = ()  # (app, seconds), most first
    top_sites: tuple[tuple[str, int], ...] = ()  # (site, queries), most first
    blocked: int = 0
    blocked_by_category: tuple[tuple[str, int], ...] = ()
    pending_requests: int = 0
    alerts: int = 0
    tray: str = "not_seen"
    watcher: str | None = None
    foreground_known: bool | None = None

    def to_json(self) -> JsonObject:
        return {
            "child": self.child,
            "used_seconds": self.used_seconds,
            "seconds_left": self.seconds_left,
            "limit_kind": self.limit_kind,
            "top_apps": [list(pair) for pair in self.top_apps],
            "top_sites": [list(pair) for pair in self.top_sites],
            "blocked": self.blocked,
            "blocked_by_category": [list(pair) for pair in self.blocked_by_category],
            "pending_requests": self.pending_requests,
            "alerts": self.alerts,
            "tray": self.tray,
            "watcher": self.watcher,
            "foreground_known": self.foreground_known,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "child_overview") -> ChildOverview:
        data = _object(value, where)
        return cls(
            child=_field(data, "child", str, where),
            used_seconds=_field(data, "used_seconds", int, where),
            seconds_left=_optional(data, "seconds_left", int, where),
            limit_kind=_optional(data, "limit_kind", str, where) or "none",
            top_apps=_counts(data.get("top_apps", []), f"{where}.top_apps"),
            top_sites=_counts(data.get("top_sites", []), f"{where}.top_sites"),
            blocked=_optional(data, "blocked", int, where) or 0,
            blocked_by_category=_counts(
                data.get("blocked_by_category", []), f"{where}.blocked_by_category"
            ),
            pending_requests=_optional(data, "pending_requests", int, where) or 0,
            alerts=_optional(data, "alerts", int, where) or 0,
            tray=_optional(data, "tray", str, where) or "not_seen",
            watcher=_optional(data, "watcher", str, where),
            foreground_known=_optional(data, "foreground_known", bool, where),
        )


@dataclass(frozen=True)
class ProtectionInfo:
    """Whether the PC's protection is whole: the system's DNS asks the agent (``dns``:
    ``ok``, ``off`` or ``unknown``; why as a code, ``dns_reason``, and the name servers
    seen) and the block lists are fresh (``lists``: ``fresh``, ``stale`` or ``missing``;
    the oldest list's ``lists_updated_at``)."""

    dns: str = "unknown"
    dns_reason: str = ""
    dns_servers: tuple[str, ...] = ()
    lists: str = "missing"
    lists_updated_at: datetime | None = None

    def to_json(self) -> JsonObject:
        return {
            "dns": self.dns,
            "dns_reason": self.dns_reason,
            "dns_servers": list(self.dns_servers),
            "lists": self.lists,
            "lists_updated_at": _iso(self.lists_updated_at),
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "protection") -> ProtectionInfo:
        data = _object(value, where)
        return cls(
            dns=_optional(data, "dns", str, where) or "unknown",
            dns_reason=_optional(data, "dns_reason", str, where) or "",
            dns_servers=_strings(data.get("dns_servers", []), f"{where}.dns_servers"),
            lists=_optional(data, "lists", str, where) or "missing",
            lists_updated_at=_time(
                _optional(data, "lists_updated_at", str, where), f"{where}.lists_updated_at"
            ),
        )


@dataclass(frozen=True)
class Overview:
    """``GET /api/overview`` (parent): the family's day so far, on its own clock."""

    date: date
    children: tuple[ChildOverview, ...] = ()
    protection: ProtectionInfo = field(default_factory=ProtectionInfo)
    alerts: tuple[EventInfo, ...] = ()  # today's alerts, newest first

    def to_json(self) -> JsonObject:
        return {
            "date": self.date.isoformat(),
            "children": [child.to_json() for child in self.children],
            "protection": self.protection.to_json(),
            "alerts": [event.to_json() for event in self.alerts],
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "overview") -> Overview:
        data = _object(value, where)
        children = _field(data, "children", list, where)
        alerts = data.get("alerts", [])
        if not isinstance(alerts, list):
            raise ShapeError(f"{where}.alerts: expected a list")
        return cls(
            date=_date(_field(data, "date", str, where), f"{where}.date"),
            children=tuple(
                ChildOverview.from_json(item, f"{where}.children[{i}]")
                for i, item in enumerate(children)
            ),
            protection=ProtectionInfo.from_json(data.get("protection", {}), f"{where}.protection"),
            alerts=tuple(
                EventInfo.from_json(item, f"{where}.alerts[{i}]") for i, item in enumerate(alerts)
            ),
        )


def _date(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ShapeError(f"{where}: not a YYYY-MM-DD date: {text!r}") from exc


@dataclass(frozen=True)
class ActivityDay:
    """One family day of ``GET /api/activity``: counted seconds, seconds per app and per
    category (most first; ``other`` for apps of no catalogue category) and blocked
    answers per category (``other`` for blocks of no category)."""

    date: date
    seconds: int = 0
    apps: tuple[tuple[str, int], ...] = ()
    categories: tuple[tuple[str, int], ...] = ()
    blocked: tuple[tuple[str, int], ...] = ()

    def to_json(self) -> JsonObject:
        return {
            "date": self.date.isoformat(),
            "seconds": self.seconds,
            "apps": [list(pair) for pair in self.apps],
            "categories": [list(pair) for pair in self.categories],
            "blocked": [list(pair) for pair in self.blocked],
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "day") -> ActivityDay:
        data = _object(value, where)
        return cls(
            date=_date(_field(data, "date", str, where), f"{where}.date"),
            seconds=_field(data, "seconds", int, where),
            apps=_counts(data.get("apps", []), f"{where}.apps"),
            categories=_counts(data.get("categories", []), f"{where}.categories"),
            blocked=_counts(data.get("blocked", []), f"{where}.blocked"),
        )


@dataclass(frozen=True)
class ActivityHistory:
    """``GET /api/activity?child=&days=`` (parent): a child's last `days` days, oldest
    first, today last."""

    child: str
    days: tuple[ActivityDay, ...] = ()

    def to_json(self) -> JsonObject:
        return {"child": self.child, "days": [day.to_json() for day in self.days]}

    @classmethod
    def from_json(cls, value: Any, where: str = "activity") -> ActivityHistory:
        data = _object(value, where)
        days = _field(data, "days", list, where)
        return cls(
            child=_field(data, "child", str, where),
            days=tuple(
                ActivityDay.from_json(item, f"{where}.days[{i}]") for i, item in enumerate(days)
            ),
        )


# -- caregivers, their channels and the dead-man signal (docs/api.md, "Caregivers") ----------


@dataclass(frozen=True)
class DeadManInfo:
    """This PC's dead-man signal on one ntfy alerts topic. `support`: ``replaces`` (ntfy
    2.16 or later: the signal works), ``keeps-every-copy`` (an older server: no signal) or
    ``unknown`` (not probed yet, or the probe failed)."""

    server: str
    support: str
    last_published: datetime | None = None
    last_error: str | None = None

    def to_json(self) -> JsonObject:
        return {
            "server": self.server,
            "support": self.support,
            "last_published": _iso(self.last_published),
            "last_error": self.last_error,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "dead_man") -> DeadManInfo:
        data = _object(value, where)
        return cls(
            server=_field(data, "server", str, where),
            support=_field(data, "support", str, where),
            last_published=_time(
                _optional(data, "last_published", str, where), f"{where}.last_published"
            ),
            last_error=_optional(data, "last_error", str, where),
        )


@dataclass(frozen=True)
class ChannelInfo:
    """One way a caregiver is reached (`kind`: ``ntfy``, ``email`` or ``apprise``), and how
    its last deliveries went: the last accepted, the last error, whether the last copy was
    refused for good, and how many copies wait."""

    receiver: str
    kind: str
    address: str
    last_delivered: datetime | None = None
    last_error: str | None = None
    refused_for_good: bool = False
    waiting: int = 0

    def to_json(self) -> JsonObject:
        return {
            "receiver": self.receiver,
            "kind": self.kind,
            "address": self.address,
            "last_delivered": _iso(self.last_delivered),
            "last_error": self.last_error,
            "refused_for_good": self.refused_for_good,
            "waiting": self.waiting,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "channel") -> ChannelInfo:
        data = _object(value, where)
        return cls(
            receiver=_field(data, "receiver", str, where),
            kind=_field(data, "kind", str, where),
            address=_field(data, "address", str, where),
            last_delivered=_time(
                _optional(data, "last_delivered", str, where), f"{where}.last_delivered"
            ),
            last_error=_optional(data, "last_error", str, where),
            refused_for_good=bool(_optional(data, "refused_for_good", bool, where)),
            waiting=_optional(data, "waiting", int, where) or 0,
        )


@dataclass(frozen=True)
class CaregiverInfo:
    """A caregiver as the parent sees them: what they hear, their quiet hours
    (``"22:00–06:30"``), their channels and this PC's dead-man signal to their topic."""

    name: str
    hears: tuple[str, ...] = ()
    quiet_hours: str | None = None
    channels: tuple[ChannelInfo, ...] = ()
    dead_man: DeadManInfo | None = None

    def to_json(self) -> JsonObject:
        return {
            "name": self.name,
            "hears": list(self.hears),
            "quiet_hours": self.quiet_hours,
            "channels": [channel.to_json() for channel in self.channels],
            "dead_man": None if self.dead_man is None else self.dead_man.to_json(),
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "caregiver") -> CaregiverInfo:
        data = _object(value, where)
        channels = _field(data, "channels", list, where)
        dead_man = data.get("dead_man")
        return cls(
            name=_field(data, "name", str, where),
            hears=_strings(data.get("hears", []), f"{where}.hears"),
            quiet_hours=_optional(data, "quiet_hours", str, where),
            channels=tuple(
                ChannelInfo.from_json(item, f"{where}.channels[{index}]")
                for index, item in enumerate(channels)
            ),
            dead_man=None
            if dead_man is None
            else DeadManInfo.from_json(dead_man, f"{where}.dead_man"),
        )


@dataclass(frozen=True)
class CaregiversInfo:
    """``GET /api/caregivers`` (parent): this PC's name and every caregiver."""

    pc: str
    caregivers: tuple[CaregiverInfo, ...] = ()

    def to_json(self) -> JsonObject:
        return {"pc": self.pc, "caregivers": [item.to_json() for item in self.caregivers]}

    @classmethod
    def from_json(cls, value: Any, where: str = "caregivers") -> CaregiversInfo:
        data = _object(value, where)
        items = _field(data, "caregivers", list, where)
        return cls(
            pc=_field(data, "pc", str, where),
            caregivers=tuple(
                CaregiverInfo.from_json(item, f"{where}.caregivers[{index}]")
                for index, item in enumerate(items)
            ),
        )


@dataclass(frozen=True)
class ChannelCheck:
    """One channel's answer to a test alert. `outcome`: ``sent``, ``refused`` (for good:
    a wrong token, an unknown address), ``retry`` (not now: offline, a 5xx) or
    ``not_set_up`` (an email with no mail server, a missing Apprise URL)."""

    receiver: str
    outcome: str
    detail: str = ""

    def to_json(self) -> JsonObject:
        return {"receiver": self.receiver, "outcome": self.outcome, "detail": self.detail}

    @classmethod
    def from_json(cls, value: Any, where: str = "check") -> ChannelCheck:
        data = _object(value, where)
        return cls(
            receiver=_field(data, "receiver", str, where),
            outcome=_field(data, "outcome", str, where),
            detail=_optional(data, "detail", str, where) or "",
        )


@dataclass(frozen=True)
class ChannelChecks:
    """``POST /api/caregivers/test`` (parent): a test alert sent at once to every channel."""

    checks: tuple[ChannelCheck, ...] = ()

    def to_json(self) -> JsonObject:
        return {"checks": [check.to_json() for check in self.checks]}

    @classmethod
    def from_json(cls, value: Any, where: str = "checks") -> ChannelChecks:
        data = _object(value, where)
        items = _field(data, "checks", list, where)
        return cls(
            checks=tuple(
                ChannelCheck.from_json(item, f"{where}.checks[{index}]")
                for index, item in enumerate(items)
            )
        )


# -- the family policy, as a parent edits it (docs/api.md, "The policy") -------------------


@dataclass(frozen=True)
class PolicyDocument:
    """``GET /api/policy``: the content of `family.toml` as JSON (times as ``"HH:MM"``)
    and the entity tag of that version of the file (the ``ETag`` header); ``PUT`` it back
    with ``If-Match: <etag>``."""

    etag: str
    policy: Mapping[str, object]

    def to_json(self) -> JsonObject:
        return dict(self.policy)

    @classmethod
    def from_json(cls, value: Any, etag: str, where: str = "policy") -> PolicyDocument:
        return cls(etag=etag, policy=dict(_object(value, where)))


@dataclass(frozen=True)
class PolicyProblem:
    """One reason a policy was refused (``422 invalid_policy``): the key path
    (``children[0].deny[1]``), what was expected and what was found, as the loader says."""

    path: str
    expected: str | None
    got: str | None = None
    message: str = ""
    line: int | None = None

    def to_json(self) -> JsonObject:
        return {
            "path": self.path,
            "expected": self.expected,
            "got": self.got,
            "message": self.message,
            "line": self.line,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "problem") -> PolicyProblem:
        data = _object(value, where)
        return cls(
            path=_optional(data, "path", str, where) or "",
            expected=_optional(data, "expected", str, where),
            got=_optional(data, "got", str, where),
            message=_optional(data, "message", str, where) or "",
            line=_optional(data, "line", int, where),
        )


@dataclass(frozen=True)
class ChildRules:
    """``GET/PUT /api/children/<name>/rules``: a child's web rules as they work (the
    preset with the parent's changes): the categories and services blocked, the child's
    own allow and deny lists, SafeSearch, YouTube's mode (``off``, ``moderate``,
    ``strict``) and whether only the allow list opens."""

    child: str
    preset: str
    blocked_categories: tuple[str, ...] = ()
    blocked_services: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    safe_search: bool = True
    youtube_mode: str = "strict"
    allow_list_only: bool = False

    def to_json(self) -> JsonObject:
        return {
            "child": self.child,
            "preset": self.preset,
            "blocked_categories": list(self.blocked_categories),
            "blocked_services": list(self.blocked_services),
            "allow": list(self.allow),
            "deny": list(self.deny),
            "safe_search": self.safe_search,
            "youtube_mode": self.youtube_mode,
            "allow_list_only": self.allow_list_only,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "rules") -> ChildRules:
        data = _object(value, where)
        return cls(
            child=_field(data, "child", str, where),
            preset=_optional(data, "preset", str, where) or "",
            blocked_categories=_strings(
                data.get("blocked_categories", []), f"{where}.blocked_categories"
            ),
            blocked_services=_strings(
                data.get("blocked_services", []), f"{where}.blocked_services"
            ),
            allow=_strings(data.get("allow", []), f"{where}.allow"),
            deny=_strings(data.get("deny", []), f"{where}.deny"),
            safe_search=_field(data, "safe_search", bool, where),
            youtube_mode=_field(data, "youtube_mode", str, where),
            allow_list_only=_field(data, "allow_list_only", bool, where),
        )


@dataclass(frozen=True)
class SiteCheck:
    """``GET /api/check?name=&child=``: the verdict the rules in force give a name, as
    ``baoan check`` gives it: ``decision`` (``allowed``, ``blocked``, ``rewritten``, …)
    and the typed reason."""

    name: str
    child: str | None
    decision: str
    reason: ReasonInfo

    def to_json(self) -> JsonObject:
        return {
            "name": self.name,
            "child": self.child,
            "decision": self.decision,
            "reason": self.reason.to_json(),
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "check") -> SiteCheck:
        data = _object(value, where)
        return cls(
            name=_field(data, "name", str, where),
            child=_optional(data, "child", str, where),
            decision=_field(data, "decision", str, where),
            reason=_reason(data.get("reason"), f"{where}.reason"),
        )


@dataclass(frozen=True)
class ServiceInfo:
    """A service of the catalogue: its id, name, category and age rating (``13+``)."""

    id: str
    name: str
    category: str
    age_rating: str = ""

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "age_rating": self.age_rating,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "service") -> ServiceInfo:
        data = _object(value, where)
        return cls(
            id=_field(data, "id", str, where),
            name=_field(data, "name", str, where),
            category=_field(data, "category", str, where),
            age_rating=_optional(data, "age_rating", str, where) or "",
        )


@dataclass(frozen=True)
class CatalogueInfo:
    """``GET /api/catalogue``: the category ids and the services a rule may name."""

    categories: tuple[str, ...]
    services: tuple[ServiceInfo, ...]

    def to_json(self) -> JsonObject:
        return {
            "categories": list(self.categories),
            "services": [service.to_json() for service in self.services],
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "catalogue") -> CatalogueInfo:
        data = _object(value, where)
        services = data.get("services", [])
        if not isinstance(services, list):
            raise ShapeError(f"{where}.services: expected a list")
        return cls(
            categories=_strings(data.get("categories", []), f"{where}.categories"),
            services=tuple(
                ServiceInfo.from_json(item, f"{where}.services[{i}]")
                for i, item in enumerate(services)
            ),
        )


# -- an always-allowed app as a parent writes it ---------------------------------------------

APP_ENTRY_MAX_LENGTH = 260  # Windows' MAX_PATH: no app's path or name is longer
# What can be wrong with an entry, for the loader's message and the dashboard's words.
APP_ENTRY_PROBLEMS = ("empty", "too_long", "control", "folder", "not_full_path", "not_a_name")
_NOT_IN_FILE_NAMES = frozenset('<>:"|?*')
_FULL_PATH = re.compile(r"^(/|[a-z]:/)", re.IGNORECASE)  # /usr/bin/…, C:\…, \\server\…


def app_entry_problem(text: str) -> str | None:
    """Why `text` is not an always-allowed app (one of :data:`APP_ENTRY_PROBLEMS`), or None:
    an executable's name (``zoom``, ``Zoom.exe``) or its full path
    (``C:\\Program Files\\Zoom\\bin\\Zoom.exe``, ``/usr/bin/libreoffice``)."""
    entry = text.strip()
    if not entry:
        return "empty"
    if len(entry) > APP_ENTRY_MAX_LENGTH:
        return "too_long"
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in entry):
        return "control"  # a line break, a NUL, or an invisible character that disguises
    path = entry.replace("\\", "/")
    folders, _, name = path.rpartition("/")
    if name in ("", ".", ".."):
        return "folder"
    if folders and not _FULL_PATH.match(path):
        return "not_full_path"  # a path's end would match any folder a child makes
    if any(char in _NOT_IN_FILE_NAMES for char in name):
        return "not_a_name"
    return None


def app_entry_key(text: str) -> str:
    """How an entry and an app's names and path are compared: without regard to case or
    to the separator, and a name without its ``.exe`` (``zoom`` is ``Zoom.exe``); a path
    is a whole path."""
    entry = text.strip().replace("\\", "/").casefold()
    if "/" in entry:
        return re.sub("/+", "/", entry)
    return entry.removesuffix(".exe")


WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class ScreenTimeRules:
    """``GET/PUT /api/children/<name>/screen-time``: a child's screen-time limits as they
    work (the preset's with the parent's changes): minutes for each day Monday to Sunday,
    the action when time runs out (``lock``, ``logoff``, ``close_app``, ``notify``), the
    warnings before, the daily limits per category and per service (a limit missing from
    a PUT has none, even one the preset sets), the allowed hours (the windows the PC may
    be used in; none: any hour) and the always-allowed apps. A PUT without
    ``allowed_hours`` or ``always_allowed_apps`` (None here) leaves them as they are."""

    child: str
    daily_minutes: tuple[int, int, int, int, int, int, int]
    action: str = "lock"
    warnings_minutes: tuple[int, ...] = (15, 5, 1)
    category_minutes: Mapping[str, int] = field(default_factory=dict)
    service_minutes: Mapping[str, int] = field(default_factory=dict)
    allowed_hours: tuple[WeeklyWindow, ...] | None = None
    always_allowed_apps: tuple[str, ...] | None = None

    def to_json(self) -> JsonObject:
        data: JsonObject = {
            "child": self.child,
            "daily_minutes": dict(zip(WEEKDAY_KEYS, self.daily_minutes, strict=True)),
            "action": self.action,
            "warnings_minutes": list(self.warnings_minutes),
            "category_minutes": dict(self.category_minutes),
            "service_minutes": dict(self.service_minutes),
        }
        if self.allowed_hours is not None:
            data["allowed_hours"] = [window.to_json() for window in self.allowed_hours]
        if self.always_allowed_apps is not None:
            data["always_allowed_apps"] = list(self.always_allowed_apps)
        return data

    @classmethod
    def from_json(cls, value: Any, where: str = "screen_time") -> ScreenTimeRules:
        data = _object(value, where)
        days = _count_map(_field(data, "daily_minutes", dict, where), f"{where}.daily_minutes")
        if set(days) != set(WEEKDAY_KEYS):
            raise ShapeError(f"{where}.daily_minutes: expected every day from mon to sun")
        warnings = data.get("warnings_minutes", [15, 5, 1])
        if not isinstance(warnings, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in warnings
        ):
            raise ShapeError(f"{where}.warnings_minutes: expected a list of whole numbers")
        monday, tuesday, wednesday, thursday, friday, saturday, sunday = (
            days[key] for key in WEEKDAY_KEYS
        )
        return cls(
            child=_field(data, "child", str, where),
            daily_minutes=(monday, tuesday, wednesday, thursday, friday, saturday, sunday),
            action=_optional(data, "action", str, where) or "lock",
            warnings_minutes=tuple(warnings),
            category_minutes=_count_map(
                data.get("category_minutes", {}), f"{where}.category_minutes"
            ),
            service_minutes=_count_map(data.get("service_minutes", {}), f"{where}.service_minutes"),
            allowed_hours=_optional_windows(data, "allowed_hours", where),
            always_allowed_apps=(
                None
                if data.get("always_allowed_apps") is None
                else _strings(
                    _field(data, "always_allowed_apps", list, where),
                    f"{where}.always_allowed_apps",
                )
            ),
        )


def _optional_windows(
    data: Mapping[str, Any], name: str, where: str
) -> tuple[WeeklyWindow, ...] | None:
    if data.get(name) is None:
        return None
    return tuple(
        WeeklyWindow.from_json(item, f"{where}.{name}[{index}]")
        for index, item in enumerate(_field(data, name, list, where))
    )


@dataclass(frozen=True)
class WeeklyWindow:
    """One window of a schedule: the days it starts on (``mon`` … ``sun``) and its start
    and end as ``"HH:MM"``; an end before the start crosses midnight into the next day."""

    days: tuple[str, ...]
    start: str
    end: str

    def to_json(self) -> JsonObject:
        return {"days": list(self.days), "start": self.start, "end": self.end}

    @classmethod
    def from_json(cls, value: Any, where: str = "window") -> WeeklyWindow:
        data = _object(value, where)
        return cls(
            days=_strings(_field(data, "days", list, where), f"{where}.days"),
            start=_field(data, "start", str, where),
            end=_field(data, "end", str, where),
        )


@dataclass(frozen=True)
class ScheduleRule:
    """One of a child's schedules: what it applies to (``*``, ``service:<id>``,
    ``category:<id>``), ``blocked_during`` or ``allowed_only_during``, and its windows."""

    target: str
    mode: str
    windows: tuple[WeeklyWindow, ...] = ()

    def to_json(self) -> JsonObject:
        return {
            "target": self.target,
            "mode": self.mode,
            "windows": [window.to_json() for window in self.windows],
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "schedule") -> ScheduleRule:
        data = _object(value, where)
        windows = _field(data, "windows", list, where)
        return cls(
            target=_optional(data, "target", str, where) or "*",
            mode=_optional(data, "mode", str, where) or "blocked_during",
            windows=tuple(
                WeeklyWindow.from_json(item, f"{where}.windows[{i}]")
                for i, item in enumerate(windows)
            ),
        )


@dataclass(frozen=True)
class ChildSchedules:
    """``GET/PUT /api/children/<name>/schedules``: a child's time rules, each window with
    its days spelt out (a group such as ``school_nights`` is read as its days)."""

    child: str
    schedules: tuple[ScheduleRule, ...] = ()

    def to_json(self) -> JsonObject:
        return {"child": self.child, "schedules": [rule.to_json() for rule in self.schedules]}

    @classmethod
    def from_json(cls, value: Any, where: str = "schedules") -> ChildSchedules:
        data = _object(value, where)
        rules = _field(data, "schedules", list, where)
        return cls(
            child=_field(data, "child", str, where),
            schedules=tuple(
                ScheduleRule.from_json(item, f"{where}.schedules[{i}]")
                for i, item in enumerate(rules)
            ),
        )


# -- the family's set-up: accounts, presets, children, pause, lists, a child's data ---------


@dataclass(frozen=True)
class OsAccountInfo:
    """``GET /api/os-accounts``: a person's account on this PC (``name`` is the login
    name a child's ``os_users`` holds; ``full_name`` when the OS keeps one)."""

    name: str
    full_name: str = ""

    def to_json(self) -> JsonObject:
        return {"name": self.name, "full_name": self.full_name}

    @classmethod
    def from_json(cls, value: Any, where: str = "account") -> OsAccountInfo:
        data = _object(value, where)
        return cls(
            name=_field(data, "name", str, where),
            full_name=_optional(data, "full_name", str, where) or "",
        )


@dataclass(frozen=True)
class HoursInfo:
    """One window of allowed hours: weekdays (0 = Monday) and ``"HH:MM"`` times; an end
    before the start runs past midnight."""

    days: tuple[int, ...]
    start: str
    end: str

    def to_json(self) -> JsonObject:
        return {"days": list(self.days), "start": self.start, "end": self.end}

    @classmethod
    def from_json(cls, value: Any, where: str = "hours") -> HoursInfo:
        data = _object(value, where)
        days = data.get("days", [])
        if not isinstance(days, list) or not all(
            isinstance(day, int) and not isinstance(day, bool) for day in days
        ):
            raise ShapeError(f"{where}.days: expected a list of weekday numbers")
        return cls(
            days=tuple(days),
            start=_field(data, "start", str, where),
            end=_field(data, "end", str, where),
        )


@dataclass(frozen=True)
class PresetInfo:
    """``GET /api/presets``: an age preset, what it blocks and limits (docs/api.md)."""

    id: str
    name_vi: str
    name_en: str
    min_age: int
    max_age: int
    film_ratings: tuple[str, ...]
    game_rating: str
    blocked_categories: tuple[str, ...]
    blocked_services: tuple[str, ...]
    allow_list_only: bool
    safe_search: bool
    youtube_mode: str
    daily_minutes: tuple[int, ...]  # Monday to Sunday
    allowed_hours: tuple[HoursInfo, ...] = ()
    category_minutes: Mapping[str, int] = field(default_factory=dict)
    per_game_minutes: int | None = None

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "min_age": self.min_age,
            "max_age": self.max_age,
            "film_ratings": list(self.film_ratings),
            "game_rating": self.game_rating,
            "blocked_categories": list(self.blocked_categories),
            "blocked_services": list(self.blocked_services),
            "allow_list_only": self.allow_list_only,
            "safe_search": self.safe_search,
            "youtube_mode": self.youtube_mode,
            "daily_minutes": dict(zip(WEEKDAY_KEYS, self.daily_minutes, strict=True)),
            "allowed_hours": [window.to_json() for window in self.allowed_hours],
            "category_minutes": dict(self.category_minutes),
            "per_game_minutes": self.per_game_minutes,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "preset") -> PresetInfo:
        data = _object(value, where)
        days = _count_map(data.get("daily_minutes", {}), f"{where}.daily_minutes")
        if set(days) != set(WEEKDAY_KEYS):
            raise ShapeError(f"{where}.daily_minutes: expected the seven days mon to sun")
        hours = data.get("allowed_hours", [])
        if not isinstance(hours, list):
            raise ShapeError(f"{where}.allowed_hours: expected a list")
        return cls(
            id=_field(data, "id", str, where),
            name_vi=_field(data, "name_vi", str, where),
            name_en=_field(data, "name_en", str, where),
            min_age=_field(data, "min_age", int, where),
            max_age=_field(data, "max_age", int, where),
            film_ratings=_strings(data.get("film_ratings", []), f"{where}.film_ratings"),
            game_rating=_optional(data, "game_rating", str, where) or "",
            blocked_categories=_strings(
                data.get("blocked_categories", []), f"{where}.blocked_categories"
            ),
            blocked_services=_strings(
                data.get("blocked_services", []), f"{where}.blocked_services"
            ),
            allow_list_only=_field(data, "allow_list_only", bool, where),
            safe_search=_field(data, "safe_search", bool, where),
            youtube_mode=_field(data, "youtube_mode", str, where),
            daily_minutes=tuple(days[key] for key in WEEKDAY_KEYS),
            allowed_hours=tuple(
                HoursInfo.from_json(item, f"{where}.allowed_hours[{index}]")
                for index, item in enumerate(hours)
            ),
            category_minutes=_count_map(
                data.get("category_minutes", {}), f"{where}.category_minutes"
            ),
            per_game_minutes=_optional(data, "per_game_minutes", int, where),
        )


@dataclass(frozen=True)
class DeviceInfo:
    """A LAN device of a child: by IP address or MAC address, with a name the family
    gave it ("Máy tính bảng")."""

    ip: str | None = None
    mac: str | None = None
    name: str = ""

    def to_json(self) -> JsonObject:
        return {"ip": self.ip, "mac": self.mac, "name": self.name}

    @classmethod
    def from_json(cls, value: Any, where: str = "device") -> DeviceInfo:
        data = _object(value, where)
        return cls(
            ip=_optional(data, "ip", str, where),
            mac=_optional(data, "mac", str, where),
            name=_optional(data, "name", str, where) or "",
        )


@dataclass(frozen=True)
class ChildSettings:
    """``GET/PUT /api/children/<name>/settings``, ``POST /api/children``: who a child
    is on this PC. ``age`` or ``birth_year`` (one of them); ``preset`` is the one the file
    names (None: it follows the age), ``preset_in_force`` the one that works now (the
    agent's answer only); ``os_users`` the child's accounts, ``devices`` the LAN devices
    that are the child's. In a ``PUT`` a ``name`` other than the path's renames the child
    (their devices and the PC's default child follow)."""

    name: str
    age: int | None = None
    birth_year: int | None = None
    preset: str | None = None
    os_users: tuple[str, ...] = ()
    devices: tuple[DeviceInfo, ...] = ()
    preset_in_force: str = ""

    def to_json(self) -> JsonObject:
        return {
            "name": self.name,
            "age": self.age,
            "birth_year": self.birth_year,
            "preset": self.preset,
            "os_users": list(self.os_users),
            "devices": [device.to_json() for device in self.devices],
            "preset_in_force": self.preset_in_force,
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "child") -> ChildSettings:
        data = _object(value, where)
        devices = data.get("devices", [])
        if not isinstance(devices, list):
            raise ShapeError(f"{where}.devices: expected a list")
        return cls(
            name=_field(data, "name", str, where),
            age=_optional(data, "age", int, where),
            birth_year=_optional(data, "birth_year", int, where),
            preset=_optional(data, "preset", str, where),
            os_users=_strings(data.get("os_users", []), f"{where}.os_users"),
            devices=tuple(
                DeviceInfo.from_json(item, f"{where}.devices[{index}]")
                for index, item in enumerate(devices)
            ),
            preset_in_force=_optional(data, "preset_in_force", str, where) or "",
        )


@dataclass(frozen=True)
class PinAnswer:
    """``POST /api/pin``'s answer: ``set``, ``reset`` or ``changed``, and the new recovery
    code when the agent made one (shown to the parent once, never again)."""

    status: str
    recovery_code: str | None = None

    def to_json(self) -> JsonObject:
        data: JsonObject = {"status": self.status}
        if self.recovery_code is not None:
            data["recovery_code"] = self.recovery_code
        return data

    @classmethod
    def from_json(cls, value: Any, where: str = "pin") -> PinAnswer:
        data = _object(value, where)
        return cls(
            status=_field(data, "status", str, where),
            recovery_code=_optional(data, "recovery_code", str, where),
        )


@dataclass(frozen=True)
class ProtectionPauseInfo:
    """``GET/POST/DELETE /api/protection/pause``: whether the DNS filter's blocks are
    paused, since when and until when (None: protection is on)."""

    paused_until: datetime | None = None
    paused_at: datetime | None = None

    @property
    def paused(self) -> bool:
        return self.paused_until is not None

    def to_json(self) -> JsonObject:
        return {
            "paused": self.paused,
            "paused_until": _iso(self.paused_until),
            "paused_at": _iso(self.paused_at),
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "pause") -> ProtectionPauseInfo:
        data = _object(value, where)
        return cls(
            paused_until=_time(_optional(data, "paused_until", str, where), where),
            paused_at=_time(_optional(data, "paused_at", str, where), where),
        )


LIST_UPDATE_STATES = ("idle", "running", "done", "cancelled", "failed")


@dataclass(frozen=True)
class ListUpdateInfo:
    """``GET/POST/DELETE /api/lists/update``: the list sources' download, one source at a
    time: ``state`` (one of :data:`LIST_UPDATE_STATES`), sources ``done`` of ``total``,
    the one being fetched, how many changed and how many failed (their last good copies
    stay)."""

    state: str = "idle"
    total: int = 0
    done: int = 0
    current: str | None = None
    updated: int = 0
    failed: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self.state == "running"

    def to_json(self) -> JsonObject:
        return {
            "state": self.state,
            "total": self.total,
            "done": self.done,
            "current": self.current,
            "updated": self.updated,
            "failed": self.failed,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "update") -> ListUpdateInfo:
        data = _object(value, where)
        state = _field(data, "state", str, where)
        if state not in LIST_UPDATE_STATES:
            raise ShapeError(f"{where}.state: expected one of {LIST_UPDATE_STATES}, got {state!r}")
        return cls(
            state=state,
            total=_field(data, "total", int, where),
            done=_field(data, "done", int, where),
            current=_optional(data, "current", str, where),
            updated=_optional(data, "updated", int, where) or 0,
            failed=_optional(data, "failed", int, where) or 0,
            started_at=_time(_optional(data, "started_at", str, where), where),
            finished_at=_time(_optional(data, "finished_at", str, where), where),
        )


CHILD_DATA_TABLES = ("query_log", "usage_intervals", "events", "access_requests")


@dataclass(frozen=True)
class ChildDataExport:
    """``GET /api/children/<name>/data?cursor=&limit=``: everything the agent keeps about
    one child (Decree 13/2023: the right to a copy), one list of plain rows per table of
    :data:`CHILD_DATA_TABLES`, a page at a time: `next_cursor` asks for the next page
    (None: this was the last; a small export is one page, as it always was). The first
    page has `totals`, the rows of each table in all."""

    child: str
    exported_at: datetime
    tables: Mapping[str, tuple[Mapping[str, object], ...]]
    next_cursor: str | None = None
    totals: Mapping[str, int] | None = None

    def to_json(self) -> JsonObject:
        return {
            "child": self.child,
            "exported_at": self.exported_at.isoformat(),
            "tables": {name: [dict(row) for row in rows] for name, rows in self.tables.items()},
            "next_cursor": self.next_cursor,
            "totals": None if self.totals is None else dict(self.totals),
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "export") -> ChildDataExport:
        data = _object(value, where)
        exported = _time(_field(data, "exported_at", str, where), f"{where}.exported_at")
        assert exported is not None
        raw_tables = _object(data.get("tables", {}), f"{where}.tables")
        tables: dict[str, tuple[Mapping[str, object], ...]] = {}
        for name, rows in raw_tables.items():
            if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
                raise ShapeError(f"{where}.tables.{name}: expected a list of objects")
            tables[str(name)] = tuple(rows)
        totals = data.get("totals")
        return cls(
            child=_field(data, "child", str, where),
            exported_at=exported,
            tables=tables,
            next_cursor=_optional(data, "next_cursor", str, where),
            totals=None if totals is None else _count_map(totals, f"{where}.totals"),
        )


@dataclass(frozen=True)
class ChildDataDeleted:
    """``DELETE /api/children/<name>/data``: how many rows of each table were removed."""

    child: str
    removed: Mapping[str, int]

    def to_json(self) -> JsonObject:
        return {"child": self.child, "removed": dict(self.removed)}

    @classmethod
    def from_json(cls, value: Any, where: str = "deleted") -> ChildDataDeleted:
        data = _object(value, where)
        return cls(
            child=_field(data, "child", str, where),
            removed=_count_map(data.get("removed", {}), f"{where}.removed"),
        )


@dataclass(frozen=True)
class SeenApp:
    """One app seen on this PC (``GET /api/apps``): its usage id, the name a parent's
    ``always_allowed_apps`` takes for it (``allow_name``), the executable's file name and
    path, the product name from its version information, the catalogue's service, name and
    category where it is one of its apps, which children used it, and when it was last seen
    (``None``: only in older usage records)."""

    app_id: str
    allow_name: str
    exe_name: str = ""
    exe_path: str = ""
    product_name: str = ""
    service: str | None = None
    service_name: str | None = None
    category: str | None = None
    children: tuple[str, ...] = ()
    last_seen: datetime | None = None

    def to_json(self) -> JsonObject:
        return {
            "app_id": self.app_id,
            "allow_name": self.allow_name,
            "exe_name": self.exe_name,
            "exe_path": self.exe_path,
            "product_name": self.product_name,
            "service": self.service,
            "service_name": self.service_name,
            "category": self.category,
            "children": list(self.children),
            "last_seen": _iso(self.last_seen),
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "app") -> SeenApp:
        data = _object(value, where)
        return cls(
            app_id=_field(data, "app_id", str, where),
            allow_name=_field(data, "allow_name", str, where),
            exe_name=_optional(data, "exe_name", str, where) or "",
            exe_path=_optional(data, "exe_path", str, where) or "",
            product_name=_optional(data, "product_name", str, where) or "",
            service=_optional(data, "service", str, where),
            service_name=_optional(data, "service_name", str, where),
            category=_optional(data, "category", str, where),
            children=_strings(data.get("children", []), f"{where}.children"),
            last_seen=_time(_optional(data, "last_seen", str, where), f"{where}.last_seen"),
        )


@dataclass(frozen=True)
class SeenApps:
    """``GET /api/apps``: the apps seen on this PC, by name."""

    apps: tuple[SeenApp, ...] = ()

    def to_json(self) -> JsonObject:
        return {"apps": [app.to_json() for app in self.apps]}

    @classmethod
    def from_json(cls, value: Any, where: str = "apps") -> SeenApps:
        data = _object(value, where)
        items = _field(data, "apps", list, where)
        return cls(
            tuple(SeenApp.from_json(item, f"{where}.apps[{i}]") for i, item in enumerate(items))
        )


# -- the caregivers' settings (docs/api.md, "Caregivers") -----------------------------------


def _secret(data: Mapping[str, Any], name: str, where: str) -> str | None:
    """A secret in a request: absent or null keeps the one in the keyring, ``""`` removes
    it, any other text replaces it. An answer never carries one."""
    return _optional(data, name, str, where)


@dataclass(frozen=True)
class NtfyChannelSettings:
    """A caregiver's ntfy channel: the server and the alerts topic. ``token_set`` (answers)
    says whether the keyring holds Bảo An's access token for that server; ``token``
    (requests) sets it (None keeps it, ``""`` removes it). An empty ``topic`` in a request
    asks the agent for a new unguessable one."""

    server: str = "https://ntfy.sh"
    topic: str = ""
    token_set: bool = False
    token: str | None = None

    def to_json(self) -> JsonObject:
        value: JsonObject = {
            "server": self.server, "topic": self.topic, "token_set": self.token_set,
        }
        if self.token is not None:
            value["token"] = self.token
        return value

    @classmethod
    def from_json(cls, value: Any, where: str = "ntfy") -> NtfyChannelSettings:
        data = _object(value, where)
        return cls(
            server=_optional(data, "server", str, where) or "https://ntfy.sh",
            topic=_optional(data, "topic", str, where) or "",
            token_set=bool(_optional(data, "token_set", bool, where)),
            token=_secret(data, "token", where),
        )


@dataclass(frozen=True)
class EmailChannelSettings:
    """A caregiver's email: their address, the mail server (``host:port``) and the account
    Bảo An sends from. ``password_set`` (answers) says whether the keyring holds the
    account's password; ``password`` (requests) sets it (None keeps it, ``""`` removes)."""

    address: str
    smtp: str = ""
    username: str = ""
    password_set: bool = False
    password: str | None = None

    def to_json(self) -> JsonObject:
        value: JsonObject = {
            "address": self.address,
            "smtp": self.smtp,
            "username": self.username,
            "password_set": self.password_set,
        }
        if self.password is not None:
            value["password"] = self.password
        return value

    @classmethod
    def from_json(cls, value: Any, where: str = "email") -> EmailChannelSettings:
        data = _object(value, where)
        return cls(
            address=_field(data, "address", str, where),
            smtp=_optional(data, "smtp", str, where) or "",
            username=_optional(data, "username", str, where) or "",
            password_set=bool(_optional(data, "password_set", bool, where)),
            password=_secret(data, "password", where),
        )


@dataclass(frozen=True)
class AppriseChannelSettings:
    """A caregiver's Apprise channel (its URL often holds a token, so it lives in the
    keyring). ``url_hint`` (answers) is the URL's scheme only (``"discord://…"``);
    ``url`` (requests) sets it (None keeps it)."""

    url_set: bool = False
    url_hint: str = ""
    url: str | None = None

    def to_json(self) -> JsonObject:
        value: JsonObject = {"url_set": self.url_set, "url_hint": self.url_hint}
        if self.url is not None:
            value["url"] = self.url
        return value

    @classmethod
    def from_json(cls, value: Any, where: str = "apprise") -> AppriseChannelSettings:
        data = _object(value, where)
        return cls(
            url_set=bool(_optional(data, "url_set", bool, where)),
            url_hint=_optional(data, "url_hint", str, where) or "",
            url=_secret(data, "url", where),
        )


@dataclass(frozen=True)
class CaregiverSettings:
    """``GET /api/family/caregivers`` (each), ``POST`` and ``PUT`` the same: a caregiver's
    name, what they hear (``hears``: the policy's alert kinds; empty: everything; Help is
    always heard), their hourly cap, their quiet hours (``"HH:MM"`` each, or None) and
    their channels (None: not that kind). In a ``PUT`` a ``name`` other than the path's
    renames the caregiver."""

    name: str
    hears: tuple[str, ...] = ()
    alerts_per_hour: int = 10
    quiet_start: str | None = None
    quiet_end: str | None = None
    ntfy: NtfyChannelSettings | None = None
    email: EmailChannelSettings | None = None
    apprise: AppriseChannelSettings | None = None

    def to_json(self) -> JsonObject:
        return {
            "name": self.name,
            "hears": list(self.hears),
            "alerts_per_hour": self.alerts_per_hour,
            "quiet_start": self.quiet_start,
            "quiet_end": self.quiet_end,
            "ntfy": None if self.ntfy is None else self.ntfy.to_json(),
            "email": None if self.email is None else self.email.to_json(),
            "apprise": None if self.apprise is None else self.apprise.to_json(),
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "caregiver") -> CaregiverSettings:
        data = _object(value, where)
        ntfy, email, apprise = data.get("ntfy"), data.get("email"), data.get("apprise")
        per_hour = _optional(data, "alerts_per_hour", int, where)
        return cls(
            name=_field(data, "name", str, where),
            hears=_strings(data.get("hears", []), f"{where}.hears"),
            alerts_per_hour=10 if per_hour is None else per_hour,
            quiet_start=_optional(data, "quiet_start", str, where),
            quiet_end=_optional(data, "quiet_end", str, where),
            ntfy=None if ntfy is None else NtfyChannelSettings.from_json(ntfy, f"{where}.ntfy"),
            email=None
            if email is None
            else EmailChannelSettings.from_json(email, f"{where}.email"),
            apprise=None
            if apprise is None
            else AppriseChannelSettings.from_json(apprise, f"{where}.apprise"),
        )
