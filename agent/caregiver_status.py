"""The caregivers as the parent sees them in the dashboard (`GET /api/caregivers`): each
one's channels with their last delivery results, this PC's dead-man signal to their ntfy
topic, and the "send a test alert" button (`POST /api/caregivers/test`)."""

from __future__ import annotations

from collections.abc import Callable

from agent.alert_delivery import (
    AlertRouting,
    dead_man_state,
    ntfy_token_secret,
    receivers_of,
    send_test_alert,
)
from agent.alert_receivers import pc_name
from agent.api.types import (
    CaregiverInfo,
    CaregiversInfo,
    ChannelCheck,
    ChannelChecks,
    ChannelInfo,
    DeadManInfo,
)
from agent.policy.model import Caregiver, FamilyPolicy
from agent.secrets import SecretStore
from agent.store import Store
from sync.ntfy import NtfyTopic


class CaregiverStatus:
    """Reads the policy in force, the outbox and the dead-man state the agent keeps."""

    def __init__(
        self,
        family: Callable[[], FamilyPolicy],
        store: Store,
        secrets: SecretStore,
        routing: AlertRouting | None = None,
    ) -> None:
        self._family = family
        self._store = store
        self._secrets = secrets
        self._routing = routing or AlertRouting(family, secrets)

    def caregivers(self) -> CaregiversInfo:
        family = self._family()
        return CaregiversInfo(
            pc=pc_name(family),
            caregivers=tuple(self._caregiver(caregiver) for caregiver in family.caregivers),
        )

    def send_test_alert(self) -> ChannelChecks:
        results = send_test_alert(self._routing, pc_name(self._family()))
        return ChannelChecks(
            tuple(ChannelCheck(item.receiver, str(item.outcome), item.detail) for item in results)
        )

    def _caregiver(self, caregiver: Caregiver) -> CaregiverInfo:
        quiet = None
        if caregiver.quiet_start is not None and caregiver.quiet_end is not None:
            quiet = f"{caregiver.quiet_start:%H:%M}–{caregiver.quiet_end:%H:%M}"
        dead_man = None
        if caregiver.ntfy_topic:
            token = self._secrets.get(ntfy_token_secret(caregiver.ntfy_server))
            state = dead_man_state(
                self._store, NtfyTopic(caregiver.ntfy_server, caregiver.ntfy_topic, token)
            )
            dead_man = DeadManInfo(
                server=caregiver.ntfy_server,
                support=state.support.value,
                last_published=state.last_published,
                last_error=state.last_error,
            )
        return CaregiverInfo(
            name=caregiver.name,
            hears=caregiver.hears,
            quiet_hours=quiet,
            channels=tuple(self._channel(caregiver, name) for name in receivers_of(caregiver)),
            dead_man=dead_man,
        )

    def _channel(self, caregiver: Caregiver, receiver: str) -> ChannelInfo:
        kind = receiver.partition(":")[0]
        if kind == "ntfy":
            address = caregiver.ntfy_server
        elif kind == "email":
            address = caregiver.email or ""
        else:
            address = "Apprise"
        summary = self._store.outbox.receiver_summary(receiver)
        return ChannelInfo(
            receiver=receiver,
            kind=kind,
            address=address,
            last_delivered=summary.last_delivered,
            last_error=summary.last_error,
            refused_for_good=summary.refused_for_good,
            waiting=summary.waiting,
        )
