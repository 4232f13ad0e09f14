"""The child's tray on the agent's side: its endpoints, its identity and its token file.

The tray runs as the child, in the child's desktop session, and talks to the agent over
the loopback API with the tray token (``auth="child"``). Everything here is a plain-Python
:class:`TrayService`; :func:`register_tray_endpoints` puts thin handlers over it.

**Who is asking.** The tray token is one secret for every child's tray, so on its own it
cannot tell Minh's tray from Lan's. Each child's OS account therefore also gets a *user
key*: ``HMAC-SHA256(agent secret, os_user)``, where the agent secret (``tray-user-key``)
never leaves the agent's secret store. The tray sends both ``X-Baoan-User`` and
``X-Baoan-User-Key``; a sibling who reads the shared token still cannot read another
child's blocked sites, because each user key sits in a file only that account can read.

**The hand-over.** :func:`hand_over_tray_token` writes ``<dir>/<os_user>.json`` (token,
user, user key, API address) for each child's OS account: on Linux the folder belongs to
root with mode 0711 (no listing) and each file is 0600 owned by that child's account.
Windows and macOS are described in docs/tray.md.

Endpoints (all ``auth="child"``, parent tokens get ``403 child_only``):

* ``GET /api/tray/me?lang=`` — the child, age band, language, help-alert setting, the
  pages' paths and "what Bảo An watches" in words for the child's age;
* ``GET /api/tray/blocked?cursor=&limit=`` — sites blocked for this child on this PC since
  the cursor, oldest first, with the next cursor;
* ``POST /api/tray/help`` — the child pressed Help / 111 (identity optional: help is never
  refused for want of one);
* ``POST /api/tray/watch`` ``{"language": "vi"}`` — the child's acknowledgement.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import ipaddress
import json
import logging
import os
import re
import secrets
import stat
import sys
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from agent.api.http import ApiError, Request, Router
from agent.pages.i18n import DEFAULT_LANGUAGE, LANGUAGES, AgeBand, band_for_age
from agent.pages.strings import WATCH, text
from agent.policy.model import FamilyPolicy
from agent.secrets import SecretStore
from agent.store.models import QueryLogEntry

log = logging.getLogger(__name__)

TRAY_USER_KEY_SECRET_NAME = "tray-user-key"
USER_HEADER = "x-baoan-user"
USER_KEY_HEADER = "x-baoan-user-key"
TOKEN_FILE_SUFFIX = ".json"
DEFAULT_LINUX_TOKEN_DIR = Path("/run/baoan/tray")
BLOCKED_DEFAULT_LIMIT = 20
BLOCKED_MAX_LIMIT = 100
_CURSOR = re.compile(r"\Av2\.(\d{1,20})\Z")
# A POSIX or Windows account name as it may appear in a file name: nothing that walks.
_SAFE_USER = re.compile(r"\A[A-Za-z0-9._@-][A-Za-z0-9._@ $-]{0,63}\Z")


# -- identity ------------------------------------------------------------------------------


class TrayUserKeys:
    """Per-account keys derived from the agent's own secret (which never leaves it)."""

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the tray user-key secret is too short")
        self._secret = secret.encode("utf-8")

    def __repr__(self) -> str:
        return "TrayUserKeys(<secret>)"

    def key_for(self, os_user: str) -> str:
        digest = hmac.new(
            self._secret, b"baoan-tray-user\0" + os_user.casefold().encode("utf-8"), "sha256"
        ).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def verify(self, os_user: str, key: str) -> bool:
        return hmac.compare_digest(self.key_for(os_user).encode(), key.encode("utf-8", "replace"))


class SecretSource(Protocol):
    def get_or_create(self, name: str, make: Callable[[], str]) -> str: ...


def load_tray_user_keys(secret_store: SecretSource) -> TrayUserKeys:
    """The user keys over ``tray-user-key`` in the agent's secret store (made once)."""
    return TrayUserKeys(
        secret_store.get_or_create(TRAY_USER_KEY_SECRET_NAME, lambda: secrets.token_urlsafe(32))
    )


@dataclass(frozen=True)
class TrayIdentity:
    """Whose tray this is: a verified OS account and the child it belongs to (or None)."""

    os_user: str | None
    child: str | None


class TrayIdentityError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


# -- what the service needs ----------------------------------------------------------------


