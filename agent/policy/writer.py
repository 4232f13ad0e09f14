"""Write `family.toml` atomically, keeping a backup of the last good file.

A write goes to a temporary file in the same folder, is flushed to disk, then renamed over
the old file, so a crash leaves either the old file or the new one, never half of each.
Nothing invalid is ever written: the text is validated first.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import tempfile
from datetime import date
from pathlib import Path

from agent.policy.errors import InvalidPolicyError
from agent.policy.loader import parse_policy, parse_policy_bytes
from agent.policy.model import FamilyPolicy
from agent.policy.services import ServiceCatalogue

log = logging.getLogger(__name__)

NEW_FILE_MODE = 0o600  # caregivers' ntfy topics are in the file: not for every account to read


def backup_path(path: Path) -> Path:
    """Where the last good version of `path` is kept: `family.toml.bak` beside it."""
    return path.with_name(path.name + ".bak")


def write_policy_text(
    path: str | Path,
    text: str,
    *,
    today: date | None = None,
    catalogue: ServiceCatalogue | None = None,
) -> FamilyPolicy:
    """Validate `text` and write it to `path`; raise InvalidPolicyError and write nothing if
    it is not a valid policy. The previous file, if it was valid, becomes the backup."""
    path = Path(path)
    policy = parse_policy(text, file=str(path), today=today, catalogue=catalogue)
    _backup_if_good(path, today=today, catalogue=catalogue)
    atomic_write_bytes(path, text.encode("utf-8"))
    log.info("wrote the family policy to %s", path)
    return policy


def _backup_if_good(
    path: Path, *, today: date | None, catalogue: ServiceCatalogue | None
) -> None:
    try:
        current = path.read_bytes()
    except FileNotFoundError:
        return
    try:
        parse_policy_bytes(current, file=str(path), today=today, catalogue=catalogue)
    except InvalidPolicyError:
        # A broken file is not "last good": keep the older backup instead.
        log.warning("%s is not valid; its backup is left as it was", path)
        return
    atomic_write_bytes(backup_path(path), current)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically (temp file in the same folder, fsync, rename)."""
    folder = path.parent
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    descriptor, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no directory handles for this."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
