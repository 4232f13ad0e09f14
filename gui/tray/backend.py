"""What the tray needs from the agent, as a small typed interface.

:class:`TrayBackend` mirrors the agent's ``/api/tray/*`` endpoints (docs/tray.md), one
method per endpoint; the tray's widgets never see HTTP. Every method blocks, so the tray
calls them only through :mod:`gui.tray.workers`, off the UI thread.
"""

from __future__ import annotations

from typing import Protocol

from agent.api.types import (
    BlockedBatch,
    BlockedSite,
    HelpOutcome,
    ReportOutcome,
    TimeRequestInfo,
    TrayProfile,
    WatchAcknowledgementInfo,
    WatchNotice,
)

# The answers are the API's plain types, shared with the agent (one definition of each).
__all__ = [
    "HOTLINE_NUMBER",
    "HOTLINE_SITE",
    "HOTLINE_TEL",
    "VNCOP_REPORT",
    "AgentUnreachableError",
    "BlockedBatch",
    "BlockedSite",
    "HelpOutcome",
    "ReportOutcome",
    "TimeRequestInfo",
    "TrayBackend",
    "TrayBackendError",
    "TrayProfile",
    "WatchAcknowledgementInfo",
    "WatchNotice",
]

HOTLINE_NUMBER = "111"
HOTLINE_TEL = "tel:111"
HOTLINE_SITE = "https://tongdai111.vn"
# vn-cop.vn's "Báo cáo xâm hại" form is reached from its home page (no stable address).
VNCOP_REPORT = "https://vn-cop.vn/"


class TrayBackendError(Exception):
    """The agent refused or could not answer; `code` is the API's error code."""

    def __init__(self, message: str, code: str = "error") -> None:
        super().__init__(message)
        self.code = code


class AgentUnreachableError(TrayBackendError):
    """Nothing answers at the agent's address (or the tray has no token file)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="unreachable")


class TrayBackend(Protocol):
    @property
    def base_url(self) -> str:
        """The agent's address; the pages' paths are joined to it."""
        ...

    def profile(self, language: str | None = None) -> TrayProfile: ...

    def blocked_since(self, cursor: str | None, language: str | None = None) -> BlockedBatch: ...

    def press_help(self) -> HelpOutcome: ...

    def report(self) -> ReportOutcome: ...

    def acknowledge_watch(
        self, language: str, answer: str = "acknowledged"
    ) -> WatchAcknowledgementInfo: ...

    def ask_for_more_time(self, minutes: int, reason: str = "") -> TimeRequestInfo:
        """A request for more time (15, 30 or 60 minutes), with the child's own key."""
        ...

    def time_request(self, request_id: str) -> TimeRequestInfo:
        """The state of this child's request for more time."""
        ...

    def close(self) -> None: ...
