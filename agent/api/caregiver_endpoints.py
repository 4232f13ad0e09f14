"""The caregivers for the parent (docs/api.md, "Caregivers").

- ``GET /api/caregivers`` (parent): this PC's name, and each caregiver with what they
  hear, their quiet hours, their channels' last delivery results and this PC's dead-man
  signal to their ntfy topic (whether the server carries it, the last re-publish).
- ``POST /api/caregivers/test`` (parent): a test alert sent at once to every channel, and
  each channel's answer.
"""

from __future__ import annotations

from typing import Protocol

from agent.api.http import Request, Router
from agent.api.types import CaregiversInfo, ChannelChecks


class CaregiverServices(Protocol):
    def caregivers(self) -> CaregiversInfo: ...

    def send_test_alert(self) -> ChannelChecks: ...


def register_caregiver_endpoints(router: Router, services: CaregiverServices) -> None:
    def caregivers(request: Request) -> object:
        return services.caregivers().to_json()

    def send_test(request: Request) -> object:
        return services.send_test_alert().to_json()

    router.add("GET", "/api/caregivers", caregivers, auth="parent")
    router.add("POST", "/api/caregivers/test", send_test, auth="parent")
