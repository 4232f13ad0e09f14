"""The DNS server: asyncio UDP and TCP listeners in front of the resolver chain.

The hot path works on raw bytes (:mod:`dns_filter.wire`): it reads the question and the
EDNS facts straight from the packet and looks the answer up in a small memo of final
answers in wire format. Only a memo miss builds a dnslib record and walks the chain.

The memo is keyed by who is asking (the profile, when a ``profile_for`` callable is given,
else the client address), the lower-cased question name, type, class and the EDNS facts.
An entry lives for the smallest TTL of its records but never past the next moment when a
time-based rule may change an answer (``policy_changes_at``; by default every minute
boundary, so schedules take effect on time) nor past the answer's own ``valid_until``
(the end of the parent's approval it was given under); swapping the chain clears it, and
so must every policy swap (``clear_memo``). A memo hit is still reported to ``on_result``: a
blocked answer stays ``blocked``, a resolved one becomes ``cached``.

On Linux, when the optional C extension :mod:`dns_filter._fastpath` is built, the UDP
sockets are read by it instead: it reads a burst with ``recvmmsg``, answers the packets
that repeat a query in the exact memo (the same key and checks as the Python loop) with
one ``sendmmsg``, and hands every other packet back to the Python path unchanged. Like
the Python loop, it asks ``profile_for`` once per client and burst.
``BAOAN_DNS_FASTPATH=0`` turns it off.

``on_result`` is called on the event loop, in arrival order, in batches after the answers
have gone out (never between a query and its answer); it must be quick and non-blocking.
An ``answer_log`` (:class:`AnswerLog`, the agent's query log) gets the answers a slice at
a time instead: for each answer the key it made of its :class:`LoggedAnswer` and its
latency. A memo hit's key is asked for once per memo entry and client and kept with the
entry, so a hit costs the log one list item, not a Query, a Result and a row built anew.
A failing callback is counted and logged, never passed on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, cast

from dnslib import QTYPE, DNSHeader, DNSRecord

from dns_filter import answer_wire, wire
from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.clock import Clock, SystemClock
from dns_filter.log_throttle import LogThrottle
from dns_filter.message import Message
from dns_filter.rate_limit import ClientRateLimit
from dns_filter.reason import Reason, failure_reason

logger = logging.getLogger(__name__)

ProfileFor = Callable[[str], "str | None"]
# wall time (time.time()) -> the wall time when time-based rules may next change an
# answer, or None when nothing in the policy depends on the time
PolicyChangesAt = Callable[[float], "float | None"]
OnResult = Callable[[Query, Result, float], None]
Reply = Callable[[bytes], None]

_UDP_BATCH = 64  # datagrams read per readiness event: one wake-up serves a burst
_UDP_READ_SIZE = 4096  # a query larger than this is not one we can answer anyway
_SOCKET_BUFFER = 4 * 1024 * 1024
# What a UDP listener may hold while the loop is busy elsewhere: at 100,000 junk packets a
# second from a flooder, 4 MiB is gone in about 50 ms (then the kernel drops the family's
# questions with the junk); 16 MiB rides out a pause four times as long. Past the system's
# limit (net.core.rmem_max) only with the privilege to force it (the installed service).
_RECEIVE_BUFFER = 16 * 1024 * 1024
_SO_RCVBUFFORCE: int | None = getattr(
    socket, "SO_RCVBUFFORCE", 33 if sys.platform.startswith("linux") else None
)
_LOG_FLUSH_SECONDS = 0.05
_ERROR_LOG_INTERVAL = 10.0
_QUERIES_PER_ENTRY = 64
_LOG_SLICE = 2000  # callbacks per loop turn
_SLOW_LOG_SECONDS = 0.1
_UNSET: Any = object()
_FASTPATH_ENV = "BAOAN_DNS_FASTPATH"
_FASTPATH_API = 2  # the `API_VERSION` of _fastpath.c this server's calls need

# Answer types that the server decided without asking the chain again. A failed answer
# (SERVFAIL) is never remembered: the next query asks the chain, and its cache, again.
_MEMO_ANSWER_TYPE = {
    AnswerType.RESOLVED: AnswerType.CACHED,
    AnswerType.CACHED: AnswerType.CACHED,
    AnswerType.BLOCKED: AnswerType.BLOCKED,
    AnswerType.REWRITTEN: AnswerType.REWRITTEN,
    AnswerType.BYPASS: AnswerType.BYPASS,
}
_LOCAL_ANSWER_TYPES = frozenset({AnswerType.BLOCKED, AnswerType.REWRITTEN, AnswerType.BYPASS})
# Answers the policy alone decides (not safe search, whose addresses come from upstream):
# the chain would give the same answer, with the same TTL, until the policy changes.
_POLICY_ANSWER_TYPES = frozenset({AnswerType.BLOCKED, AnswerType.BYPASS})
_UNAGED = wire.RecordTtls((), ())


@dataclass(frozen=True)
class ServerLimits:
    """Bounds that keep one client, one slow upstream or one slow logger from hurting others."""

    max_udp_payload: int = 4096  # the most we send over UDP, whatever the client offers
    tcp_idle_timeout: float = 10.0  # seconds a TCP connection may wait between queries
    # Seconds a new TCP connection may take to send its first whole query: a client that
    # connects and says nothing holds a place another client needs.
    tcp_first_query_timeout: float = 2.0
    max_tcp_connections: int = 128
    # TCP connections one client address may hold; its next one closes its own oldest
    # idle connection, so one client can never take every place.
    max_tcp_connections_per_client: int = 16
    max_tcp_queries_per_connection: int = 32  # answered concurrently on one connection
    max_pending: int = 4096  # memo misses in flight; beyond that, SERVFAIL at once
    resolve_timeout: float = 4.0  # a chain that takes longer gets SERVFAIL
    memo_size: int = 100_000
    local_answer_ttl: int = 30  # memo seconds for local answers without records (NXDOMAIN)
    # Memo seconds for blocked and bypass answers, served with their TTLs unchanged: they
    # depend on the policy only, which clears the memo when it changes and bounds it with
    # `policy_changes_at`. Without this, every blocked name asked in the same minute
    # expires in the same second (the block TTL) and walks the chain again all together.
    policy_answer_seconds: int = 600
    log_backlog: int = 100_000  # query-log entries waiting for `on_result`
    # Error answers (FORMERR, NOTIMP, BADVERS) one client address gets a second, bursts of
    # twice that; past it, its packets are dropped unread (before any look-up; by the C
    # fast path itself when it runs) until the budget fills again, but for those whose
    # header is a plain query's (a PC's apps share one address). A flood of junk then
    # costs a read each instead of a read and a send, and cannot be reflected at a forged
    # source. Packets without a header spend it too. No client that asks well-formed
    # questions comes near it. 0: no limit.
    error_answers_per_client: int = 100


@dataclass
class ServerStats:
    """Counters, for the dashboard's health page and the benchmark."""

    queries: int = 0
    memo_hits: int = 0
    chain_answers: int = 0
    servfail: int = 0
    error_answers: int = 0  # FORMERR, NOTIMP, BADVERS
    dropped: int = 0  # unreadable packets
    errors_unanswered: int = 0  # malformed packets past the client's error-answer budget
    truncated: int = 0
    overloaded: int = 0
    tcp_refused: int = 0
    tcp_idle_closed: int = 0  # idle TCP connections closed to make room for a new one
    rate_limited: int = 0  # REFUSED: the client asked faster than its rate limit
    log_dropped: int = 0
    log_errors: int = 0


