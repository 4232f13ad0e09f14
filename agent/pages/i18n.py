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


def _accept_language_choice(header: str) -> str | None:
    """The supported language the browser prefers most (q-values honoured), or None."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(header.split(",")[:32]):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        primary = tag.split("-")[0]
        if primary not in LANGUAGES:
            continue
        quality = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if not 0.0 < quality <= 1.0:
            continue
        candidate = (quality, -position, primary)
        if best is None or candidate > best:
            best = candidate
    return None if best is None else best[2]


def choose_language(explicit: str | None, accept_language: str | None, family: str) -> str:
    """Vietnamese by default; English when the page's own switch (``?lang=en``) asks for it,
    when the family's setting is English, or when the browser prefers English to
    Vietnamese. The switch wins over everything, so ``?lang=vi`` always gives Vietnamese."""
    if explicit in LANGUAGES:
        return str(explicit)
    if family == "en":
        return "en"
    if accept_language and _accept_language_choice(accept_language) == "en":
        return "en"
    return DEFAULT_LANGUAGE
