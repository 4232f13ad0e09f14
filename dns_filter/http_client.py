"""The agent's one HTTP client for its outgoing calls: list downloads, ntfy, the API client.

A thin layer over a `urllib3.PoolManager`: connections are reused, TLS is verified,
every call has a timeout, nothing is retried behind the caller's back (the callers
retry on their own schedule: the outbox, the subscriber's backoff, the next refresh),
and a GET follows redirects. Every failure is one of three `HttpError`s — a timeout, a
connection that could not be made or broke, anything else — so a caller catches one
family of errors, never urllib3's.
"""

from __future__ import annotations

import contextlib
import json as jsonlib
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode

import certifi
import urllib3
from urllib3 import exceptions as failures

DEFAULT_TIMEOUT = 30.0
MAX_REDIRECTS = 30
# An answer read whole is held in memory: none the agent asks for comes near this.
DEFAULT_MAX_BODY = 16 * 1024 * 1024
CHUNK_SIZE = 64 * 1024
LINE_CHUNK_SIZE = 512  # small reads, so that a line of a stream is handled when it comes
USER_AGENT = "baoan/1"

Timeout = float | tuple[float, float]
"""Seconds to connect and between two received bytes; or (connect, read)."""


class HttpError(Exception):
    """An HTTP call that got no usable answer."""


class HttpTimeoutError(HttpError):
    """The server did not answer (or stopped sending) within the timeout."""


class HttpConnectionError(HttpError):
    """No connection could be made (refused, no such name, no route), or it broke."""


class HttpTlsError(HttpConnectionError):
    """The TLS handshake failed: most often a certificate that cannot be trusted."""


class HttpBodyTooLargeError(HttpError):
    """The answer is larger than the caller accepts."""

    def __init__(self, url: str, limit: int) -> None:
        super().__init__(f"{url}: the answer is larger than {limit} bytes")
        self.limit = limit


class _ClosedOnExit:
    """`with x:` closes x at the end."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class HttpResponse(_ClosedOnExit):
    """One answer: its status, headers (looked up in any case) and body — read whole by
    `HttpClient.request`, or streamed with `iter_chunks` / `iter_lines` when asked."""

    def __init__(self, raw: urllib3.BaseHTTPResponse, url: str) -> None:
        self._raw = raw
        self.url = url
        self.status: int = raw.status
        self.reason: str = raw.reason or ""
        self.headers: Mapping[str, str] = raw.headers  # an HTTPHeaderDict: case-insensitive
        self._content: bytes | None = None

    def __repr__(self) -> str:
        return f"HttpResponse({self.status}, {self.url!r})"

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def content(self) -> bytes:
        """The whole body (what is left of it, for a streamed answer)."""
        return self.read_whole(DEFAULT_MAX_BODY)

    def read_whole(self, max_bytes: int | None) -> bytes:
        """Reads the rest of the body (at most `max_bytes`) and frees the connection."""
        if self._content is None:
            try:
                self._content = b"".join(self.iter_chunks(max_bytes=max_bytes))
            except BaseException:
                self.close()  # a body left half read: its connection is not reused
                raise
            self._raw.release_conn()
        return self._content

    @property
    def text(self) -> str:
        """The body as text, in the charset the answer names (UTF-8 when it names none)."""
        charset = "utf-8"
        for part in self.headers.get("Content-Type", "").split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; raises `ValueError` when it is not."""
        return jsonlib.loads(self.content)

    def iter_chunks(
        self, chunk_size: int = CHUNK_SIZE, *, max_bytes: int | None = None
    ) -> Iterator[bytes]:
        """The body as it arrives, decompressed; past `max_bytes` (declared in
        Content-Length or counted) it raises `HttpBodyTooLargeError`."""
        if max_bytes is not None:
            declared = self.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise HttpBodyTooLargeError(self.url, max_bytes)
        size = 0
        try:
            for chunk in self._raw.stream(chunk_size, decode_content=True):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise HttpBodyTooLargeError(self.url, max_bytes)
                yield chunk
        except failures.HTTPError as error:
            raise _failure(error, self.url, reading=True) from error

    def iter_lines(self) -> Iterator[bytes]:
        """The body line by line as it arrives (a stream of JSON lines), without the line
        ends; a stream never ends by itself, so it has no size cap."""
        pending = b""
        for chunk in self.iter_chunks(LINE_CHUNK_SIZE):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield line.removesuffix(b"\r")
        if pending:
            yield pending.removesuffix(b"\r")

    def close(self) -> None:
        """Ends the answer; safe from another thread, where it wakes a read that waits."""
        with contextlib.suppress(ValueError, RuntimeError, OSError):
            self._raw.shutdown()  # only while the connection is still this answer's
        self._raw.close()
        self._raw.release_conn()



