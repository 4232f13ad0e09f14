"""Upstream DNS resolvers: transports parsed from URLs, health checks and failover.

Upstream URL forms (the same strings `family.toml` and `baoan init --upstream` use)::

    udp://1.1.1.1                     plain DNS over UDP, port 53; a truncated (TC) answer
                                      is asked again over TCP
    udp://127.0.0.2:5301              ... with an explicit port
    udp://[2606:4700:4700::1111]:53   IPv6 addresses go in brackets
    tcp://9.9.9.9:53                  plain DNS over TCP
    https://dns.google/dns-query      DNS over HTTPS (RFC 8484): POST application/dns-message
    https://doh.example/dns-query#bootstrap=192.0.2.1,2001:db8::1
                                      ... connecting to these addresses (see below)
    http://127.0.0.1:8053/dns-query   DoH without TLS: loopback only (local proxies, tests)

Plain upstreams take IP addresses only: a host name there would have to be resolved through
the operating system, which on a protected PC asks this very filter.

**Bootstrap addresses for DoH.** The DoH server's host name must not be resolved through our
own filter (it would ask itself and wait until the timeout). The URL fragment, which by
RFC 3986 is never sent to the server, carries the addresses to connect to:
``#bootstrap=IP[,IP...]``. The connection goes to those addresses (tried in order) while the
``Host`` header, TLS SNI and the certificate check still use the URL's host name. A config
table can give the same addresses apart from the URL (``parse_upstream(url, bootstrap)``).
Well-known public DoH services (Google, Cloudflare, Quad9, AdGuard, OpenDNS, CleanBrowsing)
have their published addresses built in, so ``https://dns.google/dns-query`` needs no
fragment. Any other DoH host name is looked up through the group's plain UDP/TCP upstreams
(kept for its TTL, one minute to one hour); only when the group has none does the operating
system's resolver look it up, with a warning.
``http://`` is accepted only when every address it connects to is a loopback address.

DoH requests run through pooled requests sessions, one per address (keep-alive, so
the TLS handshake is paid once) on a small thread pool of its own; `requests` is already a
dependency and an async HTTP client would add one without making loopback-bound DNS faster.

**Failover.** :class:`UpstreamGroup` orders its upstreams by health, then by measured latency,
and gives a whole query a fixed budget (1 s by default). The first upstream gets a share of the
budget (budget / number of upstreams); if it has not answered by then the next one is asked
*as well* (the slow answer is still taken if it arrives first); an error or a SERVFAIL/REFUSED
answer moves on at once. When every upstream has failed the group raises
:class:`UpstreamsFailedError`, naming each failure; the chain answers SERVFAIL, never NXDOMAIN.
Health comes from passive failure counting and from a periodic probe (`start()`).
Upstream answers pass through unchanged except the message ID.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import ipaddress
import logging
import math
import secrets
import struct
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from dnslib import EDNS0, QTYPE, RCODE, DNSError, DNSRecord
from requests.adapters import HTTPAdapter

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 1.0  # the whole failover budget of one query, in seconds
DNS_MESSAGE = "application/dns-message"
MAX_MESSAGE = 65_535
_TC_BIT = 0x0200

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


class UpstreamConfigError(ValueError):
    """An upstream URL that cannot be used; the message says what is wrong with which URL."""


class UpstreamError(Exception):
    """One exchange with one upstream failed (timeout, refused, malformed answer, HTTP error)."""


class UpstreamsFailedError(Exception):
    """Every upstream of a group failed for one query."""

    def __init__(self, failures: Sequence[str]) -> None:
        self.failures = tuple(failures)
        detail = "; ".join(self.failures) or "no upstream configured"
        super().__init__(f"all upstreams failed: {detail}")


# --------------------------------------------------------------------------- transports


class Upstream(abc.ABC):
    """One upstream resolver reachable by one transport."""

    def __init__(self, url: str) -> None:
        self.url = url

    @abc.abstractmethod
    async def exchange(self, packet: bytes, timeout: float) -> bytes:
        """Send one DNS message and return the raw answer; raise UpstreamError on failure."""

    async def aclose(self) -> None:  # noqa: B027 - most transports hold nothing to release
        """Release pooled connections and threads."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"


