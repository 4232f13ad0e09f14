"""An ntfy server stand-in on loopback: the parts of ntfy's documented HTTP API that Bảo An
uses, over real HTTP.

* publish: POST/PUT `/<topic>` (body = message; headers Title, Priority, Tags, Click,
  Actions, X-Sequence-ID, In/Delay/At) or `/<topic>/<sequence id>`, and JSON publishing
  (POST `/` with `topic`, `message`, `title`, `priority`, `tags`, `click`, `actions`,
  `sequence_id`, `delay`);
* subscribe: GET `/<topic>/json`, a stream of JSON lines (an `open` event, then messages as
  they come), or `poll=1` for what is there and done (`sched=1`: scheduled ones too);
  `since=<id|unix time|all>`;
* access: `Authorization: Bearer <token>` against per-topic read/write grants (401 without
  a token where one is needed, 403 with the wrong one);
* scheduled messages: held until due (`clock` can be moved on); with `version >= (2, 16)`
  a message published with the sequence id of a pending one replaces it;
* deleting (2.16 and later): DELETE `/<topic>/<sequence id>` (or GET
  `/<topic>/<sequence id>/delete`) removes a pending scheduled message of that sequence,
  so it is never delivered, and publishes a `message_delete` event with the sequence id
  (an older server answers 404: it has no such route).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,64}")
_DURATION = re.compile(r"(\d+)\s*(s|m|h|d)?")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


@dataclass
class Grant:
    read: bool = False
    write: bool = False


@dataclass
class NtfyStandIn:
    """Start with `start()`; `url` is its base. Tokens: `grant(token, topic, read, write)`;
    with none granted for a topic, it is open to anyone (like a public server)."""

    version: tuple[int, int] = (2, 16)
    offset: float = 0.0  # seconds added to the real clock (scheduled messages)
    messages: list[dict[str, Any]] = field(default_factory=list)
    scheduled: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)  # statuses for the next publishes/deletes
    # While set, a publish is recorded in `held` and never answered (a sender killed
    # mid-delivery: the server has the message, the sender never learnt it).
    holding: bool = False
    held: list[dict[str, Any]] = field(default_factory=list)
    _grants: dict[tuple[str, str], Grant] = field(default_factory=dict)
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _server: ThreadingHTTPServer | None = None
    _stopping: bool = False

    # -- set-up ------------------------------------------------------------------------------

    def grant(self, token: str, topic: str, *, read: bool = False, write: bool = False) -> None:
        self._grants[(token, topic)] = Grant(read, write)

    def start(self) -> NtfyStandIn:
        standin = self

        class Handler(_Handler):
            owner = standin

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping = True
        with self._changed:
            self._changed.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the server's clock on: scheduled messages that fall due are published."""
        self.offset += seconds
        self._release_due()

    # -- what the tests read -----------------------------------------------------------------

    def on(self, topic: str) -> list[dict[str, Any]]:
        """The messages delivered on `topic` (not the `message_delete` events)."""
        return [m for m in self.events(topic) if m.get("event", "message") == "message"]

    def events(self, topic: str) -> list[dict[str, Any]]:
        """Everything published on `topic`, `message_delete` events too."""
        self._release_due()
        with self._changed:
            return [m for m in self.messages if m["topic"] == topic]

    def pending(self, topic: str) -> list[dict[str, Any]]:
        """The scheduled messages of `topic` not yet due."""
        self._release_due()
        with self._changed:
            return [m for m in self.scheduled if m["topic"] == topic]

    def wait_for(self, topic: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.on(topic)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"{count} message(s) expected on {topic}, found {self.on(topic)}")

    # -- the server's rules ------------------------------------------------------------------

    def allowed(self, token: str | None, topic: str, write: bool) -> int:
        """200, 401 or 403 for this token on this topic."""
        guarded = [grant for (_, guarded_topic), grant in self._grants.items()
                   if guarded_topic == topic]
        if not guarded:
            return 200
        if token is None:
            return 401
        grant = self._grants.get((token, topic))
        if grant is None or not (grant.write if write else grant.read):
            return 403
        return 200

    def publish(self, message: dict[str, Any], delay: float | None) -> dict[str, Any]:
        with self._changed:
            message = {
                "id": secrets.token_hex(6),
                "time": int(self.now()),
                "event": "message",
                **message,
            }
            sequence = message.get("sequence_id")
            if delay:
                message["time"] = int(self.now() + delay)
                if sequence and self.version >= (2, 16):
                    # A sequence belongs to its topic: another topic's is left alone.
                    self.scheduled = [
                        m for m in self.scheduled
                        if not (m["topic"] == message["topic"]
                                and m.get("sequence_id") == sequence)
                    ]
                self.scheduled.append(message)
            else:
                self.messages.append(message)
            self._changed.notify_all()
            return message

    def delete(self, topic: str, sequence: str) -> dict[str, Any]:
        """Cancel the pending messages of `sequence` and tell subscribers."""
        with self._changed:
            self.scheduled = [
                m for m in self.scheduled
                if not (m["topic"] == topic and m.get("sequence_id") == sequence)
            ]
            event = {"id": secrets.token_hex(6), "time": int(self.now()),
                     "event": "message_delete", "topic": topic, "sequence_id": sequence}
            self.messages.append(event)
            self._changed.notify_all()
            return event

    def _release_due(self) -> None:
        with self._changed:
            now = self.now()
            due = [m for m in self.scheduled if m["time"] <= now]
            if due:
                self.scheduled = [m for m in self.scheduled if m["time"] > now]
                self.messages.extend(due)
                self._changed.notify_all()

    def since(self, topic: str, since: str | None) -> list[dict[str, Any]]:
        """The cached messages of `topic` after `since` (None: none of the old ones)."""
        self._release_due()
        found = [m for m in self.messages if m["topic"] == topic]
        if since is None:
            return []
        if since == "all":
            return found
        ids = [m["id"] for m in found]
        if since in ids:
            return found[ids.index(since) + 1 :]
        if since.isdigit():
            return [m for m in found if m["time"] >= int(since)]
        match = _DURATION.fullmatch(since)
        if match:
            cut = self.now() - int(match.group(1)) * _UNITS[match.group(2)]
            return [m for m in found if m["time"] >= cut]
        return found


