"""Signed commands from a caregiver's phone, and the subscriber that receives them.

The home PC is behind NAT, so a phone cannot call it: an approval button posts a command to
the family's command topic on the ntfy server, and the agent reads that topic. Anyone who
learns the topic could post to it, so each command is signed in advance by the agent
(HMAC-SHA256 with a key in the keyring) and names the request, the decision, how long, an
expiry and a nonce; the agent applies a command once, and only before it expires.

A command's text is `baoan1.<payload>.<mac>`, both parts base64url without padding; the
payload is compact JSON: `r` request id, `d` "allow" or "deny", `m` minutes, `x` expiry
(Unix seconds), `n` nonce.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import random
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Protocol

from sync.http_session import HttpAnswer, HttpSession

logger = logging.getLogger(__name__)

PREFIX = "baoan1"
MAX_COMMAND_CHARS = 1000


class Refusal(Enum):
    """Why a command was not applied (each has its own answer to the caregiver)."""

    MALFORMED = "malformed"
    FORGED = "forged"
    EXPIRED = "expired"
    REPLAYED = "replayed"
    ALREADY_DECIDED = "already-decided"
    UNKNOWN_REQUEST = "unknown-request"


class CommandRefusedError(Exception):
    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        super().__init__(f"{refusal.value}: {detail}" if detail else refusal.value)
        self.refusal = refusal


@dataclass(frozen=True)
class Command:
    request_id: str
    allow: bool
    minutes: int | None
    expires: datetime
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class CommandSigner:
    """Signs and checks commands with one secret key."""

    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key) < 16:
            raise ValueError("a command key needs at least 16 bytes")

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self.key, payload.encode("ascii"), hashlib.sha256).digest())

    def sign(
        self, request_id: str, allow: bool, minutes: int | None, expires: datetime,
        nonce: str | None = None,
    ) -> str:
        body = {
            "r": request_id,
            "d": "allow" if allow else "deny",
            "m": minutes if allow else None,
            "x": int(expires.timestamp()),
            "n": nonce or secrets.token_urlsafe(12),
        }
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        return f"{PREFIX}.{payload}.{self._mac(payload)}"

    def verify(self, text: str, now: datetime) -> Command:
        """The command in `text`; raises `CommandRefusedError` (malformed, forged, expired)."""
        parts = text.strip().split(".")
        if len(text) > MAX_COMMAND_CHARS or len(parts) != 3 or parts[0] != PREFIX:
            raise CommandRefusedError(Refusal.MALFORMED, "not a Bảo An command")
        _, payload, mac = parts
        if not hmac.compare_digest(self._mac(payload), mac):
            raise CommandRefusedError(Refusal.FORGED, "the signature does not match")
        try:
            body = json.loads(_unb64(payload))
            request_id, decision, minutes = body["r"], body["d"], body["m"]
            expires = datetime.fromtimestamp(int(body["x"]), UTC)
            nonce = body["n"]
        except (ValueError, KeyError, TypeError, binascii.Error) as error:
            raise CommandRefusedError(Refusal.MALFORMED, str(error)) from None
        if (
            not isinstance(request_id, str)
            or decision not in ("allow", "deny")
            or not isinstance(nonce, str)
            or (decision == "allow" and not isinstance(minutes, int))
        ):
            raise CommandRefusedError(Refusal.MALFORMED, "missing fields")
        if now >= expires:
            raise CommandRefusedError(Refusal.EXPIRED, f"expired at {expires.isoformat()}")
        return Command(request_id, decision == "allow", minutes, expires, nonce)


class Cursor(Protocol):
    """Where the subscriber keeps the id of the last message it handled."""

    def get(self) -> str | None: ...

    def set(self, message_id: str) -> None: ...


Handle = Callable[[str], object]
"""Handles one message's text (applies or refuses the command); must not raise."""


class TopicSubscriber:
    """Reads one ntfy topic's JSON stream (`since=` the last id handled) in a thread, and
    reconnects with backoff when the stream breaks. Each message is handled once: its id is
    kept through `cursor` after it was handled."""

    def __init__(
        self,
        url: str,
        handle: Handle,
        cursor: Cursor,
        *,
        session: HttpSession,
        token: str | None = None,
        first_since: str = "all",
        max_backoff: float = 60.0,
    ) -> None:
        self._url = url.rstrip("/") + "/json"
        self._handle = handle
        self._cursor = cursor
        self._token = token
        self._session = session
        self._first_since = first_since
        self._max_backoff = max_backoff
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._response: HttpAnswer | None = None
        self.connected = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="baoan-commands", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        response = self._response
        if response is not None:
            response.close()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        backoff = 1.0
        while not self._stop.is_set():
            try:
                self._listen()
                backoff = 1.0
            except Exception as error:
                if self._stop.is_set():
                    return
                logger.warning("the command topic %s is unreachable (%s)", self._url, error)
            self.connected.clear()
            self._stop.wait(backoff * (0.8 + 0.4 * random.random()))
            backoff = min(self._max_backoff, backoff * 2)

    def _listen(self) -> None:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        since = self._cursor.get() or self._first_since
        with self._session.request(
            "GET", self._url, params={"since": since}, headers=headers, stream=True,
            timeout=(10, 90),
        ) as response:
            self._response = response
            if response.status != 200:
                raise ConnectionError(f"HTTP {response.status}")
            self.connected.set()
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if line:
                    self._message(line)

    def _message(self, line: bytes) -> None:
        try:
            message: Any = json.loads(line)
        except ValueError:
            return
        if not isinstance(message, dict) or message.get("event") != "message":
            return
        text, message_id = message.get("message"), message.get("id")
        if isinstance(text, str):
            try:
                self._handle(text)
            except Exception:
                logger.exception("a command could not be handled")
        if isinstance(message_id, str):
            self._cursor.set(message_id)
