"""Content categories: stable ids, their names in Vietnamese and English, and the default
list sources for each (the real upstream homes of hostsVN, UT1 and The Block List Project).

Category ids are part of `family.toml` and of every block reason, so they never change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from dns_filter.lists.sources import DEFAULT_SOURCES


@dataclass(frozen=True)
class Category:
    category_id: str
    name_vi: str
    name_en: str
    default_sources: tuple[str, ...]


# id, Vietnamese name, English name; the default sources live with the list code.
_NAMES: tuple[tuple[str, str, str], ...] = (
    ("adult", "Nội dung người lớn", "Adult content"),
    ("gambling", "Cờ bạc, cá độ", "Gambling and betting"),
    ("threats", "Mã độc và trang giả mạo", "Malware and phishing"),
    ("scam", "Lừa đảo", "Scams"),
    ("dating", "Hẹn hò", "Dating"),
    ("drugs", "Ma túy và chất cấm", "Drugs"),
    ("violence", "Bạo lực và kích động thù ghét", "Violence and hate"),
    ("weapons", "Vũ khí và vật liệu nguy hiểm", "Weapons and dangerous material"),
    ("chat", "Nhắn tin và trò chuyện", "Chat and messaging"),
    ("social", "Mạng xã hội", "Social networks"),
    ("games", "Trò chơi trực tuyến", "Online games"),
    ("video", "Video và âm nhạc", "Video and music"),
    ("shopping", "Mua sắm trực tuyến", "Online shopping"),
    ("bypass", "Vượt rào (VPN, proxy, DNS mã hóa)", "Filter bypass (VPN, proxy, encrypted DNS)"),
    ("piracy", "Phim, nhạc và phần mềm lậu", "Piracy"),
    ("hacking", "Bẻ khóa và tấn công mạng", "Hacking"),
    ("shortener", "Rút gọn liên kết", "Link shorteners"),
)

_CATEGORIES: tuple[Category, ...] = tuple(
    Category(category_id, name_vi, name_en, DEFAULT_SOURCES.get(category_id, ()))
    for category_id, name_vi, name_en in _NAMES
)


def categories() -> Mapping[str, Category]:
    """Every known category by id, in a stable order."""
    return MappingProxyType({category.category_id: category for category in _CATEGORIES})


CATEGORY_IDS: frozenset[str] = frozenset(category.category_id for category in _CATEGORIES)
