"""What a check of the system found, shared by every OS module and `baoan doctor`.

Its own module, so that the OS modules need not import the package that imports them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One thing found out of place, said so that a parent can act on it."""

    key: str  # stable, for --json and tests: "dns", "browser-policy:firefox", ...
    ok: bool
    detail: str  # what was seen, in plain English (the doctor words it per language)
