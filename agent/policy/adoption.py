"""May a new `family.toml` replace the policy in force? The rules in one pure function.

1. It must parse and validate (a family with no child does not), and if it starts with Bảo
   An's check line, match it (:mod:`agent.policy.seal`): else it is refused.
2. A change that protects less (:mod:`agent.policy.loosening`) in a file without the check
   line, that is a hand edit, is applied only when the file is whole. A file cut off while
   it was written or copied ends in a partial line, is the beginning of the file in
   force, or ends with an empty table; each is refused with what to do if the change was
   meant.
3. Anything else is adopted; the loosenings found go with it, for the event and the alert.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from agent.policy.errors import InvalidPolicyError, PolicyError
from agent.policy.loader import parse_policy_bytes
from agent.policy.loosening import Loosening, loosenings
from agent.policy.model import FamilyPolicy
from agent.policy.seal import SEAL_PREFIX
from agent.policy.services import ServiceCatalogue
from agent.policy.this_pc import LOCAL_POLICY_NAME

_BOM = b"\xef\xbb\xbf"
_SHOWN_LOOSENINGS = 3
_TABLE_HEADER_RE = re.compile(r"^(\[\[?[^\]]+\]\]?)\s*(?:#.*)?$")


@dataclass(frozen=True)
class PolicyFile:
    """A policy file's bytes and the policy they hold; with this PC's own file
    (`this-pc.toml`, :mod:`agent.policy.this_pc`) beside it, that file's bytes too."""

    data: bytes
    policy: FamilyPolicy
    local: bytes | None = None

    @property
    def sealed(self) -> bool:
        """Written by Bảo An: it starts with a check line (the loader checked it matches)."""
        return _sealed(self.data) and (self.local is None or _sealed(self.local))


def _sealed(data: bytes) -> bool:
    return data.removeprefix(_BOM).startswith(SEAL_PREFIX.encode())


@dataclass(frozen=True)
class Adoption:
    """A file that may replace the one in force, and how it protects less (if it does)."""

    file: PolicyFile
    loosenings: tuple[Loosening, ...] = ()


def judge_policy_file(
    data: bytes,
    in_force: PolicyFile | None,
    *,
    file: str,
    today: date,
    catalogue: ServiceCatalogue | None = None,
    local: bytes | None = None,
    local_file: str = LOCAL_POLICY_NAME,
) -> Adoption:
    """The Adoption of `data` (with this PC's own file `local`, when there is one) as a
    change from `in_force` (None: nothing to compare with); raise InvalidPolicyError, with
    what is wrong and where, if it may not be adopted."""
    policy = parse_policy_bytes(
        data, file=file, today=today, catalogue=catalogue, local=local, local_file=local_file
    )
    candidate = PolicyFile(data, policy, local)
    if in_force is None or (data == in_force.data and local == in_force.local):
        return Adoption(candidate)
    found = loosenings(in_force.policy, policy, year=today.year, catalogue=catalogue)
    if found and not candidate.sealed:
        problem = None
        if data != in_force.data and not _sealed(data):
            problem = cut_off_signature(data, in_force.data)
        if (
            problem is None
            and local is not None
            and local != in_force.local
            and not _sealed(local)
        ):
            problem = cut_off_signature(local, in_force.local or b"")
            file = local_file if problem is not None else file
            data = local if problem is not None else data
        if problem is not None:
            shown = "; ".join(item.describe() for item in found[:_SHOWN_LOOSENINGS])
            more = len(found) - _SHOWN_LOOSENINGS
            if more > 0:
                shown += f"; and {more} more"
            raise InvalidPolicyError(
                [
                    PolicyError(
                        file,
                        f"not applied: this change protects less ({shown}) and {problem}",
                        line=_line_count(data),
                    )
                ]
            )
    return Adoption(candidate, found)


def cut_off_signature(data: bytes, in_force: bytes) -> str | None:
    """Why `data` looks like a file cut off while it was written or copied (with what to
    do if it is not), or None when it looks whole."""
    if not data.endswith(b"\n"):
        return (
            "its last line has no line break, as in a file cut off while it was being "
            "written; if the change is meant, end the file with a line break and save again"
        )
    header = _trailing_table_header(data)
    if header is not None:
        return (
            f"it ends with the table header {header} and nothing in it, as a file cut off "
            "after that line would; if the change is meant, remove the empty table or give "
            "it its keys, and save again"
        )
    if in_force.startswith(data):
        return (
            f"the file is the first {len(data)} of the {len(in_force)} bytes of the policy "
            "in force, as a copy cut off there would be; if you meant to delete the end of "
            "the file, add a comment line at its end (for example # end) and save again"
        )
    return None


def _trailing_table_header(data: bytes) -> str | None:
    """The last line with content, when it is a table header such as `[[children]]`."""
    for line in reversed(data.decode("utf-8", errors="replace").splitlines()):
        content = line.strip()
        if not content or content.startswith("#"):
            continue
        match = _TABLE_HEADER_RE.match(content)
        return match.group(1) if match else None
    return None


def _line_count(data: bytes) -> int:
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
