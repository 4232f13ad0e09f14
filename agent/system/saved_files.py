"""Files as they were before we changed them, kept so that removal gives them back exactly.

A `FileSnapshot` records one path as it was: absent, a symbolic link (its target) or a
regular file (its bytes and mode). Snapshots are saved as JSON in the package's state
folder (root's alone) and put back byte for byte.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import json
import logging
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dns_filter.fileio import atomic_write_bytes

log = logging.getLogger(__name__)

STATE_FILE_MODE = 0o600
STATE_DIR_MODE = 0o700


@dataclass(frozen=True)
class FileSnapshot:
    path: str  # relative to the root: "etc/resolv.conf"
    kind: str  # "absent", "file" or "symlink"
    data: bytes = b""
    mode: int = 0o644
    target: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "kind": self.kind,
            "data": base64.b64encode(self.data).decode("ascii"),
            "mode": self.mode,
            "target": self.target,
        }

    @classmethod
    def from_json(cls, raw: object) -> FileSnapshot:
        if not isinstance(raw, dict):
            raise ValueError("a saved file must be an object")
        kind = str(raw["kind"])
        if kind not in ("absent", "file", "symlink"):
            raise ValueError(f"unknown kind of saved file {kind!r}")
        return cls(
            path=str(raw["path"]),
            kind=kind,
            data=base64.b64decode(str(raw.get("data", ""))),
            mode=int(raw.get("mode", 0o644)),
            target=str(raw.get("target", "")),
        )


def take_snapshot(root: Path, relative: str) -> FileSnapshot:
    path = root / relative
    if path.is_symlink():
        return FileSnapshot(relative, "symlink", target=os.readlink(path))
    try:
        info = path.stat()
    except FileNotFoundError:
        return FileSnapshot(relative, "absent")
    return FileSnapshot(relative, "file", path.read_bytes(), stat.S_IMODE(info.st_mode))


def put_back(root: Path, snapshot: FileSnapshot) -> None:
    """Make the path what it was when the snapshot was taken."""
    path = root / snapshot.path
    if snapshot.kind == "absent":
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return
    if snapshot.kind == "symlink":
        if path.is_symlink() and os.readlink(path) == snapshot.target:
            return
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(snapshot.target)
        return
    if path.is_symlink():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, snapshot.data, snapshot.mode)


def write_file(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace `path` (never following a link there) with `data` and `mode`.

    Atomic where the folder may be written; a service whose sandbox makes only the file
    itself writable (systemd's ReadWritePaths on /etc/resolv.conf) rewrites it in place.
    """
    try:
        atomic_write_bytes(path, data, mode=mode)
    except OSError as error:
        if error.errno not in (errno.EROFS, errno.EACCES, errno.EPERM) or path.is_symlink():
            raise
        if not path.is_file():
            raise
        with path.open("r+b") as handle:
            handle.truncate(0)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(path, mode)


def make_dirs(root: Path, relative_dir: str, created: list[str]) -> None:
    """Create the folder and its missing parents (0755), noting each one made."""
    missing: list[Path] = []
    folder = root / relative_dir
    while not folder.exists() and folder != root:
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        made.mkdir(mode=0o755)
        os.chmod(made, 0o755)  # whatever the umask
        created.append(str(made.relative_to(root)))


def remove_dirs_if_empty(root: Path, relative_dirs: Sequence[str]) -> None:
    """Remove the folders we made, deepest first, when nothing else is in them."""
    for relative in sorted(relative_dirs, key=lambda name: name.count("/"), reverse=True):
        with contextlib.suppress(FileNotFoundError, OSError):
            (root / relative).rmdir()


def save_state(path: Path, document: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=STATE_DIR_MODE)
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"), mode=STATE_FILE_MODE)


def load_state(path: Path) -> dict[str, object] | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise ValueError(f"the saved settings in {path} cannot be read: {error}") from error
    if not isinstance(raw, dict):
        raise ValueError(f"the saved settings in {path} are not an object")
    return raw
