"""What the tray needs from the agent, as a small typed interface.

:class:`TrayBackend` mirrors the agent's ``/api/tray/*`` endpoints (docs/tray.md), one
method per endpoint; the tray's widgets never see HTTP. Every method blocks, so the tray
calls them only through :mod:`gui.tray.workers`, off the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

HOTLINE_NUMBER = "111"
HOTLINE_TEL = "tel:111"
HOTLINE_SITE = "https://tongdai111.vn"


class TrayBackendError(Exception):
    """The agent refused or could not answer; `code` is the API's error code."""

    def __init__(self, message: str, code: str = "error") -> None:
        super().__init__(message)
        self.code = code


class AgentUnreachableError(TrayBackendError):
    """Nothing answers at the agent's address (or the tray has no token file)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="unreachable")


@dataclass(frozen=True)
class WatchNotice:
    """ "What Bảo An watches", in the agent's words for this child's age and language."""

    title: str
    intro: str
    recorded_heading: str
    recorded: tuple[str, ...]
    not_recorded_heading: str
    not_recorded: tuple[str, ...]
    who_heading: str
    who: tuple[str, ...]
    kept: str


@dataclass(frozen=True)
class TrayProfile:
    """``GET /api/tray/me``: whose tray this is and how to speak to them."""

    child: str | None
    age_band: str
    language: str
    help_alerts: bool
    poll_seconds: float
    acknowledged: bool
    notice: WatchNotice
    watch_page: str = "/__baoan/watch"
    help_page: str = "/__baoan/help"


@dataclass(frozen=True)
class BlockedSite:
    time: str
    name: str
    category: str | None
    why: str | None
    page: str  # a path on the agent's address


@dataclass(frozen=True)
class BlockedBatch:
    items: tuple[BlockedSite, ...]
    cursor: str
    truncated: bool = False


@dataclass(frozen=True)
class HelpOutcome:
    alerted: bool
    alerts_enabled: bool
    child: str | None = None


@dataclass(frozen=True)
class Acknowledgement:
    child: str
    acknowledged_at: str
    extra: dict[str, object] = field(default_factory=dict)


class TrayBackend(Protocol):
    @property
    def base_url(self) -> str:
        """The agent's address; the pages' paths are joined to it."""
        ...

    def profile(self, language: str | None = None) -> TrayProfile: ...

    def blocked_since(self, cursor: str | None, language: str | None = None) -> BlockedBatch: ...

    def press_help(self) -> HelpOutcome: ...

    def acknowledge_watch(self, language: str) -> Acknowledgement: ...

    def close(self) -> None: ...