class HttpClient(_ClosedOnExit):
    """Thread-safe; one per process is enough (each host keeps a few open connections).
    `max_body` caps an answer read whole (None: no cap, for the agent's own answers)."""

    def __init__(
        self,
        *,
        user_agent: str = USER_AGENT,
        max_body: int | None = DEFAULT_MAX_BODY,
        connections_per_host: int = 10,
    ) -> None:
        self._user_agent = user_agent
        self._max_body = max_body
        # Mozilla's roots (certifi), the same on every OS: a frozen build finds no system path.
        self._pool = urllib3.PoolManager(
            num_pools=10,
            maxsize=connections_per_host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )

    def __repr__(self) -> str:
        return "HttpClient()"

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        body: bytes | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        stream: bool = False,
        follow_redirects: bool | None = None,
    ) -> HttpResponse:
        """One call. The answer is read whole (at most `max_body` bytes) unless `stream`:
        then the caller reads it and closes it (`with client.request(...) as answer:`).
        Redirects are followed for a GET unless `follow_redirects` says otherwise."""
        method = method.upper()
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        sent = {"User-Agent": self._user_agent, "Accept-Encoding": "gzip, deflate"}
        sent.update(headers or {})
        if json is not None:
            body = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":")).encode()
            if not any(name.lower() == "content-type" for name in sent):
                sent["Content-Type"] = "application/json"
        redirects = method == "GET" if follow_redirects is None else follow_redirects
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        try:
            raw = self._pool.request(
                method,
                url,
                body=body,
                headers=sent,
                timeout=urllib3.Timeout(connect=connect, read=read),
                retries=urllib3.Retry(
                    total=None,
                    connect=0,
                    read=0,
                    status=0,
                    other=0,
                    redirect=MAX_REDIRECTS if redirects else 0,
                ),
                redirect=redirects,
                preload_content=False,
                decode_content=True,
            )
        except failures.HTTPError as error:
            raise _failure(error, url) from error
        response = HttpResponse(raw, url)
        if not stream:
            response.read_whole(self._max_body)
        return response

    def get(self, url: str, **options: Any) -> HttpResponse:
        return self.request("GET", url, **options)

    def post(self, url: str, **options: Any) -> HttpResponse:
        return self.request("POST", url, **options)

    def delete(self, url: str, **options: Any) -> HttpResponse:
        return self.request("DELETE", url, **options)

    def close(self) -> None:
        """Closes the idle connections; the client can still be used after."""
        self._pool.clear()



def _failure(error: failures.HTTPError, url: str, *, reading: bool = False) -> HttpError:
    """urllib3's error as one of ours, with a short reason (urllib3 wraps the cause)."""
    reason: BaseException = error
    if isinstance(error, failures.MaxRetryError) and error.reason is not None:
        reason = error.reason
    if isinstance(reason, failures.ResponseError):  # the retry counter ran out: redirects
        return HttpError(f"{url}: more than {MAX_REDIRECTS} redirects")
    cause = reason.__cause__ or reason.__context__
    detail = str(cause) if isinstance(cause, OSError) and str(cause) else str(reason)
    # NewConnectionError is a kind of ConnectTimeoutError in urllib3: ask it first.
    if isinstance(reason, failures.SSLError):
        return HttpTlsError(f"{url}: {detail}")
    if isinstance(reason, failures.NewConnectionError):
        return HttpConnectionError(f"{url}: {detail}")
    if isinstance(reason, failures.TimeoutError):
        return HttpTimeoutError(f"{url}: timed out")
    if isinstance(reason, failures.ProtocolError):
        if reading:
            return HttpError(f"{url}: the answer broke off ({detail})")
        return HttpConnectionError(f"{url}: {detail}")
    return HttpError(f"{url}: {detail}")