@dataclass(eq=False, slots=True)
class _TcpConnection:
    """One open TCP connection: whose it is, when it last did something, and how many of
    its queries are being answered (it is idle when none is)."""

    client: str
    writer: asyncio.StreamWriter
    last_active: float
    in_flight: int = 0


@dataclass(frozen=True, slots=True)
class BoundAddress:
    host: str
    port: int
    transport: str  # "udp" or "tcp"


@dataclass(frozen=True, slots=True)
class LoggedAnswer:
    """What the query log is told of one answer (its latency aside): plain values, the
    same for every memo hit of one entry by one client."""

    name: str  # normalised: lower case, no trailing dot
    qtype: int
    client_ip: str
    transport: str  # "udp" or "tcp"
    profile: str | None  # whose answer it is: the result's profile, else the query's
    answer_type: AnswerType  # a memo hit's: blocked stays blocked, resolved is cached
    reason: Reason

    @classmethod
    def of(cls, query: Query, result: Result) -> LoggedAnswer:
        """A chain answer's."""
        return cls(
            query.name, query.qtype, query.client_ip, query.transport,
            result.profile or query.profile, result.answer_type, result.reason,
        )


LogKey = TypeVar("LogKey")


class AnswerLog(Protocol[LogKey]):
    """A query log fed a slice of answers at a time (on the event loop, after the answers
    have gone out; quick and non-blocking)."""

    def log_key(self, answer: LoggedAnswer) -> LogKey:
        """What the log keeps of `answer` but its latency. Asked once per chain answer,
        and once per memo entry and client: the server keeps the key with the entry and
        hands it over again for every later hit."""
        ...

    def log_answers(self, keys: list[LogKey], latencies: list[float]) -> None:
        """One slice, in arrival order: answer i had key `keys[i]` and took
        `latencies[i]` seconds. The lists are the log's to keep."""
        ...


@dataclass(frozen=True, slots=True)
class _MemoEntry:
    """One remembered answer, held as bytes and plain values only: the memo keeps up to
    `memo_size` of these for minutes, and every object in them that the cyclic garbage
    collector tracks (a dnslib record is a dozen) is one more it walks, with every thread
    stopped, at each full collection. An answer log gets a hit's plain values (its key,
    made once per client, is kept here); only `on_result` gets a hit's request and result,
    which carry the bytes, built once at the first hit (nothing parses them unless a
    reader asks for the records)."""

    response: bytes  # the full answer, our OPT included when the key says the client had one
    ttls: wire.RecordTtls
    stored_at: float  # monotonic
    expires_at: float  # monotonic
    request: bytes  # the request that filled the entry (same question, other ID)
    name: str
    qtype: int
    profile: str | None
    outcome: tuple[AnswerType, Reason, str | None, float | None]  # the result, but its records
    # [elapsed, aged response, the hits' Result or None, their Query objects or None,
    #  the answer log's keys of UDP hits by client or None, of TCP hits or None]
    scratch: list[Any] = field(default_factory=lambda: [0, b"", None, None, None, None])

    def aged(self, elapsed: int) -> bytes:
        """The response with TTLs lowered by `elapsed` s (the last copy is kept)."""
        if elapsed <= 0:
            return self.response
        copy = self.scratch
        if copy[0] != elapsed:
            copy[1] = wire.aged(self.response, self.ttls, elapsed)
            copy[0] = elapsed
        body: bytes = copy[1]
        return body

    def logged_as(self, client_ip: str, transport: str) -> tuple[Query, Result]:
        """What the query log gets for a hit of `client_ip` (one Query per client and
        transport, reused: hits are many, clients few)."""
        scratch = self.scratch
        result: Result | None = scratch[2]
        queries: dict[tuple[str, str], Query] | None = scratch[3]
        if result is None or queries is None:
            answer_type, reason, profile, valid_until = self.outcome
            result = Result(Message(self.response), answer_type, reason, profile, valid_until)
            queries = {}
            scratch[2], scratch[3] = result, queries
        query = queries.get((client_ip, transport))
        if query is None:
            query = Query(
                message=(
                    next(iter(queries.values())).message if queries else Message(self.request)
                ),
                name=self.name,
                qtype=self.qtype,
                client_ip=client_ip,
                transport=transport,
                profile=self.profile,
            )
            if len(queries) < _QUERIES_PER_ENTRY:
                queries[(client_ip, transport)] = query
        return query, result

    def log_key(self, answer_log: AnswerLog[Any], client_ip: str, transport: str) -> Any:
        """The answer log's key for a hit of `client_ip` (asked once, then kept, for up
        to `_QUERIES_PER_ENTRY` clients per transport)."""
        slot = _UDP_KEYS if transport == "udp" else _TCP_KEYS
        keys: dict[str, Any] | None = self.scratch[slot]
        if keys is None:
            keys = self.scratch[slot] = {}
        key = keys.get(client_ip)
        if key is None:
            answer_type, reason, result_profile, _valid_until = self.outcome
            key = answer_log.log_key(
                LoggedAnswer(self.name, self.qtype, client_ip, transport,
                             result_profile or self.profile, answer_type, reason)
            )
            if len(keys) < _QUERIES_PER_ENTRY:
                keys[client_ip] = key
        return key


_UDP_KEYS = 4  # where a `_MemoEntry.scratch` keeps the answer log's keys, by transport
_TCP_KEYS = 5


