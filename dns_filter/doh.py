"""DNS over HTTPS (RFC 8484): one question a POST of `application/dns-message`.

URL forms, bootstrap addresses and the parser are in :mod:`dns_filter.upstreams`; this is
the transport. The connection goes to a bootstrap address while the ``Host`` header (the
``:authority`` of HTTP/2), TLS SNI and the certificate check use the URL's host name.

**Connections.** Each DoH upstream has one httpcore connection pool (the HTTP/1.1 and
HTTP/2 client under httpx, used without httpx's request and response models, which cost
about half a millisecond of CPU a question more). Where the server offers ``h2`` by ALPN,
one kept TLS connection per address carries every question, many at once on streams of
their own (HTTP/2 multiplexing); a server offering only HTTP/1.1 gets kept-alive
connections, at most `max_connections` at once. A connection is kept a minute after its
last question. httpcore and h2 are imported when the first DoH question is asked, so a
family without DoH never loads them.

**Requests outlive their caller.** The group cancels an exchange when another upstream
answered first or the query's budget ran out. Cancelling an HTTP/2 request inside httpcore
can break the shared connection under every other question on it, so each request runs in
a task of its own that the caller's cancellation does not reach: the caller stops waiting
at its budget, the request ends with its answer or at httpcore's own timeouts (the answer is
waited for :data:`ANSWER_WAIT` seconds at most). Past `max_waiting` such requests a question
fails at once (the client gets SERVFAIL) instead of queueing without bound.

**A connection the server closed** (its idle timeout, a restart) fails the request sent on
it; that request is sent once more, on a new connection, within the same budget.
"""

from __future__ import annotations

import asyncio
import logging
import math
import ssl
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from dns_filter.addresses import is_ip_address
from dns_filter.upstream_base import Upstream, UpstreamError, UpstreamsFailedError, UpstreamSpec

if TYPE_CHECKING:
    import httpcore

log = logging.getLogger(__name__)

DNS_MESSAGE = "application/dns-message"
MAX_MESSAGE = 65_535
ANSWER_WAIT = 10.0  # seconds a sent question may wait for its answer on an open connection
KEEP_IDLE = 60.0  # seconds an idle connection is kept for the next question

# Published addresses of well-known DoH services, so their URLs work without a fragment.
WELL_KNOWN_BOOTSTRAP: dict[str, tuple[str, ...]] = {
    "dns.google": ("8.8.8.8", "8.8.4.4", "2001:4860:4860::8888", "2001:4860:4860::8844"),
    "dns.google.com": ("8.8.8.8", "8.8.4.4"),
    "cloudflare-dns.com": ("1.1.1.1", "1.0.0.1", "2606:4700:4700::1111", "2606:4700:4700::1001"),
    "one.one.one.one": ("1.1.1.1", "1.0.0.1"),
    "security.cloudflare-dns.com": ("1.1.1.2", "1.0.0.2"),
    "family.cloudflare-dns.com": ("1.1.1.3", "1.0.0.3"),
    "dns.quad9.net": ("9.9.9.9", "149.112.112.112", "2620:fe::fe", "2620:fe::9"),
    "dns.adguard-dns.com": ("94.140.14.14", "94.140.15.15"),
    "family.adguard-dns.com": ("94.140.14.15", "94.140.15.16"),
    "doh.opendns.com": ("208.67.222.222", "208.67.220.220"),
    "doh.familyshield.opendns.com": ("208.67.222.123", "208.67.220.123"),
    "doh.cleanbrowsing.org": ("185.228.168.168", "185.228.169.168"),
}

AddressResolver = Callable[[str], Awaitable[tuple[tuple[str, ...], float]]]
"""Resolves a DoH host name to (addresses, seconds they may be kept)."""