class _DatagramExchange(asyncio.DatagramProtocol):
    """Waits for the one datagram that carries our message ID; ignores anything else."""

    def __init__(self, message_id: bytes, answer: asyncio.Future[bytes]) -> None:
        self._message_id = message_id
        self._answer = answer

    def datagram_received(self, data: bytes, addr: Any) -> None:
        if data[:2] == self._message_id and not self._answer.done():
            self._answer.set_result(data)

    def error_received(self, exc: Exception) -> None:
        if not self._answer.done():
            self._answer.set_exception(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._answer.done():
            self._answer.set_exception(exc or ConnectionError("socket closed"))


async def _udp_exchange(host: str, port: int, packet: bytes, timeout: float) -> bytes:
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[bytes] = loop.create_future()
    # A fresh socket (and so a fresh random source port) per query, against spoofed answers.
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _DatagramExchange(packet[:2], answer), remote_addr=(host, port)
    )
    try:
        transport.sendto(packet)
        async with asyncio.timeout(timeout):
            return await answer
    finally:
        transport.close()


async def _tcp_exchange(host: str, port: int, packet: bytes, timeout: float) -> bytes:
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(struct.pack("!H", len(packet)) + packet)
            await writer.drain()
            (length,) = struct.unpack("!H", await reader.readexactly(2))
            return await reader.readexactly(length)
        finally:
            writer.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, asyncio.IncompleteReadError):
        return "connection closed mid-answer"
    text = str(exc) or type(exc).__name__
    return text


class UdpUpstream(Upstream):
    """DNS over UDP; a truncated answer is asked again over TCP within the same timeout."""

    def __init__(self, host: str, port: int = 53) -> None:
        super().__init__(f"udp://{_host_port(host, port)}")
        self.host = host
        self.port = port

    async def exchange(self, packet: bytes, timeout: float) -> bytes:
        started = time.monotonic()
        try:
            answer = await _udp_exchange(self.host, self.port, packet, timeout)
        except (OSError, TimeoutError) as exc:
            raise UpstreamError(_describe(exc)) from exc
        if len(answer) < 4 or not struct.unpack("!H", answer[2:4])[0] & _TC_BIT:
            return answer
        remaining = timeout - (time.monotonic() - started)
        try:
            return await _tcp_exchange(self.host, self.port, packet, max(remaining, 0.0))
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            raise UpstreamError(f"truncated over UDP, TCP retry {_describe(exc)}") from exc


class TcpUpstream(Upstream):
    """DNS over TCP (RFC 7766 framing: a two-byte length before each message)."""

    def __init__(self, host: str, port: int = 53) -> None:
        super().__init__(f"tcp://{_host_port(host, port)}")
        self.host = host
        self.port = port

    async def exchange(self, packet: bytes, timeout: float) -> bytes:
        try:
            return await _tcp_exchange(self.host, self.port, packet, timeout)
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            raise UpstreamError(_describe(exc)) from exc


class _PinnedHostAdapter(HTTPAdapter):
    """Connects to a bootstrap address but checks TLS (SNI, certificate) for the real name."""

    def __init__(self, server_hostname: str, **kwargs: Any) -> None:
        self._server_hostname = server_hostname
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["server_hostname"] = self._server_hostname
        kwargs["assert_hostname"] = self._server_hostname
        super().init_poolmanager(*args, **kwargs)


AddressResolver = Callable[[str], Awaitable[tuple[tuple[str, ...], float]]]
"""Resolves a DoH host name to (addresses, seconds they may be kept)."""


