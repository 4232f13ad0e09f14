"""A site a parent types, checked as they type (the agent checks again when it saves).

A pasted address (``https://www.roblox.com/games``) is cut down to its name; ``*.name``
means the same as ``name``. A single word, an IP address or a label that starts or ends
with ``-`` is not a site name, as in the agent's rules (docs/family-toml.md).
"""

from __future__ import annotations

import ipaddress
import re

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def site_name(text: str) -> str | None:
    """The site name in `text`, lower case (punycode for a Vietnamese name), or None when
    it is not one."""
    name = _SCHEME.sub("", text.strip())
    name = re.split(r"[/?#]", name, maxsplit=1)[0]
    name = name.rsplit("@", 1)[-1]
    if name.count(":") == 1:
        name = name.split(":", 1)[0]
    name = name.strip().rstrip(".").lower()
    wildcard = name.startswith("*.")
    if wildcard:
        name = name[2:]
    if not name or " " in name:
        return None
    try:
        ipaddress.ip_address(name.strip("[]"))
        return None
    except ValueError:
        pass
    try:
        ascii_name = name.encode("idna").decode("ascii") if not name.isascii() else name
    except UnicodeError:
        return None
    labels = ascii_name.split(".")
    if (len(labels) < 2 and not wildcard) or len(ascii_name) > 253:
        return None
    if not all(_LABEL.match(label) for label in labels):
        return None
    return ascii_name


def site_lines(text: str) -> tuple[list[str], list[str]]:
    """The site names of a list typed one a line (blank lines skipped, each once), and the
    lines that are not site names."""
    names: list[str] = []
    bad: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name = site_name(line)
        if name is None:
            bad.append(line.strip())
        elif name not in names:
            names.append(name)
    return names, bad
