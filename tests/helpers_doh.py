"""A real DNS-over-HTTPS server for the DoH tests: hypercorn over TLS on 127.0.0.1, offering
HTTP/2 and HTTP/1.1 by ALPN (or HTTP/1.1 alone), answering the stand-in zone of
`test_upstreams_standin`. It notes, for every question, which HTTP version and which client
connection carried it, so tests can see what the client really did.

Not a test module of its own; the tests import from it.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dnslib import QTYPE, DNSRecord
from hypercorn.asyncio import serve
from hypercorn.config import Config
from test_upstreams_standin import Behaviour, Zone

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

HOLD_LIMIT = 30.0  # seconds a held answer waits for the others (then HTTP 500: a failure)


@dataclass(frozen=True)
class Asked:
    """One question as the server received it."""

    http_version: str  # "2" or "1.1", as the server negotiated it
    client: tuple[str, int]  # the connection's far end: one per client connection
    authority: str | None  # the Host header (HTTP/1.1) or :authority (HTTP/2)
    name: str
    qtype: str


class HypercornDoh:
    """An RFC 8484 server (POST ``/dns-query``) in a thread of its own.

    `alpn` is what the server offers in the TLS handshake. `hold` makes it keep every answer
    until that many questions are in progress at once (so a test can see them multiplexed).
    Clients reach it on `port` through a relay in the same thread, which can cut every
    connection at once (:meth:`drop_connections`), as a crash or a router forgetting the
    connection would: no TLS close, no HTTP/2 GOAWAY."""

    def __init__(
        self, certificate: tuple[Path, Path], *, alpn: tuple[str, ...] = ("h2", "http/1.1")
    ) -> None:
        self.zone = Zone()
        self.behaviour = Behaviour()
        self.hold = 0
        self.asked: list[Asked] = []
        self.most_at_once = 0
        self._in_progress = 0
        self._lock = threading.Lock()
        self._front = _listener()
        self.port: int = self._front.getsockname()[1]
        backend = _listener()
        self._backend_port: int = backend.getsockname()[1]
        config = Config()
        config.bind = [f"fd://{backend.detach()}"]  # hypercorn owns and closes it
        config.certfile, config.keyfile = str(certificate[0]), str(certificate[1])
        config.alpn_protocols = list(alpn)
        config.keep_alive_timeout = 300.0  # idle connections stay: the tests count them
        config.graceful_timeout = 1.0
        config.errorlog = logging.getLogger("tests.doh_server")
        self._config = config
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._held = asyncio.Condition()  # bound to the server's loop at its first use
        self._relayed: set[asyncio.StreamWriter] = set()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> HypercornDoh:
        self._thread.start()
        if not self._started.wait(30):
            raise RuntimeError("the DoH server did not start")
        return self

    def close(self) -> None:
        """Stop the server (once; again does nothing)."""
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def drop_connections(self) -> None:
        """Reset every client connection at once, both ways."""
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(self._drop(), self._loop).result(30)

    def release_held(self) -> None:
        """Answer the held questions now, and hold no more."""
        assert self._loop is not None

        async def release() -> None:
            async with self._held:
                self.hold = 0
                self._held.notify_all()

        asyncio.run_coroutine_threadsafe(release(), self._loop).result(30)

    def connections(self) -> set[tuple[str, int]]:
        with self._lock:
            return {asked.client for asked in self.asked}

    def versions(self) -> set[str]:
        with self._lock:
            return {asked.http_version for asked in self.asked}

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            relay = await asyncio.start_server(self._relay, sock=self._front)
            self._started.set()
            try:
                await serve(self._app, self._config, shutdown_trigger=self._stop.wait)  # type: ignore[arg-type]
            finally:
                relay.close()
                await self._drop()

        asyncio.run(main())

    async def _relay(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        server_reader, server = await asyncio.open_connection("127.0.0.1", self._backend_port)
        self._relayed |= {client, server}
        try:
            await asyncio.gather(_pipe(client_reader, server), _pipe(server_reader, client))
        finally:
            self._relayed -= {client, server}

    async def _drop(self) -> None:
        for writer in list(self._relayed):
            writer.transport.abort()
        self._relayed.clear()

    async def _app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {name.decode(): value.decode() for name, value in scope["headers"]}
        if scope["method"] != "POST" or scope["path"] != "/dns-query":
            await _respond(send, 404, "text/plain", b"not found")
            return
        if headers.get("content-type") != "application/dns-message":
            await _respond(send, 415, "text/plain", b"unsupported media type")
            return
        request = DNSRecord.parse(body)
        name = str(request.q.qname)
        asked = Asked(
            scope["http_version"],
            tuple(scope["client"]),  # type: ignore[arg-type]
            headers.get("host") or headers.get(":authority"),
            name,
            QTYPE.get(request.q.qtype),
        )
        with self._lock:
            self.asked.append(asked)
        async with self._held:
            self._in_progress += 1
            self.most_at_once = max(self.most_at_once, self._in_progress)
            self._held.notify_all()
        try:
            if self.hold:
                async with self._held:
                    await asyncio.wait_for(
                        self._held.wait_for(lambda: self._in_progress >= self.hold), HOLD_LIMIT
                    )
            reply = self.zone.answer(request, self.behaviour)
        finally:
            async with self._held:
                self._in_progress -= 1
        await _respond(send, 200, "application/dns-message", reply.pack())


def _listener() -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    return listener


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy one direction of a relayed connection until it ends, then close the other side."""
    try:
        while data := await reader.read(65_536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


async def _respond(send: Send, status: int, content_type: str, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