class DohUpstream(Upstream):
    """DNS over HTTPS (RFC 8484), POST with `application/dns-message`.

    `bootstrap` are the addresses to connect to instead of resolving the URL's host name.
    Without them, a resolver set by :meth:`use_address_resolver` (the group's plain
    upstreams) finds the addresses; failing that, the operating system does.
    `verify` is passed to requests (True, or a CA bundle path for a private DoH server).
    """

    def __init__(
        self,
        url: str,
        bootstrap: Sequence[str] = (),
        *,
        verify: bool | str = True,
        max_workers: int = 8,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise UpstreamConfigError(f"{url!r}: a DoH URL needs https:// and a host name")
        super().__init__(url)
        self.host_name = parts.hostname
        self.bootstrap = tuple(str(ipaddress.ip_address(ip)) for ip in bootstrap)
        self._scheme = parts.scheme
        self._verify = verify
        self._max_workers = max_workers
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        # The Host header is the URL's own authority, whatever address we connect to.
        self._host_header = parts.netloc.rsplit("@", 1)[-1]
        # One pooled session per address; only the event loop's thread adds to this dict.
        self._sessions: dict[str, requests.Session] = {}
        self._address_resolver: AddressResolver | None = None
        self._resolved: tuple[tuple[str, ...], float] = ((), -math.inf)  # addresses, until
        self._warned_system_resolver = False
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="doh")

    def needs_addresses(self) -> bool:
        """True when the host is a name with no bootstrap addresses."""
        return not self.bootstrap and not _is_ip(self.host_name)

    def use_address_resolver(self, resolver: AddressResolver) -> None:
        self._address_resolver = resolver

    async def _addresses(self) -> tuple[str | None, ...]:
        """Where to connect: IP addresses, or None to let the system resolve the host name."""
        if self.bootstrap:
            return self.bootstrap
        if _is_ip(self.host_name):
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
        addresses, until = self._resolved
        if time.monotonic() >= until:
            try:
                addresses, keep = await self._address_resolver(self.host_name)
            except UpstreamsFailedError as failure:
                raise UpstreamError(f"cannot find the address of {self.host_name}") from failure
            if not addresses:
                raise UpstreamError(f"{self.host_name} has no address")
            self._resolved = (addresses, time.monotonic() + keep)
        return addresses

    def _session_for(self, address: str | None) -> tuple[str, requests.Session]:
        host = address or self.host_name
        base = f"{self._scheme}://{_host_port(host, self._port)}/"
        session = self._sessions.get(host)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # never route DNS through a proxy from the environment
            size = self._max_workers
            adapter = (
                _PinnedHostAdapter(self.host_name, pool_connections=1, pool_maxsize=size)
                if address
                else HTTPAdapter(pool_connections=1, pool_maxsize=size)
            )
            session.mount(base, adapter)
            self._sessions[host] = session
        return base + self._path.lstrip("/"), session

    async def exchange(self, packet: bytes, timeout: float) -> bytes:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                targets = [self._session_for(address) for address in await self._addresses()]
                deadline = time.monotonic() + timeout
                return await loop.run_in_executor(
                    self._executor, self._post, packet, targets, deadline
                )
        except TimeoutError as exc:
            raise UpstreamError("timed out") from exc

    def _post(
        self, packet: bytes, targets: list[tuple[str, requests.Session]], deadline: float
    ) -> bytes:
        errors: list[str] = []
        for target, session in targets:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                reply = session.post(
                    target,
                    data=packet,
                    headers={
                        "Host": self._host_header,
                        "Content-Type": DNS_MESSAGE,
                        "Accept": DNS_MESSAGE,
                    },
                    timeout=remaining,
                    verify=self._verify,
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                errors.append(_request_error(exc))
                continue
            if reply.status_code != 200:
                raise UpstreamError(f"HTTP {reply.status_code}")
            content_type = reply.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type != DNS_MESSAGE:
                raise UpstreamError(f"answer is {content_type or 'untyped'}, not {DNS_MESSAGE}")
            if len(reply.content) > MAX_MESSAGE:
                raise UpstreamError("answer larger than a DNS message")
            return reply.content
        raise UpstreamError(", ".join(errors) or "timed out")

    async def aclose(self) -> None:
        for session in self._sessions.values():
            session.close()
        self._sessions.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)