_MemoKey = tuple[object, bytes, int, int, bool, bool]
_Outcome = tuple[AnswerType, Reason, "str | None", "float | None"]
# A remembered answer not asked for again yet: (response, TTL offsets, TTLs, stored at,
# expires at, request, name, qtype, profile, outcome), bytes, numbers and strings only, the
# outcome as its index in the server's table of outcomes. CPython stops tracking such a
# tuple at its first young collection, so the memo of misses (most of it, on a busy day)
# costs the full collections nothing; the first hit turns it into a `_MemoEntry`.
_StoredAnswer = tuple[
    bytes, tuple[int, ...], tuple[int, ...], float, float, bytes, str, int, "str | None", object
]
_MAX_OUTCOMES = 4096  # distinct outcomes held by index; past it an entry holds its own
# (who, the query after its ID) -> [entry, parsed query, (valid until, answer after its ID)]:
# a repeated identical query skips parsing and splicing altogether. The answer is valid
# until its TTLs must drop by one more second or the entry expires, so a hit costs one
# comparison.
_ExactKey = tuple[object, bytes]


def _ready_answer(hit: list[Any], data: bytes, now: float) -> tuple[float, bytes] | None:
    """The exact-memo answer aged for `now` (and kept in `hit`), None once expired."""
    entry: _MemoEntry = hit[0]
    if now >= entry.expires_at:
        return None
    elapsed = int(now - entry.stored_at)
    body = wire.for_query(entry.aged(elapsed), data, hit[1].name_end)
    valid_until = entry.expires_at
    if entry.ttls.offsets:  # the TTLs drop by one more second then
        valid_until = min(valid_until, entry.stored_at + elapsed + 1)
    ready = (valid_until, body[2:])
    hit[2] = ready
    return ready


def _looks_like_a_query(data: bytes) -> bool:
    """Whether a packet is a plain, well-formed query: QR 0, opcode QUERY, one question, no
    answer or authority records; the question's name plain labels of 1-63 bytes (no
    pointers) within 255 bytes, then a type and a class; at most one additional record, an
    OPT of EDNS version 0 whose data ends the packet; at most 512 bytes in all. A muted
    client's questions are still heard, its junk is not (the C fast path has the same
    test, `looks_like_a_query`)."""
    length = len(data)
    if (
        not 17 <= length <= 512
        or data[2] & 0xF8
        or data[4:11] != b"\x00\x01\x00\x00\x00\x00\x00"
        or data[11] > 1
    ):
        return False
    pos = 12
    while True:
        if pos >= length:
            return False
        label = data[pos]
        if label == 0:
            break
        if label > 63:
            return False
        pos += 1 + label
        if pos - 12 > 255:
            return False
    pos += 1 + 4  # the root label, the type and the class
    if data[11] == 0:
        return pos == length
    if pos + 11 > length or data[pos : pos + 3] != b"\x00\x00\x29" or data[pos + 6] != 0:
        return False
    return pos + 11 + int.from_bytes(data[pos + 9 : pos + 11], "big") == length


def _grow_receive_buffer(udp: socket.socket) -> None:
    """`_RECEIVE_BUFFER` for the socket, forced past the system's limit when we may."""
    if _SO_RCVBUFFORCE is not None:
        try:
            udp.setsockopt(socket.SOL_SOCKET, _SO_RCVBUFFORCE, _RECEIVE_BUFFER)
            return
        except OSError:
            pass  # no CAP_NET_ADMIN: as much as net.core.rmem_max allows
    with contextlib.suppress(OSError):
        udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RECEIVE_BUFFER)


def load_fastpath(requested: bool | None = None) -> Any | None:
    """The C fast-path module, or None for the pure-Python path.

    `requested` None means: use it when it is built, the OS is Linux and the environment
    does not say ``BAOAN_DNS_FASTPATH=0``. True insists (an error when it is not built),
    False declines."""
    if requested is False:
        return None
    if requested is None and os.environ.get(_FASTPATH_ENV, "1").strip() in ("0", "no", "off"):
        return None
    if not sys.platform.startswith("linux"):
        if requested:
            raise RuntimeError("the C fast path needs Linux (recvmmsg/sendmmsg)")
        return None
    try:
        from dns_filter import _fastpath  # type: ignore[attr-defined]
    except ImportError as exc:
        if requested:
            raise RuntimeError(f"the C fast path is not built: {exc}") from exc
        return None
    if getattr(_fastpath, "API_VERSION", 1) < _FASTPATH_API:
        # built from an older _fastpath.c (e.g. an install not rebuilt): serve() would
        # refuse the arguments this server passes, on every packet
        if requested:
            raise RuntimeError("the C fast path was built from an older source; rebuild it")
        logger.warning("the C fast path was built from an older source; using the Python path")
        return None
    return _fastpath


def next_minute(wall: float) -> float:
    """The default `policy_changes_at`: any minute may start or end a schedule."""
    return wall - (wall % 60.0) + 60.0


