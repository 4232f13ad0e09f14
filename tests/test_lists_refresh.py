"""Refreshing list sources from a real loopback HTTP server: ETag/304, failures that keep
the last good copy, the size cap, the time limit, the atomic swap, the state kept."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from agent.lists_service import JsonListStateStore, load_list_matchers, refresh_lists
from dns_filter.clock import ManualClock
from dns_filter.lists import (
    FetchSettings,
    ListSource,
    RefreshStatus,
    SourceState,
    describe_source,
    refresh_source,
)


@dataclass
class Route:
    body: bytes
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0  # seconds to wait before each body chunk


@dataclass
class ListServer:
    base: str
    routes: dict[str, Route]
    requests: list[dict[str, str]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@pytest.fixture
def list_server() -> Iterator[ListServer]:
    routes: dict[str, Route] = {}
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            route = routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.end_headers()
                return
            if route.status != 200:
                self.send_error(route.status)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(route.body)))
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            self.end_headers()
            for start in range(0, len(route.body), 4096):
                if route.delay:
                    time.sleep(route.delay)
                try:
                    self.wfile.write(route.body[start : start + 4096])
                except OSError:
                    return

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ListServer(f"http://127.0.0.1:{server.server_address[1]}", routes, seen)
    finally:
        server.shutdown()
        server.server_close()


_clock = ManualClock(datetime(2026, 7, 1, 8, 0, tzinfo=UTC))


def test_download_then_not_modified_with_etag(
    list_server: ListServer, blocklists_dir: Path, tmp_path: Path
) -> None:
    body = (blocklists_dir / "hostsvn" / "adult-domain-VN.txt").read_bytes()
    list_server.routes["/adult.txt"] = Route(
        body, etag='"v1"', last_modified="Wed, 01 Jul 2026 00:00:00 GMT"
    )
    source = ListSource("adult", list_server.url("/adult.txt"))
    lists_dir = tmp_path / "lists"

    first = refresh_source(source, lists_dir, clock=_clock)
    assert first.status is RefreshStatus.UPDATED
    assert first.state.count == 1895 and first.state.etag == '"v1"'
    assert source.copy_path(lists_dir).read_bytes() == body

    second = refresh_source(source, lists_dir, first.state, clock=_clock)
    assert second.status is RefreshStatus.NOT_MODIFIED
    assert list_server.requests[-1]["if-none-match"] == '"v1"'
    assert list_server.requests[-1]["if-modified-since"] == "Wed, 01 Jul 2026 00:00:00 GMT"
    assert second.state.count == 1895 and second.state.error is None
    assert not list(lists_dir.glob("*.part"))


def _seed(list_server: ListServer, lists_dir: Path, body: bytes) -> tuple[ListSource, SourceState]:
    list_server.routes["/l.txt"] = Route(body, etag='"good"')
    source = ListSource("gambling", list_server.url("/l.txt"))
    good = refresh_source(source, lists_dir)
    assert good.status is RefreshStatus.UPDATED
    return source, good.state


@pytest.mark.parametrize("failure", ["http500", "size_cap", "no_valid_lines", "refused"])
def test_failures_keep_the_last_good_copy(
    failure: str, list_server: ListServer, blocklists_dir: Path, tmp_path: Path
) -> None:
    lists_dir = tmp_path / "lists"
    body = (blocklists_dir / "hostsvn" / "gambling-domain-VN.txt").read_bytes()
    source, good_state = _seed(list_server, lists_dir, body)
    settings = FetchSettings(max_bytes=10 * 1024 * 1024)
    if failure == "http500":
        list_server.routes["/l.txt"] = Route(b"", status=500)
    elif failure == "size_cap":
        list_server.routes["/l.txt"] = Route(body * 4, etag='"big"')
        settings = FetchSettings(max_bytes=len(body) * 2)
    elif failure == "no_valid_lines":
        list_server.routes["/l.txt"] = Route(b"<html>maintenance</html>\n1.2.3.4\n", etag='"bad"')
    else:
        source = ListSource("gambling", "http://127.0.0.1:9/l.txt")  # nothing listens there
        source_copy = ListSource("gambling", list_server.url("/l.txt")).copy_path(lists_dir)
        source.copy_path(lists_dir).write_bytes(source_copy.read_bytes())
    outcome = refresh_source(source, lists_dir, good_state, settings=settings)
    assert outcome.status is RefreshStatus.FAILED
    assert outcome.has_copy
    assert outcome.error
    assert outcome.state.error == outcome.error
    assert outcome.state.count == 3747  # the last good counts stay
    assert source.copy_path(lists_dir).read_bytes() == body
    assert not list(lists_dir.glob("*.part")), "no temp file is left behind"
    matcher = load_list_matchers({"gambling": [source.location]}, tmp_path)["gambling"]
    assert matcher.match("www.0788.vip") is not None or len(matcher) > 3700


def test_error_messages_say_why(list_server: ListServer, tmp_path: Path) -> None:
    list_server.routes["/500"] = Route(b"", status=500)
    list_server.routes["/big"] = Route(b"a.example\n" * 1000)
    outcome = refresh_source(ListSource("adult", list_server.url("/500")), tmp_path)
    assert "500" in (outcome.error or "")
    assert not outcome.has_copy
    big = refresh_source(
        ListSource("adult", list_server.url("/big")),
        tmp_path,
        settings=FetchSettings(max_bytes=100),
    )
    assert big.status is RefreshStatus.FAILED and "MiB" in (big.error or "")


def test_slow_server_hits_the_time_limit(list_server: ListServer, tmp_path: Path) -> None:
    list_server.routes["/slow"] = Route(b"a.example\n" * 2000, delay=0.3)
    settings = FetchSettings(timeout=0.2, total_timeout=0.5)
    started = time.monotonic()
    outcome = refresh_source(
        ListSource("adult", list_server.url("/slow")), tmp_path, settings=settings
    )
    assert outcome.status is RefreshStatus.FAILED
    assert time.monotonic() - started < 5
    assert not list(tmp_path.glob("*.part"))


def test_local_file_source_and_atomic_swap(tmp_path: Path) -> None:
    local = tmp_path / "family-list.txt"
    local.write_text("one.example\n")
    source = ListSource("games", str(local))
    lists_dir = tmp_path / "lists"
    first = refresh_source(source, lists_dir)
    assert first.status is RefreshStatus.UPDATED
    copy = source.copy_path(lists_dir)
    inode = copy.stat().st_ino
    same = refresh_source(source, lists_dir, first.state)
    assert same.status is RefreshStatus.NOT_MODIFIED
    local.write_text("one.example\ntwo.example\n")
    second = refresh_source(source, lists_dir, same.state)
    assert second.status is RefreshStatus.UPDATED and second.state.count == 2
    assert copy.stat().st_ino != inode, "a new file is renamed into place, not rewritten"
    local.unlink()
    gone = refresh_source(source, lists_dir, second.state)
    assert gone.status is RefreshStatus.FAILED and gone.has_copy
    assert copy.read_text() == "one.example\ntwo.example\n"


def test_refresh_lists_records_state_and_loads_matchers(
    list_server: ListServer, blocklists_dir: Path, tmp_path: Path
) -> None:
    list_server.routes["/adult"] = Route(
        (blocklists_dir / "hostsvn" / "adult-filter.txt").read_bytes(), etag='"a"'
    )
    list_server.routes["/down"] = Route(b"", status=503)
    lists = {"adult": (list_server.url("/adult"), list_server.url("/down"))}
    outcomes = refresh_lists(lists, tmp_path, clock=_clock)
    assert [o.status for o in outcomes] == [RefreshStatus.UPDATED, RefreshStatus.FAILED]
    store = JsonListStateStore(tmp_path / "lists" / "state.json")
    saved = store.get("adult", list_server.url("/adult"))
    assert saved is not None and saved.count == 22492 and saved.bad_lines == 3
    assert saved.bad_samples[0].line_number == 2228
    assert saved.updated_at == _clock.now()
    failed = store.get("adult", list_server.url("/down"))
    assert failed is not None and "503" in (failed.error or "")
    again = refresh_lists(lists, tmp_path, clock=_clock)
    assert again[0].status is RefreshStatus.NOT_MODIFIED
    adult = load_list_matchers(lists, tmp_path)["adult"]
    match = adult.match("www.0-bbs.com")
    assert match == "0-bbs.com"
    assert match is not None and match.list_id == describe_source(list_server.url("/adult"))
    assert adult.match("pornhub.com") is not None  # the starter list is there too
