"""A secrets backend, shaped like a `keyring` backend, that keeps secrets in one private
JSON file.

A system service (root, LocalSystem) and a test run have no desktop keyring to talk to, so
the agent keeps its secrets in ``<data dir>/secrets.json``: mode 0600 inside a 0700
folder, written atomically (temporary file, fsync, rename), so a crash mid-write leaves
the previous file whole. Every change reads, changes and writes the file under an
exclusive lock on its folder (``flock``, POSIX), so the agent and `baoan pin`
writing at the same moment both keep their change. It is chosen explicitly by
:mod:`agent.secrets`; it is not a `keyring` backend class, so keyring's automatic selection
can never pick it, and the service does not load keyring (and its entry-point machinery)
at all: the system keyring is only imported where it is used.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from agent.private_files import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE
from dns_filter.fileio import atomic_write_bytes

try:
    import fcntl
except ImportError:  # Windows: one writer per file is the service itself
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)



class SecretBackendError(Exception):
    """A secrets backend could not read, store or delete a secret."""


class SecretFileError(SecretBackendError):
    """The secrets file cannot be read or written; the message says which file and why."""


class SecretMissingError(SecretBackendError):
    """There was no such secret to delete."""


class SecretBackend(Protocol):
    """What :class:`agent.secrets.SecretStore` needs of a backend (keyring's three calls)."""

    def get_password(self, service: str, username: str) -> str | None: ...

    def set_password(self, service: str, username: str, password: str) -> None: ...

    def delete_password(self, service: str, username: str) -> None: ...


class FileKeyring:
    """Secrets as ``{service: {name: value}}`` in one 0600 JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def __str__(self) -> str:
        return f"FileKeyring({self.path})"

    __repr__ = __str__

    # -- the backend's calls -----------------------------------------------------------------

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            data = self._read()
        value = data.get(service, {}).get(username)
        return value if isinstance(value, str) else None

    def set_password(self, service: str, username: str, password: str) -> None:
        if not isinstance(password, str):
            raise SecretBackendError("a secret must be a string")
        with self._exclusive():
            data = self._read()
            data.setdefault(service, {})[username] = password
            self._write(data)

    def delete_password(self, service: str, username: str) -> None:
        with self._exclusive():
            data = self._read()
            names = data.get(service, {})
            if username not in names:
                raise SecretMissingError(f"no secret {service}/{username}")
            del names[username]
            if not names:
                del data[service]
            self._write(data)

    # -- file handling ----------------------------------------------------------------------

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """This thread alone, and (POSIX) this process alone, changes the file now."""
        with self._lock:
            if fcntl is None:
                yield
                return
            # The folder itself is locked: the file is replaced by a rename (a lock on it
            # would stay on the old inode), and a lock file would be one more file.
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
            descriptor = os.open(self.path.parent, os.O_RDONLY)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                yield
            finally:
                os.close(descriptor)  # closing releases the lock

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise SecretFileError(f"{self.path}: cannot read the secrets file: {exc}") from exc
        if os.name == "posix" and stat.S_IMODE(info.st_mode) & 0o077:
            # Someone loosened it; tighten it again rather than serve secrets to others.
            log.warning("%s was readable by others; resetting its mode to 0600", self.path)
            os.chmod(self.path, PRIVATE_FILE_MODE)
        try:
            raw = self.path.read_text(encoding="utf-8")
            data = json.loads(raw) if raw.strip() else {}
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            # Never overwrite a file we cannot understand: that would lose every secret in it.
            raise SecretFileError(
                f"{self.path}: the secrets file is damaged ({exc}); it was left untouched"
            ) from exc
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise SecretFileError(
                f"{self.path}: expected an object of services, each an object of names; "
                "the file was left untouched"
            )
        return data

    def _write(self, data: dict[str, dict[str, Any]]) -> None:
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
        atomic_write_bytes(self.path, text.encode("utf-8"), mode=PRIVATE_FILE_MODE)
