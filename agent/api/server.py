"""The agent's HTTP listener on loopback: the API under /api/ and the child's pages.

A standard-library ``ThreadingHTTPServer`` in its own thread: the API serves a handful
of local clients (dashboard, tray, ``baoan status``), so a thread per connection is
plenty and brings no dependency. What it guards:

* every ``/api/`` request: the Host header must name this machine (``localhost``,
  ``127.0.0.1``, ``[::1]``, the bound address, or a name the parent added — with no port or
  the listener's port), else 403 ``host_not_allowed``: a page on another site that rebinds
  its DNS name to 127.0.0.1 still sends its own name. A browser's ``Origin`` header, when
  present, must be one of those too (403 ``origin_not_allowed``), and bodies must be
  ``application/json``, which a cross-site form cannot send without a CORS preflight that
  this server never grants.
* bodies larger than ``max_body_bytes`` are refused (413) unread; chunked bodies (411).
* a connection idle for ``request_timeout`` seconds is closed.
* pages (every path outside /api/) answer any Host: a blocked site's name points here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import socket
import threading
import urllib.parse
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from agent.api.http import (
    ApiError,
    Match,
    Request,
    Response,
    Router,
    html_response,
    is_api_path,
    json_response,
)
from agent.auth import Authenticator, Role

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8053
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
DEFAULT_MAX_BODY_BYTES = 64 * 1024

_NOT_FOUND_PAGE = (
    "<!doctype html><html lang='vi'><meta charset='utf-8'><title>Bảo An</title>"
    "<h1>Không tìm thấy trang</h1><p>Page not found.</p></html>"
)


def split_host(value: str) -> tuple[str, int | None] | None:
    """``"name:port"`` / ``"[::1]:port"`` → (lower-case name, port); None when malformed."""
    value = value.strip().lower()
    if not value:
        return None
    port_text: str | None = None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                return None
            port_text = rest[1:]
    elif value.count(":") == 1:
        name, port_text = value.split(":")
    elif ":" in value:
        return None  # a bare IPv6 address must be bracketed in a Host header
    else:
        name = value
    name = name.rstrip(".")
    if not name:
        return None
    if port_text is None:
        return name, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        return None
    return name, int(port_text)


class HostCheck:
    """Which Host (and Origin) values an /api/ request may carry."""

    def __init__(self, names: Iterable[str], port: int) -> None:
        self.names = frozenset(name.strip().lower().strip("[]").rstrip(".") for name in names)
        self.port = port

    def allows_host(self, header: str | None) -> bool:
        if header is None:
            return False
        parsed = split_host(header)
        if parsed is None:
            return False
        name, port = parsed
        return name in self.names and (port is None or port == self.port)

    def allows_origin(self, header: str) -> bool:
        parts = urllib.parse.urlsplit(header.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False  # includes the opaque origin "null"
        return self.allows_host(parts.netloc)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: HttpServer

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End kept-alive connections, so that nothing is answered after stop()."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer is not the agent's problem.
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "BaoAn"
    sys_version = ""

    def setup(self) -> None:
        # Close a connection that idles this long, so a stalled client holds no thread.
        self.request.settimeout(self.server.owner.request_timeout)
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        # Never the query string or headers: they can carry names and tokens.
        log.debug("%s %s", self.command, urllib.parse.urlsplit(self.path).path)

    # http.server looks these up by name: do_<METHOD>.
    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_OPTIONS(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        owner = self.server.owner
        target = urllib.parse.urlsplit(self.path)
        path = target.path or "/"
        try:
            response = owner.handle(self, path, target.query)
        except _AnswerAndCloseError as stop:
            self.close_connection = True
            response = stop.response
        self._send(response, api=is_api_path(path))

    def _send(self, response: Response, *, api: bool) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if api:
            self.send_header("Cache-Control", "no-store")
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)


class _AnswerAndCloseError(Exception):
    """Answer and close: the body was not read, so the connection cannot be reused."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


