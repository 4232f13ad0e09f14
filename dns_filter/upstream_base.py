"""What every upstream transport is and how it fails, apart from the transports themselves
so that :mod:`dns_filter.upstreams` (plain DNS, the group) and :mod:`dns_filter.doh` (DNS
over HTTPS) both build on it without importing each other in a circle."""

from __future__ import annotations

import abc
from collections.abc import Sequence


class UpstreamError(Exception):
    """One exchange with one upstream failed (timeout, refused, malformed answer, HTTP error)."""


class UpstreamsFailedError(Exception):
    """Every upstream of a group failed for one query."""

    def __init__(self, failures: Sequence[str]) -> None:
        self.failures = tuple(failures)
        detail = "; ".join(self.failures) or "no upstream configured"
        super().__init__(f"all upstreams failed: {detail}")


class Upstream(abc.ABC):
    """One upstream resolver reachable by one transport."""

    def __init__(self, url: str) -> None:
        self.url = url

    @abc.abstractmethod
    async def exchange(self, packet: bytes, timeout: float) -> bytes:
        """Send one DNS message and return the raw answer; raise UpstreamError on failure."""

    async def aclose(self) -> None:  # noqa: B027 - most transports hold nothing to release
        """Release pooled connections and the requests still running."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"
