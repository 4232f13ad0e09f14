"""Warnings the DNS filter would log once per query are throttled (one per kind per
interval, with a count of those held back) and name no domain at the default level: the
names a child looked up are browsing history, logged at DEBUG only."""

from __future__ import annotations

import asyncio
import logging

import pytest
from dnslib import RCODE, DNSRecord
from test_resolver_cache import START, BrokenLink, make_query
from test_server import V4, ServerThread, udp_ask

from dns_filter.chain import Query, Resolver, Result
from dns_filter.clock import ManualClock
from dns_filter.log_throttle import LogThrottle
from dns_filter.reason import STALE_REASON
from dns_filter.resolvers.cache import CacheResolver
from dns_filter.resolvers.upstream import UpstreamResolver
from dns_filter.server import ServerLimits
from dns_filter.upstreams import UpstreamsFailedError

NAMES = [f"private-{number}.diary.example" for number in range(50)]


def _visible(caplog: pytest.LogCaptureFixture, level: int = logging.INFO) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= level]


def _debug(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]


def _no_name_in(lines: list[str]) -> None:
    for line in lines:
        assert "diary.example" not in line, line


def test_the_throttle_lets_one_line_per_kind_through_and_counts_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="test.throttle")
    clock = ManualClock(START)
    throttle = LogThrottle(logging.getLogger("test.throttle"), interval=60, clock=clock)
    assert throttle.warning("servfail", "SERVFAIL: %s", "timeout")
    for _ in range(99):
        assert not throttle.warning("servfail", "SERVFAIL: %s", "timeout")
    assert throttle.warning("other", "another kind")  # kinds are throttled apart
    assert throttle.suppressed("servfail") == 99
    clock.advance(59.9)
    assert not throttle.warning("servfail", "SERVFAIL: %s", "timeout")
    clock.advance(0.1)
    assert throttle.warning("servfail", "SERVFAIL: %s", "refused")
    assert _visible(caplog) == [
        "SERVFAIL: timeout",
        "another kind",
        "SERVFAIL: refused (and 100 more like this since the last one)",
    ]
    assert throttle.suppressed("servfail") == 0


def test_a_level_that_is_off_is_neither_logged_nor_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="test.throttle.off")
    throttle = LogThrottle(logging.getLogger("test.throttle.off"))
    assert not throttle.info("stale", "serving stale answers")
    assert throttle.suppressed("stale") == 0
    assert not caplog.records


class DeadUpstreams:
    """An upstream group whose every upstream fails, as when the line is down."""

    async def resolve(self, request: DNSRecord) -> object:
        raise UpstreamsFailedError(["udp://192.0.2.53:53: timed out"])


def _ask_all(resolver: Resolver, queries: list[Query]) -> list[Result]:
    async def run() -> list[Result]:
        return [await resolver.resolve(query) for query in queries]

    return asyncio.run(run())


def test_servfail_for_every_query_is_one_warning_without_names(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    resolver = UpstreamResolver(DeadUpstreams())  # type: ignore[arg-type]
    results = _ask_all(resolver, [make_query(name) for name in NAMES])
    assert all(result.response.header.rcode == RCODE.SERVFAIL for result in results)
    warnings = _visible(caplog, logging.WARNING)
    assert warnings == ["SERVFAIL: all upstreams failed: udp://192.0.2.53:53: timed out"]
    _no_name_in(_visible(caplog))


def test_the_names_are_there_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="dns_filter")
    resolver = UpstreamResolver(DeadUpstreams())  # type: ignore[arg-type]
    _ask_all(resolver, [make_query(name) for name in NAMES[:3]])
    debug = _debug(caplog)
    for name in NAMES[:3]:
        assert any(name in line for line in debug)
    _no_name_in(_visible(caplog))


def test_the_cache_logs_failures_below_it_and_stale_answers_without_names(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    clock = ManualClock(START)
    below = BrokenLink()
    cache = CacheResolver(below, clock=clock)
    _ask_all(cache, [make_query(name) for name in NAMES])
    clock.advance(61)  # every entry expired; the link below breaks
    below.broken = True
    stale = _ask_all(cache, [make_query(name) for name in NAMES])
    assert all(result.reason == STALE_REASON for result in stale)
    failed = _ask_all(cache, [make_query(f"new-{name}") for name in NAMES])
    assert all(result.response.header.rcode == RCODE.SERVFAIL for result in failed)

    lines = _visible(caplog)
    _no_name_in(lines)
    assert len([line for line in lines if "failed below the cache" in line]) == 1
    assert len([line for line in lines if "serving stale" in line]) == 1


class Slow(Resolver):
    async def resolve(self, query: Query) -> Result:
        await asyncio.sleep(1)
        raise AssertionError("the server should have given up")


class Exploding(Resolver):
    async def resolve(self, query: Query) -> Result:
        raise RuntimeError("the chain is broken")


@pytest.mark.parametrize("chain", [Slow(), Exploding()], ids=["timeout", "exception"])
def test_the_server_logs_a_failing_chain_once_and_without_names(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, chain: Resolver
) -> None:
    monkeypatch.setenv("BAOAN_DNS_FASTPATH", "0")
    caplog.set_level(logging.INFO)
    server = ServerThread(chain, limits=ServerLimits(resolve_timeout=0.05))
    try:
        for name in NAMES[:10]:
            answer = udp_ask(V4, server.port(), DNSRecord.question(name, "A"))
            assert answer.header.rcode == RCODE.SERVFAIL
    finally:
        server.close()
    failures = [
        record
        for record in caplog.records
        if record.levelno >= logging.WARNING and record.name == "dns_filter.server"
    ]
    assert len(failures) == 1
    _no_name_in(_visible(caplog))
    assert not any(
        name in str(record.exc_info) for record in failures for name in NAMES if record.exc_info
    )
