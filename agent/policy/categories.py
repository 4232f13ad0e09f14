"""Content categories: stable ids, their names in Vietnamese and English, and the default
list sources for each (the real upstream homes of hostsVN, UT1 and The Block List Project).

Category ids are part of `family.toml` and of every block reason, so they never change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

_HOSTSVN = "https://raw.githubusercontent.com/bigdargon/hostsVN/master/extensions"
_UT1 = "https://raw.githubusercontent.com/olbat/ut1-blacklists/master/blacklists"
_BLOCKLIST_PROJECT = "https://blocklistproject.github.io/Lists"
_HAGEZI = "https://raw.githubusercontent.com/hagezi/dns-blocklists/main/wildcard"


@dataclass(frozen=True)
class Category:
    category_id: str
    name_vi: str
    name_en: str
    default_sources: tuple[str, ...]


_CATEGORIES: tuple[Category, ...] = (
    Category(
        "adult",
        "Nội dung người lớn",
        "Adult content",
        (f"{_HOSTSVN}/adult/domain.txt",),
    ),
    Category(
        "gambling",
        "Cờ bạc, cá độ",
        "Gambling and betting",
        (f"{_HOSTSVN}/gambling/domain.txt", f"{_UT1}/gambling/domains"),
    ),
    Category(
        "threats",
        "Mã độc và trang lừa đảo",
        "Malware and phishing",
        (f"{_HOSTSVN}/threat/domain.txt",),
    ),
    Category("scam", "Lừa đảo", "Scams", (f"{_BLOCKLIST_PROJECT}/scam.txt",)),
    Category("dating", "Hẹn hò", "Dating", (f"{_UT1}/dating/domains",)),
    Category(
        "drugs",
        "Ma túy và chất cấm",
        "Drugs",
        (f"{_UT1}/drogue/domains", f"{_BLOCKLIST_PROJECT}/drugs.txt"),
    ),
    Category("violence", "Bạo lực và thù ghét", "Violence and hate", (f"{_UT1}/agressif/domains",)),
    Category(
        "weapons",
        "Vũ khí và vật liệu nguy hiểm",
        "Weapons and dangerous material",
        (f"{_UT1}/dangerous_material/domains",),
    ),
    Category("chat", "Trò chuyện trực tuyến", "Chat and messaging", (f"{_UT1}/chat/domains",)),
    Category("social", "Mạng xã hội", "Social networks", (f"{_UT1}/social_networks/domains",)),
    Category("games", "Trò chơi trực tuyến", "Online games", (f"{_UT1}/games/domains",)),
    Category("video", "Video và âm nhạc", "Video and music", (f"{_UT1}/audio-video/domains",)),
    Category("shopping", "Mua sắm trực tuyến", "Online shopping", (f"{_UT1}/shopping/domains",)),
    Category(
        "bypass",
        "Vượt rào (VPN, proxy, DNS mã hóa)",
        "Filter bypass (VPN, proxy, encrypted DNS)",
        (
            f"{_UT1}/vpn/domains",
            f"{_UT1}/doh/domains",
            f"{_HAGEZI}/doh-vpn-proxy-bypass-onlydomains.txt",
        ),
    ),
    Category("piracy", "Vi phạm bản quyền", "Piracy", (f"{_BLOCKLIST_PROJECT}/piracy.txt",)),
    Category("hacking", "Tin tặc", "Hacking", (f"{_UT1}/hacking/domains",)),
    Category("shortener", "Rút gọn liên kết", "Link shorteners", (f"{_UT1}/shortener/domains",)),
)


def categories() -> Mapping[str, Category]:
    """Every known category by id, in a stable order."""
    return MappingProxyType({category.category_id: category for category in _CATEGORIES})


CATEGORY_IDS: frozenset[str] = frozenset(category.category_id for category in _CATEGORIES)
