"""What a check of the PC's settings found, in one small type every OS module shares."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One thing found out of place, said so that a parent can act on it."""

    key: str  # stable, for --json and tests: "dns", "browser-policy:firefox", ...
    ok: bool
    detail: str  # what was seen, in plain English (the doctor words it per language)
