"""The tray's backend over the agent's local HTTP API (``/api/tray/*``, docs/tray.md).

The tray reads its credentials from the token file the agent hands over (the shared tray
token, this account's name and its user key). It speaks plain HTTP to loopback with
``requests``, never through a proxy from the environment: the token must not travel.
Workers call it from several threads, so each thread gets its own HTTP session.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from agent.api.types import (
    BlockedBatch,
    ForegroundApp,
    HeartbeatAnswer,
    HeartbeatBatch,
    HeartbeatReport,
    HelpOutcome,
    ReportOutcome,
    ShapeError,
    TimeRequestInfo,
    TrayProfile,
    WatchAcknowledgementInfo,
)
from gui.tray.backend import AgentUnreachableError, TrayBackendError
from gui.tray.enforcement import AppToClose, Enforcer, Standing
from gui.tray.heartbeat import HeartbeatSender, QueuedBeat
from gui.tray.watchers import Watcher, create_watcher

DEFAULT_API_URL = "http://127.0.0.1:8053"
TOKEN_FILE_ENV = "BAOAN_TRAY_TOKEN_FILE"
# Where each agent running as root has its own token folder, one per data folder
# (agent/tray/handover.py, default_token_root and token_dir_for).
LINUX_TOKEN_ROOT = Path("/run/baoan")


@dataclass(frozen=True)
class TrayCredentials:
    token: str = field(repr=False)
    user: str
    user_key: str = field(repr=False)
    api_url: str | None = None


class CredentialsError(Exception):
    """The token file is missing, unreadable or not what the agent writes."""


def token_root() -> Path:
    """The folder of the agents' token folders on this OS (docs/tray.md)."""
    if sys.platform.startswith("win"):
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "BaoAn" / "tray"
    if sys.platform == "darwin":
        return Path("/Library/Application Support/BaoAn/tray")
    return LINUX_TOKEN_ROOT


def default_token_file(
    user: str | None = None, api_url: str | None = None, root: Path | None = None
) -> Path:
    """``$BAOAN_TRAY_TOKEN_FILE``, else this account's file from the agent the tray talks
    to: of the agents' folders under `root` (default :func:`token_root`), the one whose
    file names `api_url`; without one, the agent at the default address (the installed
    service), else the newest file. When none is found, where the installed service's would
    be looked for (so that the error names a place)."""
    explicit = os.environ.get(TOKEN_FILE_ENV)
    if explicit:
        return Path(explicit)
    name = user or getpass.getuser()
    base = root or token_root()
    found = _readable_token_files(base, name)
    if not found:
        return base / "*" / f"{name}.json"
    wanted = _same_url(api_url or DEFAULT_API_URL)
    for path, url in found:
        if url is not None and _same_url(url) == wanted:
            return path
    if api_url is not None:
        return base / "*" / f"{name}.json"  # none of this agent's: say so, not another's
    return max(found, key=lambda item: _modified(item[0]))[0]


def _readable_token_files(base: Path, user: str) -> list[tuple[Path, str | None]]:
    """(file, its API address) for each agent's folder under `base` that holds a token
    file this account can read."""
    try:
        folders = sorted(entry for entry in base.iterdir() if entry.is_dir())
    except OSError:
        return []
    found = []
    for folder in folders:
        path = folder / f"{user}.json"
        try:
            credentials = load_credentials(path)
        except CredentialsError:
            continue
        found.append((path, credentials.api_url))
    return found


def _same_url(url: str) -> str:
    return url.strip().rstrip("/").lower()


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def load_credentials(path: Path) -> TrayCredentials:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CredentialsError(f"no tray token file at {path}") from None
    except PermissionError:
        raise CredentialsError(f"{path} is not readable by this account") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CredentialsError(f"cannot read the tray token file {path}: {error}") from None
    if not isinstance(raw, dict):
        raise CredentialsError(f"{path} does not hold a JSON object")
    values = {key: raw.get(key) for key in ("token", "user", "user_key")}
    missing = [key for key, value in values.items() if not isinstance(value, str) or not value]
    if missing:
        raise CredentialsError(f"{path} lacks {', '.join(missing)}")
    api_url = raw.get("api_url")
    return TrayCredentials(
        token=str(values["token"]),
        user=str(values["user"]),
        user_key=str(values["user_key"]),
        api_url=api_url if isinstance(api_url, str) and api_url else None,
    )


