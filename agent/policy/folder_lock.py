"""One writer of the policy's folder at a time, across processes.

The agent's policy API and `baoan caregiver add|remove` (another process) both read
family.toml, change it and write it back. Inside one process a lock is enough; between
two it is not, and the later write would silently drop the earlier edit. So every writer
holds a lock on the policy's folder from the moment it reads what it will change (or
checks the entity tag it was given) until the new file is in place: `fcntl.flock` on the
folder itself on POSIX (no file is left in a synced folder), `msvcrt.locking` on a file
beside the policy, `.baoan-policy.lock`, on Windows (each imported only there).

The lock is re-entrant within a process (a writer that holds it may call the policy
writer, which takes it again) and also serialises the threads of one process.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_NAME = ".baoan-policy.lock"
DEFAULT_TIMEOUT_SECONDS = 30.0
_POLL_SECONDS = 0.05


class PolicyLockTimeoutError(TimeoutError):
    """Another writer held the policy's folder for too long."""


def lock_path_for(config_path: Path) -> Path:
    """What is locked for `config_path` (family.toml): its folder on POSIX, the lock file
    in it on Windows (a folder cannot be locked there)."""
    folder = Path(config_path).resolve().parent
    return folder / LOCK_NAME if sys.platform == "win32" else folder


@dataclass
class _Held:
    """This process's hold on one lock file."""

    threads: threading.RLock = field(default_factory=threading.RLock)
    depth: int = 0
    fd: int | None = None


_registry_lock = threading.Lock()
_registry: dict[Path, _Held] = {}


@contextmanager
def policy_folder_lock(
    config_path: str | Path, *, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> Iterator[None]:
    """Hold the policy folder's lock (waiting up to `timeout` seconds for another writer,
    then `PolicyLockTimeoutError`)."""
    path = lock_path_for(Path(config_path))
    with _registry_lock:
        held = _registry.setdefault(path, _Held())
    deadline = time.monotonic() + timeout
    if not held.threads.acquire(timeout=max(timeout, 0.0)):
        raise PolicyLockTimeoutError(f"another writer is changing the policy in {path}")
    try:
        if held.depth == 0:
            held.fd = _lock_file(path, deadline)
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
            if held.depth == 0 and held.fd is not None:
                _unlock_file(held.fd)
                held.fd = None
    finally:
        held.threads.release()


def _lock_file(path: Path, deadline: float) -> int:
    if sys.platform == "win32":
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    else:
        fd = os.open(path, os.O_RDONLY)  # the folder: flock takes a directory too
    try:
        while True:
            if _try_lock(fd):
                return fd
            if time.monotonic() >= deadline:
                raise PolicyLockTimeoutError(
                    f"another program is changing the policy in {path}; try again"
                )
            time.sleep(_POLL_SECONDS)
    except BaseException:
        os.close(fd)
        raise


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock_file(fd: int) -> None:
    try:
        if sys.platform == "win32":
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_UN)
    except OSError as error:
        log.warning("cannot release the policy folder's lock: %s", error)
    finally:
        os.close(fd)