class QueryLogSource(Protocol):
    """The store's query log (``agent.store.Store`` has these methods)."""

    def blocked_since(
        self, child: str, after_id: int = 0, limit: int = 100, *, since: datetime | None = None
    ) -> list[tuple[int, QueryLogEntry]]: ...

    def last_query_log_id(self) -> int: ...


class AccessLike(Protocol):
    """The parts of ``agent.access.AccessService`` the tray uses."""

    def help_pressed(self, child: str | None, client_address: str) -> Any: ...

    def acknowledge_watch(self, child: str, language: str = "vi") -> Any: ...

    def watch_acknowledgement(self, child: str) -> Any: ...


@dataclass(frozen=True)
class PagePaths:
    """Where the agent serves the child's pages (paths on the API's own address)."""

    blocked: str = "/__baoan/blocked?site={site}"
    watch: str = "/__baoan/watch"
    help: str = "/__baoan/help"

    def blocked_for(self, site: str) -> str:
        return self.blocked.format(site=urllib.parse.quote(site, safe=""))


# -- plain data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockedSite:
    time: datetime
    name: str
    category: str | None
    why: str | None  # one plain sentence in the child's words, never a list's name
    page: str  # the block page's path on the agent's address

    def to_json(self) -> dict[str, Any]:
        return {
            "time": self.time.isoformat(),
            "name": self.name,
            "category": self.category,
            "why": self.why,
            "page": self.page,
        }


@dataclass(frozen=True)
class BlockedBatch:
    items: tuple[BlockedSite, ...]
    cursor: str
    truncated: bool  # older entries were skipped to keep the answer short

    def to_json(self) -> dict[str, Any]:
        return {
            "items": [item.to_json() for item in self.items],
            "cursor": self.cursor,
            "truncated": self.truncated,
        }


@dataclass(frozen=True)
class WatchNotice:
    """ "What Bảo An watches", in the words for one child's age band and language."""

    title: str
    intro: str
    recorded_heading: str
    recorded: tuple[str, ...]
    not_recorded_heading: str
    not_recorded: tuple[str, ...]
    who_heading: str
    who: tuple[str, ...]
    kept: str

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "intro": self.intro,
            "recorded_heading": self.recorded_heading,
            "recorded": list(self.recorded),
            "not_recorded_heading": self.not_recorded_heading,
            "not_recorded": list(self.not_recorded),
            "who_heading": self.who_heading,
            "who": list(self.who),
            "kept": self.kept,
        }


@dataclass(frozen=True)
class TrayProfile:
    child: str | None
    os_user: str | None
    age_band: str
    language: str
    help_alerts: bool
    poll_seconds: float
    acknowledged: bool
    acknowledged_at: datetime | None
    notice: WatchNotice
    pages: PagePaths = field(default_factory=PagePaths)

    def to_json(self) -> dict[str, Any]:
        return {
            "child": self.child,
            "os_user": self.os_user,
            "age_band": self.age_band,
            "language": self.language,
            "help_alerts": self.help_alerts,
            "poll_seconds": self.poll_seconds,
            "pages": {"watch": self.pages.watch, "help": self.pages.help},
            "watch": {
                "acknowledged": self.acknowledged,
                "acknowledged_at": None
                if self.acknowledged_at is None
                else self.acknowledged_at.isoformat(),
                "notice": self.notice.to_json(),
            },
        }


