"""Write `family.toml` atomically, keeping a backup of the last good file.

A write goes to a temporary file in the same folder, is flushed to disk, then renamed over
the old file, so a crash leaves either the old file or the new one, never half of each.
Nothing invalid is ever written: the text is validated first. Every write holds the
policy folder's lock (:mod:`agent.policy.folder_lock`), which a writer that changes what
it read holds from its read on, so two programs never lose one another's edit. Every
file written here starts with a check line (:mod:`agent.policy.seal`) so a copy of it
that was cut off or damaged is refused as half-written instead of read as a smaller
policy.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from agent.policy.errors import InvalidPolicyError
from agent.policy.folder_lock import policy_folder_lock
from agent.policy.loader import parse_policy, parse_policy_bytes
from agent.policy.model import FamilyPolicy
from agent.policy.seal import seal, strip_seal
from agent.policy.services import ServiceCatalogue
from agent.policy.this_pc import read_local
from agent.private_files import PRIVATE_FILE_MODE  # caregivers' topics are in it
from dns_filter.fileio import atomic_write_bytes

log = logging.getLogger(__name__)



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
    it is not a valid policy. The previous file, if it was valid, becomes the backup. An old
    check line in `text` is replaced by a fresh one."""
    path = Path(path)
    text = strip_seal(text)
    policy = parse_policy(text, file=str(path), today=today, catalogue=catalogue)
    with policy_folder_lock(path):  # a caller changing what it read holds it already
        _backup_if_good(path, today=today, catalogue=catalogue)
        atomic_write_bytes(path, seal(text).encode("utf-8"), new_file_mode=PRIVATE_FILE_MODE)
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
    atomic_write_bytes(backup_path(path), current, new_file_mode=PRIVATE_FILE_MODE)


def write_policy_pair(
    path: str | Path,
    text: str,
    local_path: str | Path,
    local_text: str,
    *,
    today: date | None = None,
    catalogue: ServiceCatalogue | None = None,
) -> FamilyPolicy:
    """Write the family's file and this PC's own one (agent.policy.this_pc) together:
    validated as one policy first (nothing is written if it is not valid), each sealed,
    each file being replaced kept as its backup. This PC's file is written first: a crash
    between the two leaves the shared file as it was."""
    path, local_path = Path(path), Path(local_path)
    text, local_text = strip_seal(text), strip_seal(local_text)
    policy = parse_policy(
        text, file=str(path), today=today, catalogue=catalogue, local_text=local_text,
        local_file=str(local_path),
    )
    with policy_folder_lock(path):
        _backup_local_if_good(local_path)
        atomic_write_bytes(local_path, seal(local_text).encode("utf-8"),
                           new_file_mode=PRIVATE_FILE_MODE)
        _backup_if_good(path, today=today, catalogue=catalogue)
        atomic_write_bytes(path, seal(text).encode("utf-8"), new_file_mode=PRIVATE_FILE_MODE)
    log.info("wrote the family policy to %s and this PC's settings to %s", path, local_path)
    return policy


def _backup_local_if_good(path: Path) -> None:
    try:
        current = path.read_bytes()
    except FileNotFoundError:
        return
    try:
        read_local(current.decode("utf-8-sig"), file=str(path))
    except (InvalidPolicyError, UnicodeDecodeError):
        log.warning("%s is not valid; its backup is left as it was", path)
        return
    atomic_write_bytes(backup_path(path), current, new_file_mode=PRIVATE_FILE_MODE)
