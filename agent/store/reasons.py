"""How the query log keeps a typed reason: `query_log.reason` holds its JSON object.

The agent hands the store a reason as the DNS filter's `Reason.to_json()` object (``kind``
and the fields that apply); the store writes it as compact JSON text and reads it back as
the same object. The store does not depend on the DNS filter, so nothing here imports it.
A stored value that is not such an object (a damaged row) reads back as kind ``other``
with the text as its detail, so one bad row never breaks a page of the log.

`legacy_reason` reads the text reasons of rows written before schema v4; only the v4
migration uses it, once, to convert those rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

StoredReason = Mapping[str, object]

_MAX_DETAIL = 1000


def encode_reason(reason: StoredReason) -> str:
    """The text stored in `query_log.reason`: the reason's JSON object, compact."""
    return json.dumps(dict(reason), ensure_ascii=False, separators=(",", ":"))


def decode_reason(stored: str | None) -> dict[str, object]:
    """The object `encode_reason` stored; kind ``other`` for anything else."""
    if not stored:
        return {"kind": "other"}
    try:
        value = json.loads(stored)
    except (ValueError, RecursionError):
        value = None
    if isinstance(value, dict) and isinstance(value.get("kind"), str):
        return value
    return {"kind": "other", "detail": stored[:_MAX_DETAIL]}


# -- rows written before schema v4 ----------------------------------------------------------

_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_SPAN = re.compile(rf"\A({_CLOCK})–({_CLOCK})\Z")
_CATEGORY = re.compile(r"\Acategory[ :]([a-z0-9_-]+)(?: \((.*)\))?\Z", re.S)
_SERVICE = re.compile(r"\Aservice ([a-z0-9_.-]+)\Z")
_SCHEDULE = re.compile(r"\Aschedule (\S+) (blocked|allowed only) (.+)\Z")
_SAFE_SEARCH = re.compile(r"\Asafe search (.+) → (\S+)\Z")
_SIGNAL = re.compile(
    r"\Abypass (?:canary|iCloud Private Relay|designated resolver discovery) (\S+)"
)
_PREFIXED = {
    "rule deny ": "deny_list",
    "rule allow ": "allow_list",
    "always allowed ": "help_site",
    "granted ": "granted",
}
_FAILURES = ("all upstreams failed", "upstream error:", "server error:")
_FIXED = {
    "allow list only": "allow_list_only",
    "cache": "cache",
    "stale": "stale",
    "no rule matched": "no_rule",
    "no profile: not filtered": "unfiltered",
}


def legacy_reason(text: str) -> dict[str, object]:
    """The typed form of a reason as versions before schema v4 wrote it ("category adult
    (list: rule)", "service tiktok", "schedule * blocked 21:30–06:00", "CNAME x: ...");
    text it does not recognise becomes kind ``other`` with the text as its detail."""
    text = text.strip()
    if not text:
        return {"kind": "other"}
    fixed = _FIXED.get(text)
    if fixed is not None:
        return {"kind": fixed}
    if text.startswith("CNAME ") and ": " in text:
        target, inner_text = text[len("CNAME ") :].split(": ", 1)
        inner = legacy_reason(inner_text)
        if inner["kind"] != "other":
            return {**inner, "kind": "cname", "cname_target": target, "target_kind": inner["kind"]}
    if text.startswith(_FAILURES):
        return {"kind": "failure", "detail": text[:_MAX_DETAIL]}
    if text.startswith("upstream "):
        return {"kind": "upstream", "upstream": text[len("upstream ") :]}
    for prefix, kind in _PREFIXED.items():
        if text.startswith(prefix):
            return {"kind": kind, "rule": text[len(prefix) :]}
    signal = _SIGNAL.match(text)
    if signal:
        return {"kind": "signal", "rule": signal.group(1)}
    if text.startswith("bypass "):
        inner = _category_or_service(text[len("bypass ") :]) or {}
        found: dict[str, object] = {"kind": "bypass", "category": "bypass"}
        found.update((key, inner[key]) for key in ("service", "rule") if key in inner)
        return found
    found_reason = _category_or_service(text) or _legacy_schedule(text)
    if found_reason is not None:
        return found_reason
    safe = _SAFE_SEARCH.match(text)
    if safe:
        engine = safe.group(1).removesuffix(" strict").removesuffix(" moderate")
        return {"kind": "safe_search", "cname_target": safe.group(2), "detail": engine}
    return {"kind": "other", "detail": text[:_MAX_DETAIL]}


def _category_or_service(text: str) -> dict[str, object] | None:
    service = _SERVICE.match(text)
    if service:
        return {"kind": "service", "service": service.group(1)}
    category = _CATEGORY.match(text)
    if category is None:
        return None
    found: dict[str, object] = {"kind": "category", "category": category.group(1)}
    detail = category.group(2) or ""
    inner = _SERVICE.match(detail)
    if inner:
        found["service"] = inner.group(1)
    elif detail:
        found["rule"] = detail
    return found


def _legacy_schedule(text: str) -> dict[str, object] | None:
    found = _SCHEDULE.match(text)
    if found is None:
        return None
    target, mode, windows = found.groups()
    spans = []
    for part in windows.split(", "):
        span = _SPAN.match(part.strip())
        if span:
            spans.append([span.group(1), span.group(2)])
    reason: dict[str, object] = {
        "kind": "schedule",
        "window": {
            "target": target,
            "mode": "blocked" if mode == "blocked" else "allowed_only",
            "spans": spans,
        },
    }
    kind, _, ident = target.partition(":")
    if kind in ("category", "service") and ident:
        reason[kind] = ident
    return reason
