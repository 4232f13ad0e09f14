"""ntfy (https://ntfy.sh, or a family's own server): publishing alerts to a topic.

Messages are published as JSON (POST to the server's root), which carries Vietnamese
titles and button labels without header encoding. The alert's id is the message's
sequence id: a server from 2.16 on shows a repeated delivery as the same notification,
and any receiver can drop it by that id. Buttons are ntfy `http` actions: the phone posts
the body (a command the agent signed) to the family's command topic.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sync.delivery import Action, Alert
from sync.http_session import HttpSession
from sync.outbox import PermanentDeliveryError

logger = logging.getLogger(__name__)

DEFAULT_SERVER = "https://ntfy.sh"
TIMEOUT_SECONDS = 15.0
_SEQUENCE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# ntfy priorities: 1 min, 3 default, 4 high, 5 urgent (a phone rings through do-not-disturb).
_PRIORITY = {"urgent": 5, "alert": 4, "warning": 4, "info": 3}
_TAGS = {"urgent": "rotating_light", "alert": "warning", "warning": "warning", "info": "bell"}


def sequence_id(alert_id: str) -> str | None:
    """The alert id as an ntfy sequence id, when it has the allowed shape."""
    return alert_id if _SEQUENCE_ID.fullmatch(alert_id) else None


@dataclass(frozen=True)
class NtfyTopic:
    """Where to publish: a server, a topic, and the access token when the topic needs one."""

    server: str
    topic: str
    token: str | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"{self.server.rstrip('/')}/{self.topic}"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


def alert_message(topic: str, alert: Alert) -> dict[str, Any]:
    """The JSON body ntfy publishes for an alert."""
    lines = [alert.message] if alert.message else []
    if alert.message_en or alert.title_en:
        lines.append("")
        lines.append(f"{alert.title_en} {alert.message_en}".strip())
    if alert.pc:
        lines.append(f"— {alert.pc}")
    body: dict[str, Any] = {
        "topic": topic,
        "title": alert.title,
        "message": "\n".join(lines) or alert.title,
        "priority": _PRIORITY.get(alert.severity, 3),
        "tags": [_TAGS.get(alert.severity, "bell"), f"baoan-{alert.kind}"],
    }
    seq = sequence_id(alert.alert_id)
    if seq is not None:
        body["sequence_id"] = seq
    if alert.click:
        body["click"] = alert.click
    if alert.actions:
        body["actions"] = [
            {
                "action": "http",
                "label": action.label,
                "url": action.url,
                "method": action.method,
                "body": action.body,
                "clear": action.clear,
            }
            for action in alert.actions[:3]
        ]
    return body


def publish(
    session: HttpSession,
    where: NtfyTopic,
    body: dict[str, Any],
    *,
    timeout: float = TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """POST one JSON message; returns ntfy's answer. A 4xx (except 408 and 429) is a
    `PermanentDeliveryError`; a 5xx, 408, 429 or network error raises to be retried."""
    url = where.server.rstrip("/") + "/"
    response = session.request("POST", url, json={**body, "topic": where.topic},
                               headers=where.headers(), timeout=timeout)
    status = response.status
    if 400 <= status < 500 and status not in (408, 429):
        raise PermanentDeliveryError(
            f"ntfy {where.url} refused the message: HTTP {status} {response.text[:200].strip()}"
        )
    if status >= 300:
        raise ConnectionError(f"ntfy {where.url} answered HTTP {status}; trying again later")
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


class NtfyChannel:
    """One caregiver's alerts topic."""

    def __init__(
        self,
        where: NtfyTopic,
        session: HttpSession,
        buttons: Callable[[Alert], tuple[Action, ...]] | None = None,
    ) -> None:
        self._where = where
        self._session = session
        self._buttons = buttons  # made when sent: signed commands for a request's answers

    def __repr__(self) -> str:
        return f"NtfyChannel({self._where.url!r})"

    def send(self, alert: Alert) -> None:
        if self._buttons is not None:
            alert = replace(alert, actions=self._buttons(alert)[:3])
        answer = publish(self._session, self._where, alert_message(self._where.topic, alert))
        logger.info("alert %s published to %s as %s", alert.alert_id, self._where.url,
                    answer.get("id", "?"))
