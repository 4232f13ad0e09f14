"""The tamper watch: the system's DNS and the browsers' policies, checked and put back;
and new OS accounts, alerted.

Run by the installed system service only (`AgentSettings.watch_system`, the unit's
`--watch-system`): a try-out agent or a test's agent must never rewrite the PC's
`/etc/resolv.conf`. Each pass asks the OS integration (`agent.system`) whether the DNS
still points at the agent and whether every browser policy is in place; what is not is
put back through the same code the installer used, recorded as a `system-tampered` event
and sent to the caregivers as a tamper alert (`agent.child_alerts.raise_alert`, the path
every alert takes; heard by those whose `hears` has `tamper`). A change that cannot be
put back is alerted once, until it is fixed. The firewall follows the children's
accounts in `family.toml` (loaded again whenever they change, and at the first pass);
where the integration can tell (`FirewallCheck`, Linux), a table deleted since is put
back and alerted like the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol, runtime_checkable

from agent.child_alerts import raise_alert
from agent.policy import FamilyPolicy
from agent.store import Store
from agent.system import Finding, SystemIntegration

log = logging.getLogger(__name__)

EVENT_SYSTEM_TAMPERED = "system-tampered"
JOB_SYSTEM_WATCH = "system-watch"
WATCH_EVERY_SECONDS = 30


@runtime_checkable
class FirewallCheck(Protocol):
    """An integration that can tell whether its firewall rules are loaded (Linux's)."""

    def firewall_in_place(self) -> Finding: ...


class SystemWatch:
    """One pass per call (a scheduler job)."""

    def __init__(
        self,
        system: SystemIntegration,
        store: Store,
        family: Callable[[], FamilyPolicy],
        now: Callable[[], datetime],
        agent_addresses: tuple[str, ...],
    ) -> None:
        self._system = system
        self._store = store
        self._family = family
        self._now = now
        self._agent_addresses = agent_addresses
        self._unfixed: set[str] = set()  # alerted already, could not be put back
        self._firewall_accounts: tuple[str, ...] | None = None  # as last loaded

    def __call__(self) -> None:
        addresses = self._agent_addresses
        self._check(
            [self._system.dns_points_at_agent(addresses)],
            lambda: self._system.point_dns_at_agent(addresses),
            lambda: [self._system.dns_points_at_agent(addresses)],
        )
        self._check(
            self._system.browser_policies_in_place(),
            self._system.install_browser_policies,
            self._system.browser_policies_in_place,
        )
        self._follow_children_accounts()

    def _follow_children_accounts(self) -> None:
        """A child's account added or removed in family.toml: the firewall follows."""
        accounts = tuple(sorted(
            {user for child in self._family().children for user in child.os_users}
        ))
        if accounts == self._firewall_accounts:
            system = self._system
            if accounts and isinstance(system, FirewallCheck):
                # Loaded, but deleted since (`nft delete table`): put back, alerted.
                self._check(
                    [system.firewall_in_place()],
                    lambda: system.install_firewall(accounts),
                    lambda: [system.firewall_in_place()],
                )
            return
        try:
            self._system.install_firewall(accounts)
        except Exception:  # tried again at the next pass
            log.exception("the firewall was not loaded for %s", ", ".join(accounts) or "nobody")
            return
        self._firewall_accounts = accounts

    def _check(
        self,
        findings: list[Finding],
        fix: Callable[[], None],
        check_again: Callable[[], list[Finding]],
    ) -> None:
        self._unfixed -= {item.key for item in findings if item.ok}
        wrong = [item for item in findings if not item.ok]
        if not wrong:
            return
        error: str | None = None
        try:
            fix()
        except Exception as problem:  # the failure is the alert's subject, not the job's end
            error = f"{type(problem).__name__}: {problem}"
            log.exception("could not put back %s", ", ".join(item.key for item in wrong))
        still_wrong = {item.key for item in check_again() if not item.ok}
        for item in wrong:
            fixed = error is None and item.key not in still_wrong
            if not fixed and item.key in self._unfixed:
                continue  # said once already
            if not fixed:
                self._unfixed.add(item.key)
            self._alert(item, fixed, error)

    def _alert(self, finding: Finding, fixed: bool, error: str | None) -> None:
        outcome = "put back" if fixed else f"could not be put back ({error or 'still wrong'})"
        message = f"the PC's protection was changed: {finding.detail}; {outcome}"
        log.warning("tamper: %s", message)
        raise_alert(
            self._store,
            self._family(),
            kind=EVENT_SYSTEM_TAMPERED,
            severity="alert",
            event_message=message,
            payload={
                "title": "Cài đặt bảo vệ trên máy vừa bị thay đổi"
                + (" (đã khôi phục)" if fixed else " (chưa khôi phục được)"),
                "title_en": "The PC's protection was changed"
                + (" (put back)" if fixed else " (could not be put back)"),
                "message": "Bảo An đã đặt lại." if fixed
                else "Bảo An chưa đặt lại được: hãy chạy baoan doctor trên máy.",
                "message_en": "Bảo An put it back." if fixed
                else "Bảo An could not put it back: run baoan doctor on the PC.",
                "check": finding.key,
                "detail": finding.detail,
                "fixed": fixed,
            },
            child=None,
            at=self._now(),
            data={"check": finding.key, "detail": finding.detail, "fixed": fixed,
                  "error": error},
        )