class DohUpstream(Upstream):
    """DNS over HTTPS (RFC 8484), POST with `application/dns-message`, over HTTP/2 where
    the server offers it (connections and requests: module docstring).

    The spec's `bootstrap` (else a well-known service's published addresses) are the
    addresses to connect to instead of resolving the URL's host name, tried in order.
    Without them, a resolver set by :meth:`use_address_resolver` (the group's plain
    upstreams) finds the addresses; failing that, the operating system does.
    `verify` is True (the public CAs), or the path of a CA bundle for a private DoH server.
    `http_version` is what the last answer came over (``HTTP/2``, ``HTTP/1.1``).
    """

    def __init__(
        self,
        spec: UpstreamSpec,
        *,
        verify: bool | str = True,
        max_connections: int = 8,
        max_waiting: int = 256,
    ) -> None:
        if not spec.is_doh:
            raise ValueError(f"{spec.url!r} is not a DoH upstream")
        super().__init__(spec.url)
        self.host_name = spec.host
        self.bootstrap = spec.bootstrap or WELL_KNOWN_BOOTSTRAP.get(spec.host, ())
        self.http_version: str | None = None
        self._scheme = spec.scheme.value
        self._port = spec.port
        self._path = spec.path
        self._headers = [
            # The URL's own authority, whatever address the connection goes to.
            (b"Host", spec.authority.encode("ascii")),
            (b"Content-Type", DNS_MESSAGE.encode("ascii")),
            (b"Accept", DNS_MESSAGE.encode("ascii")),
        ]
        self._verify = verify
        self._max_connections = max_connections
        self._max_waiting = max_waiting
        self._pool: httpcore.AsyncConnectionPool | None = None
        self._requests: set[asyncio.Task[bytes]] = set()
        self._address_resolver: AddressResolver | None = None
        self._resolved: tuple[tuple[str, ...], float] = ((), -math.inf)  # addresses, until
        self._warned_system_resolver = False

    def needs_addresses(self) -> bool:
        """True when the host is a name with no bootstrap addresses."""
        return not self.bootstrap and not is_ip_address(self.host_name)

    def use_address_resolver(self, resolver: AddressResolver) -> None:
        self._address_resolver = resolver

    async def _addresses(self) -> tuple[str | None, ...]:
        """Where to connect: IP addresses, or None to let the system resolve the host name."""
        if self.bootstrap:
            return self.bootstrap
        if is_ip_address(self.host_name):
            return (self.host_name,)
        if self._address_resolver is None:
            if not self._warned_system_resolver:
                self._warned_system_resolver = True
                log.warning(
                    "DoH upstream %s has no bootstrap address and no plain upstream to find "
                    "one; the system resolver will look it up (add #bootstrap=IP to the URL)",
                    self.url,
                )
            return (None,)
        loop = asyncio.get_running_loop()
        addresses, until = self._resolved
        if loop.time() >= until:
            try:
                addresses, keep = await self._address_resolver(self.host_name)
            except UpstreamsFailedError as failure:
                raise UpstreamError(f"cannot find the address of {self.host_name}") from failure
            if not addresses:
                raise UpstreamError(f"{self.host_name} has no address")
            self._resolved = (addresses, loop.time() + keep)
        return addresses

    async def exchange(self, packet: bytes, timeout: float) -> bytes:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        if len(self._requests) >= self._max_waiting:
            raise UpstreamError(f"{self._max_waiting} questions already waiting for the server")
        try:
            async with asyncio.timeout_at(deadline):
                addresses = await self._addresses()
                request = loop.create_task(self._post_in_turn(packet, addresses, deadline))
                self._requests.add(request)
                request.add_done_callback(self._request_done)
                return await asyncio.shield(request)
        except TimeoutError as exc:
            raise UpstreamError("timed out") from exc

    def _request_done(self, request: asyncio.Task[bytes]) -> None:
        self._requests.discard(request)
        if not request.cancelled():
            request.exception()  # its caller may have stopped waiting; nobody else must see it

    async def _post_in_turn(
        self, packet: bytes, addresses: tuple[str | None, ...], deadline: float
    ) -> bytes:
        import httpcore

        loop = asyncio.get_running_loop()
        pool = self._connection_pool()
        errors: list[str] = []
        for address in addresses:
            for first_try in (True, False):
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise UpstreamError(", ".join(errors) or "timed out")
                try:
                    return await self._post(pool, address, packet, remaining)
                except _transport_errors() as exc:
                    errors.append(_request_error(exc))
                    # A kept connection the server has closed: once more, on a new one.
                    lost = (httpcore.RemoteProtocolError, httpcore.ReadError, httpcore.WriteError)
                    if not (first_try and isinstance(exc, lost)):
                        break
        raise UpstreamError(", ".join(errors) or "timed out")

    async def _post(
        self,
        pool: httpcore.AsyncConnectionPool,
        address: str | None,
        packet: bytes,
        remaining: float,
    ) -> bytes:
        import httpcore

        host = address or self.host_name
        url = httpcore.URL(scheme=self._scheme, host=host, port=self._port, target=self._path)
        extensions: dict[str, object] = {
            "timeout": {
                "connect": remaining,
                "pool": remaining,
                "read": max(remaining, ANSWER_WAIT),
                "write": max(remaining, ANSWER_WAIT),
            }
        }
        if address is not None and address != self.host_name:
            # SNI and the certificate check are for the host name, not the address.
            extensions["sni_hostname"] = self.host_name
        async with pool.stream(
            "POST", url, headers=self._headers, content=bytes(packet), extensions=extensions
        ) as response:
            self._note_version(response.extensions.get("http_version", b"").decode())
            if response.status != 200:
                raise UpstreamError(f"HTTP {response.status}")
            content_type = _header(response.headers, b"content-type")
            content_type = content_type.split(";")[0].strip().lower()
            if content_type != DNS_MESSAGE:
                raise UpstreamError(f"answer is {content_type or 'untyped'}, not {DNS_MESSAGE}")
            body = bytearray()
            async for chunk in response.aiter_stream():
                body += chunk
                if len(body) > MAX_MESSAGE:
                    raise UpstreamError("answer larger than a DNS message")
            return bytes(body)

    def _note_version(self, version: str) -> None:
        if version != self.http_version:
            log.info("DoH upstream %s answers over %s", self.url, version)
            self.http_version = version

    def _connection_pool(self) -> httpcore.AsyncConnectionPool:
        if self._pool is None:
            import httpcore  # here, not at the top: a family without DoH never loads it

            self._pool = httpcore.AsyncConnectionPool(
                ssl_context=_tls_context(self._verify),
                http2=True,
                max_connections=self._max_connections,
                max_keepalive_connections=self._max_connections,
                keepalive_expiry=KEEP_IDLE,
            )
        return self._pool

    async def aclose(self) -> None:
        for request in self._requests:
            request.cancel()
        await asyncio.gather(*self._requests, return_exceptions=True)
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None


