"""The agent's data folder is its own account's alone.

The store holds every child's browsing history, Help presses, requests and
acknowledgements; the folder also holds the secrets and the lists' copies. So the folder is
0700 and every file in it 0600, owned by the agent's account (root on an installed PC).
Each file is created with its mode (the helpers here, and the 0600 temporary file of
:func:`dns_filter.fileio.atomic_write_bytes`); :func:`secure_data_dir`
makes the folder so at start and puts right what an older version, a restore or a hand
left wider, logging each fix. Standard library only: the store uses it. POSIX only: on
Windows the installer's ACL on the folder does this (installers/README.md).
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def make_private_dir(folder: Path) -> None:
    """Create `folder` (and missing parents, as the OS makes them) with mode 0700 from its
    creation; an existing folder is left as it is."""
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)


def create_private_file(path: Path) -> bool:
    """Create an empty `path` with mode 0600 from its creation (so a program that fills it
    later, SQLite for one, never makes it readable by others); False when it existed."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags, PRIVATE_FILE_MODE)
    except FileExistsError:
        return False
    os.close(descriptor)
    return True


@dataclass(frozen=True)
class PrivacyFix:
    """One path made private again, and what was wrong with it."""

    path: Path
    was: str  # "mode 0644", "owner 1000:1000"

    def __str__(self) -> str:
        return f"{self.path} ({self.was})"


def secure_data_dir(data_dir: Path) -> tuple[PrivacyFix, ...]:
    """Create `data_dir` with mode 0700, or make it and everything in it private: folders
    0700, files 0600, owned by this account (when it may give them). Symbolic links are
    neither followed nor changed. Returns (and logs) what was fixed."""
    make_private_dir(data_dir)
    if os.name != "posix":
        return ()
    fixes: list[PrivacyFix] = []
    _secure(data_dir, is_dir=True, fixes=fixes, follow=True)
    for folder, dir_names, file_names in os.walk(data_dir, followlinks=False):
        base = Path(folder)
        for name in dir_names:
            _secure(base / name, is_dir=True, fixes=fixes)
        for name in file_names:
            _secure(base / name, is_dir=False, fixes=fixes)
    for fix in fixes:
        log.warning("made private, others could reach it: %s", fix)
    return tuple(fixes)


def _secure(path: Path, *, is_dir: bool, fixes: list[PrivacyFix], follow: bool = False) -> None:
    try:
        info = path.stat() if follow else path.lstat()
    except FileNotFoundError:
        return  # gone meanwhile (a temporary file renamed)
    if stat.S_ISLNK(info.st_mode) or not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
        return
    wanted = PRIVATE_DIR_MODE if is_dir else PRIVATE_FILE_MODE
    owner = (os.geteuid(), os.getegid())
    try:
        if info.st_uid != owner[0] and owner[0] == 0:
            os.chown(path, *owner, follow_symlinks=False)
            fixes.append(PrivacyFix(path, f"owner {info.st_uid}:{info.st_gid}"))
        elif info.st_uid != owner[0]:
            log.error(
                "%s belongs to uid %s, not to the agent's account; the agent cannot make it "
                "private",
                path,
                info.st_uid,
            )
            return
        mode = stat.S_IMODE(info.st_mode)
        if mode & ~wanted & 0o7777:
            os.chmod(path, mode & wanted)  # not a link: checked above, and only we write here
            fixes.append(PrivacyFix(path, f"mode {mode:04o}"))
    except OSError as error:
        log.error("cannot make %s private: %s", path, error)
