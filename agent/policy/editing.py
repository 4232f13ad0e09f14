"""Edit `family.toml` as JSON while keeping the parent's comments and layout.

The API hands the policy out as the plain JSON of the file (times as ``"HH:MM"``) and
takes a whole new one back. :func:`apply_policy_json` lays the new values over the
parsed document (tomlkit) key by key: a value that did not change keeps its spelling, its
comment and its place; only changed values are rewritten. The result is then validated by
the same loader as the file, so the API refuses exactly what the file would. tomlkit is
imported at the first read or edit through the API, not when the agent starts: a parent
edits rarely, and the service need not carry it all day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, MutableMapping, Sequence
from datetime import time
from typing import TYPE_CHECKING, Any

from agent.policy.errors import InvalidPolicyError, PolicyError
from agent.policy.seal import strip_seal

if TYPE_CHECKING:
    from tomlkit import TOMLDocument
    from tomlkit.items import AoT

PolicyJson = dict[str, object]
_BLOCK_KEYS = frozenset({"children", "schedules", "devices", "caregivers"})


class PolicyTextError(ValueError):
    """The file on disk is not TOML that can be edited (a syntax error)."""


def policy_etag(data: bytes) -> str:
    """The entity tag of one version of the file: it changes with any byte of it."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def _plain(value: object) -> object:
    """A parsed TOML value as JSON: tables to objects, times to ``HH:MM``."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _parse(text: str) -> TOMLDocument:
    import tomlkit

    try:
        return tomlkit.parse(strip_seal(text))
    except tomlkit.exceptions.ParseError as error:
        raise PolicyTextError(str(error)) from None


def policy_json(text: str) -> PolicyJson:
    """The policy file's content as JSON."""
    plain = _plain(_parse(text).unwrap())
    assert isinstance(plain, dict)
    return plain


def apply_policy_json(text: str, new: Mapping[str, object]) -> str:
    """`text` changed to hold `new`; what did not change keeps its comments and layout.
    The result is not validated here (the writer does it)."""
    import tomlkit

    document = _parse(text)
    _merge_table(document, new)
    return tomlkit.dumps(document)


def _merge_table(table: MutableMapping[str, Any], new: Mapping[str, object]) -> None:
    from tomlkit.items import AoT

    for key in [key for key in table if key not in new or new[key] is None]:
        del table[key]
    for key, value in new.items():
        if value is None:
            continue
        if key in table:
            current = table[key]
            if isinstance(value, Mapping) and isinstance(current, MutableMapping):
                _merge_table(current, value)
                continue
            if isinstance(current, AoT) and _is_tables(value):
                assert isinstance(value, Sequence)
                _merge_tables(current, value)
                continue
            if _same_json(_plain(_unwrap(current)), value):
                continue
        table[key] = _toml_value(key, value)


def _same_json(old: object, new: object) -> bool:
    """Equal as JSON: ``false`` is not ``0`` (a category's "no limit" is not "0 minutes")."""
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return old.keys() == new.keys() and all(_same_json(old[k], new[k]) for k in old)
    if isinstance(old, list | tuple) and isinstance(new, list | tuple):
        return len(old) == len(new) and all(_same_json(a, b) for a, b in zip(old, new, strict=True))
    return old == new


def _merge_tables(tables: AoT, new: Sequence[object]) -> None:
    import tomlkit

    for index, value in enumerate(new):
        assert isinstance(value, Mapping)
        if index < len(tables):
            _merge_table(tables[index], value)
        else:
            fresh = tomlkit.table()
            _merge_table(fresh, value)
            tables.append(fresh)
    while len(tables) > len(new):
        del tables[len(tables) - 1]


def _is_tables(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _unwrap(value: object) -> object:
    unwrap = getattr(value, "unwrap", None)
    return unwrap() if callable(unwrap) else value


def _toml_value(key: str, value: object) -> object:
    """A JSON value as tomlkit builds it: the family's blocks (children, schedules, devices,
    caregivers) become arrays of tables, other lists of objects (time windows) arrays of
    inline tables, as a parent writes them."""
    import tomlkit
    from tomlkit.items import Table

    if _is_tables(value) and key not in _BLOCK_KEYS:
        assert isinstance(value, list)
        array = tomlkit.array()
        for item in value:
            inline = tomlkit.inline_table()
            inline.update({str(k): _toml_value(str(k), v) for k, v in item.items()})
            array.append(inline)
        return array
    if _is_tables(value):
        assert isinstance(value, list)
        tables = tomlkit.aot()
        for item in value:
            fresh: Table = tomlkit.table()
            _merge_table(fresh, item)
            tables.append(fresh)
        return tables
    if isinstance(value, Mapping) and not any(
        isinstance(item, Mapping | list) for item in value.values()
    ):
        inline = tomlkit.inline_table()  # minutes per day, per category: one line
        inline.update(dict(value))
        return inline
    if isinstance(value, Mapping):
        fresh_table = tomlkit.table()
        _merge_table(fresh_table, value)
        return fresh_table
    if isinstance(value, list):
        return [_toml_value(key, item) for item in value]
    return value


def error_fields(error: PolicyError) -> dict[str, object]:
    """One loader error as the API reports it: ``{path, expected, got, message, line}``."""
    message = error.message
    expected: str | None = message
    got: str | None = None
    start = message.find("expected ")
    if start >= 0:
        rest = message[start + len("expected ") :]
        cut = rest.rfind(", got ")
        if cut >= 0:
            expected, got = rest[:cut], rest[cut + len(", got ") :]
        else:
            expected = rest
            if start > 0:
                got = message[:start].rstrip("; ")
    return {
        "path": error.key,
        "expected": expected,
        "got": got,
        "message": message,
        "line": error.line,
    }


def errors_json(error: InvalidPolicyError) -> list[dict[str, object]]:
    return [error_fields(item) for item in error.errors]
