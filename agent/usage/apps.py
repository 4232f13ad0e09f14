"""Which app a heartbeat is: a stable id, the catalogue's service and category, and
whether the parent (or Bảo An itself) always allows it.

Names are compared without regard to case, and the version-information names (Windows
``OriginalFilename`` and ``ProductName``, the macOS bundle executable) are checked as well
as the file name, so a renamed ``Roblox.exe`` is still Roblox.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType

from agent.api.types import app_entry_key, app_entry_problem
from agent.policy.services import ServiceCatalogue
from agent.usage.model import AppIdentity, AppUse

# The tray reports its own windows (Help / 111, "what is watched") under this name: they
# are never counted against a limit and never closed.
TRAY_APP_ID = "baoan-tray"
BUILT_IN_ALWAYS_ALLOWED: frozenset[str] = frozenset({TRAY_APP_ID})
UNKNOWN_APP_ID = "unknown"
# A version after an interpreter's name (`python3.12`, `node18`, `java17.exe`): dropped, so
# that the file name left is one of INTERPRETERS.
_INTERPRETER_VERSION = re.compile(r"(?<=[a-z])[0-9]+(?:\.[0-9]+)*(?=(?:\.exe)?$)")
# Programs that host an app named in their command line; the file name alone says nothing.
INTERPRETERS: frozenset[str] = frozenset(
    {
        "java", "java.exe", "javaw", "javaw.exe", "python", "python3", "python.exe",
        "pythonw.exe", "node", "node.exe", "electron", "electron.exe", "wine",
        "wine64", "wine-preloader", "wine64-preloader",
    }
)


def _names(app: AppIdentity) -> tuple[str, ...]:
    found = (app.original_name, app.exe_name, app.product_name)
    return tuple(name.casefold() for name in found if name)


class AlwaysAllowed:
    """A child's always-allowed apps (and Bảo An's own, :data:`BUILT_IN_ALWAYS_ALLOWED`)
    as the one matcher every check uses: an entry that is a full path allows the
    executable at that path only; a name allows an app whose version-information names
    say it (``OriginalFilename``, ``ProductName``) or, without version information, whose
    file is so named, and the catalogue service of that id. A renamed file is the app its
    version information says, so a game renamed ``Zoom.exe`` is not Zoom. An entry that
    is no app (:func:`~agent.api.types.app_entry_problem`) allows nothing."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        keys = {app_entry_key(entry) for entry in entries if app_entry_problem(entry) is None}
        self._paths = frozenset(key for key in keys if "/" in key)
        self._names = frozenset(key for key in keys if "/" not in key) | BUILT_IN_ALWAYS_ALLOWED

    def allows(self, app: AppIdentity, service: str | None = None) -> bool:
        if self._paths and app.exe_path and app_entry_key(app.exe_path) in self._paths:
            return True
        if service is not None and service in self._names:
            return True
        own = (app.original_name, app.product_name) if app.original_name else (
            app.exe_name, app.product_name
        )
        return any(app_entry_key(name) in self._names for name in own if name)


def app_id_of(app: AppIdentity) -> str:
    """The id usage is kept under: the original file name when the OS has one (renaming
    the file does not change it), else the file name, else the product name."""
    names = _names(app)
    return names[0] if names else UNKNOWN_APP_ID


# Browsers: their window title says which website is in front. So does WWAHost.exe,
# Windows's host of the Store's web apps (Netflix's, Facebook's, Instagram's): one program
# for them all, so the app is told by its window title, as a website is.
BROWSERS: frozenset[str] = frozenset(
    {
        "chrome.exe", "chrome", "google-chrome", "google chrome", "chromium",
        "chromium-browser", "msedge.exe", "msedge", "microsoft edge", "firefox.exe",
        "firefox", "firefox-esr", "brave.exe", "brave", "brave browser", "opera.exe",
        "opera", "vivaldi.exe", "vivaldi", "safari", "browser.exe",  # Cốc Cốc's
        "coccoc", "cốc cốc", "wwahost.exe",
    }
)

SiteSupport = Callable[[str], bool]


