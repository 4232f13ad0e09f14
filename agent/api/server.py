"""The agent's HTTP listener: the API under /api/ and the child's pages.

aiohttp's low-level server on an asyncio loop of its own, in one thread (the DNS filter's
loop is another): an open connection costs a little memory, never a thread, so slow or
idle clients cannot use up the listener. The handlers stay plain synchronous functions
(they may wait on SQLite); they run in a small bounded thread pool, never on the loop.
What it guards:

* every ``/api/`` request: the Host header must name this machine (``localhost``,
  ``127.0.0.1``, ``[::1]``, the bound address, or a name the parent added — with no port or
  the listener's port), else 403 ``host_not_allowed``: a page on another site that rebinds
  its DNS name to 127.0.0.1 still sends its own name. A browser's ``Origin`` header, when
  present, must be one of those too (403 ``origin_not_allowed``), and bodies must be
  ``application/json``, which a cross-site form cannot send without a CORS preflight that
  this server never grants.
* bodies larger than ``max_body_bytes`` are refused (413) unread; chunked bodies (411); a
  body that does not arrive within ``body_timeout`` seconds is a 408.
* connections: at most ``max_connections`` open, ``max_connections_per_client`` from one
  address; one more gets a 503 ``too_many_connections`` at once and is closed, counted in
  :attr:`HttpServer.connection_stats` and logged (at most once a minute per kind). A
  connection idle for ``idle_timeout`` seconds, or that has not sent a whole request head
  by then, is closed.
* pages (every path outside /api/) answer any Host: a blocked site's name points here.
* every answer, error or not, is ``{"error": code, "message": text}`` JSON for the API
  (a malformed request too); nothing a client sends is logged at more than DEBUG.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
import sys
import threading
import urllib.parse
from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from agent.api.aiohttp_server import Listener

from agent.api.http import (
    SERVER_NAME,
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
from dns_filter.log_throttle import LogThrottle

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8053
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
DEFAULT_MAX_BODY_BYTES = 64 * 1024

# The methods the listener answers; any other is a 501 (as http.server did).
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_START_TIMEOUT_SECONDS = 10.0
_STOP_TIMEOUT_SECONDS = 5.0

_NOT_FOUND_PAGE = (
    "<!doctype html><html lang='vi'><meta charset='utf-8'><title>Bảo An</title>"
    "<h1>Không tìm thấy trang</h1><p>Page not found.</p></html>"
)


@dataclass(frozen=True)
class HttpLimits:
    """What one listener takes. The defaults fit a family PC and its home LAN: the tray,
    the dashboard and a few browsers, each with a few dozen connections at most."""

    max_connections: int = 512  # in total; well under a service's usual 1,024 open files
    max_connections_per_client: int = 128  # from one address (a browser opens many)
    backlog: int = 1024  # the kernel caps it at net.core.somaxconn
    idle_timeout: float = 10.0  # keep-alive, and a request head that never ends
    body_timeout: float = 10.0  # the whole body, once the head is in
    handler_threads: int = 8  # handlers run here, never on the event loop
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES


@dataclass(frozen=True)
class ConnectionStats:
    """Connections now open, and those refused since start, by which cap refused them."""

    open: int
    refused_over_client_cap: int
    refused_over_total_cap: int


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


# -- connections ---------------------------------------------------------------------------


class _ConnectionGate:
    """Counts open connections per client address; says no over either cap. Used only on
    the listener's loop thread, so it needs no lock."""

    def __init__(self, limits: HttpLimits) -> None:
        self._limits = limits
        self._per_client: Counter[str] = Counter()
        self._warnings = LogThrottle(log)
        self.open = 0
        self.refused_over_client_cap = 0
        self.refused_over_total_cap = 0

    def admit(self, client: str) -> bool:
        limits = self._limits
        if self.open >= limits.max_connections:
            self.refused_over_total_cap += 1
            self._warnings.warning(
                "total",
                "refused a connection: %d are open, the most this listener takes (%d refused "
                "so far)",
                self.open,
                self.refused_over_total_cap,
            )
            return False
        if self._per_client[client] >= limits.max_connections_per_client:
            self.refused_over_client_cap += 1
            self._warnings.warning(
                "per-client",
                "refused a connection from %s: it has %d open, the most one client may have "
                "(%d refused so far)",
                client,
                self._per_client[client],
                self.refused_over_client_cap,
            )
            return False
        self._per_client[client] += 1
        self.open += 1
        return True

    def release(self, client: str) -> None:
        self.open -= 1
        self._per_client[client] -= 1
        if self._per_client[client] <= 0:
            del self._per_client[client]

    def stats(self) -> ConnectionStats:
        return ConnectionStats(self.open, self.refused_over_client_cap, self.refused_over_total_cap)


