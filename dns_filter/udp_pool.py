"""A small pool of long-lived UDP sockets to one upstream, as RFC 5452 asks.

Opening a datagram endpoint per query costs more than the query itself on a busy home
resolver. The pool keeps a few connected sockets instead, each with its own random
source port (the system picks one at connect), and matches every answer to its query on
the message ID (random for every query) and the question, compared without regard to
case. A socket is connected, so the system drops datagrams from any other address or
port; an answer with an ID nobody waits for, or for another question, is ignored and its
query keeps waiting for the real one. Each socket is retired after `max_uses` queries
(and replaced by one on a new random port), so a spoofer cannot learn a port and keep it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import struct
from typing import Any

_RECEIVE_BUFFER = 1024 * 1024
_RECEIVE_SIZE = 65535  # an answer over UDP is at most this long
_RCODES_WITHOUT_QUESTION = frozenset({2, 5})  # SERVFAIL, REFUSED may leave the question out


class _RandomIds:
    """Unpredictable 16-bit message IDs from the system's random source, read 2,048 at a
    time: one `getrandom` call per 2,048 queries instead of a call or two per query."""

    _BATCH = 2048

    def __init__(self) -> None:
        self._ids: list[int] = []
        self._watching_forks = False

    def next(self) -> int:
        ids = self._ids
        if not ids:
            if not self._watching_forks and hasattr(os, "register_at_fork"):
                # a forked child must not send the IDs its parent will send
                os.register_at_fork(after_in_child=ids.clear)
                self._watching_forks = True
            ids.extend(struct.unpack(f"!{self._BATCH}H", os.urandom(2 * self._BATCH)))
        return ids.pop()


_random_ids = _RandomIds()


def random_message_id() -> int:
    """A random message ID for a query sent upstream (RFC 5452: unpredictable)."""
    return _random_ids.next()


def question_of(message: bytes) -> bytes | None:
    """The question section (name lower-cased, type, class) of a message with exactly one
    uncompressed question; b"" when it has none; None when it cannot be read."""
    if len(message) < 12:
        return None
    qdcount = struct.unpack_from("!H", message, 4)[0]
    if qdcount == 0:
        return b""
    if qdcount != 1:
        return None
    pos, end = 12, len(message)
    while True:
        if pos >= end:
            return None
        length = message[pos]
        if length == 0:
            break
        if length > 63:  # a compression pointer has no place in the first name
            return None
        pos += length + 1
    pos += 1
    if pos + 4 > end:
        return None
    return bytes(message[12:pos]).lower() + bytes(message[pos : pos + 4])


def _time_out(future: asyncio.Future[bytes]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


_READS_PER_WAKE_UP = 64  # answers read per wake-up of the loop (a burst of misses)


class _PooledSocket:
    """One connected, non-blocking socket and the queries waiting on it, by message ID.

    Read straight from the event loop's selector (not through an asyncio transport,
    which reads one datagram per turn of the loop): every answer that has arrived is read
    at each wake-up. So, like the DNS server, it needs a selector event loop
    (`asyncio.SelectorEventLoop`, what the agent runs on every system)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, family: int, address: Any) -> None:
        self.loop = loop
        self.waiting: dict[int, tuple[bytes, asyncio.Future[bytes]]] = {}
        self.uses = 0
        self.retired = False
        self.lost = False
        self._unsent: list[bytes] = []  # waiting for room in the socket's send buffer
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            # room for a burst of answers (a page load asks dozens at once)
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RECEIVE_BUFFER)
            sock.connect(address)  # the system picks a random source port
            loop.add_reader(sock.fileno(), self._read_ready)
        except NotImplementedError as exc:  # Windows' proactor loop watches no sockets
            sock.close()
            raise OSError("the UDP pool needs a selector event loop, as the server does") from exc
        except BaseException:
            sock.close()
            raise
        self.sock: socket.socket | None = sock

    def send(self, packet: bytes) -> None:
        """Send `packet` now, or as soon as the send buffer has room. When the socket
        cannot send at all, every query waiting on it (this one too) fails with the error."""
        sock = self.sock
        if sock is None:
            raise ConnectionError("socket closed")
        if self._unsent:
            self._unsent.append(packet)
            return
        try:
            sock.send(packet)
        except (BlockingIOError, InterruptedError):
            self._unsent.append(packet)
            self.loop.add_writer(sock.fileno(), self._write_ready)
        except OSError as exc:  # e.g. an earlier ICMP error: this socket is done
            self._fail_all(exc)

    def _write_ready(self) -> None:
        sock = self.sock
        if sock is None:
            return
        unsent = self._unsent
        while unsent:
            try:
                sock.send(unsent[0])
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                self._fail_all(exc)
                return
            del unsent[0]
        self.loop.remove_writer(sock.fileno())

    def _read_ready(self) -> None:
        for _ in range(_READS_PER_WAKE_UP):
            sock = self.sock
            if sock is None:  # closed by the last answer (a retired socket's final one)
                return
            try:
                data = sock.recv(_RECEIVE_SIZE)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                # On a connected socket this is the upstream's ICMP error (port
                # unreachable): every query waiting here has failed.
                self._fail_all(exc)
                return
            self.datagram_received(data)

    def datagram_received(self, data: bytes) -> None:
        if len(data) < 12:
            return
        message_id = struct.unpack_from("!H", data)[0]
        waiter = self.waiting.get(message_id)
        if waiter is None:
            return  # nobody asked with this ID (late, or forged): ignored
        question, future = waiter
        got = question_of(data)
        if got is None:
            return
        rcode = data[3] & 0x0F
        if got != question and not (got == b"" and rcode in _RCODES_WITHOUT_QUESTION):
            return  # another question under our ID: forged, ignored
        del self.waiting[message_id]
        if not future.done():
            future.set_result(data)
        self._close_if_done()

    def _fail_all(self, exc: Exception) -> None:
        waiting, self.waiting = self.waiting, {}
        for _question, future in waiting.values():
            if not future.done():
                future.set_exception(exc)
        self.retired = True
        self._close_if_done()

    def forget(self, message_id: int) -> None:
        self.waiting.pop(message_id, None)
        self._close_if_done()

    def _close_if_done(self) -> None:
        if self.retired and not self.waiting:
            self.close()

    def close(self) -> None:
        """Stop reading and close the socket; queries still waiting fail."""
        sock, self.sock = self.sock, None
        if sock is None:
            return
        self.lost = True
        with contextlib.suppress(Exception):  # the loop may be closed already
            self.loop.remove_reader(sock.fileno())
            if self._unsent:
                self.loop.remove_writer(sock.fileno())
        sock.close()
        waiting, self.waiting = self.waiting, {}
        for _question, future in waiting.values():
            if not future.done():
                future.set_exception(ConnectionError("socket closed"))


