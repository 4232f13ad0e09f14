"""A per-client query rate limit: a token bucket per client address.

Each client may ask `qps` queries a second, with bursts of up to `burst` (a page load asks
for dozens of names at once); past that the server answers REFUSED, which tells a client
to try another resolver or later, and counts it. Clients for whom `exempt` says so (the
PC itself, the block page) are never limited. 0 queries a second turns the limit off.
"""

from __future__ import annotations

from collections.abc import Callable

from dns_filter.clock import Clock, SystemClock

_MAX_CLIENTS = 65_536  # buckets kept; beyond that, the idle ones are forgotten


class ClientRateLimit:
    """`allow(client)` spends one token of that client's bucket, if it has one."""

    def __init__(
        self,
        qps: int,
        *,
        burst: int | None = None,
        exempt: Callable[[str], bool] = lambda _client: False,
        clock: Clock | None = None,
    ) -> None:
        self.qps = 0
        self.burst = 0.0
        self.set_rate(qps, burst)
        self._exempt = exempt
        self._clock = (clock or SystemClock()).monotonic
        # client -> [tokens, when last filled]; None for an exempt client
        self._buckets: dict[str, list[float] | None] = {}

    def set_rate(self, qps: int, burst: int | None = None) -> None:
        """A new rate (the family changed it); each bucket keeps what it holds."""
        if qps < 0:
            raise ValueError("qps must be 0 (off) or more")
        self.qps = qps
        self.burst = float(burst if burst is not None else 2 * qps)

    @property
    def enabled(self) -> bool:
        return self.qps > 0

    def _bucket(self, client: str, now: float) -> list[float] | None:
        buckets = self._buckets
        if client in buckets:
            return buckets[client]
        if len(buckets) >= _MAX_CLIENTS:
            self._forget_full(now)
        bucket = None if self._exempt(client) else [self.burst, now]
        buckets[client] = bucket
        return bucket

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that would be full again by now: nothing is lost with them."""
        refill = self.burst / self.qps if self.qps else 0.0
        self._buckets = {
            client: bucket
            for client, bucket in self._buckets.items()
            if bucket is not None and now - bucket[1] < refill
        }

    def _fill(self, bucket: list[float], now: float) -> None:
        elapsed = now - bucket[1]
        if elapsed > 0:
            bucket[0] = min(self.burst, bucket[0] + elapsed * self.qps)
            bucket[1] = now

    def allow(self, client: str) -> bool:
        """Whether `client` may be answered now; spends a token when it may."""
        if not self.qps:
            return True
        now = self._clock()
        bucket = self._bucket(client, now)
        if bucket is None:
            return True
        self._fill(bucket, now)
        if bucket[0] >= 1.0:
            bucket[0] -= 1.0
            return True
        return False

    def charge(self, client: str, count: int = 1) -> None:
        """Spend `count` tokens for queries already answered (the C fast path's)."""
        if not self.qps:
            return
        now = self._clock()
        bucket = self._bucket(client, now)
        if bucket is not None:
            self._fill(bucket, now)
            bucket[0] = max(bucket[0] - count, -self.burst)

    def limited(self, client: str) -> bool:
        """Whether `client`'s next query would be refused (spends nothing)."""
        if not self.qps:
            return False
        now = self._clock()
        bucket = self._bucket(client, now)
        if bucket is None:
            return False
        self._fill(bucket, now)
        return bucket[0] < 1.0