class _QueryLog:
    """Hands the answers to `on_result` (one call per answer, with its Query and Result)
    and/or to `answer_log` (one call per slice, with the keys it made) after they are
    sent.

    The callbacks run on the server's event loop (a second Python thread would fight the
    loop for the GIL and halve the throughput), about `_LOG_SLICE` answers at a time so
    answering goes on in between. They must be quick and non-blocking, e.g. appending to
    the store's query-log writer; exceptions are counted and logged, never passed on.

    Waiting items are (query, result, latency) from the chain, or the memo hits of one
    burst as one flat list `[transport, entry, client_ip, latency, entry, ...]`. A tuple
    per hit would be one more object per answer for the cyclic garbage collector; at full
    speed a 50 ms backlog of them outlived two young collections, piled into the oldest
    generation and set off a full collection (~0.1 s over the memo) about every second."""

    def __init__(
        self,
        on_result: OnResult | None,
        stats: ServerStats,
        backlog: int,
        answer_log: AnswerLog[Any] | None = None,
    ) -> None:
        self._on_result = on_result
        self._answer_log = answer_log
        self._enabled = on_result is not None or answer_log is not None
        self._stats = stats
        self._backlog = backlog
        self._pending: deque[Any] = deque()
        self._waiting = 0  # answers in `_pending`
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._scheduled = False
        self._last_error_log = 0.0
        self._last_slow_log = 0.0

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def add(self, item: tuple[Query, Result, float]) -> None:
        """One answer from the chain."""
        if not self._enabled:
            return
        if self._waiting >= self._backlog:
            self._stats.log_dropped += 1
            return
        self._pending.append(item)
        self._waiting += 1
        self._schedule()

    def add_hits(self, hits: list[Any]) -> None:
        """Memo hits as `[transport, entry, client_ip, latency, entry, ...]` (kept, not
        copied: the caller lets go of the list)."""
        count = (len(hits) - 1) // 3
        if not self._enabled or count <= 0:
            return
        room = self._backlog - self._waiting
        if room < count:
            self._stats.log_dropped += count - max(room, 0)
            if room <= 0:
                return
            del hits[1 + 3 * room :]
            count = room
        self._pending.append(hits)
        self._waiting += count
        self._schedule()

    def _schedule(self) -> None:
        if not self._scheduled and self._loop is not None:
            self._scheduled = True
            self._timer = self._loop.call_later(_LOG_FLUSH_SECONDS, self._run_slice)

    def _run_slice(self) -> None:
        self._timer = None
        self._scheduled = False
        self.run(_LOG_SLICE)
        if self._pending and self._loop is not None:
            self._scheduled = True
            self._loop.call_soon(self._run_slice)

    async def drain(self) -> None:
        """Hand everything logged so far to the callbacks."""
        self.run(self._waiting)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.run(self._waiting)
        self._scheduled = False
        self._loop = None

    def run(self, limit: int) -> None:
        """Hand over at least `limit` answers (all when fewer wait; a burst's hits go
        together, so a slice may run over by less than one burst)."""
        if not self._enabled:
            return
        pending = self._pending
        if not pending or limit <= 0:
            return
        started = time.monotonic()
        items: list[Any] = []
        done = 0
        while pending and done < limit:
            item = pending.popleft()
            items.append(item)
            done += 1 if type(item) is tuple else (len(item) - 1) // 3
        self._waiting -= done
        if self._on_result is not None:
            self._run_on_result(self._on_result, items)
        if self._answer_log is not None:
            self._run_answer_log(self._answer_log, items)
        spent = time.monotonic() - started
        if spent > _SLOW_LOG_SECONDS and started - self._last_slow_log >= _ERROR_LOG_INTERVAL:
            self._last_slow_log = started
            logger.warning("the query-log callback is slow: %.0f ms for one batch", spent * 1000)

    def _run_on_result(self, on_result: OnResult, items: list[Any]) -> None:
        for item in items:
            if type(item) is tuple:  # (query, result, latency) from the chain path
                answers: list[tuple[Query, Result, float]] = [item]
            else:
                transport = item[0]
                answers = [
                    (*entry.logged_as(client_ip, transport), latency)
                    for entry, client_ip, latency in zip(
                        item[1::3], item[2::3], item[3::3], strict=True
                    )
                ]
            for query, result, latency in answers:
                try:
                    on_result(query, result, latency)
                except Exception:
                    self._failed()

    def _run_answer_log(self, answer_log: AnswerLog[Any], items: list[Any]) -> None:
        keys: list[Any] = []
        latencies: list[float] = []
        add_key = keys.append
        try:
            for item in items:
                if type(item) is tuple:  # (query, result, latency) from the chain path
                    query, result, latency = item
                    add_key(answer_log.log_key(LoggedAnswer.of(query, result)))
                    latencies.append(latency)
                    continue
                transport = item[0]
                slot = _UDP_KEYS if transport == "udp" else _TCP_KEYS
                latencies += item[3::3]
                keys += [  # the commonest case inline: a key kept for the client
                    known[client_ip]
                    if (known := entry.scratch[slot]) is not None and client_ip in known
                    else entry.log_key(answer_log, client_ip, transport)
                    for entry, client_ip in zip(item[1::3], item[2::3], strict=True)
                ]
            answer_log.log_answers(keys, latencies)
        except Exception:
            self._failed()

    def _failed(self) -> None:
        """Count and (at most every `_ERROR_LOG_INTERVAL`) log a failed callback call."""
        self._stats.log_errors += 1
        now = time.monotonic()
        if now - self._last_error_log >= _ERROR_LOG_INTERVAL:
            self._last_error_log = now
            logger.exception(
                "the query-log callback failed (%d failures so far)", self._stats.log_errors
            )