def _wire_answer(response: Response) -> bytes:
    """A whole HTTP/1.1 answer that closes the connection, written without aiohttp."""
    status = HTTPStatus(response.status)
    head = [
        f"HTTP/1.1 {status.value} {status.phrase}",
        f"Content-Type: {response.content_type}",
        f"Content-Length: {len(response.body)}",
        "X-Content-Type-Options: nosniff",
        "Cache-Control: no-store",
        "Connection: close",
        f"Server: {SERVER_NAME}",
        *(f"{name}: {value}" for name, value in response.headers.items()),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.body


_BUSY_ANSWER = _wire_answer(
    ApiError(
        503,
        "too_many_connections",
        "too many connections are open; try again in a moment",
        headers={"Retry-After": "5"},
    ).to_response()
)

def _listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    """Bound and listening here, so that a taken port is an OSError from ``start()``."""
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if sys.platform != "win32":  # on Windows it would let another program share the port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def _as_latin1(text: str) -> str:
    """aiohttp's text of the request line (UTF-8, stray bytes escaped) as its bytes read
    as ISO-8859-1, like the headers."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


class _AnswerAndCloseError(Exception):
    """Answer and close: the body was not read, so the connection cannot be reused."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


# -- the listener --------------------------------------------------------------------------


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
        limits: HttpLimits | None = None,
    ) -> None:
        self.router = router
        self.authenticator = authenticator
        self.limits = limits or HttpLimits()
        self._host = host
        self._port = port
        self._extra_hosts = tuple(allowed_hosts)
        self._host_check = HostCheck(LOOPBACK_NAMES, port)
        self._gate = _ConnectionGate(self.limits)
        self._address: tuple[str, int] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._listener: Listener | None = None
        self._server: asyncio.Server | None = None

    @property
    def max_body_bytes(self) -> int:
        return self.limits.max_body_bytes

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> None:
        if self._loop is not None:
            raise RuntimeError("the HTTP server is already running")
        # aiohttp (about a seventh of the agent's start-up) is imported here, when the
        # listener starts, in this thread: the agent starts its DNS filter first.
        from agent.api.aiohttp_server import Listener

        sock = _listening_socket(self._host, self._port, self.limits.backlog)
        sockname = sock.getsockname()
        bound_host, bound_port = str(sockname[0]), int(sockname[1])
        self._address = (bound_host, bound_port)
        self._host_check = HostCheck((*LOOPBACK_NAMES, bound_host, *self._extra_hosts), bound_port)
        self._gate = _ConnectionGate(self.limits)
        loop = self._loop = asyncio.new_event_loop()
        self._pool = ThreadPoolExecutor(
            max_workers=self.limits.handler_threads,
            thread_name_prefix=f"baoan-http-{bound_port}-handler",
        )
        self._thread = threading.Thread(
            target=_run_loop, args=(loop,), name=f"baoan-http-{bound_port}", daemon=True
        )
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._open(sock, Listener), loop).result(
                timeout=_START_TIMEOUT_SECONDS
            )
        except BaseException:
            sock.close()
            self._end_loop()
            raise
        log.info("HTTP API listening on %s", self.base_url)

    async def _open(self, sock: socket.socket, listener: type[Listener]) -> None:
        self._listener = listener(
            self._serve,
            self._gate,
            _BUSY_ANSWER,
            keepalive_timeout=self.limits.idle_timeout,
            access_log=None,  # requests are logged at DEBUG, without their query
            auto_decompress=False,  # a compressed body could be far over the limit
            lingering_time=0,  # a refused body is not read: close at once
        )
        self._server = await asyncio.get_running_loop().create_server(
            self._listener, sock=sock, backlog=self.limits.backlog
        )

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()  # no new connections; the port is free
        if self._listener is not None:
            for connection in self._listener.connections:
                connection.force_close()  # nothing is answered after stop()
        current = asyncio.current_task()
        pending = [task for task in asyncio.all_tasks() if task is not current]
        for task in pending:
            task.cancel()  # a handler still running in the pool is not waited for
        if pending:
            await asyncio.wait(pending, timeout=_STOP_TIMEOUT_SECONDS)

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._close(), loop).result(
                timeout=_STOP_TIMEOUT_SECONDS * 2
            )
        except Exception:
            log.exception("the HTTP listener did not close cleanly")
        self._end_loop()
        log.info("HTTP API stopped")

    def _end_loop(self) -> None:
        loop, thread, pool = self._loop, self._thread, self._pool
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=_STOP_TIMEOUT_SECONDS)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        self._loop = self._thread = self._pool = None
        self._listener = self._server = None
        self._address = None

    def __enter__(self) -> HttpServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._loop is not None

    @property
    def address(self) -> tuple[str, int]:
        """The bound (host, port); the real port when 0 was asked for."""
        if self._address is None:
            raise RuntimeError("the HTTP server is not running")
        return self._address

    @property
    def base_url(self) -> str:
        host, port = self.address
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    @property
    def connection_stats(self) -> ConnectionStats:
        return self._gate.stats()

    # -- one request, on the loop -----------------------------------------------------------

    async def _serve(self, raw: web.BaseRequest) -> web.StreamResponse:
        from agent.api.aiohttp_server import to_web  # imported by `start` already

        target = urllib.parse.urlsplit(_as_latin1(raw.raw_path))
        path = target.path or "/"
        api = is_api_path(path)
        method = raw.method.upper()
        log.debug("%s %s", method, path)  # never the query string or headers
        # Header bytes read as ISO-8859-1, as HTTP/1.1 has them (and http.server did): a
        # stray byte is a character, never an error.
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in raw.raw_headers
        }
        try:
            if method not in _METHODS:
                raise _AnswerAndCloseError(
                    ApiError(501, "not_implemented", f"{method} is not supported").to_response()
                )
            # Read the body first, even for a refusal, so a kept-alive connection stays in step.
            body = await self._read_body(raw, headers)
        except _AnswerAndCloseError as stop:
            answer = to_web(stop.response, api=api)
            answer.force_close()
            return answer
        assert self._pool is not None
        response = await asyncio.get_running_loop().run_in_executor(
            self._pool,
            self.answer,
            method,
            path,
            target.query,
            headers,
            body,
            raw.remote or "",
        )
        return to_web(response, api=api)

    async def _read_body(self, raw: web.BaseRequest, headers: Mapping[str, str]) -> bytes:
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
        limit = self.limits.max_body_bytes
        if length > limit:
            raise _AnswerAndCloseError(
                ApiError(
                    413, "too_large", f"the body is {length} bytes; at most {limit} are accepted"
                ).to_response()
            )
        if not length:
            return b""
        if headers.get("expect", "").lower() == "100-continue":
            await raw.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        try:
            async with asyncio.timeout(self.limits.body_timeout):
                return await raw.read()
        except TimeoutError:
            raise _AnswerAndCloseError(
                ApiError(
                    408,
                    "request_timeout",
                    f"the body did not arrive within {self.limits.body_timeout:g} s",
                ).to_response()
            ) from None

    # -- one request, in the handler pool ----------------------------------------------------

    def answer(
        self,
        method: str,
        path: str,
        query_text: str,
        headers: Mapping[str, str],
        body: bytes,
        client_address: str,
    ) -> Response:
        """The answer to one request whose body is in: checks, routing, the handler."""
        api = is_api_path(path)
        try:
            if api:
                self._check_host_and_origin(headers)
            match = self.router.match(method, path)
            request = Request(
                method=method,
                path=path,
                query=urllib.parse.parse_qs(query_text, keep_blank_values=True),
                headers=headers,
                body=body,
                client_address=client_address,
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
        except ApiError as error:
            return error.to_response()
        except Exception:
            log.exception("error while answering %s %s", method, path)
            return json_response(
                {"error": "internal_error", "message": "lỗi bên trong Bảo An (internal error)"},
                status=500,
            )

    def _check_host_and_origin(self, headers: Mapping[str, str]) -> None:
        if not self._host_check.allows_host(headers.get("host")):
            raise ApiError(403, "host_not_allowed", "this Host is not allowed for the API")
        origin = headers.get("origin")
        if origin is not None and not self._host_check.allows_origin(origin):
            raise ApiError(403, "origin_not_allowed", "requests from other sites are refused")

    def _authenticate(self, request: Request, match: Match, headers: Mapping[str, str]) -> Request:
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


def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


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
