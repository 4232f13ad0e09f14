"""The watcher when the OS gives nothing: no app, never idle, never locked. The agent then
counts the session's time (it knows the tray is running) and says so to the parent."""

from __future__ import annotations

from gui.tray.watchers.base import Sample


class NullWatcher:
    name = "null"
    knows_foreground = False

    def sample(self) -> Sample:
        return Sample()

    def close(self) -> None:
        return None


def create() -> NullWatcher:
    return NullWatcher()
