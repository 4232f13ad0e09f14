"""Refreshing list sources safely.

Each source is downloaded (or, for a local path, read) into a temporary file beside its
copy, parsed and validated, and only then renamed over the last good copy. On any
failure — network, HTTP error, size cap, time limit, no valid line — the last good copy
stays exactly as it was and the error is recorded in the source's state.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from dns_filter.clock import Clock, SystemClock
from dns_filter.fileio import fsync_file, fsync_folder
from dns_filter.http_client import (
    HttpBodyTooLargeError,
    HttpClient,
    HttpConnectionError,
    HttpError,
    HttpTimeoutError,
    HttpTlsError,
)
from dns_filter.lists.parser import BadLine, ParseReport, scan_file
from dns_filter.lists.sources import ListSource

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
USER_AGENT = "baoan-lists/1 (+parental control list refresh)"


@dataclass(frozen=True)
class FetchSettings:
    max_bytes: int = DEFAULT_MAX_BYTES  # a bigger body (after decompression) is refused
    timeout: float = 30.0  # seconds to connect, and between two received chunks
    total_timeout: float = 300.0  # seconds for a whole download
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class SourceState:
    """What the last refresh of one source found (the store's `list_state` row, plus)."""

    category: str
    source: str
    etag: str | None = None
    last_modified: str | None = None
    count: int = 0  # blocking rules in the last good copy
    exception_count: int = 0
    bad_lines: int = 0
    unsupported_lines: int = 0
    list_format: str | None = None
    digest: str | None = None  # sha256 of the last good copy
    updated_at: datetime | None = None  # last time the source was checked successfully
    error: str | None = None  # why the last refresh failed; None after a success
    error_at: datetime | None = None
    bad_samples: tuple[BadLine, ...] = ()


class RefreshStatus(StrEnum):
    UPDATED = "updated"
    NOT_MODIFIED = "not_modified"
    FAILED = "failed"


@dataclass(frozen=True)
class RefreshOutcome:
    source: ListSource
    status: RefreshStatus
    state: SourceState
    has_copy: bool  # a good copy is on disk (new or kept)
    error: str | None = None


class RefreshError(Exception):
    """A refresh step failed; the message (Vietnamese) says why."""


ProgressCallback = Callable[[ListSource, str], None]


def refresh_source(
    source: ListSource,
    lists_dir: Path,
    previous: SourceState | None = None,
    *,
    settings: FetchSettings | None = None,
    session: HttpClient | None = None,
    clock: Clock | None = None,
    on_progress: ProgressCallback | None = None,
) -> RefreshOutcome:
    """Bring one source's copy up to date; never raises for a failed refresh. Without a
    `session`, a client of its own is opened for this source and closed after."""
    settings = settings or FetchSettings()
    now = (clock or SystemClock()).now()
    state = previous or SourceState(category=source.category, source=source.location)
    # The agent's data is private: 0700 here, and each copy 0600 (mkstemp, then renamed).
    lists_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    copy = source.copy_path(lists_dir)
    has_copy = copy.is_file()
    if on_progress is not None:
        on_progress(source, "downloading" if source.is_url else "reading")
    temp_path: Path | None = None
    try:
        if source.is_url:
            with contextlib.ExitStack() as own:
                client = session or own.enter_context(HttpClient())
                temp_path, response_headers = _download(
                    source, lists_dir, state if has_copy else None, settings, client
                )
            if temp_path is None:
                fresh = replace(state, updated_at=now, error=None, error_at=None)
                return RefreshOutcome(source, RefreshStatus.NOT_MODIFIED, fresh, has_copy)
        else:
            temp_path = _copy_local(source, lists_dir, settings)
            response_headers = {}
        digest = _sha256(temp_path)
        if has_copy and digest == state.digest:
            fresh = replace(
                state,
                etag=response_headers.get("etag", state.etag),
                last_modified=response_headers.get("last-modified", state.last_modified),
                updated_at=now,
                error=None,
                error_at=None,
            )
            return RefreshOutcome(source, RefreshStatus.NOT_MODIFIED, fresh, has_copy)
        parsed = scan_file(temp_path)
        if parsed.rule_count == 0:
            raise RefreshError(
                f"không có dòng hợp lệ nào ({parsed.total_lines} dòng, {parsed.bad_count} lỗi)"
            )
        fsync_file(temp_path)
        os.replace(temp_path, copy)  # atomic: readers see the old copy or the new one
        temp_path = None
        fsync_folder(lists_dir)
        fresh = _state_from(parsed, source, response_headers, digest, now)
        log.info(
            "list %s (%s): %d names, %d bad lines",
            source.location,
            source.category,
            parsed.rule_count,
            parsed.bad_count,
        )
        return RefreshOutcome(source, RefreshStatus.UPDATED, fresh, True)
    except (RefreshError, HttpError, OSError) as exc:
        message = _describe_error(exc)
        log.warning("list %s (%s) not refreshed: %s", source.location, source.category, message)
        failed = replace(state, error=message, error_at=now)
        return RefreshOutcome(source, RefreshStatus.FAILED, failed, has_copy, message)
    finally:
        if temp_path is not None:
            with contextlib.suppress(OSError):
                temp_path.unlink()


def _download(
    source: ListSource,
    lists_dir: Path,
    validators: SourceState | None,
    settings: FetchSettings,
    session: HttpClient,
) -> tuple[Path | None, dict[str, str]]:
    """Download into a temp file; (None, {}) when the server says 304 Not Modified."""
    headers = {"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"}
    if validators is not None:
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
    deadline = time.monotonic() + settings.total_timeout
    with session.get(
        source.location, headers=headers, timeout=settings.timeout, stream=True
    ) as reply:
        if reply.status == 304:
            return None, {}
        if reply.status != 200:
            raise RefreshError(f"máy chủ trả lời HTTP {reply.status} {reply.reason}")
        chunks = reply.iter_chunks(max_bytes=settings.max_bytes)  # checks Content-Length first
        temp_path = _temp_file(source, lists_dir)
        try:
            with temp_path.open("wb") as out:
                for chunk in chunks:
                    if time.monotonic() > deadline:
                        raise RefreshError(f"quá {settings.total_timeout:.0f} giây")
                    out.write(chunk)
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
        kept = {
            key: reply.headers[name]
            for key, name in (("etag", "ETag"), ("last-modified", "Last-Modified"))
            if reply.headers.get(name)
        }
        return temp_path, kept


def _copy_local(source: ListSource, lists_dir: Path, settings: FetchSettings) -> Path:
    path = Path(source.location).expanduser()
    if not path.is_file():
        raise RefreshError(f"không tìm thấy tệp {path}")
    if path.stat().st_size > settings.max_bytes:
        raise RefreshError(_too_big(settings.max_bytes))
    temp_path = _temp_file(source, lists_dir)
    try:
        with path.open("rb") as src, temp_path.open("wb") as out:
            while block := src.read(1024 * 1024):
                out.write(block)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    return temp_path


def _temp_file(source: ListSource, lists_dir: Path) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{source.key}.", suffix=".part", dir=lists_dir)
    os.close(handle)
    return Path(name)


def _state_from(
    parsed: ParseReport,
    source: ListSource,
    headers: dict[str, str],
    digest: str,
    now: datetime,
) -> SourceState:
    return SourceState(
        category=source.category,
        source=source.location,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        count=parsed.name_count,
        exception_count=parsed.exception_count,
        bad_lines=parsed.bad_count,
        unsupported_lines=parsed.unsupported_count,
        list_format=parsed.format.value,
        digest=digest,
        updated_at=now,
        bad_samples=parsed.bad_samples[:5],
    )


def _describe_error(exc: BaseException) -> str:
    if isinstance(exc, RefreshError):
        return str(exc)
    if isinstance(exc, HttpBodyTooLargeError):
        return _too_big(exc.limit)
    if isinstance(exc, HttpTimeoutError):
        return "hết thời gian chờ máy chủ"
    if isinstance(exc, HttpConnectionError):
        # The words a parent has always seen here: the kind of failure, not its details.
        kind = "SSLError" if isinstance(exc, HttpTlsError) else "ConnectionError"
        return f"không kết nối được: {kind}"
    if isinstance(exc, HttpError):
        return f"lỗi tải: {exc}"
    return f"lỗi tệp: {exc}"


def _too_big(limit: int) -> str:
    return f"danh sách lớn hơn giới hạn {limit // (1024 * 1024)} MiB"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while block := src.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()
