"""The dead-man signal: caregivers learn that a PC's protection stopped reporting, also when
the PC is off or the agent was killed, with no server of our own.

Every ten minutes the agent publishes to each alerts topic a message scheduled for thirty
minutes later ("Bảo An trên máy X đã ngừng báo tin"), always with the same sequence id. An
ntfy server from 2.16 on replaces the pending message with the new one, so while the agent
runs the message never comes due; when it stops, the last one arrives within 30 minutes.

When a signal is no longer wanted — the PC was renamed (a new sequence id), its topic or
its caregiver left the policy, a parent uninstalled Bảo An — the pending message is
cancelled as ntfy 2.16 documents it (`DELETE /<topic>/<sequence id>`: the scheduled
message is removed, never delivered, and subscribers get a `message_delete` event), so
it raises no false alarm 30 minutes later. A crash or a kill cancels nothing: then the
message must come.

An older server would keep every scheduled copy and deliver each of them, a false alarm
every ten minutes. So a server is probed first, on a topic nobody reads (`<topic>-probe`):
two scheduled messages with one sequence id, then a poll with `sched=1`; one pending
message means the server replaces, two mean it does not, and then nothing is scheduled.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from enum import Enum

from sync.http_session import HttpSession
from sync.ntfy import TIMEOUT_SECONDS, NtfyTopic, publish
from sync.outbox import PermanentDeliveryError

logger = logging.getLogger(__name__)

PUBLISH_EVERY_MINUTES = 10
SILENCE_MINUTES = 30
_SLUG = re.compile(r"[^A-Za-z0-9_-]+")


class Support(Enum):
    REPLACES = "replaces"  # ntfy 2.16 or later: the signal works
    KEEPS_EVERY_COPY = "keeps-every-copy"  # older: no signal, say so
    UNKNOWN = "unknown"  # the probe failed (offline, or no access to the probe topic)


def sequence_for(pc: str) -> str:
    """One sequence id per PC: each PC has its own signal on a shared topic."""
    return ("baoan-stopped-" + _SLUG.sub("-", pc).strip("-"))[:64] or "baoan-stopped"


def probe_topic(topic: str) -> str:
    return f"{topic[:58]}-probe"


@dataclass(frozen=True)
class DeadManSignal:
    """Publishes one PC's signal to one alerts topic."""

    where: NtfyTopic
    pc: str

    def message(self) -> dict[str, object]:
        return {
            "title": f"Bảo An trên máy {self.pc} đã ngừng báo tin",
            "message": (
                f"Đã {SILENCE_MINUTES} phút Bảo An trên máy {self.pc} không báo tin: máy có "
                "thể đã tắt, mất mạng, hoặc Bảo An bị dừng. Hãy xem lại máy khi có thể.\n\n"
                f"Bảo An on {self.pc} has not reported for {SILENCE_MINUTES} minutes: the PC "
                "may be off or offline, or Bảo An was stopped."
            ),
            "priority": 4,
            "tags": ["warning", "baoan-stopped"],
            "sequence_id": sequence_for(self.pc),
            "delay": f"{SILENCE_MINUTES}m",
        }

    def publish(self, session: HttpSession) -> None:
        publish(session, self.where, self.message())

    def cancel(self, session: HttpSession) -> None:
        cancel(session, self.where, sequence_for(self.pc))


def cancel(
    session: HttpSession,
    where: NtfyTopic,
    sequence: str,
    *,
    timeout: float = TIMEOUT_SECONDS,
) -> None:
    """Cancel the pending scheduled message `sequence` on `where` (ntfy 2.16 and later:
    `DELETE /<topic>/<sequence id>`). A 4xx (no such topic, no access) is a
    `PermanentDeliveryError`; a 5xx or network error raises to be tried again."""
    url = f"{where.url}/{sequence}"
    response = session.request("DELETE", url, headers=where.headers(), timeout=timeout)
    status = response.status
    if 400 <= status < 500 and status not in (408, 429):
        raise PermanentDeliveryError(
            f"ntfy {where.url} refused to cancel {sequence}: HTTP {status} "
            f"{response.text[:200].strip()}"
        )
    if status >= 300:
        raise ConnectionError(f"ntfy {where.url} answered HTTP {status} to a cancel")
    logger.info("cancelled the pending dead-man signal %s on %s", sequence, where.url)


def probe(session: HttpSession, where: NtfyTopic, timeout: float = 10.0) -> Support:
    """Does `where`'s server replace a scheduled message that has the same sequence id?"""
    target = NtfyTopic(where.server, probe_topic(where.topic), where.token)
    sequence = "probe-" + secrets.token_hex(8)
    body: dict[str, object] = {"message": "probe", "sequence_id": sequence, "delay": "12h"}
    try:
        publish(session, target, body, timeout=timeout)
        publish(session, target, {**body, "message": "probe again"}, timeout=timeout)
        response = session.request(
            "GET",
            f"{target.url}/json",
            params={"poll": "1", "sched": "1", "since": "all"},
            headers=target.headers(),
            timeout=timeout,
        )
        if response.status >= 400:
            raise ConnectionError(f"HTTP {response.status} to the poll")
    except Exception as error:
        logger.warning("cannot tell whether %s can carry the dead-man signal: %s",
                       where.server, error)
        return Support.UNKNOWN
    pending = 0
    for line in response.text.splitlines():
        if f'"{sequence}"' in line:
            pending += 1
    if pending == 1:
        return Support.REPLACES
    if pending > 1:
        return Support.KEEPS_EVERY_COPY
    return Support.UNKNOWN
