"""The agent's HTTP client against real loopback servers: answers, JSON, headers in any
case, redirects for a GET only, connections reused, nothing retried, the size cap on a
compressed body, a stream read line by line and closed from another thread, TLS
verified, and each failure as one of its own errors."""

from __future__ import annotations

import gzip
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dns_filter.http_client import (
    HttpBodyTooLargeError,
    HttpClient,
    HttpConnectionError,
    HttpError,
    HttpTimeoutError,
    HttpTlsError,
)

Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Server:
    url: str
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    connections: set[tuple[str, int]] = field(default_factory=set)
    release: threading.Event = field(default_factory=threading.Event)


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        return  # a client that hangs up early, or refuses the certificate: expected here


def _serve(server: ThreadingHTTPServer, tls: ssl.SSLContext | None = None) -> threading.Thread:
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def web() -> Iterator[Server]:
    state = Server("")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: connections can be reused

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?")[0]
            state.seen.append((self.command, self.path, dict(self.headers.items()), body))
            state.connections.add(self.client_address)
            route = state.routes.get(path)
            if route is None:
                self.send_error(404)
                return
            route(self)

        def do_GET(self) -> None:
            self._any()

        def do_POST(self) -> None:
            self._any()

        def do_DELETE(self) -> None:
            self._any()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = QuietServer(("127.0.0.1", 0), Handler)
    _serve(server)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


def answer(status: int, body: bytes, **headers: str) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def test_a_get_and_a_post_with_json_and_headers(web: Server) -> None:
    web.routes["/thing"] = answer(200, b'{"ok": true, "t\\u00ean": "B\\u1ea3o An"}',
                                  Content_Type="application/json", ETag='"v1"')
    web.routes["/publish"] = answer(200, b'{"id": "abc"}', Content_Type="application/json")
    with HttpClient() as client:
        got = client.get(f"{web.url}/thing", params={"since": "all", "n": 2},
                         headers={"Authorization": "Bearer t"}, timeout=5)
        assert got.status == 200 and got.ok
        assert got.json() == {"ok": True, "tên": "Bảo An"}
        assert got.headers["etag"] == got.headers["ETAG"] == '"v1"'  # any case
        posted = client.post(f"{web.url}/publish", json={"title": "Bảo An"}, timeout=5)
        assert posted.json() == {"id": "abc"}
    method, path, headers, _ = web.seen[0]
    assert (method, path) == ("GET", "/thing?since=all&n=2")
    assert headers["Authorization"] == "Bearer t"
    method, _, headers, body = web.seen[1]
    assert method == "POST" and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"title": "Bảo An"}


def test_connections_are_reused(web: Server) -> None:
    web.routes["/a"] = answer(200, b"a")
    with HttpClient() as client:
        for _ in range(3):
            assert client.get(f"{web.url}/a", timeout=5).content == b"a"
    assert len(web.seen) == 3 and len(web.connections) == 1


def test_an_error_status_is_an_answer_and_is_not_retried(web: Server) -> None:
    web.routes["/down"] = answer(503, b"busy")
    with HttpClient() as client:
        got = client.post(f"{web.url}/down", json={}, timeout=5)
        again = client.get(f"{web.url}/down", timeout=5)
    assert (got.status, got.text, got.ok) == (503, "busy", False)
    assert again.status == 503
    assert len(web.seen) == 2  # one call each: the callers retry on their own schedule


def test_a_get_follows_redirects_and_a_post_does_not(web: Server) -> None:
    web.routes["/old"] = answer(302, b"", Location="/new")
    web.routes["/new"] = answer(200, b"here")
    with HttpClient() as client:
        assert client.get(f"{web.url}/old", timeout=5).text == "here"
        posted = client.post(f"{web.url}/old", json={"x": 1}, timeout=5)
    assert posted.status == 302
    assert [(m, p) for m, p, _, _ in web.seen] == [
        ("GET", "/old"), ("GET", "/new"), ("POST", "/old")
    ]


def test_endless_redirects_are_an_error(web: Server) -> None:
    web.routes["/loop"] = answer(302, b"", Location="/loop")
    with HttpClient() as client, pytest.raises(HttpError, match="redirects"):
        client.get(f"{web.url}/loop", timeout=5)


def test_a_compressed_body_is_decoded_and_its_size_capped_after_decoding(web: Server) -> None:
    text = b"a.example\n" * 100_000  # 1 MB that compresses to a few kB
    packed = gzip.compress(text)
    web.routes["/list"] = answer(200, packed, Content_Encoding="gzip")
    with HttpClient() as client:
        with client.get(f"{web.url}/list", stream=True, timeout=5) as got:
            assert b"".join(got.iter_chunks(max_bytes=len(text))) == text
        with client.get(f"{web.url}/list", stream=True, timeout=5) as got:
            assert int(got.headers["Content-Length"]) < 100_000  # the declared size passes
            with pytest.raises(HttpBodyTooLargeError) as raised:
                for _ in got.iter_chunks(max_bytes=100_000):
                    pass
        assert raised.value.limit == 100_000
        assert web.seen[0][2]["Accept-Encoding"] == "gzip, deflate"