class HttpTrayBackend:
    """:class:`gui.tray.backend.TrayBackend` over HTTP. Without credentials every call
    except Help fails with :class:`AgentUnreachableError`; Help is still tried."""

    def __init__(
        self,
        base_url: str,
        credentials: TrayCredentials | None,
        timeout: float = 3.0,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._credentials = credentials
        self._timeout = timeout
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"HttpTrayBackend({self._base_url!r})"

    @property
    def base_url(self) -> str:
        return self._base_url

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    # TrayBackend.
    def profile(self, language: str | None = None) -> TrayProfile:
        body = self._request("GET", "/api/tray/me", params=_lang(language))
        try:
            return TrayProfile.from_json(body)
        except ShapeError as error:
            raise TrayBackendError(
                f"unexpected answer from /api/tray/me: {error}", "protocol"
            ) from None

    def blocked_since(self, cursor: str | None, language: str | None = None) -> BlockedBatch:
        params = _lang(language)
        if cursor:
            params["cursor"] = cursor
        body = self._request("GET", "/api/tray/blocked", params=params)
        try:
            return BlockedBatch.from_json(body)
        except ShapeError as error:
            raise TrayBackendError(
                f"unexpected answer from /api/tray/blocked: {error}", "protocol"
            ) from None

    def press_help(self) -> HelpOutcome:
        body = self._request("POST", "/api/tray/help", json_body={}, need_credentials=False)
        try:
            return HelpOutcome.from_json(body)
        except ShapeError:
            # The tray shows 111 whatever the agent says; an odd answer is no alert.
            return HelpOutcome(alerted=False, alerts_enabled=False)

    def report(self) -> ReportOutcome:
        """``POST /api/tray/report``: "Báo điều xấu" → "tell my parents", for this account's
        child (named by the user key; without credentials nobody can be told)."""
        body = self._request("POST", "/api/tray/report", json_body={})
        try:
            return ReportOutcome.from_json(body)
        except ShapeError as error:
            raise TrayBackendError(
                f"unexpected answer from /api/tray/report: {error}", "protocol"
            ) from None

    def acknowledge_watch(
        self, language: str, answer: str = "acknowledged"
    ) -> WatchAcknowledgementInfo:
        body = self._request(
            "POST", "/api/tray/watch", json_body={"language": language, "answer": answer}
        )
        try:
            return WatchAcknowledgementInfo.from_json(body)
        except ShapeError as error:
            raise TrayBackendError(
                f"unexpected answer from /api/tray/watch: {error}", "protocol"
            ) from None

    def send_heartbeats(
        self,
        sent_monotonic: float,
        beats: Sequence[QueuedBeat],
        *,
        watcher: str = "",
        foreground_known: bool | None = None,
    ) -> HeartbeatAnswer:
        """``POST /api/usage/heartbeat`` (gui/tray/heartbeat.py queues and calls this),
        saying which session watcher runs and whether it knows the app in front."""
        batch = HeartbeatBatch(
            sent_monotonic,
            tuple(_report(beat) for beat in beats),
            watcher=watcher,
            foreground_known=foreground_known,
        )
        body = self._request("POST", "/api/usage/heartbeat", json_body=batch.to_json())
        try:
            return HeartbeatAnswer.from_json(body)
        except ShapeError as error:
            raise TrayBackendError(
                f"unexpected answer from /api/usage/heartbeat: {error}", "protocol"
            ) from None

    def ask_for_more_time(self, minutes: int, reason: str = "") -> TimeRequestInfo:
        """``POST /api/usage/more-time`` (15, 30 or 60 minutes): the pending request."""
        body = self._request(
            "POST", "/api/usage/more-time", json_body={"minutes": minutes, "reason": reason}
        )
        return _time_request(body, "/api/usage/more-time")

    def time_request(self, request_id: str) -> TimeRequestInfo:
        """``GET /api/usage/more-time/{id}``: whether a parent answered, and how."""
        path = f"/api/usage/more-time/{quote(request_id, safe='')}"
        return _time_request(self._request("GET", path), path)

    # Plumbing.
    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # no proxies, no .netrc: the agent is on loopback
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        need_credentials: bool = True,
    ) -> dict[str, Any]:
        credentials = self._credentials
        if credentials is None:
            # Without a token only Help is worth trying; it will be refused, but the tray
            # shows 111 whatever the agent says.
            if need_credentials:
                raise AgentUnreachableError("this account has no tray token file")
            headers: dict[str, str] = {}
        else:
            headers = {
                "Authorization": f"Bearer {credentials.token}",
                "X-Baoan-User": credentials.user,
                "X-Baoan-User-Key": credentials.user_key,
            }
        try:
            response = self._session().request(
                method,
                self._base_url + path,
                params=params,
                json=json_body,
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,
            )
        except (requests.ConnectionError, requests.Timeout) as error:
            raise AgentUnreachableError(f"the agent does not answer at {self._base_url}") from error
        except requests.RequestException as error:
            raise TrayBackendError(f"request to the agent failed: {error}") from error
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise TrayBackendError(
                f"{method} {path}: HTTP {response.status_code} without a JSON object", "protocol"
            )
        if response.status_code >= 400:
            code = body.get("error")
            raise TrayBackendError(
                f"{method} {path}: HTTP {response.status_code} {body.get('message', '')}",
                code if isinstance(code, str) else "error",
            )
        return body