class DnsServer:
    """UDP and TCP DNS server over IPv4 and IPv6 that answers through a resolver chain.

    `listen` is a list of (host, port) pairs; port 0 asks the system for a free port, the
    same one for UDP and TCP on that host (read it from :attr:`addresses` after `start`).
    """

    def __init__(
        self,
        chain: Resolver,
        listen: Sequence[tuple[str, int]] = (("127.0.0.1", 53),),
        *,
        on_result: OnResult | None = None,
        answer_log: AnswerLog[Any] | None = None,
        profile_for: ProfileFor | None = None,
        limits: ServerLimits | None = None,
        policy_changes_at: PolicyChangesAt = next_minute,
        clock: Clock | None = None,
        fastpath: bool | None = None,
        rate_limit: ClientRateLimit | None = None,
    ) -> None:
        if not listen:
            raise ValueError("the DNS server needs at least one listen address")
        self._chain = chain
        self._profile_for = profile_for
        self._listen = tuple(listen)
        self.limits = limits or ServerLimits()
        self.stats = ServerStats()
        clock = clock or SystemClock()
        self._clock = clock.monotonic  # memo ages and expiry (a bound method: one call)
        self._wall_clock = clock.now  # for `policy_changes_at`
        self._policy_changes_at = policy_changes_at
        self._generation = 0
        self._memo: OrderedDict[_MemoKey, _MemoEntry | _StoredAnswer] = OrderedDict()
        self._outcomes: list[_Outcome] = []
        self._outcome_index: dict[_Outcome, int] = {}
        self._exact: dict[_ExactKey, list[Any]] = {}
        self._fastpath = load_fastpath(fastpath)
        self._no_profile = object()  # `who` when profile_for failed: never a memo key
        self._rate_limit = rate_limit
        self._error_budget = ClientRateLimit(self.limits.error_answers_per_client, clock=clock)
        self._muted = object()  # `who` of a client past its error budget: dropped unread
        # What the C fast path asks: a limited client is never a hit there, so its
        # packets come back to `_answer_udp`, which refuses them; a muted one's are
        # dropped there.
        self._fast_profile_for: Callable[[str], object] | None = (
            profile_for
            if self._rate_limit is None and not self._error_budget.enabled
            else self._fast_who
        )
        self._log = _QueryLog(on_result, self.stats, self.limits.log_backlog, answer_log)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._udp_sockets: list[socket.socket] = []
        self._tcp_servers: list[asyncio.Server] = []
        # Open TCP connections, oldest first.
        self._tcp_connections: dict[asyncio.StreamWriter, _TcpConnection] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._addresses: list[BoundAddress] = []
        self._warnings = LogThrottle(logger, _ERROR_LOG_INTERVAL, clock)
        self._opt_cache: dict[bool, bytes] = {
            False: wire.opt_record(self.limits.max_udp_payload, False),
            True: wire.opt_record(self.limits.max_udp_payload, True),
        }

    # ----------------------------------------------------------------- life cycle

    @property
    def addresses(self) -> list[BoundAddress]:
        """Every bound socket, with the real port when port 0 was asked."""
        return list(self._addresses)

    @property
    def fastpath_enabled(self) -> bool:
        """True when UDP is read by the C fast path (:mod:`dns_filter._fastpath`)."""
        return self._fastpath is not None

    @property
    def running(self) -> bool:
        return self._loop is not None

    async def start(self) -> None:
        if self._loop is not None:
            raise RuntimeError("the DNS server is already running")
        self._loop = asyncio.get_running_loop()
        try:
            for host, port in self._listen:
                await self._bind(host, port)
        except BaseException:
            await self.stop()
            raise
        self._log.start(self._loop)
        logger.info(
            "DNS server listening on %s",
            ", ".join(f"{a.transport}/[{a.host}]:{a.port}" for a in self._addresses),
        )

    async def stop(self) -> None:
        """Stop listening, finish or cancel queries in flight, and flush the query log."""
        loop = self._loop
        if loop is None:
            return
        for sock in self._udp_sockets:
            loop.remove_reader(sock.fileno())
        for server in self._tcp_servers:
            server.close()
        for writer in list(self._tcp_connections):
            writer.close()
        if self._tasks:
            _done, still_running = await asyncio.wait(list(self._tasks), timeout=1.0)
            for task in still_running:
                task.cancel()
            if still_running:
                await asyncio.wait(still_running, timeout=1.0)
        for server in self._tcp_servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), timeout=1.0)
        for sock in self._udp_sockets:
            sock.close()
        self._udp_sockets.clear()
        self._tcp_servers.clear()
        self._addresses.clear()
        self._log.stop()
        self._loop = None

    async def _bind(self, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        attempts = 20 if port == 0 else 1
        for attempt in range(attempts):
            udp = socket.socket(family, socket.SOCK_DGRAM)
            try:
                if family == socket.AF_INET6:
                    udp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                _grow_receive_buffer(udp)
                with contextlib.suppress(OSError):
                    udp.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _SOCKET_BUFFER)
                udp.setblocking(False)
                udp.bind((host, port))
                bound_port = udp.getsockname()[1]
                server = await asyncio.start_server(
                    self._serve_tcp_connection,
                    host=host,
                    port=bound_port,
                    family=family,
                    reuse_address=True,
                    backlog=self.limits.max_tcp_connections,
                )
            except OSError:
                udp.close()
                if attempt + 1 < attempts:
                    continue  # port 0: the UDP port was free but not the TCP one; again
                raise
            break
        assert self._loop is not None
        on_readable = (
            self._on_udp_readable if self._fastpath is None else self._on_udp_readable_fast
        )
        try:
            self._loop.add_reader(udp.fileno(), on_readable, udp)
        except NotImplementedError as exc:  # e.g. Windows' proactor loop
            udp.close()
            server.close()
            raise RuntimeError(
                "the DNS server needs an event loop that can watch sockets "
                "(asyncio.SelectorEventLoop); this one cannot"
            ) from exc
        self._udp_sockets.append(udp)
        self._tcp_servers.append(server)
        self._addresses.append(BoundAddress(host, bound_port, "udp"))
        self._addresses.append(BoundAddress(host, bound_port, "tcp"))

    # ---------------------------------------------------------------- chain swap

    def set_chain(
        self,
        chain: Resolver,
        profile_for: ProfileFor | None = _UNSET,
        policy_changes_at: PolicyChangesAt = _UNSET,
    ) -> None:
        """Swap the chain (and, if given, the profile and schedule functions) atomically;
        clears the memo.

        Queries already in flight finish on the chain they started with, and their answers
        are not memoised."""
        self._chain = chain
        if profile_for is not _UNSET:
            self._profile_for = profile_for
        if policy_changes_at is not _UNSET:
            self._policy_changes_at = policy_changes_at
        self.clear_memo()

    def clear_memo(self) -> None:
        """Forget every memoised answer (call it whenever the policy changes)."""
        self._generation += 1
        self._memo = OrderedDict()
        self._exact = {}
        self._outcomes = []
        self._outcome_index = {}

    @property
    def memo_size(self) -> int:
        return len(self._memo)

    async def drain_log(self) -> None:
        """Wait until every answer so far has been handed to `on_result`/`answer_log`."""
        await self._log.drain()

    # -------------------------------------------------------------------- UDP

    def _on_udp_readable(self, sock: socket.socket) -> None:
        """Read a burst of datagrams and answer each (`_answer_udp`), asking `profile_for`
        once per client and burst."""
        profile_for = self._profile_for
        budget = self._error_budget
        hits: list[Any] = ["udp"]  # [transport, entry, client_ip, latency, ...]
        last_ip: str | None = None
        who: object = None
        muted = False
        try:
            for _ in range(_UDP_BATCH):
                try:
                    data, addr = sock.recvfrom(_UDP_READ_SIZE)
                except (BlockingIOError, InterruptedError):
                    return
                except OSError as exc:  # e.g. an ICMP error from an earlier send
                    logger.debug("UDP receive error: %s", exc)
                    continue
                client_ip = addr[0]
                if client_ip != last_ip:
                    last_ip = client_ip
                    # past its error budget, a client's junk is dropped unread
                    muted = budget.limited(client_ip)
                    try:
                        who = profile_for(client_ip) if profile_for is not None else client_ip
                    except Exception:
                        who = object()  # no hit; `_handle` reports the failure
                if muted and not _looks_like_a_query(data):
                    self.stats.queries += 1
                    self.stats.errors_unanswered += 1
                    continue
                self._answer_udp(sock, data, addr, client_ip, who, hits)
        finally:
            self._count_hits(hits)

    def _count_hits(self, hits: list[Any]) -> None:
        answered = (len(hits) - 1) // 3
        if answered:
            self.stats.queries += answered
            self.stats.memo_hits += answered
            self._log.add_hits(hits)

    def _on_udp_readable_fast(self, sock: socket.socket) -> None:
        """Let the C fast path answer the memo hits of a burst; the rest is answered here
        exactly as `_on_udp_readable` answers it."""
        hits: list[Any] = ["udp"]  # [transport, entry, client_ip, latency, ...]
        misses: list[tuple[bytes, Any, str, object]] = []
        assert self._fastpath is not None
        read = self._fastpath.serve(
            sock.fileno(),
            self._exact,
            self._fast_profile_for,
            self._no_profile,
            self._clock,
            hits,
            misses,
            self._muted,
        )
        if read < 0:  # the read failed (e.g. an ICMP error): the Python loop reports it
            self._on_udp_readable(sock)
            return
        muted = read - (len(hits) - 1) // 3 - len(misses)
        if muted:  # a flooding client's junk, dropped unread by the C path
            self.stats.queries += muted
            self.stats.errors_unanswered += muted
        limit = self._rate_limit
        if limit is not None and len(hits) > 1:  # its answers count against their clients
            clients = hits[2::3]
            first = clients[0]
            if clients.count(first) == len(clients):  # one client asked the whole burst
                limit.charge(first, len(clients))
            else:
                for client in set(clients):
                    limit.charge(client, clients.count(client))
        try:
            for data, addr, client_ip, who in misses:
                self._answer_udp(sock, data, addr, client_ip, who, hits)
        finally:
            self._count_hits(hits)

    def _answer_udp(
        self,
        sock: socket.socket,
        data: bytes,
        addr: Any,
        client_ip: str,
        who: object,
        hits: list[Any],
    ) -> None:
        """One UDP packet, with the profile found for its client: a valid exact-memo answer
        at once (its hit appended to `hits`), anything else through `_handle`. Both UDP
        paths end here: the Python loop for every packet, the C fast path for those it
        hands back."""
        if len(data) < 12 or data[2] & 0x80:
            # No header, or an answer: `wire.parse_query` would refuse it unanswered. Seen
            # first, so that junk costs a flood's sender more than it costs us; it spends
            # the client's error budget, which mutes a flood of it.
            self.stats.queries += 1
            self.stats.dropped += 1
            self._error_budget.allow(client_ip)
            return
        started = time.perf_counter()
        if self._rate_limit is not None and not self._rate_limit.allow(client_ip):
            self._refuse(data, lambda answer: self._send_udp(sock, answer, addr, client_ip))
            return
        hit = self._exact.get((who, data[2:]))
        if hit is not None:
            now = self._clock()
            ready = hit[2]
            if now >= ready[0]:
                ready = _ready_answer(hit, data, now)
            if ready is not None:
                answer = data[:2] + ready[1]
                if len(answer) > wire.MIN_UDP_PAYLOAD:
                    answer = self._fit_udp(answer, hit[1])
                try:
                    sock.sendto(answer, addr)
                except OSError as exc:  # full buffer or closed socket: the client retries
                    logger.debug("UDP send to %s failed: %s", client_ip, exc)
                hits += (hit[0], client_ip, time.perf_counter() - started)
                return
            self._exact.pop((who, data[2:]), None)

        def reply(answer: bytes) -> None:
            self._send_udp(sock, answer, addr, client_ip)

        self._handle(data, client_ip, "udp", reply, hits)

    @staticmethod
    def _send_udp(sock: socket.socket, answer: bytes, addr: Any, client_ip: str) -> None:
        try:
            sock.sendto(answer, addr)
        except OSError as exc:  # full buffer or closed socket: the client retries
            logger.debug("UDP send to %s failed: %s", client_ip, exc)

    def _fast_who(self, client_ip: str) -> object:
        """`who` as the C fast path asks it, once per client and burst: `_muted` for a
        client past its error budget (a flood: its packets are dropped before any look-up,
        but for plain queries, until the budget fills again), `_no_profile` for one past
        its rate limit."""
        if self._error_budget.limited(client_ip):
            return self._muted
        limit = self._rate_limit
        if limit is not None and limit.limited(client_ip):
            return self._no_profile  # never a memo key
        profile_for = self._profile_for
        return profile_for(client_ip) if profile_for is not None else client_ip

    def _refuse(self, data: bytes, reply: Reply) -> None:
        """REFUSED for a client past its rate limit (nothing for an unreadable packet)."""
        self.stats.queries += 1
        self.stats.rate_limited += 1
        try:
            parsed = wire.parse_query(data)
        except wire.UnreadablePacketError:
            self.stats.dropped += 1
            return
        except wire.QueryError as exc:
            reply(self._error_answer(data, exc))
            return
        opt = self._opt_cache[parsed.do_bit] if parsed.edns else None
        reply(wire.error_response(data, wire.RCODE_REFUSED, parsed.question_end, opt))

    def _remember_exact(
        self, who: object, data: bytes, entry: _MemoEntry, parsed: wire.ParsedQuery
    ) -> None:
        if len(self._exact) >= self.limits.memo_size:
            self._exact = {}  # a cache of the memo: starting afresh is cheap
        hit: list[Any] = [entry, parsed, (0.0, b"")]
        if _ready_answer(hit, data, self._clock()) is not None:
            self._exact[(who, data[2:])] = hit

    # -------------------------------------------------------------------- TCP

    async def _serve_tcp_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        limits = self.limits
        peer = writer.get_extra_info("peername")
        client_ip = peer[0] if peer else ""
        if not self._make_room_for_tcp(client_ip):
            self.stats.tcp_refused += 1
            writer.close()
            return
        connection = _TcpConnection(client_ip, writer, self._clock())
        self._tcp_connections[writer] = connection
        slots = asyncio.Semaphore(limits.max_tcp_queries_per_connection)

        def reply(answer: bytes) -> None:
            if not writer.is_closing():
                writer.write(len(answer).to_bytes(2, "big") + answer)

        def release(_task: object = None) -> None:
            connection.in_flight -= 1
            connection.last_active = self._clock()
            slots.release()

        wait = limits.tcp_first_query_timeout
        try:
            while True:
                try:
                    async with asyncio.timeout(wait):
                        prefix = await reader.readexactly(2)
                        data = await reader.readexactly(int.from_bytes(prefix, "big"))
                except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                    break
                wait = limits.tcp_idle_timeout
                if self._rate_limit is not None and not self._rate_limit.allow(client_ip):
                    self._refuse(data, reply)
                    continue
                await slots.acquire()
                connection.in_flight += 1
                connection.last_active = self._clock()
                task = self._handle(data, client_ip, "tcp", reply)
                if task is None:
                    release()
                else:
                    task.add_done_callback(release)
                with contextlib.suppress(ConnectionError):
                    await writer.drain()
            # let the answers still being worked out reach the client before closing
            for _ in range(limits.max_tcp_queries_per_connection):
                await slots.acquire()
        finally:
            self._tcp_connections.pop(writer, None)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _make_room_for_tcp(self, client_ip: str) -> bool:
        """Whether a new connection from `client_ip` may be served: at its own cap, its
        oldest idle connection is closed for it; at the global cap, the oldest idle one of
        the client holding the most connections (so one who keeps reconnecting as fast as
        it can never pushes out a client with one connection that has not yet sent its
        query). False when every connection in the way is busy answering."""
        limits = self.limits
        connections = self._tcp_connections
        mine = [c for c in connections.values() if c.client == client_ip]
        if len(mine) >= limits.max_tcp_connections_per_client and not self._close_oldest_idle(
            mine
        ):
            return False
        if len(connections) < limits.max_tcp_connections:
            return True
        held = Counter(c.client for c in connections.values())
        idle = [c for c in connections.values() if c.in_flight == 0]
        if not idle:
            return False
        most = max(held[c.client] for c in idle)
        return self._close_oldest_idle([c for c in idle if held[c.client] == most])

    def _close_oldest_idle(self, candidates: list[_TcpConnection]) -> bool:
        idle = [c for c in candidates if c.in_flight == 0]
        if not idle:
            return False
        oldest = min(idle, key=lambda connection: connection.last_active)
        # Out of the count now: its reader sees the close and ends on its own.
        self._tcp_connections.pop(oldest.writer, None)
        oldest.writer.close()
        self.stats.tcp_idle_closed += 1
        return True

    # ---------------------------------------------------------------- both paths

    def _handle(
        self,
        data: bytes,
        client_ip: str,
        transport: str,
        reply: Reply,
        hits: list[Any] | None = None,
    ) -> asyncio.Task[None] | None:
        """Answer one packet now (memo hit or error) or start resolving it. A memo hit
        joins `hits`, the burst's, when given (it is logged and counted with them, in
        arrival order).

        Returns the task when the answer comes later, else None."""
        started = time.perf_counter()
        stats = self.stats
        stats.queries += 1
        try:
            parsed = wire.parse_query(data)
        except wire.UnreadablePacketError:
            stats.dropped += 1
            return None
        except wire.QueryError as exc:
            if not self._error_budget.allow(client_ip):
                stats.errors_unanswered += 1
                return None
            stats.error_answers += 1
            reply(self._error_answer(data, exc))
            return None
        try:
            profile_for = self._profile_for
            who = profile_for(client_ip) if profile_for is not None else client_ip
            key: _MemoKey = (
                who,
                data[12 : parsed.name_end].lower(),
                parsed.qtype,
                parsed.qclass,
                parsed.edns,
                parsed.do_bit,
            )
            entry = self._memo.get(key)
            if isinstance(entry, tuple):
                entry = self._first_hit(key, entry)
            if entry is not None:
                now = self._clock()
                if now < entry.expires_at:
                    elapsed = int(now - entry.stored_at)
                    answer = wire.for_query(entry.aged(elapsed), data, parsed.name_end)
                    if transport == "udp":
                        self._remember_exact(who, data, entry, parsed)
                    self._send(answer, parsed, transport, reply)
                    latency = time.perf_counter() - started
                    if hits is None:
                        stats.memo_hits += 1
                        self._log.add_hits([transport, entry, client_ip, latency])
                    else:
                        stats.queries -= 1  # counted with the burst's (`_count_hits`)
                        hits += (entry, client_ip, latency)
                    return None
                self._memo.pop(key, None)
        except Exception:
            self._log_error("the memo lookup failed")
            stats.servfail += 1
            reply(self._servfail(data, parsed))
            return None
        if len(self._tasks) >= self.limits.max_pending:
            stats.overloaded += 1
            stats.servfail += 1
            reply(self._servfail(data, parsed))
            return None
        assert self._loop is not None
        task = self._loop.create_task(
            self._resolve(data, parsed, key, client_ip, transport, reply, started)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _resolve(
        self,
        data: bytes,
        parsed: wire.ParsedQuery,
        key: _MemoKey,
        client_ip: str,
        transport: str,
        reply: Reply,
        started: float,
    ) -> None:
        chain = self._chain
        generation = self._generation
        try:
            name = answer_wire.question_name(data, parsed.name_end)
        except ValueError as exc:
            self.stats.error_answers += 1
            reply(
                self._error_answer(
                    data,
                    wire.QueryError(
                        wire.RCODE_FORMERR,
                        f"unreadable question name: {exc}",
                        question_end=parsed.question_end,
                        edns=parsed.edns,
                        do_bit=parsed.do_bit,
                    ),
                )
            )
            return
        # The chain gets the query's own bytes: only a link that needs records parses them.
        query = Query(
            message=Message(data),
            name=name,
            qtype=parsed.qtype,
            client_ip=client_ip,
            transport=transport,
        )
        try:
            async with asyncio.timeout(self.limits.resolve_timeout):
                result = await chain.resolve(query)
            answer = self._pack(query, result, data, parsed)
        except Exception as exc:
            if isinstance(exc, TimeoutError):
                timeout = self.limits.resolve_timeout
                reason = f"server error: no answer from the chain in {timeout} s"
                # The name only at DEBUG: at the default level the log holds no browsing history.
                logger.debug("%s for %s %s", reason, query.name, QTYPE.get(query.qtype))
                self._warnings.warning("chain-timeout", "SERVFAIL: %s", reason)
            else:
                reason = f"server error: {type(exc).__name__}: {exc}"
                logger.debug("the resolver chain failed for %s", query.name)
                self._log_error("the resolver chain failed")
            self.stats.servfail += 1
            answer = self._servfail(data, parsed)
            result = Result(
                message=Message(answer),
                answer_type=AnswerType.FAILED,
                reason=failure_reason(reason),
            )
            self._send(answer, parsed, transport, reply)
            self._log.add((query, result, time.perf_counter() - started))
            return
        self.stats.chain_answers += 1
        answered_at = self._clock()  # the memo ages from here, not from after the send
        answered_wall = self._wall_clock().timestamp()  # and grants and schedules count
        self._send(answer, parsed, transport, reply)
        self._log.add((query, result, time.perf_counter() - started))
        if generation == self._generation:
            # The exact memo (and the C fast path's) learns it at its first hit: most
            # misses are never asked again, and each exact entry is two tracked objects.
            self._memoise(key, answer, data, query, result, answered_at, answered_wall)

    # ---------------------------------------------------------------- answers

    def _send(self, answer: bytes, parsed: wire.ParsedQuery, transport: str, reply: Reply) -> None:
        if transport == "udp" and len(answer) > wire.MIN_UDP_PAYLOAD:
            answer = self._fit_udp(answer, parsed)
        reply(answer)

    def _fit_udp(self, answer: bytes, parsed: wire.ParsedQuery) -> bytes:
        """`answer`, or its truncated form when it is larger than the client accepts."""
        limit = (
            min(parsed.udp_size, self.limits.max_udp_payload)
            if parsed.edns
            else wire.MIN_UDP_PAYLOAD
        )
        if len(answer) <= limit:
            return answer
        self.stats.truncated += 1
        opt = self._opt_cache[parsed.do_bit] if parsed.edns else None
        return wire.truncated(answer, parsed.question_end, opt)

    def _pack(self, query: Query, result: Result, data: bytes, parsed: wire.ParsedQuery) -> bytes:
        """The chain's response as the client gets it: the request's ID, RD, CD and exact
        question, no OPT of the chain's own, and ours when the client sent one."""
        packed = wire.readdress(result.message.wire, data, parsed.name_end, parsed.question_end)
        if packed is None:
            packed = self._rebuild(query.request, result.response)
        if len(packed) > 65535 - 11:
            raise ValueError(f"answer of {len(packed)} bytes does not fit a DNS message")
        if parsed.edns:
            packed = wire.with_opt(packed, self._opt_cache[parsed.do_bit])
        return packed

    def _rebuild(self, request: DNSRecord, response: DNSRecord) -> bytes:
        """The slow way of `_pack`, for responses whose bytes cannot simply be re-addressed."""
        header = DNSHeader(id=request.header.id, bitmap=response.header.bitmap)
        header.qr = 1
        header.tc = 0
        header.rd = request.header.rd
        header.cd = request.header.cd
        record = DNSRecord(
            header,
            questions=request.questions,
            rr=response.rr,
            auth=response.auth,
            ar=[rr for rr in response.ar if rr.rtype != QTYPE.OPT],
        )
        packed: bytes = record.pack()
        return packed

    def _memoise(
        self,
        key: _MemoKey,
        answer: bytes,
        request_packet: bytes,
        query: Query,
        result: Result,
        now: float,
        wall: float,
    ) -> None:
        limits = self.limits
        if limits.memo_size <= 0:
            return None
        rcode = answer[3] & 0x0F
        if rcode not in (wire.RCODE_NOERROR, wire.RCODE_NXDOMAIN):
            return None
        if result.answer_type is AnswerType.FAILED:
            return None
        if self._profile_for is not None and result.profile not in (None, key[0]):
            return None  # the chain chose another profile than the key says: do not trust it
        try:
            ttls = wire.record_ttls(answer)
        except ValueError:
            return None
        if ttls.ttls:
            ttl = min(ttls.ttls)
        elif result.answer_type in _LOCAL_ANSWER_TYPES:
            ttl = limits.local_answer_ttl
        else:
            return None
        if ttl <= 0:
            return None
        lifetime = float(ttl)
        if result.answer_type in _POLICY_ANSWER_TYPES and limits.policy_answer_seconds > ttl:
            lifetime = float(limits.policy_answer_seconds)
            ttls = _UNAGED
        try:
            change = self._policy_changes_at(wall)
        except Exception:
            self._log_error("policy_changes_at failed; memo entries end at the next minute")
            change = next_minute(wall)
        if change is not None:
            lifetime = min(lifetime, change - wall)
        stored_at = now
        if result.valid_until is not None:  # a parent's approval ends then
            left = result.valid_until - wall
            lifetime = min(lifetime, left)
            if ttls.ttls:
                # Age it as if stored when its time left was whole seconds: every copy
                # served carries no more TTL than the approval has left.
                stored_at = now - max(0.0, max(ttls.ttls) + 1 - left)
        if lifetime <= 0:
            return None
        memo_type = _MEMO_ANSWER_TYPE.get(result.answer_type, result.answer_type)
        stored: _StoredAnswer = (
            answer,
            ttls.offsets,
            ttls.ttls,
            stored_at,
            now + lifetime,
            request_packet,
            query.name,
            query.qtype,
            result.profile if result.profile is not None else query.profile,
            self._outcome_ref((memo_type, result.reason, result.profile, result.valid_until)),
        )
        memo = self._memo
        memo[key] = stored
        memo.move_to_end(key)
        while len(memo) > limits.memo_size:
            memo.popitem(last=False)
        return None

    def _outcome_ref(self, outcome: _Outcome) -> object:
        """The outcome's index in the table (an int: untracked), or the outcome itself
        when it cannot be held there."""
        try:
            index = self._outcome_index.get(outcome)
        except TypeError:  # a reason that cannot be hashed: held by the entry itself
            return outcome
        if index is not None:
            return index
        if len(self._outcomes) >= _MAX_OUTCOMES:
            return outcome
        index = len(self._outcomes)
        self._outcomes.append(outcome)
        self._outcome_index[outcome] = index
        return index

    def _first_hit(self, key: _MemoKey, stored: _StoredAnswer) -> _MemoEntry:
        """The entry a stored answer becomes when it is asked for again (kept in its place)."""
        response, offsets, ttls, stored_at, expires_at, request, name, qtype, profile, ref = stored
        outcome = self._outcomes[ref] if isinstance(ref, int) else cast(_Outcome, ref)
        entry = _MemoEntry(
            response=response,
            ttls=wire.RecordTtls(offsets, ttls),
            stored_at=stored_at,
            expires_at=expires_at,
            request=request,
            name=name,
            qtype=qtype,
            profile=profile,
            outcome=outcome,
        )
        self._memo[key] = entry
        return entry

    def _error_answer(self, data: bytes, exc: wire.QueryError) -> bytes:
        opt = (
            wire.opt_record(self.limits.max_udp_payload, exc.do_bit, exc.rcode)
            if exc.edns
            else None
        )
        return wire.error_response(data, exc.rcode & 0x0F, exc.question_end, opt)

    def _servfail(self, data: bytes, parsed: wire.ParsedQuery) -> bytes:
        opt = self._opt_cache[parsed.do_bit] if parsed.edns else None
        return wire.error_response(data, wire.RCODE_SERVFAIL, parsed.question_end, opt)

    def _log_error(self, message: str) -> None:
        """Log with the traceback, at most once per interval so a broken chain cannot
        flood the log (with a count of the lines held back)."""
        if not self._warnings.error(message, message, exc_info=True):
            logger.debug(message, exc_info=True)
