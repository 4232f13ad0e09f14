"""Durable file replacement for our files (`family.toml`, the secrets file, the block
lists' copies and their state).

A write goes to a temporary file in the same folder, is flushed to disk, then renamed over
the old file, and the folder is flushed too, so a crash leaves either the old file or the
new one, never half of each, and the rename itself survives a power cut. It lives in
`dns_filter` because every part of ours may import that package (it imports none of them).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

NEW_FILE_MODE = 0o600


def atomic_write_bytes(
    path: Path, data: bytes, *, mode: int | None = None, new_file_mode: int = NEW_FILE_MODE
) -> None:
    """Replace `path` with `data` atomically (temp file in the same folder, fsync, rename).

    The new file gets `mode`; without one it keeps the mode of the file it replaces, or
    `new_file_mode` when there was none. The temporary file is 0600 from its creation and
    gets its mode before the data is written, so a secret is never in a file that others
    could read, even for an instant.
    """
    folder = path.parent
    if mode is None:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = new_file_mode
    descriptor, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            # The mode is set before the data goes in, never after (0600 from mkstemp).
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
            else:  # Windows: only the read-only bit, which a new file does not have
                os.chmod(temp_name, mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    fsync_folder(folder)


def fsync_file(path: Path) -> None:
    """Flush a file written by someone else (a download streamed to disk) before a rename."""
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX); Windows has no directory handles for this."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
