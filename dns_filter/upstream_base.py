"""What an upstream is (its checked URL, its transport's interface) and how it fails, apart
from the transports themselves so that :mod:`dns_filter.upstreams` (the URL parser, plain
DNS, the group) and :mod:`dns_filter.doh` (DNS over HTTPS) both build on it without
importing each other in a circle."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


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
        """Send one DNS message and return the raw answer; raise UpstreamError on failure,
        and give up within `timeout` seconds (the group relies on it)."""

    async def aclose(self) -> None:  # noqa: B027 - most transports hold nothing to release
        """Release pooled connections and the requests still running."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"


class UpstreamScheme(StrEnum):
    UDP = "udp"
    TCP = "tcp"
    HTTPS = "https"  # DNS over HTTPS (RFC 8484)
    HTTP = "http"  # the same without TLS: loopback only (local proxies, tests)


@dataclass(frozen=True)
class UpstreamSpec:
    """One upstream as its URL names it, checked (forms in :mod:`dns_filter.upstreams`).

    `url` is the canonical URL without the fragment; `host` is an IP address for UDP/TCP and
    a canonical name or an IP address for DoH; `bootstrap` are the DoH connection addresses
    given in the fragment and then apart from it (a well-known service's built-in addresses
    are not listed here: the transport adds them).
    """

    url: str
    scheme: UpstreamScheme
    host: str
    port: int
    path: str = ""  # DoH only, e.g. "/dns-query"
    bootstrap: tuple[str, ...] = ()

    @property
    def is_doh(self) -> bool:
        return self.scheme in (UpstreamScheme.HTTPS, UpstreamScheme.HTTP)

    @property
    def authority(self) -> str:
        """``host[:port]`` as the URL gives it (the port only when not the default)."""
        default = DEFAULT_PORTS[self.scheme]
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default and self.is_doh else f"{host}:{self.port}"

    def url_with_bootstrap(self) -> str:
        """The URL with its bootstrap addresses in the fragment: one string that
        :func:`parse_upstream_url` reads back to this same spec."""
        if not self.bootstrap:
            return self.url
        return f"{self.url}#bootstrap={','.join(self.bootstrap)}"


DEFAULT_PORTS = {
    UpstreamScheme.UDP: 53,
    UpstreamScheme.TCP: 53,
    UpstreamScheme.HTTPS: 443,
    UpstreamScheme.HTTP: 80,
}
