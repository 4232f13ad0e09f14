""""What Bảo An watches", made true for one child: each kind of record with the store's own
retention, what leaves the PC and to whom, who can see what, and how to see or delete it.

The pages and the tray show the same words (`watch_words`), so the notice a child agrees
to in the tray is the page they can open any time.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.pages.i18n import AgeBand
from agent.pages.strings import WATCH
from agent.store.models import RetentionPolicy


@dataclass(frozen=True)
class WatchWords:
    recorded: tuple[str, ...]
    not_recorded: tuple[str, ...]
    leaves: tuple[str, ...]  # what leaves the PC, and to whom
    who: tuple[str, ...]
    rights: str  # how to see or delete the records


def offers_choice(band: AgeBand) -> bool:
    """From the 6–10 band a child answers for themselves: agree, or not yet and talk
    (Decree 13/2023 asks for the consent of a child of 7 or more; a 6-year-old in the
    band is offered it too). The youngest read it with a parent and acknowledge it."""
    return band is not AgeBand.UNDER_6


def watch_words(language: str, band: AgeBand, retention: RetentionPolicy) -> WatchWords:
    """The notice for `band` in `language`, with the store's retention filled in."""
    recorded, not_recorded, leaves, who, rights = WATCH.get(language, WATCH["vi"])[band]
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
