"""Other one-way channels through Apprise URLs (Discord, Slack, Zalo bots, a webhook…).

Apprise answers only yes or no, so a "no" is tried again like a network error; a URL that
Apprise cannot read at all is refused for good. The URL often holds a token, so it lives in
the keyring, not in family.toml. Apprise (and its hundred plugins) is imported at the first
alert sent this way, not when the agent starts: most families never use it.
"""

from __future__ import annotations

import logging

from sync.delivery import Alert
from sync.outbox import PermanentDeliveryError

logger = logging.getLogger(__name__)


class AppriseChannel:
    def __init__(self, url: str) -> None:
        self._url = url

    def __repr__(self) -> str:
        return "AppriseChannel(…)"  # the URL may carry a token

    def send(self, alert: Alert) -> None:
        import apprise

        notifier = apprise.Apprise()
        if not notifier.add(self._url):
            raise PermanentDeliveryError("Apprise cannot read this channel's URL")
        body = alert.message or alert.title
        if alert.title_en or alert.message_en:
            body += f"\n\n{alert.title_en} {alert.message_en}".rstrip()
        if alert.pc:
            body += f"\n— {alert.pc}"
        if not notifier.notify(title=alert.title, body=body):
            raise ConnectionError("the Apprise channel did not take the alert; trying again later")
        logger.info("alert %s sent through Apprise", alert.alert_id)
