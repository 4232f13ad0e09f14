"""Words the family sees for the agent's codes (decisions, categories, presets) and numbers.

Every string goes through Qt's translator (context ``Labels``), so it follows the
language chosen at run time. The agent's codes stay in English; only their labels change.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from PySide6.QtCore import QCoreApplication

from gui.backend import QueryReason, ScheduleWindow


def decision_label(decision: str) -> str:
    """A decision code (``blocked``, ``resolved``, ...) in the family's words."""
    labels = {
        "allowed": QCoreApplication.translate("Labels", "Allowed"),
        "resolved": QCoreApplication.translate("Labels", "Allowed"),
        "cached": QCoreApplication.translate("Labels", "Allowed (cached)"),
        "blocked": QCoreApplication.translate("Labels", "Blocked"),
        "rewritten": QCoreApplication.translate("Labels", "Made safe"),
        "bypass": QCoreApplication.translate("Labels", "Bypass attempt stopped"),
        "failed": QCoreApplication.translate("Labels", "Lookup failed"),
    }
    return labels.get(decision, decision)


def is_block(decision: str) -> bool:
    """Whether the decision kept the child away from the name."""
    return decision in ("blocked", "bypass")


def is_failure(decision: str) -> bool:
    """Whether the lookup failed (SERVFAIL): nothing was opened, nothing was blocked."""
    return decision == "failed"


def _fill(text: str, *values: str) -> str:
    for index, value in enumerate(values, start=1):
        text = text.replace(f"%{index}", value)
    return text


def service_label(service: str, names: Mapping[str, str] | None = None) -> str:
    """A service by the catalogue's name (``YouTube``), never its id where the name is
    known (`names`: service id to name, from ``GET /api/catalogue``)."""
    return (names or {}).get(service, service)


def reason_label(reason: QueryReason | None, names: Mapping[str, str] | None = None) -> str:
    """Why the agent answered as it did, in the family's words, from the reason's fields
    (never its raw kind: a kind this version does not know gets "Other reason"); services
    by the catalogue's names in `names` (service id to name)."""
    if reason is None:
        return ""
    translate = QCoreApplication.translate
    kind = reason.kind
    if kind == "cname" and reason.cname_target:
        behind = QueryReason(
            reason.target_kind or "other",
            category=reason.category,
            service=reason.service,
            rule=reason.rule,
            window=reason.window,
        )
        text = translate("Labels", "Points to %1: %2")
        return _fill(text, reason.cname_target, reason_label(behind, names))
    if kind in ("category", "service") and reason.category:
        if reason.service:
            return _fill(translate("Labels", "%1 (%2)"), category_label(reason.category),
                         service_label(reason.service, names))
        return category_label(reason.category)
    if kind == "service" and reason.service:  # a service of no known category
        return _fill(
            translate("Labels", "Blocked app or service: %1"), service_label(reason.service, names)
        )
    if kind == "time_up" and reason.service:
        return _fill(
            translate("Labels", "No more %1 time today"), service_label(reason.service, names)
        )
    if kind == "time_up":
        return translate("Labels", "No more screen time for this today")
    if kind == "bypass":
        return category_label("bypass")
    if kind == "schedule" and reason.window is not None:
        return _schedule_label(reason.window, names)
    if kind == "safe_search":
        return _fill(translate("Labels", "Safe search (%1)"), reason.detail or "")
    if kind == "upstream":
        return _fill(translate("Labels", "Answered by %1"), reason.upstream or "")
    labels = {
        "deny_list": translate("Labels", "Parent's block list"),
        "allow_list": translate("Labels", "Parent's allow list"),
        "allow_list_only": translate("Labels", "Only pages a parent picked"),
        "help_site": translate("Labels", "Help site, always open"),
        "granted": translate("Labels", "Allowed by a parent for now"),
        "signal": translate("Labels", "Keeps devices on this filter"),
        "local": translate("Labels", "Home network name, answered here"),
        "cache": translate("Labels", "From the cache"),
        "stale": translate("Labels", "From an old cached copy (DNS servers not answering)"),
        "failure": translate("Labels", "No DNS server answered"),
        "no_rule": translate("Labels", "No rule matched"),
        "unfiltered": translate("Labels", "Not filtered (no child)"),
    }
    return labels.get(kind, translate("Labels", "Other reason"))


def _schedule_label(window: ScheduleWindow, names: Mapping[str, str] | None) -> str:
    translate = QCoreApplication.translate
    kind, _, ident = window.target.partition(":")
    if kind == "category":
        what = category_label(ident)
    elif kind == "service":
        what = service_label(ident, names)
    else:
        what = translate("Labels", "Everything")
    times = ", ".join(f"{start}–{end}" for start, end in window.spans)
    if window.mode == "blocked":
        return _fill(translate("Labels", "%1: break time %2"), what, times)
    if not times:
        return _fill(translate("Labels", "%1: not open at any time"), what)
    return _fill(translate("Labels", "%1: open only %2"), what, times)


