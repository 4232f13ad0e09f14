"""`this-pc.toml`: the PC's own settings beside a family policy that several PCs share.

When a sync tool (Syncthing) keeps `family.toml` in step between the family's PCs, what
belongs to one PC must not travel with it: which OS accounts are which child's, the LAN
devices this PC's filter answers for, the PC's default child, and the PC's name in alerts.
Those live in a small local file that is never synced:

    name = "Phòng-khách"          # this PC in alerts and its dead-man signal
    default_child = "An"
    [[children]]                  # only name and os_users
    name = "An"
    os_users = ["an"]
    [[devices]]
    child = "An"
    ip = "192.168.1.23"

When the file exists, these keys come from it only (the shared file's are not read), and
the two are checked as one policy: an error in a key of this file names this file and its
line. The policy API shows the two as one document and writes each part to its own file
(`split_policy_json`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.policy.errors import InvalidPolicyError, KeyPath, PolicyError
from agent.policy.locator import KeyLocator
from agent.policy.seal import check_seal

LOCAL_POLICY_NAME = "this-pc.toml"
LOCAL_KEYS = ("schema_version", "name", "default_child", "children", "devices")
LOCAL_CHILD_KEYS = ("name", "os_users")
# The keys of the shared document that belong to one PC.
PC_KEYS = ("default_child", "devices")
PC_CHILD_KEYS = ("os_users",)
MAX_PC_NAME = 64


def local_policy_path(config_path: Path) -> Path:
    """Where the PC's own settings are: `this-pc.toml` beside `family.toml`."""
    return config_path.with_name(LOCAL_POLICY_NAME)


@dataclass(frozen=True)
class LocalPart:
    """The local file, parsed and checked for its own shape."""

    raw: Mapping[str, Any]
    file: str
    locator: KeyLocator | None

    @property
    def pc_name(self) -> str | None:
        name = self.raw.get("name")
        return name.strip() if isinstance(name, str) and name.strip() else None


def read_local(text: str, *, file: str) -> LocalPart:
    """Parse and check the local file's own shape; raise InvalidPolicyError with each
    problem at its line."""
    check_seal(text, file=file)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as syntax:
        raise InvalidPolicyError([PolicyError(file, f"TOML syntax error: {syntax}")]) from None
    try:
        locator: KeyLocator | None = KeyLocator(text)
    except (ValueError, IndexError, tomllib.TOMLDecodeError):
        locator = None
    part = LocalPart(raw, file, locator)
    errors: list[PolicyError] = []

    def error(path: KeyPath, message: str) -> None:
        position = locator.find(path) if locator else None
        line, column = position if position else (None, None)
        errors.append(PolicyError(file, message, line=line, column=column, key_path=path))

    for key in raw:
        if key not in LOCAL_KEYS:
            error((key,), f"unknown key {key!r}; this PC's file holds only: "
                          f"{', '.join(LOCAL_KEYS)} (the rest is in family.toml)")
    if "schema_version" in raw and raw["schema_version"] != 1:
        error(("schema_version",), f"expected 1, got {raw['schema_version']!r}")
    name = raw.get("name")
    if "name" in raw and (
        not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_PC_NAME
    ):
        error(("name",), f"expected this PC's name, 1 to {MAX_PC_NAME} characters")
    children = raw.get("children", [])
    if not isinstance(children, list):
        error(("children",), "expected [[children]] tables with name and os_users")
    else:
        for index, child in enumerate(children):
            if not isinstance(child, dict):
                error(("children", index), "expected a table with name and os_users")
                continue
            for key in child:
                if key not in LOCAL_CHILD_KEYS:
                    error(("children", index, key),
                          f"unknown key {key!r}; here a child has only name and os_users "
                          "(the child's rules are in family.toml)")
            if not isinstance(child.get("name"), str) or not child["name"].strip():
                error(("children", index, "name"), "expected the name of a child")
    if errors:
        raise InvalidPolicyError(errors)
    return part


@dataclass
class Origins:
    """Which file each key of the merged document came from, for error positions."""

    local: LocalPart
    shared_file: str
    shared_locator: KeyLocator | None
    local_tops: frozenset[str] = frozenset()
    # merged child index -> the local file's child index that gave its os_users
    local_children: dict[int, int] = field(default_factory=dict)

    def where(self, path: KeyPath) -> tuple[str, KeyLocator | None, KeyPath]:
        if path and path[0] in self.local_tops:
            return self.local.file, self.local.locator, path
        if len(path) >= 3 and path[0] == "children" and path[2] in PC_CHILD_KEYS:
            index = path[1]
            if isinstance(index, int) and index in self.local_children:
                local_path = ("children", self.local_children[index], *path[2:])
                return self.local.file, self.local.locator, local_path
        return self.shared_file, self.shared_locator, path