class AppClassifier:
    """Heartbeat apps to :class:`AppUse`, over the services catalogue."""

    def __init__(self, catalogue: ServiceCatalogue) -> None:
        by_name: dict[str, tuple[str, str]] = {}
        for entry in catalogue:
            for name in (*entry.apps.executables(), *entry.apps.product_names):
                by_name.setdefault(name.casefold(), (entry.service_id, entry.category))
        self._by_name: Mapping[str, tuple[str, str]] = MappingProxyType(by_name)
        self._titles: tuple[tuple[str, str, str], ...] = tuple(
            (word.casefold(), entry.service_id, entry.category)
            for entry in catalogue
            for word in entry.apps.titles
        )
        in_category: dict[str, list[str]] = {}
        for entry in catalogue:
            in_category.setdefault(entry.category, []).append(entry.service_id)
        self._in_category: Mapping[str, tuple[str, ...]] = MappingProxyType(
            {category: tuple(ids) for category, ids in in_category.items()}
        )
        self._domains: Mapping[str, tuple[str, ...]] = MappingProxyType(
            {entry.service_id: entry.domains for entry in catalogue}
        )
        # The longest path end first, so that the most specific one wins.
        self._paths: tuple[tuple[str, str, str], ...] = tuple(
            sorted(
                (
                    ("/" + path.replace("\\", "/").strip("/").casefold(), entry.service_id,
                     entry.category)
                    for entry in catalogue
                    for path in entry.apps.paths
                ),
                key=lambda item: -len(item[0]),
            )
        )
        self._markers: tuple[tuple[str, str, str], ...] = tuple(
            (marker.casefold(), entry.service_id, entry.category)
            for entry in catalogue
            for marker in entry.apps.cmdline
        )

    def category_of_app_id(self, app_id: str) -> str | None:
        """The category of the catalogue service whose app has this id, if one has."""
        found = self._by_name.get(app_id.casefold())
        return found[1] if found else None

    @staticmethod
    def is_browser(app: AppIdentity) -> bool:
        return any(name in BROWSERS for name in _names(app))

    def services_in(self, category: str) -> tuple[str, ...]:
        return tuple(self._in_category.get(category, ()))

    def domains_of(self, service_id: str) -> tuple[str, ...]:
        return self._domains.get(service_id, ())

    def service_of_title(self, title: str) -> tuple[str, str] | None:
        folded = title.casefold()
        for word, service_id, category in self._titles:
            if word in folded:
                return service_id, category
        return None

    @staticmethod
    def is_interpreter(app: AppIdentity) -> bool:
        # `python3.12`, `python3.11.exe`: a versioned file is the same interpreter
        return _INTERPRETER_VERSION.sub("", app.exe_name.casefold()) in INTERPRETERS

    def service_of_cmdline(self, cmdline: Iterable[str]) -> tuple[str, str] | None:
        """An interpreter's command line: a catalogue marker in it, else an argument whose
        file name is one of the catalogue's executables (``wine Roblox.exe``)."""
        arguments = [argument.casefold() for argument in cmdline]
        for marker, service_id, category in self._markers:
            if any(marker in argument for argument in arguments):
                return service_id, category
        for argument in arguments[1:]:
            found = self._by_name.get(argument.replace("\\", "/").rsplit("/", 1)[-1])
            if found is not None:
                return found
        return None

    def service_of(self, app: AppIdentity) -> tuple[str, str] | None:
        for name in _names(app):
            found = self._by_name.get(name)
            if found is not None:
                return found
        if self._paths and app.exe_path:
            path = app.exe_path.replace("\\", "/").casefold()
            for end, service_id, category in self._paths:
                if path.endswith(end):
                    return service_id, category
        return None

    def classify(
        self,
        app: AppIdentity,
        always_allowed: Iterable[str] = (),
        cmdline: Sequence[str] = (),
        site_support: SiteSupport | None = None,
    ) -> AppUse:
        """`cmdline` matters for an interpreter (java, python, wine): its app is the one
        its command line names. A browser whose window title names a service is that
        service's website when `site_support(service)` agrees (the child's recent DNS
        queries for its domains; None: the title alone). Either way the app id says both
        (``java:minecraft``, ``chrome.exe:youtube``)."""
        service = self.service_of(app)
        app_id = app_id_of(app)
        if service is None and cmdline and self.is_interpreter(app):
            service = self.service_of_cmdline(cmdline)
            if service is not None:
                app_id = f"{app_id}:{service[0]}"
        if service is None and app.title and self.is_browser(app):
            site = self.service_of_title(app.title)
            if site is not None and (site_support is None or site_support(site[0])):
                service, app_id = site, f"{app_id}:{site[0]}"
        service_id, category = service if service is not None else (None, None)
        return AppUse(
            app_id=app_id,
            service=service_id,
            category=category,
            always_allowed=AlwaysAllowed(always_allowed).allows(app, service_id),
        )