def category_label(category: str) -> str:
    """A list category code in the family's words; unknown codes are shown as they are."""
    # One name per category: the same as the block page's (agent/policy/categories.py:
    # the source string is `name_en`, its Vietnamese translation `name_vi`).
    translate = QCoreApplication.translate
    labels = {
        "adult": translate("Labels", "Adult content"),
        "gambling": translate("Labels", "Gambling and betting"),
        "threats": translate("Labels", "Malware and phishing"),
        "malware": translate("Labels", "Malware and phishing"),
        "phishing": translate("Labels", "Malware and phishing"),
        "scam": translate("Labels", "Scams"),
        "dating": translate("Labels", "Dating"),
        "drugs": translate("Labels", "Drugs"),
        "violence": translate("Labels", "Violence and hate"),
        "weapons": translate("Labels", "Weapons and dangerous material"),
        "chat": translate("Labels", "Chat and messaging"),
        "social": translate("Labels", "Social networks"),
        "social-networks": translate("Labels", "Social networks"),
        "games": translate("Labels", "Online games"),
        "video": translate("Labels", "Video and music"),
        "streaming": translate("Labels", "Video and music"),
        "shopping": translate("Labels", "Online shopping"),
        "bypass": translate("Labels", "Filter bypass (VPN, proxy, encrypted DNS)"),
        "piracy": translate("Labels", "Piracy"),
        "hacking": translate("Labels", "Hacking"),
        "shortener": translate("Labels", "Link shorteners"),
        "ads": translate("Labels", "Ads and trackers"),
        "schedule": translate("Labels", "Outside allowed hours"),
        "service": translate("Labels", "Blocked app or service"),
        "deny": translate("Labels", "Parent's block list"),
        "allow": translate("Labels", "Parent's allow list"),
    }
    return labels.get(category, category)


def category_description(category: str) -> str:
    """What a category holds, in a parent's words, with an example."""
    translate = QCoreApplication.translate
    texts = {
        "adult": translate("Labels", "Pornography and other sexual content."),
        "gambling": translate(
            "Labels", "Casinos, betting on football, lotteries and card games for money."
        ),
        "threats": translate(
            "Labels", "Sites that spread viruses or steal passwords and bank details."
        ),
        "scam": translate(
            "Labels", "Fake shops, fake prizes and other tricks to take money."
        ),
        "dating": translate("Labels", "Sites for meeting strangers for dates."),
        "drugs": translate("Labels", "Selling or promoting drugs and banned substances."),
        "violence": translate("Labels", "Cruel violence, hate against groups of people."),
        "weapons": translate("Labels", "Weapons, explosives and how to make them."),
        "chat": translate(
            "Labels", "Chatting with anyone online, for example Messenger, Zalo, Discord."
        ),
        "social": translate(
            "Labels", "Social networks such as Facebook, TikTok and Instagram."
        ),
        "games": translate("Labels", "Online games and game shops, for example Roblox, Steam."),
        "video": translate(
            "Labels", "Watching videos and listening to music, for example YouTube, Netflix."
        ),
        "shopping": translate("Labels", "Online shops such as Shopee, Lazada and Tiki."),
        "bypass": translate(
            "Labels",
            "VPNs, proxies and encrypted DNS that would get around Bảo An. Keep this blocked.",
        ),
        "piracy": translate("Labels", "Films, music and software copied without permission."),
        "hacking": translate("Labels", "Breaking into computers and cheating tools."),
        "shortener": translate(
            "Labels", "Short links (such as bit.ly) that hide where they lead."
        ),
    }
    return texts.get(category, "")


def preset_label(preset: str) -> str:
    """An age preset code (``tieu-hoc``) as a school level with its ages."""
    labels = {
        "mam-non": QCoreApplication.translate("Labels", "Preschool (0–5)"),
        "tieu-hoc": QCoreApplication.translate("Labels", "Primary school (6–10)"),
        "thcs": QCoreApplication.translate("Labels", "Lower secondary (11–14)"),
        "thpt": QCoreApplication.translate("Labels", "Upper secondary (15–17)"),
    }
    return labels.get(preset, preset)


def format_minutes(minutes: int) -> str:
    """``95`` → ``1 h 35 min`` in the current language."""
    minutes = max(0, int(minutes))
    if minutes < 60:
        return QCoreApplication.translate("Labels", "%n min", None, minutes)
    hours, rest = divmod(minutes, 60)
    text = QCoreApplication.translate("Labels", "%1 h %2 min")
    return text.replace("%1", str(hours)).replace("%2", str(rest))


def format_seconds_wait(seconds: float) -> str:
    """A lockout wait: ``45`` → ``45 s``, ``300`` → ``5 min``."""
    whole = max(0, round(seconds))
    if whole < 60:
        return QCoreApplication.translate("Labels", "%n s", None, whole)
    minutes, rest = divmod(whole, 60)
    if rest == 0:
        return QCoreApplication.translate("Labels", "%n min", None, minutes)
    text = QCoreApplication.translate("Labels", "%1 min %2 s")
    return text.replace("%1", str(minutes)).replace("%2", str(rest))


def format_log_time(moment: str | datetime, now: datetime | None = None) -> str:
    """A time from the log (ISO 8601 text or a datetime) in the local zone (``now``'s, when
    given): ``14:05:09``, or ``03/05 14:05:09`` when it is not today. Text that is not a time
    is shown as it is."""
    if isinstance(moment, str):
        text = moment
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
    reference = now if now is not None else datetime.now().astimezone()
    if moment.tzinfo is not None and reference.tzinfo is not None:
        moment = moment.astimezone(reference.tzinfo)
    if moment.date() == reference.date():
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%d/%m %H:%M:%S")


def local_timezone() -> tzinfo:
    """The PC's own time zone (the agent runs on the same PC)."""
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def format_clock(moment: datetime, zone: tzinfo, now: datetime) -> str:
    """A moment as the family's clock shows it (in `zone`): ``13:00``, or ``03/05 13:00``
    when it is not on `now`'s day there."""
    local = moment.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return local.strftime("%H:%M")
    return local.strftime("%d/%m %H:%M")


__all__ = [
    "category_label",
    "decision_label",
    "format_clock",
    "format_log_time",
    "format_minutes",
    "format_seconds_wait",
    "is_block",
    "is_failure",
    "local_timezone",
    "preset_label",
    "reason_label",
    "service_label",
]
