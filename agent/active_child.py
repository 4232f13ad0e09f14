"""Which child is at the PC: the OS account of the active desktop session, mapped to a
child by family.toml's `os_users`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import MappingProxyType

from agent.policy import FamilyPolicy

log = logging.getLogger(__name__)


class ActiveChildTracker:
    """Maps the OS account of the active desktop session to a child, refreshed on a timer
    (the DNS path reads the last answer; looking it up per query would be far too slow)."""

    def __init__(self, session_user: Callable[[], str | None]) -> None:
        self._session_user = session_user
        self._by_os_user: MappingProxyType[str, str] = MappingProxyType({})
        self._child: str | None = None

    def set_policy(self, family: FamilyPolicy) -> None:
        self._by_os_user = MappingProxyType(
            {user.lower(): child.name for child in family.children for user in child.os_users}
        )
        self.refresh()

    def refresh(self) -> None:
        try:
            user = self._session_user()
        except Exception:  # an OS lookup failing must not stop the agent
            log.exception("cannot tell whose desktop session is active")
            user = None
        self._child = self._by_os_user.get(user.lower()) if user else None

    def __call__(self) -> str | None:
        return self._child