# -- the cursor ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a tray is in the query log: the newest row id it has been shown (row ids only
    grow, so two blocks logged in the same microsecond are still told apart)."""

    row_id: int

    def encode(self) -> str:
        return f"v2.{self.row_id}"

    @classmethod
    def decode(cls, value: str) -> Cursor:
        found = _CURSOR.match(value)
        if found is None:
            raise ValueError(f"not a tray cursor: {value[:40]!r}")
        return cls(int(found.group(1)))


# -- the service ---------------------------------------------------------------------------


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


class TrayService:
    """What the child's tray may ask of the agent (thread-safe: it reads snapshots)."""

    def __init__(
        self,
        query_log: QueryLogSource,
        family_policy: Callable[[], FamilyPolicy],
        user_keys: TrayUserKeys,
        *,
        access: Callable[[], AccessLike | None] = lambda: None,
        local_addresses: Callable[[], frozenset[str]] = frozenset,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        pages: PagePaths | None = None,
        explain_reason: Callable[[Mapping[str, object], str, AgeBand], str | None] | None = None,
        poll_seconds: float = 5.0,
        first_look_seconds: float = 120.0,
        scan_rows: int = 2000,
    ) -> None:
        self._query_log = query_log
        self._family_policy = family_policy
        self._user_keys = user_keys
        self._access = access
        self._local_addresses = local_addresses
        self._clock = clock
        self.pages = pages or PagePaths()
        self._explain = explain_reason or explain_in_words
        self.poll_seconds = poll_seconds
        self.first_look = timedelta(seconds=first_look_seconds)
        self.scan_rows = scan_rows

    # -- identity -----------------------------------------------------------------------------

    def identify(self, os_user: str | None, user_key: str | None) -> TrayIdentity:
        """The verified account and its child; TrayIdentityError when the key is missing or
        wrong. An account that is no child's belongs to the PC's default child, as its DNS
        queries do."""
        if not os_user or not user_key:
            raise TrayIdentityError(
                401, "user_key_required", "send X-Baoan-User and X-Baoan-User-Key"
            )
        if not self._user_keys.verify(os_user, user_key):
            raise TrayIdentityError(403, "bad_user_key", "the user key does not match")
        family = self._family_policy()
        child = family.child_for_os_user(os_user)
        return TrayIdentity(os_user, child.name if child else family.pc_default_child())

    # -- the child's profile ----------------------------------------------------------------

    def profile(self, identity: TrayIdentity, language: str | None = None) -> TrayProfile:
        family = self._family_policy()
        chosen = language if language in LANGUAGES else str(family.settings.language)
        if chosen not in LANGUAGES:
            chosen = DEFAULT_LANGUAGE
        band = self._band(family, identity.child)
        acknowledged_at: datetime | None = None
        acknowledged = False
        access = self._access_service()
        if access is not None and identity.child is not None:
            ack = access.watch_acknowledgement(identity.child)
            if ack is not None:
                acknowledged = bool(getattr(ack, "current", True))
                acknowledged_at = getattr(ack, "acknowledged_at", None)
        return TrayProfile(
            child=identity.child,
            os_user=identity.os_user,
            age_band=str(band),
            language=chosen,
            help_alerts=bool(family.settings.help_alerts_caregivers),
            poll_seconds=self.poll_seconds,
            acknowledged=acknowledged,
            acknowledged_at=acknowledged_at,
            notice=watch_notice(chosen, band, family.settings.query_log_retention_days),
            pages=self.pages,
        )

    # -- blocked sites -------------------------------------------------------------------------

    def blocked_since(
        self,
        identity: TrayIdentity,
        cursor: str | None,
        limit: int = BLOCKED_DEFAULT_LIMIT,
        language: str | None = None,
    ) -> BlockedBatch:
        """Sites blocked for this child from this PC after `cursor`, oldest first.

        Without a cursor (a tray that just started) only the last couple of minutes count,
        so a new session is not flooded with old blocks. Raises ValueError for a cursor
        that is not one of ours.
        """
        position = Cursor.decode(cursor) if cursor else None
        # Read before the rows: whatever is logged later has a higher id, seen next time.
        newest_id = self._query_log.last_query_log_id()
        if position is not None and position.row_id > newest_id:
            position = None  # a row this log never had (a new database): look afresh
        if identity.child is None:
            return BlockedBatch((), Cursor(newest_id).encode(), False)
        rows = self._query_log.blocked_since(
            identity.child,
            0 if position is None else position.row_id,
            self.scan_rows,
            since=self._clock() - self.first_look if position is None else None,
        )
        truncated = len(rows) >= self.scan_rows  # older blocks than these were skipped
        if rows:
            newest_id = max(newest_id, rows[-1][0])
        family = self._family_policy()
        band = self._band(family, identity.child)
        chosen = language if language in LANGUAGES else str(family.settings.language)
        local: frozenset[str] | None = None
        blocked: list[QueryLogEntry] = []
        for _row_id, row in rows:
            if not _is_loopback(row.client):
                if local is None:
                    local = self._safe_local_addresses()
                if row.client not in local:
                    continue  # the same child's phone on the LAN: not this PC's business
            blocked.append(row)
        if len(blocked) > limit:
            # Keep the newest: a notification about an old block is worthless.
            blocked = blocked[-limit:]
            truncated = True
        items = tuple(
            BlockedSite(
                time=row.time,
                name=row.name,
                category=row.category,
                why=self._explain(row.reason, chosen, band),
                page=self.pages.blocked_for(row.name),
            )
            for row in blocked
        )
        return BlockedBatch(items, Cursor(newest_id).encode(), truncated)

    # -- help and the acknowledgement ------------------------------------------------------------

    def help(self, identity: TrayIdentity | None, client_address: str) -> dict[str, Any]:
        """The child pressed Help / 111 in the tray. The tray shows 111 whatever this says."""
        access = self._access_service()
        child = identity.child if identity is not None else None
        if access is None:
            return {"child": child, "alerted": False, "alerts_enabled": False}
        result = access.help_pressed(child, client_address)
        return {
            "child": getattr(result, "child", child),
            "alerted": bool(getattr(result, "alerted", False)),
            "alerts_enabled": bool(getattr(result, "alerts_enabled", False)),
        }

    def acknowledge_watch(self, identity: TrayIdentity, language: str) -> dict[str, Any]:
        if language not in LANGUAGES:
            raise ValueError("language must be 'vi' or 'en'")
        if identity.child is None:
            raise LookupError("this account belongs to no child in family.toml")
        access = self._access_service()
        if access is None:
            raise RuntimeError("acknowledgements are not available in this agent")
        ack = access.acknowledge_watch(identity.child, language)
        to_json = getattr(ack, "to_json", None)
        return dict(to_json()) if callable(to_json) else {"child": identity.child}

    # -- helpers ------------------------------------------------------------------------------

    def _access_service(self) -> AccessLike | None:
        return self._access()

    def _band(self, family: FamilyPolicy, child_name: str | None) -> AgeBand:
        child = family.child(child_name) if child_name else None
        if child is None:
            return band_for_age(None)
        try:
            return band_for_age(child.age_in(self._clock().year))
        except ValueError:
            return band_for_age(None)

    def _safe_local_addresses(self) -> frozenset[str]:
        try:
            return frozenset(self._local_addresses())
        except Exception:  # an OS lookup failing must not stop the tray's notifications
            log.exception("cannot list this PC's addresses")
            return frozenset()


