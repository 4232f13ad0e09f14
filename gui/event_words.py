"""The store's events in the family's words: "Cha mẹ đã chặn Roblox cho An lúc 20:14".

The agent keeps what happened as facts (the event's kind and ``data``; a policy edit's
``edits``), in English only for its own log. Here each is worded in the dashboard's
language when it is shown, so a switch of language rewords the whole list. A kind this
version does not know is shown with the agent's own English line.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from PySide6.QtCore import QCoreApplication

from gui.labels import category_label
from gui.pages_backend import FamilyEvent

translate = QCoreApplication.translate


def _fill(text: str, *values: str) -> str:
    for index, value in enumerate(values, start=1):
        text = text.replace(f"%{index}", value)
    return text


def event_text(event: FamilyEvent, zone: tzinfo) -> str:
    """The event as one sentence for a parent."""
    child = event.child or ""
    data = event.data
    at = event.time.astimezone(zone).strftime("%H:%M")
    kind = event.kind
    if kind == "policy-edited":
        return policy_edit_text(data, event.time, zone)
    site = str(data.get("site", ""))
    if kind == "access_request":
        return _fill(translate("EventWords", "%1 asks to open %2"), child, site)
    if kind == "access_decision":
        if data.get("allow"):
            return _fill(translate("EventWords", "A parent allowed %1 to open %2"), child, site)
        return _fill(translate("EventWords", "A parent did not allow %1 to open %2"), child, site)
    if kind == "time-request":
        return _fill(
            translate("EventWords", "%1 asks for %2 more minutes"),
            child,
            str(data.get("minutes", "")),
        )
    if kind == "help":
        return _fill(translate("EventWords", "%1 pressed Help / 111"), child)
    if kind == "report":
        return _fill(
            translate("EventWords", "%1 wants to tell you about something bad met online"), child
        )
    if kind == "watch_disagreed":
        return _fill(
            translate(
                "EventWords", "%1 does not agree yet with what Bảo An records and wants to talk"
            ),
            child,
        )
    if kind == "watch_acknowledged":
        return _fill(translate("EventWords", "%1 read what Bảo An records"), child)
    if kind == "tray-missing":
        return _fill(
            translate(
                "EventWords",
                "Bảo An's icon stopped answering while %1 used the computer; the time still counts",
            ),
            child,
        )
    if kind == "tray-back":
        return _fill(translate("EventWords", "Bảo An's icon answers again for %1"), child)
    if kind == "clock-changed":
        return translate("EventWords", "The computer's clock was changed")
    if kind == "timezone-changed":
        return translate("EventWords", "The computer's time zone was changed")
    if kind == "agent-unclean-stop":
        return translate(
            "EventWords", "Bảo An stopped without closing properly (switched off or killed)"
        )
    if kind == "policy-loosened":
        return _fill(
            translate("EventWords", "The family's settings file now protects less (changed at %1)"),
            at,
        )
    if kind == "policy-sync-conflict":
        return translate(
            "EventWords",
            "Two computers changed the family's settings at once; the settings of "
            "this computer stay in force",
        )
    if kind == "day-rollover":
        return translate("EventWords", "A new day began: screen time starts again")
    return event.message


def policy_edit_text(data: Mapping[str, object], moment: datetime, zone: tzinfo) -> str:
    """A parent's edit: "A parent blocked Roblox for An at 20:14"."""
    at = moment.astimezone(zone).strftime("%H:%M")
    edits = data.get("edits")
    if not isinstance(edits, list):
        return _fill(translate("EventWords", "A parent changed the rules at %1"), at)
    phrases = [edit_phrase(edit) for edit in edits if isinstance(edit, Mapping)]
    if not phrases:
        return _fill(translate("EventWords", "A parent saved the rules unchanged at %1"), at)
    return _fill(
        translate("EventWords", "A parent %1 at %2"),
        translate("EventWords", ", ").join(phrases),
        at,
    )


def edit_phrase(edit: Mapping[str, object]) -> str:
    """One change of a policy edit, as the middle of "A parent … at 20:14"."""
    field, change = str(edit.get("field", "")), str(edit.get("change", ""))
    child = str(edit.get("child", ""))
    value = str(edit.get("value", ""))
    name = str(edit.get("name") or value)
    if field in ("block_categories", "allow_categories"):
        name = category_label(value)
    phrases = {
        ("deny", "added"): translate("EventWords", "blocked the website %1 for %2"),
        ("deny", "removed"): translate("EventWords", "took the website %1 off %2's block list"),
        ("allow", "added"): translate("EventWords", "always allowed the website %1 for %2"),
        ("allow", "removed"): translate("EventWords", "took the website %1 off %2's allow list"),
        ("block_categories", "added"): translate("EventWords", "blocked %1 for %2"),
        ("block_categories", "removed"): translate("EventWords", "stopped blocking %1 for %2"),
        ("allow_categories", "added"): translate("EventWords", "allowed %1 for %2"),
        ("allow_categories", "removed"): translate(
            "EventWords", "set %1 back to the age rules for %2"
        ),
        ("block_services", "added"): translate("EventWords", "blocked %1 for %2"),
        ("block_services", "removed"): translate("EventWords", "stopped blocking %1 for %2"),
        ("allow_services", "added"): translate("EventWords", "allowed %1 for %2"),
        ("allow_services", "removed"): translate(
            "EventWords", "set %1 back to the age rules for %2"
        ),
    }
    phrase = phrases.get((field, change))
    if phrase is not None:
        return _fill(phrase, name, child)
    on = edit.get("value") is True
    if field == "safe_search":
        return _fill(
            translate("EventWords", "turned SafeSearch on for %1")
            if on
            else translate("EventWords", "turned SafeSearch off for %1"),
            child,
        )
    if field == "allow_list_only":
        return _fill(
            translate("EventWords", "let %1 open only the always-allowed websites")
            if on
            else translate("EventWords", "let %1 open more than the always-allowed websites"),
            child,
        )
    if field == "youtube_mode":
        modes = {
            "off": translate("EventWords", "no restriction"),
            "moderate": translate("EventWords", "restricted (moderate)"),
            "strict": translate("EventWords", "restricted (strict)"),
        }
        return _fill(
            translate("EventWords", "set YouTube to %1 for %2"), modes.get(value, value), child
        )
    if field == "schedules":
        return _fill(translate("EventWords", "changed %1's internet hours"), child)
    if field == "screen_time":
        return _fill(translate("EventWords", "changed %1's screen time"), child)
    if field == "child":
        return _fill(
            translate("EventWords", "added %1")
            if change == "added"
            else translate("EventWords", "removed %1"),
            child,
        )
    if field == "settings":
        return translate("EventWords", "changed the family's settings")
    if field == "caregiver":
        caregiver_phrases = {
            "added": translate("EventWords", "added %1 to the relatives who get alerts"),
            "removed": translate("EventWords", "took %1 off the relatives who get alerts"),
        }
        return _fill(
            caregiver_phrases.get(change)
            or translate("EventWords", "changed how %1 gets alerts"),
            value,
        )
    if field == "caregivers":
        return translate("EventWords", "changed the relatives who get alerts")
    if field == "devices":
        return translate("EventWords", "changed the family's devices")
    return translate("EventWords", "changed the rules")
