""""What Bảo An watches", made true for one child: each kind of record with the store's own
retention, what leaves the PC and to whom, who can see what, and how to see or delete it.

The pages and the tray show the same words (`watch_words`), so the notice a child agrees
to in the tray is the page they can open any time.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.access import CONSENT_AGE
from agent.pages.i18n import AgeBand
from agent.pages.strings import WATCH, WATCH_CONSENT_LEAVES
from agent.store.models import RetentionPolicy


@dataclass(frozen=True)
class WatchWords:
    recorded: tuple[str, ...]
    not_recorded: tuple[str, ...]
    leaves: tuple[str, ...]  # what leaves the PC, and to whom
    who: tuple[str, ...]
    rights: str  # how to see or delete the records




def asks_consent(age: int | None) -> bool:
    """Whether the child answers for themselves — "agree", or "not yet, I want to talk
    with my parents" — rather than acknowledge it: from 7, by the child's own age (a band
    is too coarse: a 6-year-old is in the 6–10 band). A child of unknown age is asked, as
    the band they are spoken to in (6–10) mostly is."""
    return age is None or age >= CONSENT_AGE


def watch_words(
    language: str, band: AgeBand, retention: RetentionPolicy, *, consent: bool = True
) -> WatchWords:
    """The notice for `band` in `language`, with the store's retention filled in. With
    `consent` (:func:`asks_consent`), what "not yet" sends is among what leaves the PC."""
    recorded, not_recorded, leaves, who, rights = WATCH.get(language, WATCH["vi"])[band]
    consent_line = WATCH_CONSENT_LEAVES.get(language, WATCH_CONSENT_LEAVES["vi"]).get(band)
    if consent and consent_line:
        # Before the closing "apart from those messages, nothing leaves".
        leaves = (*leaves[:-1], consent_line, *leaves[-1:])
    days = {
        "query_log_days": retention.query_log_days,
        "usage_days": retention.usage_days,
        "requests_days": retention.access_requests_days,
        "events_days": retention.events_days,
    }
    return WatchWords(
        recorded=tuple(item.format(**days) for item in recorded),
        not_recorded=not_recorded,
        leaves=leaves,
        who=who,
        rights=rights,
    )