def _tls_context(verify: bool | str) -> ssl.SSLContext:
    """The public CAs (certifi's bundle, as before), a private CA bundle, or no check."""
    import certifi

    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    context = ssl.create_default_context(cafile=certifi.where())
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    return next((value.decode("latin-1") for key, value in headers if key.lower() == name), "")


def _transport_errors() -> tuple[type[Exception], ...]:
    """What httpcore raises when the exchange itself fails (it has no common base)."""
    import httpcore

    return (
        httpcore.TimeoutException,
        httpcore.NetworkError,
        httpcore.ProtocolError,
        httpcore.UnsupportedProtocol,
    )


def _request_error(exc: Exception) -> str:
    import httpcore

    tls = _tls_failure(exc)
    if tls is not None:
        return f"TLS error ({tls})"
    if isinstance(exc, httpcore.TimeoutException):
        return "timed out"
    if isinstance(exc, httpcore.ConnectError):
        return "connection failed"
    if isinstance(exc, httpcore.RemoteProtocolError | httpcore.ReadError | httpcore.WriteError):
        return "connection lost"
    return type(exc).__name__


def _tls_failure(exc: BaseException) -> str | None:
    """What TLS refused, from the ssl error under httpcore's own, if any."""
    cause: BaseException | None = exc
    for _ in range(8):  # the chain is short; a bound keeps a cycle from looping
        if cause is None:
            return None
        if isinstance(cause, ssl.SSLCertVerificationError):
            return cause.verify_message or "certificate refused"
        if isinstance(cause, ssl.SSLError):
            return cause.reason or str(cause)
        cause = cause.__cause__ or cause.__context__
    return None
