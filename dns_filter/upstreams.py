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
the operating system, which on a protected PC asks this very filter. A DoH URL without a
path posts to ``/dns-query``; users, passwords, queries and any fragment other than
``#bootstrap=`` are refused. :func:`parse_upstream_url` is the one parser of these URLs (the
policy loader checks ``family.toml`` with it); it returns a frozen :class:`UpstreamSpec`.

**Bootstrap addresses for DoH.** The DoH server's host name must not be resolved through our
own filter (it would ask itself and wait until the timeout). The URL fragment, which by
RFC 3986 is never sent to the server, carries the addresses to connect to:
``#bootstrap=IP[,IP...]``. The connection goes to those addresses (tried in order) while the
``Host`` header, TLS SNI and the certificate check still use the URL's host name. A config
table can give the same addresses apart from the URL (``parse_upstream_url(url, bootstrap)``).
Well-known public DoH services (Google, Cloudflare, Quad9, AdGuard, OpenDNS, CleanBrowsing)
have their published addresses built in, so ``https://dns.google/dns-query`` needs no
fragment. Any other DoH host name is looked up through the group's plain UDP/TCP upstreams
(kept for its TTL, one minute to one hour); only when the group has none does the operating
system's resolver look it up, with a warning.
``http://`` is accepted only when every address it connects to is a loopback address.

The DoH transport itself (HTTP/2 on one kept connection, HTTP/1.1 where the server offers
no h2) is :mod:`dns_filter.doh`; the plain transports and the group are here.

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

import asyncio
import contextlib
import dataclasses
import ipaddress
import logging
import struct
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from dnslib import EDNS0, QTYPE, RCODE, DNSRecord

from dns_filter import answer_wire
from dns_filter.addresses import is_ip_address, is_loopback
from dns_filter.clock import Clock, SystemClock
from dns_filter.doh import WELL_KNOWN_BOOTSTRAP, DohUpstream
from dns_filter.message import Message
from dns_filter.names import InvalidNameError, normalise_name
from dns_filter.udp_pool import UdpSocketPool, question_of, random_message_id
from dns_filter.upstream_base import (
    DEFAULT_PORTS,
    Upstream,
    UpstreamError,
    UpstreamScheme,
    UpstreamsFailedError,
    UpstreamSpec,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 1.0  # the whole failover budget of one query, in seconds
_TC_BIT = 0x0200


class UpstreamConfigError(ValueError):
    """An upstream URL that cannot be used; the message says what is wrong with which URL.

    `reason` is the same without the URL, for messages that name the URL themselves (the
    policy loader's ``file:line: key: expected ..., got ...``).
    """

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url!r}: {reason}")
        self.url = url
        self.reason = reason


