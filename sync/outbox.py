"""Alert delivery from a durable outbox: when to try again, and one delivery pass.

The outbox itself is storage (the agent's store implements `OutboxQueue`); what lives here
is the policy. Nothing may be lost: an alert waits as long as the PC is offline, so a
failed item is retried for ever, at most `RetryPolicy.maximum` seconds apart. An item is
marked delivered only after its channel accepted it; a crash between sending and marking
leaves it due, so it is sent again (at least once; channels deduplicate by the item's
key). Times come in as arguments: this package reads no clock and imports nothing of ours.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 2000


@runtime_checkable
class OutboxEntry(Protocol):
    """What delivery needs of one queued alert."""

    @property
    def key(self) -> str:
        """The idempotency key: the same alert sent twice carries the same key."""
        ...

    @property
    def channel(self) -> str: ...

    @property
    def payload(self) -> Mapping[str, Any]: ...

    @property
    def attempts(self) -> int:
        """Attempts made so far (failed ones, as the item is not delivered yet)."""
        ...


@runtime_checkable
class OutboxQueue(Protocol):
    """A durable queue of alerts (the agent's store implements it)."""

    def due(self, now: datetime, limit: int) -> Sequence[OutboxEntry]:
        """Undelivered items whose next attempt is due at `now`, oldest first."""
        ...

    def mark_delivered(self, key: str, now: datetime) -> object:
        """The channel accepted the item: it is never sent again."""
        ...

    def mark_failed(self, key: str, error: str, *, retry_at: datetime) -> object:
        """Count a failed attempt and make the item due again at `retry_at`."""
        ...

    def mark_undeliverable(self, key: str, error: str, now: datetime) -> object:
        """The receiver refused the item for good: it is never sent again, and the parent
        is shown why."""
        ...


class PermanentDeliveryError(Exception):
    """The receiver refused the item and would refuse it again (an HTTP 4xx, an unknown
    address): retrying cannot help, so the failure is recorded for the parent instead."""


class DeferDelivery(Exception):  # noqa: N818 (not an error: a decision to wait)
    """Not now (a receiver's hourly limit is reached): try the item again at `retry_at`."""

    def __init__(self, retry_at: datetime, why: str = "held back") -> None:
        super().__init__(why)
        self.retry_at = retry_at


Send = Callable[[OutboxEntry], None]
"""Hands one item to its channel; returns once accepted, raises if not
(`PermanentDeliveryError` when trying again cannot help)."""


@dataclass(frozen=True)
class RetryPolicy:
    """Delays between attempts: `base * factor ** (attempts - 1)` seconds, capped at
    `maximum`, then spread by up to ±`jitter` of itself so that PCs which lost the network
    together do not all come back in the same second. There is no last attempt: an alert
    is never given up on (only a permanent refusal ends it)."""

    base: float = 15.0
    factor: float = 2.0
    maximum: float = 3600.0
    jitter: float = 0.0  # a fraction of the delay, 0 ≤ jitter < 1

    def __post_init__(self) -> None:
        if self.base <= 0 or self.factor < 1 or self.maximum < self.base:
            raise ValueError("need base > 0, factor ≥ 1 and maximum ≥ base")
        if not 0 <= self.jitter < 1:
            raise ValueError("need 0 ≤ jitter < 1")

    def delay(self, attempts: int, spread: float = 0.5) -> float:
        """Seconds to wait after the `attempts`-th failed attempt; `spread` in [0, 1] is
        where in the jitter band this delay falls (0.5: its middle, no jitter)."""
        exponent = max(attempts - 1, 0)
        # Cap the exponent first: a long outage must not overflow the float.
        if exponent > 64:
            plain = self.maximum
        else:
            plain = float(min(self.maximum, self.base * self.factor**exponent))
        if not self.jitter:
            return plain
        return plain * (1 - self.jitter + 2 * self.jitter * min(max(spread, 0.0), 1.0))

    def retry_at(self, attempts: int, now: datetime, spread: float = 0.5) -> datetime:
        """When to try again after the `attempts`-th failure at `now`."""
        return now + timedelta(seconds=self.delay(attempts, spread))


@dataclass(frozen=True)
class DeliveryPass:
    """What one pass did: keys delivered, and keys that failed with their next attempt."""

    delivered: tuple[str, ...] = ()
    retries: tuple[tuple[str, datetime], ...] = ()
    undeliverable: tuple[str, ...] = ()


def deliver_due(
    queue: OutboxQueue,
    send: Send,
    policy: RetryPolicy,
    now: datetime,
    *,
    limit: int = 50,
    spread: Callable[[], float] = random.random,
) -> DeliveryPass:
    """Send each item due at `now` once: mark it delivered, schedule its retry, or (on a
    `PermanentDeliveryError`) record that it can never be delivered.

    Only an `Exception` from `send` counts as a failed attempt; anything else (the process
    stopping) propagates with the item left as it was, still due. `spread` draws where in
    the jitter band each retry falls.
    """
    delivered: list[str] = []
    retries: list[tuple[str, datetime]] = []
    undeliverable: list[str] = []
    for item in queue.due(now, limit):
        try:
            send(item)
        except DeferDelivery as deferral:
            queue.mark_failed(item.key, str(deferral), retry_at=deferral.retry_at)
            retries.append((item.key, deferral.retry_at))
            continue
        except PermanentDeliveryError as error:
            message = str(error)[:MAX_ERROR_LENGTH]
            queue.mark_undeliverable(item.key, message, now)
            undeliverable.append(item.key)
            logger.error("alert %s on %s refused for good: %s", item.key, item.channel, message)
            continue
        except Exception as error:
            retry_at = policy.retry_at(item.attempts + 1, now, spread())
            message = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
            queue.mark_failed(item.key, message, retry_at=retry_at)
            retries.append((item.key, retry_at))
            logger.warning(
                "alert %s on %s failed (%s); next attempt at %s",
                item.key,
                item.channel,
                message,
                retry_at.isoformat(),
            )
            continue
        queue.mark_delivered(item.key, now)
        delivered.append(item.key)
    return DeliveryPass(tuple(delivered), tuple(retries), tuple(undeliverable))
