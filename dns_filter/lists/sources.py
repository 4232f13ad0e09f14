"""List sources: where each category's lists come from, and where their copies live.

A source is a URL (http/https) or a local file path, written as a plain string in
`family.toml`. The defaults are the real upstream homes of the best public lists:
hostsVN (the Vietnamese lists, for adult, gambling and threats), the UT1 categories
of Université Toulouse Capitole and The Block List Project.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

HOSTSVN = "https://raw.githubusercontent.com/bigdargon/hostsVN/master/extensions"
UT1 = "https://raw.githubusercontent.com/olbat/ut1-blacklists/master/blacklists"
BLOCKLIST_PROJECT = "https://raw.githubusercontent.com/blocklistproject/Lists/master"
HAGEZI = "https://raw.githubusercontent.com/hagezi/dns-blocklists/main/wildcard"

DEFAULT_SOURCES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "adult": (f"{HOSTSVN}/adult/domain.txt", f"{BLOCKLIST_PROJECT}/porn.txt"),
        "gambling": (
            f"{HOSTSVN}/gambling/domain.txt",
            f"{UT1}/gambling/domains",
            f"{BLOCKLIST_PROJECT}/gambling.txt",
        ),
        "threats": (
            f"{HOSTSVN}/threat/domain.txt",
            f"{BLOCKLIST_PROJECT}/phishing.txt",
            f"{BLOCKLIST_PROJECT}/malware.txt",
        ),
        "scam": (f"{BLOCKLIST_PROJECT}/scam.txt", f"{BLOCKLIST_PROJECT}/fraud.txt"),
        "dating": (f"{UT1}/dating/domains",),
        "drugs": (f"{UT1}/drogue/domains", f"{BLOCKLIST_PROJECT}/drugs.txt"),
        "violence": (f"{UT1}/agressif/domains",),
        "weapons": (f"{UT1}/dangerous_material/domains",),
        "chat": (f"{UT1}/chat/domains",),
        "social": (f"{UT1}/social_networks/domains",),
        "games": (f"{UT1}/games/domains",),
        "video": (f"{UT1}/audio-video/domains",),
        "shopping": (f"{UT1}/shopping/domains",),
        "bypass": (
            f"{UT1}/vpn/domains",
            f"{UT1}/doh/domains",
            f"{HAGEZI}/doh-vpn-proxy-bypass-onlydomains.txt",
        ),
        "piracy": (f"{BLOCKLIST_PROJECT}/piracy.txt",),
        "hacking": (f"{UT1}/hacking/domains",),
        "shortener": (f"{UT1}/shortener/domains",),
    }
)

_KNOWN_PUBLISHERS = (
    ("bigdargon/hostsvn", "hostsVN"),
    ("olbat/ut1-blacklists", "UT1"),
    ("blocklistproject", "Block List Project"),
    ("hagezi/dns-blocklists", "HaGeZi"),
)
_SLUG_RE = re.compile(r"[^a-z0-9]+")


def is_url(source: str) -> bool:
    return urlsplit(source).scheme.lower() in ("http", "https")


@dataclass(frozen=True)
class ListSource:
    """One source of one category."""

    category: str
    location: str  # a URL or a local file path, as written in family.toml

    @property
    def is_url(self) -> bool:
        return is_url(self.location)

    @property
    def key(self) -> str:
        """A stable, file-name-safe id: category, a readable slug and a short digest."""
        digest = hashlib.sha256(self.location.encode("utf-8")).hexdigest()[:10]
        slug = _SLUG_RE.sub("-", _tail(self.location).lower()).strip("-")[:40] or "list"
        return f"{self.category}--{slug}--{digest}"

    @property
    def list_id(self) -> str:
        """How reasons name this list: publisher and path tail, e.g. `hostsVN adult/domain.txt`."""
        return describe_source(self.location)

    def copy_path(self, lists_dir: Path) -> Path:
        """Where the last good copy of this source is kept."""
        return lists_dir / f"{self.key}.txt"


def describe_source(location: str) -> str:
    lowered = location.lower()
    for marker, publisher in _KNOWN_PUBLISHERS:
        if marker in lowered:
            return f"{publisher} {_tail(location)}"
    return _tail(location) if is_url(location) else Path(location).name


def _tail(location: str) -> str:
    path = urlsplit(location).path if is_url(location) else Path(location).as_posix()
    parts = [part for part in path.split("/") if part]
    return "/".join(parts[-2:]) if parts else location