def test_a_declared_length_over_the_cap_is_refused_before_reading(web: Server) -> None:
    web.routes["/big"] = answer(200, b"x" * 5000)
    with HttpClient(max_body=1000) as client:
        with pytest.raises(HttpBodyTooLargeError):
            client.get(f"{web.url}/big", timeout=5)
        with client.get(f"{web.url}/big", stream=True, timeout=5) as got:
            chunks = got.iter_chunks(max_bytes=1000)
            with pytest.raises(HttpBodyTooLargeError):
                next(chunks)


def test_nothing_listening_is_a_connection_error() -> None:
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]  # closed at once: nothing listens there
    with HttpClient() as client, pytest.raises(HttpConnectionError) as raised:
        client.get(f"http://127.0.0.1:{port}/", timeout=5)
    assert "refused" in str(raised.value).lower()
    assert not isinstance(raised.value, HttpTimeoutError)


def test_an_unknown_name_is_a_connection_error() -> None:
    with HttpClient() as client, pytest.raises(HttpConnectionError):
        client.get("http://no-such-host.invalid/", timeout=5)


def test_a_server_that_does_not_answer_is_a_timeout(web: Server) -> None:
    web.routes["/silent"] = lambda handler: web.release.wait(30)
    with HttpClient() as client, pytest.raises(HttpTimeoutError):
        client.get(f"{web.url}/silent", timeout=0.3)
    assert len(web.seen) == 1  # not retried


def test_a_body_that_stops_coming_is_a_timeout(web: Server) -> None:
    def stalls(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        handler.wfile.write(b"half")
        handler.wfile.flush()
        web.release.wait(30)

    web.routes["/stalls"] = stalls
    with HttpClient() as client, pytest.raises(HttpTimeoutError):
        client.get(f"{web.url}/stalls", timeout=0.3)


def test_a_body_cut_short_is_an_error(web: Server) -> None:
    def cut(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        handler.wfile.write(b"only this")
        handler.close_connection = True

    web.routes["/cut"] = cut
    with HttpClient() as client, pytest.raises(HttpError) as raised:
        client.get(f"{web.url}/cut", timeout=5)
    assert not isinstance(raised.value, HttpTimeoutError)


def test_a_stream_is_read_line_by_line_as_it_comes_and_closed_from_another_thread(
    web: Server,
) -> None:
    sent_second = threading.Event()

    def chunk(handler: BaseHTTPRequestHandler, data: bytes) -> None:
        handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        handler.wfile.flush()

    def stream(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/x-ndjson")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk(handler, b'{"event": "open"}\n{"event": "mes')
        chunk(handler, b'sage", "message": "m\xe1\xbb\x99t"}\r\n')
        sent_second.set()
        web.release.wait(30)  # then nothing more, as a quiet topic

    web.routes["/topic/json"] = stream
    lines: list[bytes] = []
    two_lines = threading.Event()
    with HttpClient() as client:
        # Reads wait up to ten minutes: only the close can end this one in time.
        got = client.get(f"{web.url}/topic/json", stream=True, timeout=(5, 600))

        def read() -> None:
            try:
                for line in got.iter_lines():
                    lines.append(line)
                    if len(lines) == 2:
                        two_lines.set()
            except HttpError:
                pass  # the end of a stream closed under it

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert two_lines.wait(30), "each line is handled when it arrives"
        closer = threading.Thread(target=got.close, daemon=True)  # while the reader waits
        closer.start()
        closer.join(30)
        reader.join(30)
        assert not closer.is_alive() and not reader.is_alive(), "the close wakes the read"
    assert [json.loads(line) for line in lines] == [
        {"event": "open"}, {"event": "message", "message": "một"}
    ]


def test_tls_is_verified(certificate: tuple[Path, Path]) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            return

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    server = QuietServer(("127.0.0.1", 0), Handler)
    _serve(server, context)
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}/"
        # The server works for a client that trusts its certificate ...
        trusting = ssl.create_default_context(cafile=str(certificate[0]))
        with socket.create_connection(server.server_address[:2], timeout=5) as plain, \
                trusting.wrap_socket(plain, server_hostname="127.0.0.1") as wrapped:
            wrapped.sendall(b"GET / HTTP/1.0\r\n\r\n")
            assert wrapped.recv(100).startswith(b"HTTP/1.0 200")
        # ... and the agent's client, which does not, refuses it.
        with HttpClient() as client, pytest.raises(HttpTlsError) as raised:
            client.get(url, timeout=5)
        assert "certificate" in str(raised.value).lower()
    finally:
        server.shutdown()
        server.server_close()