class UdpSocketPool:
    """`size` long-lived sockets to (host, port), used in turn and rotated."""

    def __init__(self, host: str, port: int, *, size: int = 4, max_uses: int = 500) -> None:
        self.host = host
        self.port = port
        self.size = size
        self.max_uses = max_uses
        self._sockets: list[_PooledSocket | None] = [None] * size
        self._next = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._address: tuple[int, Any] | None = None
        self.opened = 0  # sockets opened so far (each on a new random port)

    def _socket(self) -> _PooledSocket:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop: the old sockets belong to the old one
            self._abandon()
            self._loop = loop
        index = self._next
        self._next = (index + 1) % self.size
        sock = self._sockets[index]
        if sock is None or sock.retired or sock.lost or sock.uses >= self.max_uses:
            if sock is not None:
                sock.retired = True
                sock._close_if_done()
            if self._address is None:
                # the host is an address (udp:// takes no names): nothing is looked up
                info = socket.getaddrinfo(
                    self.host, self.port, type=socket.SOCK_DGRAM, flags=socket.AI_NUMERICHOST
                )[0]
                self._address = (info[0], info[4])
            self._sockets[index] = None
            sock = _PooledSocket(loop, *self._address)
            self._sockets[index] = sock
            self.opened += 1
        return sock

    async def exchange(self, packet: bytes, timeout: float) -> bytes:
        """Send `packet` (a query) and return the answer to it, with `packet`'s ID."""
        question = question_of(packet)
        if question is None or len(packet) < 12:
            raise ValueError("not a query with one question")
        sock = self._socket()
        sock.uses += 1
        original_id = packet[:2]
        message_id = random_message_id()
        while message_id in sock.waiting:
            message_id = random_message_id()
        loop = sock.loop
        future: asyncio.Future[bytes] = loop.create_future()
        sock.waiting[message_id] = (question, future)
        # One timer on the future: cheaper than a timeout scope, and the same to the caller.
        timer = loop.call_at(loop.time() + timeout, _time_out, future)
        try:
            sock.send(struct.pack("!H", message_id) + packet[2:])
            answer = await future
        finally:
            timer.cancel()
            sock.forget(message_id)
        return original_id + answer[2:]

    def _abandon(self) -> None:
        for sock in self._sockets:
            if sock is not None:
                sock.close()
        self._sockets = [None] * self.size

    def close(self) -> None:
        for sock in self._sockets:
            if sock is not None:
                sock.retired = True
                sock.close()
        self._sockets = [None] * self.size
