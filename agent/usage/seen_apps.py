"""The apps seen on this PC, for a parent who picks the always-allowed ones.

The heartbeats and the process sampler say what each app is (its file, its path, the
product name in its version information); the usage records say which child used it. Both
are put together here under the name a parent's ``always_allowed_apps`` takes for the app
(:func:`allow_name`), which is how :class:`~agent.usage.apps.AppClassifier` matches it.
Window titles are never kept.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from agent.api.types import SeenApp
from agent.policy.services import ServiceCatalogue
from agent.usage.apps import INTERPRETERS, TRAY_APP_ID, UNKNOWN_APP_ID, AppClassifier
from agent.usage.model import AppIdentity

SEEN_APPS_KEY = "usage.apps_seen"
MAX_SEEN_APPS = 300  # the most recently seen are kept
BEHIND_SUFFIX = ":behind"
# Usage ids that are not an app a parent could allow.
NOT_APPS = frozenset({UNKNOWN_APP_ID, TRAY_APP_ID, "session-without-tray"})


def allow_name(app_id: str) -> str:
    """The name under which `app_id` is always allowed: the app itself (``zoom.exe``); for
    a game counted behind the app in front, the game's app; for an app an interpreter
    hosts (``java:minecraft``), its service (``minecraft``); for a website in a browser
    (``chrome.exe:youtube``), the browser."""
    base, _, hosted = _without_behind(app_id).partition(":")
    if hosted and base in INTERPRETERS:
        return hosted
    return base


def _without_behind(app_id: str) -> str:
    while app_id.endswith(BEHIND_SUFFIX):
        app_id = app_id[: -len(BEHIND_SUFFIX)]
    return app_id


@dataclass(frozen=True)
class SeenRecord:
    """What the agent learnt of one app: kept in the store (``usage.apps_seen``)."""

    allow_name: str
    app_id: str
    exe_path: str = ""
    product_name: str = ""
    service: str | None = None
    category: str | None = None
    children: tuple[str, ...] = ()
    last_seen: datetime | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "allow_name": self.allow_name,
            "app_id": self.app_id,
            "exe_path": self.exe_path,
            "product_name": self.product_name,
            "service": self.service,
            "category": self.category,
            "children": list(self.children),
            "last_seen": None if self.last_seen is None else self.last_seen.isoformat(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> SeenRecord:
        def text(key: str) -> str:
            value = data.get(key)
            return value if isinstance(value, str) else ""

        children = data.get("children")
        seen = text("last_seen")
        return cls(
            allow_name=text("allow_name"),
            app_id=text("app_id"),
            exe_path=text("exe_path"),
            product_name=text("product_name"),
            service=text("service") or None,
            category=text("category") or None,
            children=tuple(c for c in children if isinstance(c, str))
            if isinstance(children, list)
            else (),
            last_seen=datetime.fromisoformat(seen) if seen else None,
        )


class SeenApps:
    """The apps seen, by allow name; thread-safe, saved by the usage service when changed."""

    def __init__(self, saved: object = None) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, SeenRecord] = {}
        self.changed = False
        if isinstance(saved, list):
            for item in saved:
                if isinstance(item, dict):
                    try:
                        record = SeenRecord.from_json(item)
                    except ValueError:
                        continue
                    if record.allow_name:
                        self._records[record.allow_name] = record

    def note(
        self,
        child: str,
        app_id: str,
        identity: AppIdentity,
        service: str | None,
        category: str | None,
        when: datetime,
    ) -> None:
        name = allow_name(app_id)
        if not name or name in NOT_APPS:
            return
        plain = _without_behind(app_id)
        # A website in a browser is the browser here: the site's service is not the app's.
        site = ":" in plain and name == plain.partition(":")[0]
        if site:
            plain, service, category = name, None, None
        with self._lock:
            old = self._records.get(name)
            new = SeenRecord(
                allow_name=name,
                app_id=plain,
                exe_path=identity.exe_path or (old.exe_path if old else ""),
                product_name=identity.product_name or (old.product_name if old else ""),
                service=service or (old.service if old else None),
                category=category or (old.category if old else None),
                children=tuple(sorted({*(old.children if old else ()), child})),
                last_seen=when,
            )
            self._records[name] = new
            if old is None or replace(old, last_seen=when) != new:
                self.changed = True  # only the time moved: saved with the next change

    def to_json(self) -> list[dict[str, object]]:
        with self._lock:
            records = sorted(
                self._records.values(),
                key=lambda r: r.last_seen.timestamp() if r.last_seen else 0.0,
                reverse=True,
            )[:MAX_SEEN_APPS]
            self.changed = False
        return [record.to_json() for record in records]

    def records(self) -> tuple[SeenRecord, ...]:
        with self._lock:
            return tuple(self._records.values())


def seen_app_list(
    records: Iterable[SeenRecord],
    used: Iterable[tuple[str, str]],
    catalogue: ServiceCatalogue,
    classifier: AppClassifier | None = None,
) -> tuple[SeenApp, ...]:
    """The apps for the API: the records, and the (child, app id) pairs of the usage
    records for apps the agent has no record of (seen before it kept them); by name."""
    classifier = classifier if classifier is not None else AppClassifier(catalogue)
    merged: dict[str, SeenRecord] = {record.allow_name: record for record in records}
    for child, app_id in used:
        name = allow_name(app_id)
        if not name or name in NOT_APPS:
            continue
        old = merged.get(name)
        if old is None:
            merged[name] = SeenRecord(name, name, children=(child,))
        elif child not in old.children:
            merged[name] = replace(old, children=tuple(sorted({*old.children, child})))
    apps: list[SeenApp] = []
    for record in merged.values():
        entry = catalogue.get(record.service) if record.service else None
        if entry is None:
            entry = catalogue.get(record.allow_name)
        if entry is None and not record.service:
            found = classifier.service_of(
                AppIdentity(exe_path=record.exe_path or record.allow_name)
            )
            entry = catalogue.get(found[0]) if found is not None else None
        exe_name = record.exe_path.replace("\\", "/").rsplit("/", 1)[-1]
        apps.append(
            SeenApp(
                app_id=record.app_id,
                allow_name=record.allow_name,
                exe_name=exe_name,
                exe_path=record.exe_path,
                product_name=record.product_name,
                service=entry.service_id if entry else record.service,
                service_name=entry.name if entry else None,
                category=entry.category if entry else record.category,
                children=record.children,
                last_seen=record.last_seen,
            )
        )
    return tuple(sorted(apps, key=lambda app: (app.service_name or app.allow_name).casefold()))