def watch_notice(language: str, band: AgeBand, retention_days: int) -> WatchNotice:
    recorded, not_recorded, who = WATCH[language][band]
    return WatchNotice(
        title=text(language, band, "title_watch"),
        intro=text(language, band, "watch_intro"),
        recorded_heading=text(language, band, "watch_recorded"),
        recorded=recorded,
        not_recorded_heading=text(language, band, "watch_not_recorded"),
        not_recorded=not_recorded,
        who_heading=text(language, band, "watch_who"),
        who=who,
        kept=text(language, band, "watch_kept").format(days=retention_days),
    )


def explain_in_words(reason: Mapping[str, object], language: str, band: AgeBand) -> str | None:
    """The block page's plain sentence for a stored reason (never a list's name)."""
    try:
        from agent.pages.explain import explain
        from agent.policy.services import load_catalogue
        from dns_filter.reason import Reason

        catalogue = load_catalogue()
        return explain(Reason.from_json(reason), catalogue).sentence(language, band, catalogue)
    except Exception:  # words are a nicety; the notification goes out without them
        log.debug("cannot explain %r", reason, exc_info=True)
        return None


# -- the endpoints -------------------------------------------------------------------------


def register_tray_endpoints(router: Router, service: TrayService) -> None:
    """Add the tray's endpoints to the agent's router (all need the tray token)."""

    def identity_of(request: Request) -> TrayIdentity:
        try:
            return service.identify(
                request.headers.get(USER_HEADER), request.headers.get(USER_KEY_HEADER)
            )
        except TrayIdentityError as error:
            raise ApiError(error.status, error.code, str(error)) from None

    def language_of(request: Request) -> str | None:
        value = request.query_value("lang")
        if value is not None and value not in LANGUAGES:
            raise ApiError(400, "bad_request", "lang must be 'vi' or 'en'")
        return value

    def me(request: Request) -> object:
        return service.profile(identity_of(request), language_of(request)).to_json()

    def blocked(request: Request) -> object:
        identity = identity_of(request)
        limit_text = request.query_value("limit")
        limit = BLOCKED_DEFAULT_LIMIT
        if limit_text:
            if not limit_text.isdigit() or not 1 <= int(limit_text) <= BLOCKED_MAX_LIMIT:
                raise ApiError(400, "bad_request", f"limit must be from 1 to {BLOCKED_MAX_LIMIT}")
            limit = int(limit_text)
        try:
            batch = service.blocked_since(
                identity, request.query_value("cursor"), limit, language_of(request)
            )
        except ValueError as error:
            raise ApiError(400, "bad_cursor", str(error)) from None
        return batch.to_json()

    def help_pressed(request: Request) -> object:
        identity: TrayIdentity | None
        try:
            identity = service.identify(
                request.headers.get(USER_HEADER), request.headers.get(USER_KEY_HEADER)
            )
        except TrayIdentityError:
            identity = None  # help is never refused for want of a name
        return service.help(identity, request.client_address)

    def acknowledge(request: Request) -> object:
        identity = identity_of(request)
        body = request.json_object()
        language = body.get("language", DEFAULT_LANGUAGE)
        if not isinstance(language, str):
            raise ApiError(400, "bad_request", "language must be 'vi' or 'en'")
        try:
            return service.acknowledge_watch(identity, language)
        except ValueError as error:
            raise ApiError(400, "bad_request", str(error)) from None
        except LookupError as error:
            raise ApiError(404, "unknown_child", str(error)) from None
        except RuntimeError as error:
            raise ApiError(503, "unavailable", str(error)) from None

    router.add("GET", "/api/tray/me", me, auth="child")
    router.add("GET", "/api/tray/blocked", blocked, auth="child")
    router.add("POST", "/api/tray/help", help_pressed, auth="child")
    router.add("POST", "/api/tray/watch", acknowledge, auth="child")


