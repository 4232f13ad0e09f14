"""Errors of the family policy: each one says where (file, line, key) and what was expected."""

from __future__ import annotations

from collections.abc import Iterable

KeyPath = tuple[str | int, ...]


def format_key_path(path: KeyPath) -> str:
    """`("children", 1, "schedules", 0, "start")` -> `children[1].schedules[0].start`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            shown = part if _is_bare_key(part) else '"' + part.replace('"', '\\"') + '"'
            text += f".{shown}" if text else shown
    return text


def _is_bare_key(key: str) -> bool:
    return bool(key) and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in key)


class PolicyError(Exception):
    """One precise problem in a policy file."""

    def __init__(
        self,
        file: str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        key_path: KeyPath = (),
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.key_path = key_path
        self.message = message
        super().__init__(str(self))

    @property
    def key(self) -> str:
        return format_key_path(self.key_path)

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        key = self.key
        return f"{where}: {key}: {self.message}" if key else f"{where}: {self.message}"

    def __reduce__(self) -> tuple[object, ...]:  # keep pickling/copying working
        return (_rebuild_error, (self.file, self.message, self.line, self.column, self.key_path))


def _rebuild_error(
    file: str, message: str, line: int | None, column: int | None, key_path: KeyPath
) -> PolicyError:
    return PolicyError(file, message, line=line, column=column, key_path=key_path)


class InvalidPolicyError(Exception):
    """A policy file that cannot be used, with every problem found (never only the first)."""

    def __init__(self, errors: Iterable[PolicyError]) -> None:
        self.errors: tuple[PolicyError, ...] = tuple(errors)
        super().__init__("\n".join(str(error) for error in self.errors))
