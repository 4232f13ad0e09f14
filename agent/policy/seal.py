"""The check line at the top of every `family.toml` that Bảo An writes.

    # baoan: length=6667 sha256=<64 hex digits> — …

It states the length and SHA-256 of every byte after it, so a copy cut off or damaged
anywhere after its first line no longer matches and is refused as half-written. It stands
first, not last, because a last line is the first thing a cut-off file loses, and then
nothing would tell it from a file that never had one. A parent who edits the file by hand
deletes the line (it says so); a file without it is judged as a hand edit.
"""

from __future__ import annotations

import hashlib
import re

from agent.policy.errors import InvalidPolicyError, PolicyError

SEAL_PREFIX = "# baoan:"
_SEAL_RE = re.compile(r"^# baoan: length=(\d+) sha256=([0-9a-f]{64})(?:\s.*)?$")
_NOTE = (
    "— do Bảo An ghi; tự sửa tệp thì xóa dòng này / "
    "written by Bảo An; delete this line when you edit the file by hand"
)


def _split(text: str) -> tuple[str, str]:
    """The first line (without its line break) and the rest."""
    first, newline, rest = text.partition("\n")
    return first.rstrip("\r"), rest if newline else ""


def has_seal_line(text: str) -> bool:
    """Whether the text starts with a check line (whole or not)."""
    return text.startswith(SEAL_PREFIX)


def strip_seal(text: str) -> str:
    """The text without its check line, if it has one."""
    return _split(text)[1] if has_seal_line(text) else text


def seal(text: str) -> str:
    """`text` with a fresh check line on top (an old one is replaced)."""
    body = strip_seal(text)
    data = body.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    return f"{SEAL_PREFIX} length={len(data)} sha256={digest} {_NOTE}\n{body}"


def check_seal(text: str, *, file: str) -> bool:
    """True when the text carries a check line that matches, False when it has none; raise
    InvalidPolicyError when it has one that does not match (a half-written file)."""
    if not has_seal_line(text):
        return False
    first, rest = _split(text)
    match = _SEAL_RE.match(first)
    if match is None:
        raise InvalidPolicyError(
            [
                PolicyError(
                    file,
                    "the check line Bảo An wrote is incomplete: the file is half-written "
                    "(cut off while being written or copied)",
                    line=1,
                )
            ]
        )
    declared, digest = int(match.group(1)), match.group(2)
    body = rest.encode("utf-8")
    if len(body) == declared and hashlib.sha256(body).hexdigest() == digest:
        return True
    if len(body) < declared:
        found = f"only {len(body)} of the {declared} bytes Bảo An wrote are there"
    elif len(body) > declared:
        found = f"{len(body)} bytes are there where Bảo An wrote {declared}"
    else:
        found = f"the {declared} bytes are there but their content is not what Bảo An wrote"
    raise InvalidPolicyError(
        [
            PolicyError(
                file,
                f"the file does not match its check line ({found}): it is half-written "
                "(cut off or damaged), or it was edited by hand without deleting line 1. "
                "If you edited it, delete line 1 and save again",
                line=1,
            )
        ]
    )
