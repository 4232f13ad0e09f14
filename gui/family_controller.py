"""The first run and the Children page, with no widgets.

:class:`FirstRunController` sets the first PIN with the set-up code (or a forgotten one
with the set-up code or the recovery code) and hands the session it opened to the
dashboard's controller; the recovery code comes out once, for the parent to write down.
:class:`FamilyController` reads the children's settings, the presets and the PC's
accounts, and adds, edits and removes a child; every save carries the version read, as
the Web tab's do.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal

from gui.backend import BackendError
from gui.controller import DashboardController
from gui.family_backend import (
    ChildEntry,
    DeviceEntry,
    FamilyBackend,
    FamilySnapshot,
    OsAccount,
    PinCreated,
    PresetSummary,
    SettingsBackend,
)
from gui.parent_calls import PolicyEditCalls
from gui.workers import ApiRunner

log = logging.getLogger(__name__)

RECOVERY_CODE_LETTERS = 16
SETUP_CODE_LETTERS = 12


def code_letters(text: str) -> str:
    """A code as the agent compares it: capitals, no spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch not in " -\t\r\n")


def is_recovery_code(text: str) -> bool:
    """The recovery code has 16 letters, the set-up code 12: the form takes either."""
    return len(code_letters(text)) == RECOVERY_CODE_LETTERS


def preset_for_age(presets: Sequence[PresetSummary], age: int | None) -> PresetSummary | None:
    """The preset an age gets (None: no age yet, or 18 and over)."""
    if age is None:
        return None
    return next((p for p in presets if p.min_age <= age <= p.max_age), None)


def preset_by_id(presets: Sequence[PresetSummary], preset_id: str | None) -> PresetSummary | None:
    return next((p for p in presets if p.preset_id == preset_id), None) if preset_id else None


class FirstRunController(QObject):
    """The PIN and its recovery code; the refusals go through the dashboard's controller
    (wrong set-up code, lockout), so the PIN page shows them as it always did."""

    # The recovery code (str | None), and whether the first child's step follows (a first
    # PIN, with an agent that edits the family).
    pin_created = Signal(object, bool)

    def __init__(
        self, runner: ApiRunner, dashboard: DashboardController, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._dashboard = dashboard

    @property
    def supported(self) -> bool:
        return isinstance(self._runner.backend, FamilyBackend)

    def set_pin(self, pin: str, code: str, first: bool) -> None:
        """Set `pin` with the set-up code, or (a forgotten PIN) with the recovery code."""

        def run(backend: object) -> tuple[PinCreated, bool]:
            if is_recovery_code(code) and not first:
                if not isinstance(backend, SettingsBackend):
                    raise BackendError("this agent keeps no recovery code", code="not_found")
                return backend.reset_pin_with_recovery_code(pin, code), False
            assert isinstance(backend, FamilyBackend)
            created = backend.create_pin(pin, code)
            return created, first and _edits_family(backend, created.session.token)

        self._runner.submit(
            run,
            lambda answer: self._on_created(*answer),
            self._dashboard.report_login_failure,
            key="login",
        )

    def _on_created(self, created: PinCreated, with_child: bool) -> None:
        self.pin_created.emit(created.recovery_code, with_child)
        self._dashboard.adopt_session(created.session)


class FamilyController(PolicyEditCalls):
    family_loaded = Signal(object)  # FamilySnapshot
    presets_loaded = Signal(object)  # tuple[PresetSummary, ...]
    accounts_loaded = Signal(object)  # tuple[OsAccount, ...]
    child_saved = Signal(str, str)  # "added", "changed" or "removed"; the child's name

    def __init__(
        self,
        runner: ApiRunner,
        token: Callable[[], str | None],
        on_failure: Callable[[BackendError], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, token, on_failure, parent)
        self.snapshot: FamilySnapshot | None = None
        self.presets: tuple[PresetSummary, ...] = ()
        self.accounts: tuple[OsAccount, ...] = ()

    @property
    def supported(self) -> bool:
        return isinstance(self._runner.backend, FamilyBackend)

    def clear(self) -> None:
        self.snapshot = None

    def child(self, name: str) -> ChildEntry | None:
        children = self.snapshot.children if self.snapshot else ()
        return next((c for c in children if c.name.casefold() == name.casefold()), None)

    def load(self) -> None:
        """The children's settings, the presets and the accounts, each as its signal."""
        token = self._token()
        if token is None or not self.supported:
            return
        self._runner.submit(
            lambda backend: _family(backend).family(token),
            self._on_family,
            self._on_load_failed,
            key="family",
        )
        self._runner.submit(
            lambda backend: _family(backend).presets(token),
            self._on_presets,
            self._on_load_failed,
            key="presets",
        )
        self._runner.submit(
            lambda backend: _family(backend).os_accounts(token),
            self._on_accounts,
            self._report,
            key="os-accounts",
        )

    def add_child(self, child: ChildEntry) -> None:
        self._edit(
            "added",
            child.name,
            lambda backend, token, etag: _family(backend).add_child(token, etag, child),
        )

    def update_child(self, name: str, child: ChildEntry) -> None:
        self._edit(
            "changed",
            child.name,
            lambda backend, token, etag: _family(backend).update_child(token, etag, name, child),
        )

    def remove_child(self, name: str) -> None:
        self._edit(
            "removed",
            name,
            lambda backend, token, etag: _family(backend).remove_child(token, etag, name),
        )

    def _edit(
        self, action: str, name: str, call: Callable[[object, str, str], FamilySnapshot]
    ) -> None:
        def saved(snapshot: FamilySnapshot) -> None:
            self._on_family(snapshot)
            self.child_saved.emit(action, name)

        self._save(self.snapshot.etag if self.snapshot else None, call, saved, "family")

    # Answers.
    def _on_family(self, snapshot: FamilySnapshot) -> None:
        if self._token() is None:
            return
        self.snapshot = snapshot
        self.family_loaded.emit(snapshot)

    def _on_presets(self, presets: tuple[PresetSummary, ...]) -> None:
        self.presets = tuple(presets)
        self.presets_loaded.emit(self.presets)

    def _on_accounts(self, accounts: tuple[OsAccount, ...]) -> None:
        self.accounts = tuple(accounts)
        self.accounts_loaded.emit(self.accounts)

    def _after_conflict(self) -> None:
        self.load()  # the new version: saving again applies the change over it

    def _words_for(self, error: BackendError) -> str:
        return "child_exists" if error.code == "child_exists" else str(error)


def _edits_family(backend: FamilyBackend, token: str) -> bool:
    """Whether the first child's step can follow: the agent has the family's endpoints
    (an older one answers 404) and answers. The PIN is set either way."""
    try:
        backend.family(token)
    except BackendError as error:
        log.info("the first run goes on without the first child's step: %s", error)
        return False
    return True


def _family(backend: object) -> FamilyBackend:
    if not isinstance(backend, FamilyBackend):
        raise BackendError("this agent does not edit the family", code="not_found")
    return backend


_MAC_SEPARATORS = re.compile(r"^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$")


def device_from(name: str, address: str) -> DeviceEntry | None:
    """A device row as typed: a MAC address (``a4:5e:60:d1:22:3b``) or else an IP
    address; None for an empty row. The agent checks the address itself."""
    text = address.strip()
    if not text and not name.strip():
        return None
    if _MAC_SEPARATORS.match(text):
        return DeviceEntry(name.strip(), mac=text.lower().replace("-", ":"))
    return DeviceEntry(name.strip(), ip=text)