# -- the token hand-over ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HandOverResult:
    written: tuple[Path, ...]
    skipped: tuple[tuple[str, str], ...]  # (os_user, why)
    removed: tuple[Path, ...]


class HandOverError(RuntimeError):
    """The token folder is not safe to write into; nothing was written."""


def default_token_dir() -> Path:
    """Where trays look for their token file on this OS (see docs/tray.md)."""
    if sys.platform.startswith("win"):
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "BaoAn" / "tray"
    if sys.platform == "darwin":
        return Path("/Library/Application Support/BaoAn/tray")
    return DEFAULT_LINUX_TOKEN_DIR


def token_file_for(directory: Path, os_user: str) -> Path:
    if not _SAFE_USER.match(os_user) or os_user in (".", ".."):
        raise ValueError(f"not a usable account name: {os_user!r}")
    return directory / f"{os_user}{TOKEN_FILE_SUFFIX}"


def _account_ids(os_user: str) -> tuple[int, int] | None:
    try:
        import pwd
    except ImportError:  # Windows: per-user ACLs instead, see docs/tray.md
        return None
    try:
        entry = pwd.getpwnam(os_user)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def _prepare_directory(directory: Path, *, privileged: bool) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=0o711)
    info = directory.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise HandOverError(f"{directory} is not a plain folder; refusing to write tokens there")
    if info.st_uid != os.geteuid():
        raise HandOverError(
            f"{directory} belongs to uid {info.st_uid}, not to the agent; refusing to write"
        )
    # Traversable by the children (to open their own file), not listable, writable only here.
    os.chmod(directory, 0o711 if privileged else 0o700 | (info.st_mode & 0o011))