class HttpServer:
    """The listener: ``start()``, ``stop()``, and ``address`` / ``base_url`` once started."""

    def __init__(
        self,
        router: Router,
        authenticator: Authenticator,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        allowed_hosts: Iterable[str] = (),
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        request_timeout: float = 10.0,
    ) -> None:
        self.router = router
        self.authenticator = authenticator
        self._host = host
        self._port = port
        self._extra_hosts = tuple(allowed_hosts)
        self.max_body_bytes = max_body_bytes
        self.request_timeout = request_timeout
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._host_check = HostCheck(LOOPBACK_NAMES, port)

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the HTTP server is already running")
        server_class = _Server6 if ":" in self._host else _Server
        server = server_class((self._host.strip("[]"), self._port), _RequestHandler)
        server.owner = self
        self._server = server
        bound_host, bound_port = self.address
        self._host_check = HostCheck((*LOOPBACK_NAMES, bound_host, *self._extra_hosts), bound_port)
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"baoan-http-{bound_port}",
            daemon=True,
        )
        self._thread.start()
        log.info("HTTP API listening on %s", self.base_url)

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None
        log.info("HTTP API stopped")

    def __enter__(self) -> HttpServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def address(self) -> tuple[str, int]:
        """The bound (host, port); the real port when 0 was asked for."""
        if self._server is None:
            raise RuntimeError("the HTTP server is not running")
        sockname = self._server.socket.getsockname()
        return str(sockname[0]), int(sockname[1])

    @property
    def base_url(self) -> str:
        host, port = self.address
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    # -- one request ------------------------------------------------------------------------

    def handle(self, raw: BaseHTTPRequestHandler, path: str, query_text: str) -> Response:
        headers = {name.lower(): value for name, value in raw.headers.items()}
        api = is_api_path(path)
        try:
            # Read the body first, even for a refusal, so a kept-alive connection stays in step.
            body = self._read_body(raw, headers)
            if api:
                self._check_host_and_origin(headers)
            match = self.router.match(raw.command, path)
            request = Request(
                method=raw.command,
                path=path,
                query=urllib.parse.parse_qs(query_text, keep_blank_values=True),
                headers=headers,
                body=body,
                client_address=str(raw.client_address[0]),
                path_params=match.params if match else {},
            )
            if match is None:
                if api:
                    raise ApiError(404, "not_found", f"no API endpoint at {path}")
                fallback = self.router.page_fallback
                if fallback is None:
                    return html_response(_NOT_FOUND_PAGE, status=404)
                return _as_response(fallback(request))
            if api:
                request = self._authenticate(request, match, headers)
            return _as_response(match.route.handler(request))
        except _AnswerAndCloseError:
            raise
        except ApiError as error:
            return error.to_response()
        except Exception:
            log.exception("error while answering %s %s", raw.command, path)
            return json_response(
                {"error": "internal_error", "message": "lỗi bên trong Bảo An (internal error)"},
                status=500,
            )

    def _check_host_and_origin(self, headers: dict[str, str]) -> None:
        if not self._host_check.allows_host(headers.get("host")):
            raise ApiError(403, "host_not_allowed", "this Host is not allowed for the API")
        origin = headers.get("origin")
        if origin is not None and not self._host_check.allows_origin(origin):
            raise ApiError(403, "origin_not_allowed", "requests from other sites are refused")

    def _read_body(self, raw: BaseHTTPRequestHandler, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            raise _AnswerAndCloseError(
                ApiError(411, "length_required", "send a Content-Length").to_response()
            )
        length_text = headers.get("content-length")
        if length_text is None:
            return b""
        if not length_text.strip().isdigit():
            raise _AnswerAndCloseError(
                ApiError(400, "bad_request", "Content-Length is not a number").to_response()
            )
        length = int(length_text)
        if length > self.max_body_bytes:
            raise _AnswerAndCloseError(
                ApiError(
                    413,
                    "too_large",
                    f"the body is {length} bytes; at most {self.max_body_bytes} are accepted",
                ).to_response()
            )
        return raw.rfile.read(length) if length else b""

    def _authenticate(self, request: Request, match: Match, headers: dict[str, str]) -> Request:
        token = _bearer_token(headers.get("authorization"))
        role: Role | None = None
        if token is not None:
            role = self.authenticator.role_for(token)
            if role is None:
                raise ApiError(
                    401,
                    "invalid_token",
                    "the token is unknown or the session has expired; log in again",
                    headers={"WWW-Authenticate": "Bearer"},
                )
        needed = match.route.auth
        if needed == "parent" and role is not Role.PARENT:
            if role is None:
                raise ApiError(
                    401,
                    "auth_required",
                    "a parent session is needed (POST /api/session with the PIN)",
                    headers={"WWW-Authenticate": "Bearer"},
                )
            raise ApiError(403, "parent_only", "only a parent may do this")
        if needed == "child" and role is not Role.CHILD:
            if role is None:
                raise ApiError(
                    401,
                    "auth_required",
                    "the tray token is needed",
                    headers={"WWW-Authenticate": "Bearer"},
                )
            raise ApiError(403, "child_only", "only the child's tray may do this")
        return dataclasses.replace(request, role=role, token=token)


def _bearer_token(header: str | None) -> str | None:
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiError(
            401,
            "auth_required",
            "use 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return value.strip()


def _as_response(result: object) -> Response:
    if isinstance(result, Response):
        return result
    try:
        return json_response(result)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"a handler returned something that is not JSON: {exc}") from exc