# --------------------------------------------------------------------------- transports


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
    """DNS over UDP through a small pool of long-lived sockets on random ports, rotated
    (:mod:`dns_filter.udp_pool`); a truncated answer is asked again over TCP within the
    same timeout."""

    def __init__(self, host: str, port: int = 53) -> None:
        super().__init__(f"udp://{_host_port(host, port)}")
        self.host = host
        self.port = port
        self.pool = UdpSocketPool(host, port)

    async def exchange(self, packet: bytes, timeout: float) -> bytes:
        started = time.monotonic()
        try:
            answer = await self.pool.exchange(packet, timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UpstreamError(_describe(exc)) from exc
        if len(answer) < 4 or not struct.unpack("!H", answer[2:4])[0] & _TC_BIT:
            return answer
        remaining = timeout - (time.monotonic() - started)
        try:
            return await _tcp_exchange(self.host, self.port, packet, max(remaining, 0.0))
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            raise UpstreamError(f"truncated over UDP, TCP retry {_describe(exc)}") from exc


    async def aclose(self) -> None:
        self.pool.close()


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


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _is_loopback(host: str) -> bool:
    return host == "localhost" or is_loopback(host)


DEFAULT_DOH_PATH = "/dns-query"


def parse_upstream_url(url: str, bootstrap: Sequence[str] = ()) -> UpstreamSpec:
    """The one parser of upstream URLs (forms in the module docstring).

    `bootstrap` adds DoH connection addresses given apart from the URL (a config table's
    `bootstrap = [...]`), after any in the URL's ``#bootstrap=`` fragment. Refused: other
    schemes, a user or password, a query, any other fragment, a path or bootstrap addresses
    on udp:// and tcp://, host names on udp:// and tcp:// (they would be resolved through
    this filter), and http:// unless every address it connects to is loopback.

    Raises UpstreamConfigError naming the URL and what is wrong with it.
    """
    text = url.strip()

    def refuse(reason: str) -> UpstreamConfigError:
        return UpstreamConfigError(url, reason)

    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise refuse(str(exc)) from exc
    host = (parts.hostname or "").lower()
    if not host:
        raise refuse("no host; expected e.g. udp://1.1.1.1")
    try:
        scheme = UpstreamScheme(parts.scheme.lower())
    except ValueError:
        known = "expected udp://, tcp:// or https://"
        raise refuse(
            f'unknown scheme "{parts.scheme}"' if parts.scheme else f"no scheme; {known}"
        ) from None
    if port == 0:
        raise refuse("port 0 is not a port")
    if parts.username is not None or parts.password is not None:
        raise refuse("no user or password allowed")
    if parts.query:
        raise refuse("no query (?...) allowed")
    if scheme in (UpstreamScheme.UDP, UpstreamScheme.TCP):
        if parts.path not in ("", "/") or parts.fragment:
            raise refuse(f"{scheme}:// takes only an address and a port")
        if bootstrap:
            raise refuse("bootstrap addresses are only for DNS over HTTPS")
        if not is_ip_address(host):
            # A host name would be resolved through the system, which asks this filter.
            raise refuse("udp and tcp need an IP address")
        address = str(ipaddress.ip_address(host))
        port = port or 53
        return UpstreamSpec(f"{scheme}://{_host_port(address, port)}", scheme, address, port)
    if is_ip_address(host):
        host = str(ipaddress.ip_address(host))
    else:
        try:
            host = normalise_name(host, allow_single_label=True)  # "localhost" too
        except InvalidNameError:
            raise refuse("the host is neither a domain name nor an IP address") from None
    addresses = _parse_bootstrap(url, parts.fragment)
    for item in bootstrap:
        addresses += (_bootstrap_address(url, item),)
    if scheme is UpstreamScheme.HTTP:
        connect_to = addresses or WELL_KNOWN_BOOTSTRAP.get(host, ()) or (host,)
        if not all(_is_loopback(address) for address in connect_to):
            raise refuse("DoH without TLS (http://) is allowed only on loopback")
    path = parts.path if parts.path not in ("", "/") else DEFAULT_DOH_PATH
    spec = UpstreamSpec("", scheme, host, port or DEFAULT_PORTS[scheme], path, addresses)
    return dataclasses.replace(spec, url=f"{scheme}://{spec.authority}{path}")


def build_upstream(spec: UpstreamSpec, *, verify: bool | str = True) -> Upstream:
    """The transport for a checked spec."""
    if spec.scheme is UpstreamScheme.UDP:
        return UdpUpstream(spec.host, spec.port)
    if spec.scheme is UpstreamScheme.TCP:
        return TcpUpstream(spec.host, spec.port)
    return DohUpstream(spec, verify=verify)


def parse_upstream(
    url: str, bootstrap: Sequence[str] = (), *, verify: bool | str = True
) -> Upstream:
    """The transport a URL names: :func:`parse_upstream_url`, then :func:`build_upstream`."""
    return build_upstream(parse_upstream_url(url, bootstrap), verify=verify)


def _parse_bootstrap(url: str, fragment: str) -> tuple[str, ...]:
    if not fragment:
        return ()
    key, sep, value = unquote(fragment).partition("=")
    if key != "bootstrap" or not sep or not value:
        raise UpstreamConfigError(url, "the fragment must be #bootstrap=IP[,IP...]")
    return tuple(_bootstrap_address(url, item) for item in value.split(","))


def _bootstrap_address(url: str, item: str) -> str:
    try:
        return str(ipaddress.ip_address(item.strip().strip("[]")))
    except ValueError:
        raise UpstreamConfigError(url, f"bootstrap {item!r} is not an IP address") from None


# --------------------------------------------------------------------------- the group


@dataclass(frozen=True)
class UpstreamAnswer:
    """An upstream's answer to one query as it sent it (checked by :func:`_check_answer`),
    but with the client's message ID."""

    wire: bytes
    upstream: str
    latency: float
    records: tuple[answer_wire.Record, ...] = ()  # where the wire's records are

    @property
    def message(self) -> Message:
        """The answer as the chain carries it."""
        return Message(self.wire, records=self.records)

    def for_query(self, query: bytes) -> UpstreamAnswer:
        """The same answer with the message ID of `query` (bytes)."""
        return UpstreamAnswer(query[:2] + self.wire[2:], self.upstream, self.latency, self.records)

    @property
    def response(self) -> DNSRecord:
        """The answer parsed (a new record at every call)."""
        return DNSRecord.parse(self.wire)


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
        clock: Clock | None = None,
        max_outstanding: int = 2048,
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
        self._clock = (clock or SystemClock()).monotonic  # latencies and probe times
        self._probe_task: asyncio.Task[None] | None = None
        # Questions being asked upstream now, by the query's bytes after its ID: the same
        # question asked again meanwhile waits for that answer instead of asking again.
        self._in_flight: dict[bytes, asyncio.Future[UpstreamAnswer]] = {}
        # Past this many questions waiting on the upstreams, SERVFAIL at once (not silence).
        self.max_outstanding = max_outstanding
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

    async def resolve(self, request: DNSRecord | bytes) -> UpstreamAnswer:
        """Ask the upstreams for `request` (a record, or a query's bytes); raise
        UpstreamsFailedError when none answers in time.

        A question already on its way upstream (the same bytes but the ID) waits for that
        answer; past `max_outstanding` questions in flight, it fails at once."""
        packet = request if isinstance(request, bytes) else bytes(request.pack())
        question = question_of(packet)
        if question is None:
            raise UpstreamsFailedError(["the query has no single question to ask"])
        key = packet[2:]
        asked = self._in_flight.get(key)
        if asked is not None:
            shared = await asyncio.shield(asked)
            return shared.for_query(packet)
        if len(self._in_flight) >= self.max_outstanding:
            raise UpstreamsFailedError(
                [f"{self.max_outstanding} questions already waiting for the upstreams"]
            )
        future: asyncio.Future[UpstreamAnswer] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            answer = await self._resolve_now(packet, question)
        except BaseException as exc:
            if isinstance(exc, Exception):
                future.set_exception(exc)
                future.exception()  # the waiters, if any, see it; nobody else must
            else:
                future.cancel()
            raise
        else:
            future.set_result(answer)
            return answer
        finally:
            del self._in_flight[key]

    async def _resolve_now(self, packet: bytes, question: bytes) -> UpstreamAnswer:
        order = self._ordered()
        if not order:
            raise UpstreamsFailedError([])
        if len(order) == 1:
            return await self._ask_alone(order[0], packet, question)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        pending: dict[asyncio.Task[bytes], tuple[_Health, int, float]] = {}
        failures: list[str] = []
        launched = 0

        def launch() -> None:
            nonlocal launched
            health = order[launched]
            launched += 1
            message_id = random_message_id()
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
                    exception = task.exception()
                    outcome = task.result() if exception is None else exception
                    answer = self._judge(health, outcome, message_id, question, started, failures)
                    if answer is None:
                        continue
                    # Those asked earlier and overtaken did not answer within their share.
                    for overtaken, _, _ in pending.values():
                        if order.index(overtaken) < order.index(health):
                            self._record_failure(overtaken, "timed out")
                    return answer.for_query(packet)
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

    async def _ask_alone(self, health: _Health, packet: bytes, question: bytes) -> UpstreamAnswer:
        """The only upstream gets the whole budget. With nobody to fail over to, its
        exchange is awaited at once: no task, no wait and no timeout scope to pay for on
        every query (every exchange gives up after the timeout it is given)."""
        message_id = random_message_id()
        started = self._clock()
        outcome: bytes | Exception
        try:
            outcome = await health.upstream.exchange(
                struct.pack("!H", message_id) + packet[2:], self.timeout
            )
        except Exception as exc:  # judged below, as the failover loop judges it
            outcome = exc
        failures: list[str] = []
        answer = self._judge(health, outcome, message_id, question, started, failures)
        if answer is None:
            raise UpstreamsFailedError(failures)
        return answer.for_query(packet)

    def _judge(
        self,
        health: _Health,
        outcome: bytes | BaseException,
        message_id: int,
        question: bytes,
        started: float,
        failures: list[str],
    ) -> UpstreamAnswer | None:
        """An upstream's answer (with our random ID still in it) when it is one to give
        the client; else None, with why in `failures` and the upstream's health updated."""
        url = health.upstream.url
        latency = self._clock() - started
        try:
            if isinstance(outcome, BaseException):
                raise outcome
            response, records = _check_answer(outcome, message_id, question)
        except Exception as exc:  # any failure of one upstream moves on
            error = str(exc) if isinstance(exc, UpstreamError) else _describe(exc)
            failures.append(f"{url}: {error}")
            self._record_failure(health, error)
            return None
        self._record_success(health, latency)
        rcode = response[3] & 0x0F
        if rcode in _FAILOVER_RCODES:
            # The upstream is alive; this name failed there. Try the next one.
            failures.append(f"{url}: answered {RCODE.get(rcode)}")
            return None
        return UpstreamAnswer(response, url, latency, records)

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
        probe = bytes(DNSRecord.question(self._probe_name, self._probe_qtype).pack())
        started = self._clock()
        try:
            answer = await health.upstream.exchange(probe, self.timeout)
            question = question_of(probe)
            assert question is not None  # a question we built
            rcode = _check_answer(answer, struct.unpack_from("!H", probe)[0], question)[0][3] & 0x0F
        except (UpstreamError, OSError, TimeoutError) as exc:
            error = str(exc) if isinstance(exc, UpstreamError) else _describe(exc)
            # A failed probe marks the upstream down at once: probes are rare and deliberate.
            health.failures = max(health.failures, self.failure_threshold - 1)
            self._record_failure(health, f"probe: {error}")
            return
        if rcode in _FAILOVER_RCODES:
            health.failures = max(health.failures, self.failure_threshold - 1)
            self._record_failure(health, f"probe: answered {RCODE.get(rcode)}")
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


def _check_answer(
    answer: bytes, message_id: int, question: bytes
) -> tuple[bytes, tuple[answer_wire.Record, ...]]:
    """`answer` and where its records are, if it is a well-formed answer to our query: our
    ID, QR set, our question (its name compared without regard to case), else raise
    UpstreamError. Only SERVFAIL and REFUSED may leave the question out."""
    try:
        records = tuple(answer_wire.records(answer))
    except ValueError as exc:
        raise UpstreamError(f"malformed answer ({exc})") from exc
    if struct.unpack_from("!H", answer)[0] != message_id or not answer[2] & 0x80:
        raise UpstreamError("answer does not match the query")
    got = question_of(answer)
    if got == b"":
        if answer[3] & 0x0F not in _FAILOVER_RCODES:
            raise UpstreamError("answer has no question section")
    elif got != question:
        raise UpstreamError("answer is for another question")
    return answer, records


def servfail_response(request: DNSRecord) -> DNSRecord:
    """A SERVFAIL answer to `request` (with an OPT record when the query had EDNS0)."""
    response = request.reply(ra=1, aa=0)
    response.header.rcode = RCODE.SERVFAIL
    if any(rr.rtype == QTYPE.OPT for rr in request.ar):
        response.add_ar(EDNS0(udp_len=1232))
    return response