def _write_owned(path: Path, payload: bytes, uid: int | None, gid: int | None) -> None:
    """Write atomically a 0600 file owned by (uid, gid) — never readable by others, even
    for an instant."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            if uid is not None and gid is not None and (uid, gid) != (os.geteuid(), os.getegid()):
                os.fchown(handle.fileno(), uid, gid)
            os.fchmod(handle.fileno(), 0o600)
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def hand_over_tray_token(
    tray_token: str,
    user_keys: TrayUserKeys,
    os_users: Iterable[str],
    directory: Path | None = None,
    *,
    api_url: str = "http://127.0.0.1:8053",
) -> HandOverResult:
    """Give each child's OS account its tray credentials: ``<directory>/<user>.json``.

    POSIX: the folder is the agent's own (0711 when the agent runs as root, so a child can
    open their own file but not list the others); each file is 0600 and owned by that
    account. An agent that is not root can only hand over to its own account (try-out
    mode); the others are skipped and named in the result. Files of accounts no longer
    listed are removed. Call it at start and whenever family.toml changes.
    """
    if sys.platform.startswith("win"):
        raise NotImplementedError("Windows needs a per-user ACL on the file; see docs/tray.md")
    target = directory or default_token_dir()
    privileged = os.geteuid() == 0
    _prepare_directory(target, privileged=privileged)
    wanted: dict[str, Path] = {}
    skipped: list[tuple[str, str]] = []
    for os_user in dict.fromkeys(os_users):
        try:
            wanted[os_user] = token_file_for(target, os_user)
        except ValueError as error:
            skipped.append((os_user, str(error)))
    written: list[Path] = []
    for os_user, path in wanted.items():
        ids = _account_ids(os_user)
        if ids is None:
            skipped.append((os_user, "no such account on this PC"))
            continue
        uid, gid = ids
        if not privileged and uid != os.geteuid():
            skipped.append((os_user, "the agent is not root and cannot give it a file"))
            continue
        payload = json.dumps(
            {
                "token": tray_token,
                "user": os_user,
                "user_key": user_keys.key_for(os_user),
                "api_url": api_url,
            }
        ).encode("utf-8")
        _write_owned(path, payload, uid, gid)
        written.append(path)
    removed: list[Path] = []
    keep = {path.name for path in wanted.values()}
    for stale in target.glob(f"*{TOKEN_FILE_SUFFIX}"):
        if stale.name not in keep and not stale.is_symlink():
            with contextlib.suppress(OSError):
                stale.unlink()
                removed.append(stale)
    for os_user, why in skipped:
        log.warning("no tray token file for %s: %s", os_user, why)
    return HandOverResult(tuple(written), tuple(skipped), tuple(removed))


def child_os_users(family: FamilyPolicy) -> list[str]:
    """Every OS account that family.toml gives to a child."""
    return [user for child in family.children for user in child.os_users]


# -- wiring into the running agent ---------------------------------------------------------


class _PolicySource(Protocol):
    @property
    def policy(self) -> FamilyPolicy: ...

    def subscribe(self, callback: Callable[[FamilyPolicy], None]) -> Callable[[], None]: ...


class AgentLike(Protocol):
    """The parts of ``agent.runtime.Agent`` the tray needs (all public attributes)."""

    @property
    def store(self) -> Any: ...

    @property
    def policy_holder(self) -> _PolicySource: ...

    @property
    def access(self) -> Any: ...

    @property
    def http_server(self) -> Any: ...

    def http_url(self) -> str: ...


def token_dir_for(data_dir: Path) -> Path:
    """The system's token folder when the agent runs as root, else ``<data dir>/tray``
    (try-out mode: only the agent's own account can be handed a token there)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return default_token_dir()
    return data_dir / "tray"


def connect_tray(
    agent: AgentLike,
    secret_store: SecretStore,
    *,
    data_dir: Path,
    local_addresses: Callable[[], frozenset[str]] | None = None,
    token_dir: Path | None = None,
    extra_os_users: Sequence[str] = (),
) -> TrayService:
    """Add the tray's endpoints to the running agent's router and hand the tray token to
    every child's OS account (again on each new family.toml). Call once the HTTP server
    has started; hand-over failures are logged, never raised: the agent keeps running."""
    from agent.auth import load_or_create_tray_token

    if local_addresses is None:
        from agent import platform

        local_addresses = platform.current().local_addresses
    store = agent.store
    if store is None:
        raise RuntimeError("connect_tray needs the agent's store open")
    keys = load_tray_user_keys(secret_store)
    service = TrayService(
        store,
        lambda: agent.policy_holder.policy,
        keys,
        access=lambda: agent.access,
        local_addresses=local_addresses,
    )
    register_tray_endpoints(agent.http_server.router, service)
    tray_token = load_or_create_tray_token(secret_store)
    directory = token_dir or token_dir_for(data_dir)

    def hand_over(family: FamilyPolicy) -> None:
        try:
            hand_over_tray_token(
                tray_token,
                keys,
                [*child_os_users(family), *extra_os_users],
                directory,
                api_url=agent.http_url(),
            )
        except Exception:
            log.exception("the tray token could not be handed over in %s", directory)

    hand_over(agent.policy_holder.policy)
    agent.policy_holder.subscribe(hand_over)
    return service