def _request_error(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS error"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return type(exc).__name__


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_upstream(
    url: str, bootstrap: Sequence[str] = (), *, verify: bool | str = True
) -> Upstream:
    """Build the upstream a URL names (forms in the module docstring).

    `bootstrap` adds DoH connection addresses given apart from the URL (a config table's
    `bootstrap = [...]`), after any in the URL's fragment.

    Raises UpstreamConfigError naming the URL and what is wrong with it.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise UpstreamConfigError(f"{url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    host = parts.hostname
    if not host:
        raise UpstreamConfigError(f"{url!r}: no host; expected e.g. udp://1.1.1.1")
    if scheme in ("udp", "tcp"):
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise UpstreamConfigError(f"{url!r}: {scheme}:// takes only an address and a port")
        try:
            address = str(ipaddress.ip_address(host))
        except ValueError as exc:
            raise UpstreamConfigError(
                f"{url!r}: {scheme}:// needs an IP address, not a host name "
                "(it would be resolved through this filter)"
            ) from exc
        if port == 0:
            raise UpstreamConfigError(f"{url!r}: port 0 is not a port")
        cls = UdpUpstream if scheme == "udp" else TcpUpstream
        return cls(address, port or 53)
    if scheme in ("https", "http"):
        addresses = _parse_bootstrap(url, parts.fragment)
        for item in bootstrap:
            try:
                addresses += (str(ipaddress.ip_address(item.strip().strip("[]"))),)
            except ValueError as exc:
                raise UpstreamConfigError(
                    f"{url!r}: bootstrap {item!r} is not an IP address"
                ) from exc
        clean = text.split("#", 1)[0]
        if not addresses and not _is_ip(host):
            addresses = WELL_KNOWN_BOOTSTRAP.get(host.lower(), ())
        if scheme == "http":
            connect_to = addresses or (host,)
            if not all(_is_loopback(ip) for ip in connect_to):
                raise UpstreamConfigError(
                    f"{url!r}: DoH without TLS (http://) is allowed only on loopback"
                )
        return DohUpstream(clean, addresses, verify=verify)
    raise UpstreamConfigError(
        f"{url!r}: unknown scheme {parts.scheme or '(none)'!r}; expected udp://, tcp:// or https://"
    )


def _parse_bootstrap(url: str, fragment: str) -> tuple[str, ...]:
    if not fragment:
        return ()
    key, sep, value = unquote(fragment).partition("=")
    if key != "bootstrap" or not sep or not value:
        raise UpstreamConfigError(f"{url!r}: the fragment must be #bootstrap=IP[,IP...]")
    addresses = []
    for item in value.split(","):
        try:
            addresses.append(str(ipaddress.ip_address(item.strip().strip("[]"))))
        except ValueError as exc:
            raise UpstreamConfigError(f"{url!r}: bootstrap {item!r} is not an IP address") from exc
    return tuple(addresses)


# --------------------------------------------------------------------------- the group


@dataclass(frozen=True)
class UpstreamAnswer:
    """An upstream's answer to one query, with the client's message ID restored."""

    response: DNSRecord
    upstream: str
    latency: float


@dataclass(frozen=True)
class UpstreamStatus:
    """A snapshot of one upstream's health, for status pages and logs."""

    url: str
    healthy: bool
    latency_ms: float | None
    consecutive_failures: int
    last_error: str | None


class _Health:
    """Mutable health record of one upstream (only touched from the event loop)."""

    def __init__(self, upstream: Upstream, index: int) -> None:
        self.upstream = upstream
        self.index = index
        self.healthy = True
        self.failures = 0
        self.latency: float | None = None  # exponentially weighted moving average, seconds
        self.last_error: str | None = None

    def sort_key(self) -> tuple[bool, float, int]:
        # Untried upstreams sort first among the healthy ones so they get measured.
        return (not self.healthy, self.latency or 0.0, self.index)


_FAILOVER_RCODES = {RCODE.SERVFAIL, RCODE.REFUSED}


class UpstreamGroup:
    """Several upstreams answering in turn, ordered by health and latency."""

    def __init__(
        self,
        upstreams: Sequence[Upstream],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        failure_threshold: int = 2,
        probe_interval: float = 30.0,
        probe_name: str = ".",
        probe_qtype: str = "NS",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold must be at least 1, got {failure_threshold}")
        self._health = [_Health(upstream, i) for i, upstream in enumerate(upstreams)]
        self.timeout = timeout
        self.failure_threshold = failure_threshold
        self.probe_interval = probe_interval
        self._probe_name = probe_name
        self._probe_qtype = probe_qtype
        self._clock = clock
        self._probe_task: asyncio.Task[None] | None = None
        # DoH host names without bootstrap addresses are looked up through the plain
        # upstreams, never through the system resolver (which may be this very filter).
        plain = [u for u in upstreams if not isinstance(u, DohUpstream)]
        needing = [u for u in upstreams if isinstance(u, DohUpstream) and u.needs_addresses()]
        self._plain_group: UpstreamGroup | None = None
        if plain and needing:
            self._plain_group = UpstreamGroup(
                plain, timeout=timeout, failure_threshold=failure_threshold
            )
            for doh in needing:
                doh.use_address_resolver(self._find_addresses)

    @classmethod
    def from_urls(
        cls, urls: Iterable[str], *, verify: bool | str = True, **options: Any
    ) -> UpstreamGroup:
        return cls([parse_upstream(url, verify=verify) for url in urls], **options)

    @property
    def upstreams(self) -> tuple[Upstream, ...]:
        return tuple(h.upstream for h in self._health)

    def status(self) -> tuple[UpstreamStatus, ...]:
        """Health of every upstream, in the order the next query would try them."""
        return tuple(
            UpstreamStatus(
                url=h.upstream.url,
                healthy=h.healthy,
                latency_ms=None if h.latency is None else round(h.latency * 1000, 2),
                consecutive_failures=h.failures,
                last_error=h.last_error,
            )
            for h in self._ordered()
        )

    def _ordered(self) -> list[_Health]:
        return sorted(self._health, key=_Health.sort_key)

    # -- health bookkeeping

    def _record_success(self, health: _Health, latency: float) -> None:
        if not health.healthy:
            log.info("upstream %s is healthy again", health.upstream.url)
        health.healthy = True
        health.failures = 0
        health.latency = latency if health.latency is None else 0.7 * health.latency + 0.3 * latency

    def _record_failure(self, health: _Health, error: str) -> None:
        health.failures += 1
        health.last_error = error
        if health.healthy and health.failures >= self.failure_threshold:
            health.healthy = False
            log.warning("upstream %s marked unhealthy: %s", health.upstream.url, error)

    # -- queries

    async def resolve(self, request: DNSRecord) -> UpstreamAnswer:
        """Ask the upstreams for `request`; raise UpstreamsFailedError when none answers in time."""
        order = self._ordered()
        if not order:
            raise UpstreamsFailedError([])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        packet = request.pack()
        pending: dict[asyncio.Task[bytes], tuple[_Health, int, float]] = {}
        failures: list[str] = []
        launched = 0

        def launch() -> None:
            nonlocal launched
            health = order[launched]
            launched += 1
            message_id = secrets.randbelow(0x10000)
            outgoing = struct.pack("!H", message_id) + packet[2:]
            budget = max(deadline - loop.time(), 0.0)
            task = loop.create_task(health.upstream.exchange(outgoing, budget))
            pending[task] = (health, message_id, self._clock())

        try:
            launch()
            while pending:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                not_started = len(order) - launched
                # Leave the upstreams not yet asked their share of what is left.
                wait = remaining / (not_started + 1) if not_started else remaining
                done, _ = await asyncio.wait(
                    pending, timeout=wait, return_when=asyncio.FIRST_COMPLETED
                )
                if not done:
                    if not_started:
                        launch()
                    continue
                for task in done:
                    health, message_id, started = pending.pop(task)
                    url = health.upstream.url
                    latency = self._clock() - started
                    try:
                        response = _check_answer(task.result(), message_id, request)
                    except Exception as exc:  # any failure of one upstream moves on
                        error = str(exc) if isinstance(exc, UpstreamError) else _describe(exc)
                        failures.append(f"{url}: {error}")
                        self._record_failure(health, error)
                        continue
                    rcode = response.header.rcode
                    if rcode in _FAILOVER_RCODES:
                        # The upstream is alive; this name failed there. Try the next one.
                        self._record_success(health, latency)
                        failures.append(f"{url}: answered {RCODE.get(rcode)}")
                        continue
                    self._record_success(health, latency)
                    # Those asked earlier and overtaken did not answer within their share.
                    for overtaken, _, _ in pending.values():
                        if order.index(overtaken) < order.index(health):
                            self._record_failure(overtaken, "timed out")
                    response.header.id = request.header.id
                    return UpstreamAnswer(response, url, latency)
                if not pending and launched < len(order):
                    launch()
        finally:
            for task in pending:
                task.cancel()
        for health, _, _ in pending.values():
            failures.append(f"{health.upstream.url}: timed out")
            self._record_failure(health, "timed out")
        for health in order[launched:]:
            failures.append(f"{health.upstream.url}: not tried, time budget spent")
        raise UpstreamsFailedError(failures)

    async def _find_addresses(self, host: str) -> tuple[tuple[str, ...], float]:
        """A DoH server's addresses (IPv4 first) through the plain upstreams, and how long
        they may be kept (their TTL, between one minute and one hour)."""
        assert self._plain_group is not None
        results = await asyncio.gather(
            self._plain_group.resolve(DNSRecord.question(host, "A")),
            self._plain_group.resolve(DNSRecord.question(host, "AAAA")),
            return_exceptions=True,
        )
        addresses: list[str] = []
        ttls: list[int] = []
        failures: list[UpstreamsFailedError] = []
        for result in results:
            if isinstance(result, UpstreamsFailedError):
                failures.append(result)
                continue
            if isinstance(result, BaseException):
                raise result
            for rr in result.response.rr:
                if rr.rtype in (QTYPE.A, QTYPE.AAAA):
                    addresses.append(str(rr.rdata))
                    ttls.append(rr.ttl)
        if not addresses and failures:
            raise failures[0]
        return tuple(addresses), float(min(max(min(ttls, default=60), 60), 3600))

    # -- active health checks

    async def check_health(self) -> None:
        """Probe every upstream once and update its health and latency."""
        await asyncio.gather(*(self._probe(h) for h in self._health))

    async def _probe(self, health: _Health) -> None:
        probe = DNSRecord.question(self._probe_name, self._probe_qtype)
        started = self._clock()
        try:
            answer = await health.upstream.exchange(probe.pack(), self.timeout)
            response = _check_answer(answer, probe.header.id, probe)
        except (UpstreamError, OSError, TimeoutError) as exc:
            error = str(exc) if isinstance(exc, UpstreamError) else _describe(exc)
            # A failed probe marks the upstream down at once: probes are rare and deliberate.
            health.failures = max(health.failures, self.failure_threshold - 1)
            self._record_failure(health, f"probe: {error}")
            return
        if response.header.rcode in _FAILOVER_RCODES:
            health.failures = max(health.failures, self.failure_threshold - 1)
            self._record_failure(health, f"probe: answered {RCODE.get(response.header.rcode)}")
            return
        self._record_success(health, self._clock() - started)

    async def _probe_forever(self) -> None:
        while True:
            try:
                await self.check_health()
            except Exception:  # a probe bug must not end the checks
                log.exception("upstream health check failed")
            await asyncio.sleep(self.probe_interval)

    def start(self) -> None:
        """Start the periodic health probe on the running event loop."""
        if self._probe_task is None or self._probe_task.done():
            self._probe_task = asyncio.get_running_loop().create_task(self._probe_forever())

    async def aclose(self) -> None:
        """Stop the probe and release every upstream's connections."""
        if self._probe_task is not None:
            self._probe_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe_task
            self._probe_task = None
        for health in self._health:
            await health.upstream.aclose()


def _check_answer(answer: bytes, message_id: int, request: DNSRecord) -> DNSRecord:
    """Parse an upstream answer and make sure it answers our question."""
    try:
        response = DNSRecord.parse(answer)
    except (DNSError, struct.error, ValueError, IndexError) as exc:
        raise UpstreamError(f"malformed answer ({exc})") from exc
    if response.header.id != message_id or not response.header.qr:
        raise UpstreamError("answer does not match the query")
    if request.questions:
        if not response.questions:
            if response.header.rcode not in _FAILOVER_RCODES:
                raise UpstreamError("answer has no question section")
        else:
            asked, got = request.q, response.q
            if (
                str(asked.qname).lower() != str(got.qname).lower()
                or asked.qtype != got.qtype
                or asked.qclass != got.qclass
            ):
                raise UpstreamError("answer is for another question")
    return response


def servfail_response(request: DNSRecord) -> DNSRecord:
    """A SERVFAIL answer to `request` (with an OPT record when the query had EDNS0)."""
    response = request.reply(ra=1, aa=0)
    response.header.rcode = RCODE.SERVFAIL
    if any(rr.rtype == QTYPE.OPT for rr in request.ar):
        response.add_ar(EDNS0(udp_len=1232))
    return response
