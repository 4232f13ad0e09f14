"""The tray token handed to each child's OS account.

:func:`hand_over_tray_token` writes ``<dir>/<os_user>.json`` (token, user, user key, API
address, and which agent wrote it) for each child's OS account: on Linux the folder belongs
to root with mode 0711 (no listing) and each file is 0600 owned by that child's account.
Windows and macOS are described in docs/tray.md.

Each agent has its own folder, named from its data folder (:func:`token_dir_for`): as
root ``/run/baoan/<instance>/``, else ``<data dir>/tray/``. Two agents on one PC (the
installed service and ``sudo baoan try``) never write in each other's folder, and an agent
removes only files that carry its own mark.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from agent.policy.model import FamilyPolicy
from agent.tray.identity import TrayUserKeys

log = logging.getLogger(__name__)

TOKEN_FILE_SUFFIX = ".json"
# Where each agent running as root has its own token folder, one per data folder.
DEFAULT_LINUX_TOKEN_ROOT = Path("/run/baoan")
# A POSIX or Windows account name as it may appear in a file name: nothing that walks.
_SAFE_USER = re.compile(r"\A[A-Za-z0-9._@-][A-Za-z0-9._@ $-]{0,63}\Z")
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# The key in each token file that says which agent wrote it (its instance name).
AGENT_KEY = "agent"



@dataclass(frozen=True)
class HandOverResult:
    written: tuple[Path, ...]
    skipped: tuple[tuple[str, str], ...]  # (os_user, why)
    removed: tuple[Path, ...]


class HandOverError(RuntimeError):
    """The token folder is not safe to write into; nothing was written."""


def default_token_root() -> Path:
    """Where the agents running as root keep their token folders on this OS, one folder
    each, and where trays look for their file (see docs/tray.md)."""
    if sys.platform.startswith("win"):
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "BaoAn" / "tray"
    if sys.platform == "darwin":
        return Path("/Library/Application Support/BaoAn/tray")
    return DEFAULT_LINUX_TOKEN_ROOT


def instance_name(data_dir: Path) -> str:
    """The agent's name among the agents of this PC, from its data folder: its last part
    and a digest of the whole absolute path (``baoan-1f2e3d4c5b``), the same at every
    start and different for every other data folder."""
    path = Path(os.path.abspath(data_dir))
    label = _UNSAFE_IN_NAME.sub("-", path.name).strip(".-")[:32] or "agent"
    digest = hashlib.sha256(str(path).encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return f"{label}-{digest}"


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


def _prepare_root(root: Path) -> None:
    """Make the folder of the agents' token folders if it is missing: 0755, whatever the
    umask, since each tray lists it to find the agent it talks to (the names of the
    agents' folders are not secret). An existing one is the service manager's."""
    try:
        root.mkdir(parents=True, mode=0o755)
    except FileExistsError:
        return
    os.chmod(root, 0o755)


def _prepare_directory(directory: Path, *, privileged: bool) -> None:
    if privileged:
        _prepare_root(directory.parent)
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
    directory: Path,
    *,
    api_url: str = "http://127.0.0.1:8053",
    agent: str | None = None,
) -> HandOverResult:
    """Give each child's OS account its tray credentials: ``<directory>/<user>.json``.

    POSIX: the folder is the agent's own (0711 when the agent runs as root, so a child can
    open their own file but not list the others); each file is 0600 and owned by that
    account, and carries ``"agent": agent`` (default: the folder's name), the mark of the
    agent that wrote it. An agent that is not root can only hand over to its own account
    (try-out mode); the others are skipped and named in the result. Files with this
    agent's mark for accounts no longer listed are removed; any other file is left alone.
    Call it at start and whenever family.toml changes.
    """
    if sys.platform.startswith("win"):
        raise NotImplementedError("Windows needs a per-user ACL on the file; see docs/tray.md")
    target = directory
    mark = agent or target.name
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
                AGENT_KEY: mark,
            }
        ).encode("utf-8")
        _write_owned(path, payload, uid, gid)
        written.append(path)
    removed: list[Path] = []
    keep = {path.name for path in wanted.values()}
    for stale in target.glob(f"*{TOKEN_FILE_SUFFIX}"):
        if stale.name not in keep and written_by(stale) == mark:
            with contextlib.suppress(OSError):
                stale.unlink()
                removed.append(stale)
    for os_user, why in skipped:
        log.warning("no tray token file for %s: %s", os_user, why)
    return HandOverResult(tuple(written), tuple(skipped), tuple(removed))


def child_os_users(family: FamilyPolicy) -> list[str]:
    """Every OS account that family.toml gives to a child."""
    return [user for child in family.children for user in child.os_users]


def written_by(path: Path) -> str | None:
    """The mark of the agent that wrote the token file `path` (None: not a token file of
    ours, a link, or unreadable)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            content = json.loads(handle.read(64 * 1024))
    except (OSError, ValueError):
        return None
    mark = content.get(AGENT_KEY) if isinstance(content, dict) else None
    return mark if isinstance(mark, str) else None


def token_dir_for(data_dir: Path, root: Path | None = None) -> Path:
    """This agent's own token folder: ``<root>/<instance>`` when it runs as root (root:
    the OS's place, ``/run/baoan`` on Linux), else ``<data dir>/tray`` (try-out mode: only
    the agent's own account can be handed a token there)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return (root or default_token_root()) / instance_name(data_dir)
    return data_dir / "tray"


def remove_empty_token_dir(directory: Path) -> None:
    """At stop: the agent's token folder goes if nothing is left in it (the files stay:
    the token outlives a restart, and a tray started meanwhile still finds it)."""
    with contextlib.suppress(OSError):
        directory.rmdir()
