"""The listener under many, slow or greedy connections, over real sockets on loopback:
idle and half-sent connections cost no thread, a thousand connections open and are served
in seconds, the caps per client and in total refuse the excess at once while others are
served, and the idle and body timeouts close what stalls."""

from __future__ import annotations

import contextlib
import http.client
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers_api import RunningApi, running_api

from agent.api.http import Request
from agent.api.server import HttpLimits

HEALTH = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def _wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        time.sleep(0.01)


def _source_address_or_skip(address: str) -> None:
    """Loopback source addresses other than 127.0.0.1 stand in for other clients."""
    with socket.socket() as probe:
        try:
            probe.bind((address, 0))
        except OSError:
            pytest.skip(f"cannot send from {address} here")


def _connect(api: RunningApi, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", api.port), timeout=5, source_address=(source, 0))
    return sock


def _read_answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _read_one_answer(sock: socket.socket) -> bytes:
    """One answer with a Content-Length, on a connection that stays open."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        body += chunk
    return head + b"\r\n\r\n" + body


def _health_from(api: RunningApi, source: str) -> int:
    connection = http.client.HTTPConnection(
        "127.0.0.1", api.port, timeout=5, source_address=(source, 0)
    )
    try:
        connection.request("GET", "/api/health")
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@contextlib.contextmanager
def _sockets() -> Iterator[list[socket.socket]]:
    opened: list[socket.socket] = []
    try:
        yield opened
    finally:
        for sock in opened:
            sock.close()


def _enough_open_files(needed: int) -> None:
    resource = pytest.importorskip("resource")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.skip(f"needs {needed} open files; the limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def test_two_hundred_slow_connections_cost_no_thread_and_others_are_served(
    tmp_path: Path,
) -> None:
    """Idle, half a request head, half a body: 200 of them, from four addresses (so the
    per-client cap is not what is measured), and the thread count does not move."""
    sources = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
    for source in sources:
        _source_address_or_skip(source)
    with running_api(tmp_path) as api, _sockets() as slow:
        assert _health_from(api, "127.0.0.1") == 200  # the handler pool's first thread
        threads_before = threading.active_count()
        for number in range(200):
            sock = _connect(api, sources[number % len(sources)])
            kind = number % 3
            if kind == 1:  # a request head that never ends
                sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0")
            elif kind == 2:  # a whole head, a body that never ends
                sock.sendall(
                    b"POST /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"pi'
                )
            slow.append(sock)
        _wait_until(lambda: api.server.connection_stats.open == 200)

        started = time.monotonic()
        assert _health_from(api, "127.0.0.1") == 200
        assert time.monotonic() - started < 2

        # A thread per connection would be 200 more; the loop and the pool are all there is.
        assert threading.active_count() <= threads_before + 1
        assert api.server.connection_stats.refused_over_client_cap == 0

        started = time.monotonic()
    # stop() ended all 200 at once
    assert time.monotonic() - started < 3


def test_a_thousand_connections_open_and_are_served_in_seconds(tmp_path: Path) -> None:
    _enough_open_files(2600)
    limits = HttpLimits(max_connections=1100, max_connections_per_client=1100)
    with running_api(tmp_path, limits=limits) as api, _sockets() as opened:
        started = time.monotonic()
        for _ in range(1000):
            opened.append(_connect(api))
        connected = time.monotonic() - started
        assert connected < 5, f"opening 1,000 connections took {connected:.1f} s"

        for sock in opened:
            sock.sendall(HEALTH)
        answers = [_read_one_answer(sock) for sock in opened]
        elapsed = time.monotonic() - started
        assert all(answer.startswith(b"HTTP/1.1 200 ") for answer in answers)
        assert elapsed < 15, f"1,000 connections and answers took {elapsed:.1f} s"
        assert api.server.connection_stats.open == 1000


def test_the_cap_per_client_refuses_at_once_while_another_client_is_served(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _source_address_or_skip("127.0.0.2")
    caplog.set_level(logging.WARNING, logger="agent.api.server")
    limits = HttpLimits(max_connections=64, max_connections_per_client=4, idle_timeout=30)
    with running_api(tmp_path, limits=limits) as api, _sockets() as held:
        for _ in range(4):
            held.append(_connect(api))
        _wait_until(lambda: api.server.connection_stats.open == 4)

        for attempt in range(3):
            started = time.monotonic()
            with _connect(api) as extra:
                answer = _read_answer(extra)
            assert time.monotonic() - started < 2
            assert answer.startswith(b"HTTP/1.1 503 ")
            assert b'"error":"too_many_connections"' in answer
            assert b"Retry-After: 5" in answer
            assert api.server.connection_stats.refused_over_client_cap == attempt + 1

        # Another client is served meanwhile, and the first one's held connections still work.
        assert _health_from(api, "127.0.0.2") == 200
        held[0].sendall(HEALTH)
        assert _read_one_answer(held[0]).startswith(b"HTTP/1.1 200 ")

        # Counted every time, logged once (with the address, no request content).
        refusals = [r for r in caplog.records if "refused a connection" in r.getMessage()]
        assert len(refusals) == 1
        assert "127.0.0.1" in refusals[0].getMessage()

        # A released slot is free again.
        held.pop().close()
        _wait_until(lambda: api.server.connection_stats.open == 3)
        assert _health_from(api, "127.0.0.1") == 200


def test_the_total_cap_refuses_a_new_client_once_full(tmp_path: Path) -> None:
    _source_address_or_skip("127.0.0.3")
    limits = HttpLimits(max_connections=6, max_connections_per_client=100, idle_timeout=30)
    with running_api(tmp_path, limits=limits) as api, _sockets() as held:
        for _ in range(6):
            held.append(_connect(api))
        _wait_until(lambda: api.server.connection_stats.open == 6)
        with _connect(api, "127.0.0.3") as extra:
            assert _read_answer(extra).startswith(b"HTTP/1.1 503 ")
        assert api.server.connection_stats.refused_over_total_cap == 1

        held.pop().close()
        _wait_until(lambda: api.server.connection_stats.open == 5)
        assert _health_from(api, "127.0.0.3") == 200


def test_idle_and_half_sent_connections_are_closed_after_the_idle_timeout(
    tmp_path: Path,
) -> None:
    limits = HttpLimits(idle_timeout=0.5)
    with running_api(tmp_path, limits=limits) as api, _sockets() as opened:
        idle = _connect(api)
        half_head = _connect(api)
        half_head.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        kept_alive = _connect(api)
        kept_alive.sendall(HEALTH)
        assert _read_one_answer(kept_alive).startswith(b"HTTP/1.1 200 ")
        opened.extend((idle, half_head, kept_alive))

        started = time.monotonic()
        for sock in opened:
            assert _read_answer(sock) == b""  # closed by the server, nothing more said
        assert time.monotonic() - started < 3
        _wait_until(lambda: api.server.connection_stats.open == 0)


def test_a_body_that_does_not_arrive_in_time_is_a_408(tmp_path: Path) -> None:
    limits = HttpLimits(body_timeout=0.5)
    with running_api(tmp_path, limits=limits) as api, _connect(api) as sock:
        sock.sendall(
            b"POST /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"pin"'
        )
        started = time.monotonic()
        answer = _read_answer(sock)
        assert time.monotonic() - started < 3
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert b'"error":"request_timeout"' in answer
        assert not api.auth.pins.is_set()


def test_a_slow_handler_does_not_hold_up_the_listener(tmp_path: Path) -> None:
    """Handlers run in the pool, not on the event loop: one that blocks on something (as
    SQLite may) does not delay the next request."""
    release = threading.Event()

    def blocking(request: Request) -> object:
        release.wait(5)
        return {"done": True}

    with running_api(tmp_path) as api:
        api.server.router.add("GET", "/api/blocking", blocking)
        blocked = _connect(api)
        try:
            blocked.sendall(b"GET /api/blocking HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            time.sleep(0.1)
            started = time.monotonic()
            assert _health_from(api, "127.0.0.1") == 200
            assert time.monotonic() - started < 1
            release.set()
            assert b'{"done":true}' in _read_one_answer(blocked)
        finally:
            release.set()
            blocked.close()


def test_malformed_requests_are_answered_in_the_error_shape_without_a_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with running_api(tmp_path) as api:
        for garbage in (
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40,  # TLS hello
            b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n",
            b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            b"GET /api/health HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n",
            b"BREW /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        ):
            with _connect(api) as sock:
                sock.sendall(garbage)
                answer = _read_answer(sock)
            head, _, body = answer.partition(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            assert 400 <= status < 600 and status != 500, head
            assert b"application/json" in head
            assert body.startswith(b'{"error":"')
        assert _health_from(api, "127.0.0.1") == 200
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING]