def merge_local(
    shared: dict[str, Any],
    local: LocalPart,
    *,
    shared_file: str,
    shared_locator: KeyLocator | None,
) -> tuple[dict[str, Any], Origins, list[PolicyError]]:
    """The shared document with this PC's keys taken from `local` only; where each key
    came from; and the local file's references to children the shared file does not
    have."""
    merged = {key: value for key, value in shared.items() if key not in PC_KEYS}
    origins = Origins(local, shared_file, shared_locator)
    tops = {key for key in PC_KEYS if key in local.raw}
    for key in tops:
        merged[key] = local.raw[key]
    origins.local_tops = frozenset(tops)
    children = shared.get("children")
    merged_children: list[Any] = []
    for child in children if isinstance(children, list) else []:
        if isinstance(child, dict):
            child = {key: value for key, value in child.items() if key not in PC_CHILD_KEYS}
        merged_children.append(child)
    if isinstance(children, list):
        merged["children"] = merged_children
    problems: list[PolicyError] = []
    for local_index, local_child in enumerate(local.raw.get("children", [])):
        name = str(local_child.get("name", "")).strip()
        found = next(
            (
                index
                for index, child in enumerate(merged_children)
                if isinstance(child, dict)
                and isinstance(child.get("name"), str)
                and child["name"].strip().casefold() == name.casefold()
            ),
            None,
        )
        if found is None:
            where: KeyPath = ("children", local_index, "name")
            position = local.locator.find(where) if local.locator else None
            line, column = position if position else (None, None)
            problems.append(PolicyError(
                local.file,
                f"there is no child called {name!r} in {Path(shared_file).name}",
                line=line,
                column=column,
                key_path=("children", local_index, "name"),
            ))
            continue
        if "os_users" in local_child:
            merged_children[found] = {**merged_children[found], "os_users": local_child["os_users"]}
            origins.local_children[found] = local_index
    return merged, origins, problems


def split_policy_json(
    document: Mapping[str, object], local: Mapping[str, object]
) -> tuple[dict[str, object], dict[str, object]]:
    """A whole policy document (as the API shows it) cut into the shared part and this
    PC's part; `local` is the local file's current content, whose other keys (the PC's
    name) are kept."""
    shared = {key: value for key, value in document.items() if key not in PC_KEYS}
    own: dict[str, object] = {
        key: value for key, value in local.items() if key not in (*PC_KEYS, "children")
    }
    for key in PC_KEYS:
        if document.get(key) is not None:
            own[key] = document[key]
    children = document.get("children")
    if isinstance(children, list):
        shared_children: list[object] = []
        own_children: list[dict[str, object]] = []
        for child in children:
            if not isinstance(child, Mapping):
                shared_children.append(child)
                continue
            shared_children.append(
                {key: value for key, value in child.items() if key not in PC_CHILD_KEYS}
            )
            users = child.get("os_users")
            if users is not None and child.get("name") is not None:
                own_children.append({"name": child["name"], "os_users": users})
        shared["children"] = shared_children
        if own_children:
            own["children"] = own_children
    return shared, own


def merged_policy_json(
    shared: Mapping[str, object], local: Mapping[str, object]
) -> dict[str, object]:
    """The document the API shows: the shared part with this PC's keys from `local`
    (the local file's `name` and `schema_version` are not part of it)."""
    merged: dict[str, object] = {key: value for key, value in shared.items() if key not in PC_KEYS}
    for key in PC_KEYS:
        if key in local:
            merged[key] = local[key]
    children = shared.get("children")
    if isinstance(children, list):
        users: dict[str, object] = {}
        own = local.get("children")
        for child in own if isinstance(own, list) else []:
            if isinstance(child, Mapping) and isinstance(child.get("name"), str):
                users[str(child["name"]).strip().casefold()] = child.get("os_users")
        fresh: list[object] = []
        for child in children:
            if isinstance(child, Mapping):
                plain = {key: value for key, value in child.items() if key not in PC_CHILD_KEYS}
                name = child.get("name")
                found = users.get(str(name).strip().casefold()) if isinstance(name, str) else None
                if found is not None:
                    plain["os_users"] = found
                fresh.append(plain)
            else:
                fresh.append(child)
        merged["children"] = fresh
    return merged