def _time_request(body: dict[str, Any], path: str) -> TimeRequestInfo:
    try:
        return TimeRequestInfo.from_json(body)
    except ShapeError as error:
        raise TrayBackendError(f"unexpected answer from {path}: {error}", "protocol") from None


def standing_of(answer: HeartbeatAnswer) -> Standing:
    return Standing(
        allowed=answer.allowed,
        seconds_left=answer.seconds_left,
        action=answer.action,
        warnings_minutes=answer.warnings_minutes,
        limit_kind=answer.limit.kind,
        service=answer.limit.service,
        close_pids=answer.close_pids,
        service_name=answer.limit.service_name,
        closing=tuple(AppToClose(app.pid, app.name, app.why) for app in answer.closing),
    )


def start_heartbeat(
    backend: HttpTrayBackend,
    enforcer: Enforcer | None = None,
    watcher: Watcher | None = None,
) -> HeartbeatSender[HeartbeatAnswer]:
    """Screen time: this session's heartbeat to the agent, on its own thread (the watcher
    for this OS unless one is given); each answer goes to `enforcer` (warnings, and the
    parent's action at zero)."""
    sender: HeartbeatSender[HeartbeatAnswer]

    def on_answer(answer: HeartbeatAnswer) -> None:
        if enforcer is not None:
            enforcer.on_standing(standing_of(answer), sender.last_sample)

    chosen = watcher or create_watcher()
    send = partial(
        backend.send_heartbeats, watcher=chosen.name, foreground_known=chosen.knows_foreground
    )
    sender = HeartbeatSender(chosen, send, on_answer=on_answer)
    sender.start()
    return sender


def _report(beat: QueuedBeat) -> HeartbeatReport:
    sample, app = beat.sample, beat.sample.app
    return HeartbeatReport(
        tray_instance=beat.tray_instance,
        monotonic=beat.monotonic,
        wall=beat.wall,
        app=None
        if app is None
        else ForegroundApp(
            exe_path=app.exe_path,
            pid=app.pid,
            create_time=app.create_time,
            title=app.title,
            product_name=app.product_name,
            original_name=app.original_name,
        ),
        idle_seconds=sample.idle_seconds,
        locked=sample.locked,
        full_screen=sample.full_screen,
        media_playing=sample.media_playing,
        utc_offset_minutes=beat.utc_offset_minutes,
    )


def _lang(language: str | None) -> dict[str, str]:
    return {"lang": language} if language in ("vi", "en") else {}