def _duration(value: str | None) -> float | None:
    if not value:
        return None
    match = _DURATION.fullmatch(value.strip())
    if match:
        return float(int(match.group(1)) * _UNITS[match.group(2)])
    if value.strip().isdigit():  # At: a unix time
        return max(0.0, float(value) - time.time())
    return None


def _actions_header(value: str) -> list[dict[str, Any]]:
    """`http, Label, URL, method=POST, body=...; view, ...` as JSON actions."""
    actions = []
    for part in value.split(";"):
        fields = [f.strip() for f in part.split(",")]
        if len(fields) < 3:
            continue
        action: dict[str, Any] = {"action": fields[0], "label": fields[1], "url": fields[2]}
        for extra in fields[3:]:
            if "=" in extra:
                name, _, text = extra.partition("=")
                action[name.strip()] = text.strip()
        actions.append(action)
    return actions


class _Handler(BaseHTTPRequestHandler):
    owner: NtfyStandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def _token(self) -> str | None:
        header = self.headers.get("Authorization", "")
        return header[len("Bearer "):] if header.startswith("Bearer ") else None

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = (json.dumps(body) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int) -> None:
        self._answer(status, {"code": status * 100, "http": status, "error": "refused"})

    def do_PUT(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        owner = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path.strip("/")
        owner.requests.append(("POST", self.path, dict(self.headers)))
        if path == "":
            try:
                body = json.loads(raw)
            except ValueError:
                self._error(400)
                return
            topic = str(body.get("topic", ""))
            message = {k: v for k, v in body.items() if k not in ("delay",) and v is not None}
            delay = _duration(str(body["delay"])) if body.get("delay") else None
        else:
            topic, _, sequence = path.partition("/")
            headers = self.headers
            message = {"topic": topic, "message": raw.decode("utf-8")}
            if headers.get("Title"):
                message["title"] = headers["Title"]
            if headers.get("Priority"):
                message["priority"] = int(headers["Priority"])
            if headers.get("Tags"):
                message["tags"] = [t.strip() for t in headers["Tags"].split(",")]
            if headers.get("Click"):
                message["click"] = headers["Click"]
            if headers.get("Actions"):
                message["actions"] = _actions_header(headers["Actions"])
            sequence = sequence or headers.get("X-Sequence-ID", "")
            if sequence:
                message["sequence_id"] = sequence
            delay = _duration(headers.get("In") or headers.get("Delay") or headers.get("At"))
        if not _TOPIC.fullmatch(topic):
            self._error(400)
            return
        permission = owner.allowed(self._token(), topic, write=True)
        if permission != 200:
            self._error(permission)
            return
        if owner.failures:
            self._error(owner.failures.pop(0))
            return
        if owner.holding:
            owner.held.append(message)
            while owner.holding and not owner._stopping:
                time.sleep(0.05)
            return
        self._answer(200, owner.publish(message, delay))

    def do_DELETE(self) -> None:
        topic, _, sequence = urlsplit(self.path).path.strip("/").partition("/")
        self.owner.requests.append(("DELETE", self.path, dict(self.headers)))
        self._delete(topic, sequence)

    def _delete(self, topic: str, sequence: str) -> None:
        owner = self.owner
        if owner.version < (2, 16):
            self._error(404)
            return
        if not _TOPIC.fullmatch(topic) or not _TOPIC.fullmatch(sequence):
            self._error(400)
            return
        permission = owner.allowed(self._token(), topic, write=True)
        if permission != 200:
            self._error(permission)
            return
        if owner.failures:
            self._error(owner.failures.pop(0))
            return
        self._answer(200, owner.delete(topic, sequence))

    def do_GET(self) -> None:
        owner = self.owner
        parts = urlsplit(self.path)
        topic, _, kind = parts.path.strip("/").partition("/")
        sequence, _, verb = kind.partition("/")
        if verb == "delete":
            owner.requests.append(("GET", self.path, dict(self.headers)))
            self._delete(topic, sequence)
            return
        if kind != "json" or not _TOPIC.fullmatch(topic):
            self._error(404)
            return
        permission = owner.allowed(self._token(), topic, write=False)
        if permission != 200:
            self._error(permission)
            return
        query = parse_qs(parts.query)
        since = query.get("since", [None])[0]
        poll = query.get("poll", ["0"])[0] in ("1", "true", "yes")
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        if poll:
            found = owner.since(topic, since or "all")
            if query.get("sched", ["0"])[0] in ("1", "true", "yes"):
                with owner._changed:
                    found += [m for m in owner.scheduled if m["topic"] == topic]
            lines = b"".join((json.dumps(m) + "\n").encode() for m in found)
            self.send_header("Content-Length", str(len(lines)))
            self.end_headers()
            self.wfile.write(lines)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            self._chunk({"id": secrets.token_hex(6), "time": int(owner.now()), "event": "open",
                         "topic": topic})
            seen = {m["id"] for m in owner.events(topic)}
            for message in owner.since(topic, since):
                seen.add(message["id"])
                self._chunk(message)
            while not owner._stopping:
                with owner._changed:
                    owner._changed.wait(0.5)
                fresh = [m for m in owner.events(topic) if m["id"] not in seen]
                for message in fresh:
                    seen.add(message["id"])
                    self._chunk(message)
                if not fresh:
                    self._chunk({"event": "keepalive", "time": int(owner.now()), "topic": topic})
        except (BrokenPipeError, ConnectionResetError):
            return

    def _chunk(self, body: dict[str, Any]) -> None:
        data = (json.dumps(body) + "\n").encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


@contextmanager
def ntfy_standin(version: tuple[int, int] = (2, 16)) -> Iterator[NtfyStandIn]:
    standin = NtfyStandIn(version=version).start()
    try:
        yield standin
    finally:
        standin.stop()
