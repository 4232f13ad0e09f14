"""Where each key and array element of a TOML document starts (line and column).

`tomllib` gives values but no positions, so error messages find their line here. The text
has already been parsed by `tomllib`, so this scanner may assume it is valid TOML.
"""

from __future__ import annotations

import tomllib

from agent.policy.errors import KeyPath

_BARE_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class KeyLocator:
    """Maps key paths such as `("children", 1, "age")` to `(line, column)`, both from 1."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._positions: dict[KeyPath, tuple[int, int]] = {}
        self._line_starts = [0]
        for index, char in enumerate(text):
            if char == "\n":
                self._line_starts.append(index + 1)
        self._scan_document()

    def find(self, path: KeyPath) -> tuple[int, int] | None:
        """The position of `path`, or of its nearest enclosing key that has one."""
        for length in range(len(path), 0, -1):
            position = self._positions.get(path[:length])
            if position is not None:
                return position
        return None

    # -- scanning -------------------------------------------------------------------------

    def _where(self, index: int) -> tuple[int, int]:
        low, high = 0, len(self._line_starts) - 1
        while low < high:  # the last line start at or before `index`
            middle = (low + high + 1) // 2
            if self._line_starts[middle] <= index:
                low = middle
            else:
                high = middle - 1
        return low + 1, index - self._line_starts[low] + 1

    def _record(self, path: KeyPath, index: int) -> None:
        self._positions.setdefault(path, self._where(index))

    def _peek(self, count: int = 1) -> str:
        return self._text[self._pos : self._pos + count]

    def _skip_blank(self, newlines: bool) -> None:
        text = self._text
        while self._pos < len(text):
            char = text[self._pos]
            if char in " \t\r" or (newlines and char == "\n"):
                self._pos += 1
            elif char == "#":
                end = text.find("\n", self._pos)
                self._pos = len(text) if end < 0 else end
            else:
                return

    def _scan_document(self) -> None:
        table: KeyPath = ()
        array_counts: dict[KeyPath, int] = {}
        text = self._text
        while True:
            self._skip_blank(newlines=True)
            if self._pos >= len(text):
                return
            start = self._pos
            if self._peek(2) == "[[":
                self._pos += 2
                keys = self._scan_key()
                self._pos = text.index("]]", self._pos) + 2
                parent = self._resolve(keys[:-1], array_counts)
                array_path = (*parent, keys[-1])
                self._record(array_path, start)
                index = array_counts.get(array_path, 0)
                array_counts[array_path] = index + 1
                table = (*array_path, index)
                self._record(table, start)
            elif self._peek() == "[":
                self._pos += 1
                keys = self._scan_key()
                self._pos = text.index("]", self._pos) + 1
                table = self._resolve(keys, array_counts)
                self._record(table, start)
            else:
                self._scan_key_value(table)
                if self._pos == start:
                    self._pos += 1  # not valid TOML: never loop on the same place

    @staticmethod
    def _resolve(keys: tuple[str, ...], array_counts: dict[KeyPath, int]) -> KeyPath:
        path: KeyPath = ()
        for key in keys:
            path = (*path, key)
            count = array_counts.get(path)
            if count:
                path = (*path, count - 1)  # the latest element of an array of tables
        return path

    def _scan_key_value(self, table: KeyPath) -> None:
        start = self._pos
        keys = self._scan_key()
        path = (*table, *keys)
        self._record(path, start)
        self._skip_blank(newlines=False)
        if self._peek() == "=":
            self._pos += 1
        self._skip_blank(newlines=False)
        self._scan_value(path)

    def _scan_key(self) -> tuple[str, ...]:
        keys: list[str] = []
        text = self._text
        while True:
            self._skip_blank(newlines=False)
            char = self._peek()
            if char in ('"', "'"):
                start = self._pos
                self._skip_string()
                keys.append(tomllib.loads(f"k = {text[start:self._pos]}")["k"])
            else:
                start = self._pos
                while self._pos < len(text) and text[self._pos] in _BARE_KEY_CHARS:
                    self._pos += 1
                keys.append(text[start : self._pos])
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return tuple(keys)
            self._pos += 1

    def _skip_string(self) -> None:
        text = self._text
        quote = text[self._pos]
        if self._peek(3) == quote * 3:
            self._pos += 3
            while True:
                if quote == '"' and text[self._pos] == "\\":
                    self._pos += 2
                    continue
                if self._peek(3) == quote * 3:
                    self._pos += 3
                    # up to two more quotes may close the string as content
                    for _ in range(2):
                        if self._peek() == quote:
                            self._pos += 1
                    return
                self._pos += 1
        self._pos += 1
        while text[self._pos] != quote:
            self._pos += 2 if (quote == '"' and text[self._pos] == "\\") else 1
        self._pos += 1

    def _scan_value(self, path: KeyPath) -> None:
        char = self._peek()
        text = self._text
        if char in ('"', "'"):
            self._skip_string()
        elif char == "[":
            self._pos += 1
            index = 0
            while True:
                self._skip_blank(newlines=True)
                if self._peek() == "]":
                    self._pos += 1
                    return
                self._record((*path, index), self._pos)
                self._scan_value((*path, index))
                self._skip_blank(newlines=True)
                if self._peek() == ",":
                    self._pos += 1
                    index += 1
                elif self._peek() != "]":
                    return  # not valid TOML: stop rather than loop
        elif char == "{":
            self._pos += 1
            while True:
                self._skip_blank(newlines=True)
                if self._peek() == "}":
                    self._pos += 1
                    return
                if self._peek() == ",":
                    self._pos += 1
                    continue
                before = self._pos
                self._scan_key_value(path)
                if self._pos == before:
                    return  # not valid TOML: stop rather than loop
        else:
            while self._pos < len(text) and text[self._pos] not in ",]}\n#":
                self._pos += 1
