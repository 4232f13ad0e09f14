"""aiohttp's side of the agent's HTTP listener (`agent.api.server.HttpServer`): its
connection protocol behind the connection caps, and our answers as aiohttp's.

Kept apart so that aiohttp is imported when the listener opens, not when the agent
starts: the DNS filter answers first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol, cast

from aiohttp import web

from agent.api.http import SERVER_NAME, ApiError, Response

log = logging.getLogger("agent.api.server")

AsyncHandler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]


class ConnectionGate(Protocol):
    """The listener's connection caps (``agent.api.server``): a connection is admitted or
    answered 503 at once; each admitted one is released when it ends."""

    def admit(self, client: str) -> bool: ...

    def release(self, client: str) -> None: ...

# aiohttp's own refusals (a malformed request line, headers too large) in our error shape.
_PROTOCOL_ERROR_CODES: Mapping[int, str] = {
    400: "bad_request",
    413: "too_large",
    414: "too_large",
    431: "too_large",
    501: "not_implemented",
    505: "not_implemented",
}
# How aiohttp's parser says an HTTP/1.1 request had no Host header.
_MISSING_HOST = "Missing 'Host' header"


class Connection(web.RequestHandler):
    """aiohttp's HTTP/1.1 protocol for one connection, behind the connection caps."""

    def __init__(
        self, manager: web.Server, gate: ConnectionGate, busy_answer: bytes, **options: object
    ) -> None:
        super().__init__(manager, **options)  # type: ignore[arg-type]
        self._gate = gate
        self._busy_answer = busy_answer  # the whole 503 written to a refused connection
        self._client: str | None = None  # set once admitted

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        client = peer_host(transport)
        if not self._gate.admit(client):
            stream = cast(asyncio.Transport, transport)
            stream.write(self._busy_answer)
            stream.close()
            return
        self._client = client
        super().connection_made(transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._client is None:
            return  # refused: aiohttp never saw it
        self._gate.release(self._client)
        self._client = None
        super().connection_lost(exc)

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if status >= 500 and status not in _PROTOCOL_ERROR_CODES:
            log.error("error while answering a request", exc_info=exc)
            error = ApiError(500, "internal_error", "lỗi bên trong Bảo An (internal error)")
        elif _MISSING_HOST in str(exc):
            # aiohttp refuses an HTTP/1.1 request without Host before routing; the answer
            # stays the Host check's own.
            log.debug("refused a request without Host from %s", request.remote)
            error = ApiError(403, "host_not_allowed", "this Host is not allowed for the API")
        else:
            # Whatever a client sends is its own problem: no traceback, not above DEBUG.
            log.debug("refused a malformed request from %s: %s", request.remote, exc)
            code = _PROTOCOL_ERROR_CODES.get(status, "bad_request")
            error = ApiError(status, code, "the request is not valid HTTP")
        if request.writer.output_size > 0:
            raise ConnectionError("the answer was already started; the connection ends")
        answer = to_web(error.to_response(), api=True)
        answer.force_close()
        return answer


class Listener(web.Server):
    """aiohttp's low-level server, making connections that pass through the gate."""

    def __init__(
        self, handler: AsyncHandler, gate: ConnectionGate, busy_answer: bytes, **options: object
    ) -> None:
        super().__init__(handler)
        self._gate = gate
        self._busy_answer = busy_answer
        self._options = options

    def __call__(self) -> web.RequestHandler:
        return Connection(
            self, self._gate, self._busy_answer, loop=asyncio.get_running_loop(), **self._options
        )


def peer_host(transport: asyncio.BaseTransport) -> str:
    peer = transport.get_extra_info("peername")
    if isinstance(peer, tuple | list) and peer:
        return str(peer[0])
    return "" if peer is None else str(peer)


def to_web(response: Response, *, api: bool) -> web.Response:
    headers = {
        "Content-Type": response.content_type,
        "X-Content-Type-Options": "nosniff",
        "Server": SERVER_NAME,
    }
    if api:
        headers["Cache-Control"] = "no-store"
    headers.update(response.headers)
    return web.Response(status=response.status, body=response.body, headers=headers)
