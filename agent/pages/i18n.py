"""Which language and which age band a page speaks in."""

from __future__ import annotations

from enum import StrEnum

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


class AgeBand(StrEnum):
    """How a page speaks to the child: pictures and very short sentences for the youngest."""

    UNDER_6 = "0-5"
    AGES_6_10 = "6-10"
    AGES_11_14 = "11-14"
    AGES_15_17 = "15-17"


# A child we cannot place (a LAN device of nobody) is spoken to as a primary-school child:
# simple enough for the young, not babyish for the older.
DEFAULT_BAND = AgeBand.AGES_6_10


def band_for_age(age: int | None) -> AgeBand:
    if age is None:
        return DEFAULT_BAND
    if age < 6:
        return AgeBand.UNDER_6
    if age <= 10:
        return AgeBand.AGES_6_10
    if age <= 14:
        return AgeBand.AGES_11_14
    return AgeBand.AGES_15_17


def choose_language(explicit: str | None, family: str) -> str:
    """The page's own switch (``?lang=en``, ``?lang=vi``) when it says one we speak, else
    the family's setting (``settings.language``). The browser's ``Accept-Language`` is not
    asked: a Vietnamese family whose browser came set to English still reads Vietnamese,
    and every page has the switch to the other language."""
    if explicit in LANGUAGES:
        return str(explicit)
    return family if family in LANGUAGES else DEFAULT_LANGUAGE
