"""Who an alert can reach, so that nothing promises a message nobody would receive.

`baoan init`, `baoan status`, the pages and the tray ask here before they say that the
family was told: with help alerts on and no caregiver to receive them, they say so
instead.
"""

from __future__ import annotations

import socket

from agent.policy.model import Caregiver, FamilyPolicy


def alert_receivers(family: FamilyPolicy) -> tuple[Caregiver, ...]:
    """The caregivers an alert can reach: those with an ntfy topic, an email address or an
    Apprise channel."""
    return tuple(
        caregiver
        for caregiver in family.caregivers
        if caregiver.ntfy_topic or caregiver.email or caregiver.apprise
    )


def help_alerts_unheard(family: FamilyPolicy) -> bool:
    """Help alerts are on, but nobody would receive them."""
    return family.settings.help_alerts_caregivers and not alert_receivers(family)


def pc_name(family: FamilyPolicy | None = None) -> str:
    """The name alerts give this PC: this-pc.toml's `name`, else the host name."""
    if family is not None and family.pc_name:
        return family.pc_name
    return socket.gethostname() or "PC"
