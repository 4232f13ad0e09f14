"""The services catalogue: each service is one entity for its domains and its desktop apps.

The data lives in `services.toml` beside this module and is read on first use.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from agent.policy.categories import CATEGORY_IDS
from dns_filter.policy import Service

AGE_RATINGS = ("00+", "12+", "13+", "16+", "18+")


@dataclass(frozen=True)
class ServiceApps:
    """How the service's desktop apps are recognised (matching ignores case)."""

    windows: tuple[str, ...] = ()
    macos: tuple[str, ...] = ()
    linux: tuple[str, ...] = ()
    product_names: tuple[str, ...] = ()
    # Markers in the command line of an app an interpreter hosts (``java … Main``).
    cmdline: tuple[str, ...] = ()
    # Words in a browser window's title that show the service's website is in front.
    titles: tuple[str, ...] = ()
    # Ends of an executable's path ("/" between folders), for an app whose file name alone
    # says too little: the Minecraft launcher on macOS is `Minecraft.app/Contents/MacOS/launcher`.
    paths: tuple[str, ...] = ()

    def executables(self) -> tuple[str, ...]:
        return self.windows + self.macos + self.linux

    def __bool__(self) -> bool:
        return bool(self.executables() or self.product_names or self.cmdline or self.paths)


@dataclass(frozen=True)
class ServiceEntry:
    service_id: str
    name: str
    category: str
    age_rating: str  # "00+", "12+", "13+", "16+" or "18+"
    domains: tuple[str, ...]
    apps: ServiceApps

    @property
    def minimum_age(self) -> int:
        return int(self.age_rating.rstrip("+"))

    def to_filter_service(self) -> Service:
        return Service(
            service_id=self.service_id,
            name=self.name,
            category=self.category,
            domains=self.domains,
        )


class ServiceCatalogue:
    """An immutable, ordered collection of services by id."""

    def __init__(self, entries: tuple[ServiceEntry, ...]) -> None:
        self._by_id: Mapping[str, ServiceEntry] = MappingProxyType(
            {entry.service_id: entry for entry in entries}
        )
        if len(self._by_id) != len(entries):
            raise ValueError("the services catalogue has duplicate ids")

    def __iter__(self) -> Iterator[ServiceEntry]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, service_id: object) -> bool:
        return service_id in self._by_id

    def get(self, service_id: str) -> ServiceEntry | None:
        return self._by_id.get(service_id)

    def __getitem__(self, service_id: str) -> ServiceEntry:
        return self._by_id[service_id]

    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    def in_category(self, category: str) -> tuple[str, ...]:
        return tuple(entry.service_id for entry in self if entry.category == category)


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValueError(f"{where}: expected an array of non-empty strings")
    return tuple(value)


def _parse_entry(raw: Mapping[str, object], index: int) -> ServiceEntry:
    where = f"service[{index}]"
    service_id = raw.get("id")
    if not isinstance(service_id, str) or not service_id:
        raise ValueError(f"{where}.id: expected a non-empty string")
    category = raw.get("category")
    if category not in CATEGORY_IDS:
        raise ValueError(f"{where}.category: unknown category {category!r}")
    age_rating = raw.get("age_rating")
    if age_rating not in AGE_RATINGS:
        raise ValueError(f"{where}.age_rating: expected one of {AGE_RATINGS}")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"{where}.name: expected a non-empty string")
    apps_raw = raw.get("apps", {})
    if not isinstance(apps_raw, dict):
        raise ValueError(f"{where}.apps: expected a table")
    unknown = set(apps_raw) - {
        "windows", "macos", "linux", "product_names", "cmdline", "titles", "paths"
    }
    if unknown:
        raise ValueError(f"{where}.apps: unknown keys {sorted(unknown)}")
    apps = ServiceApps(
        **{key: _strings(value, f"{where}.apps.{key}") for key, value in apps_raw.items()}
    )
    domains = tuple(domain.lower() for domain in _strings(raw.get("domains"), f"{where}.domains"))
    return ServiceEntry(
        service_id=service_id,
        name=name,
        category=str(category),
        age_rating=str(age_rating),
        domains=domains,
        apps=apps,
    )


def parse_catalogue(text: str) -> ServiceCatalogue:
    data = tomllib.loads(text)
    raw_entries = data.get("service", [])
    return ServiceCatalogue(
        tuple(_parse_entry(raw, index) for index, raw in enumerate(raw_entries))
    )


def load_catalogue(path: Path | None = None) -> ServiceCatalogue:
    """The catalogue from `path`, or the built-in one (read once, then shared: it is immutable)."""
    if path is not None:
        return parse_catalogue(path.read_text(encoding="utf-8"))
    return _builtin_catalogue()


@functools.cache
def _builtin_catalogue() -> ServiceCatalogue:
    text = resources.files("agent.policy").joinpath("services.toml").read_text(encoding="utf-8")
    return parse_catalogue(text)
