"""The caregivers edited in Settings, with no widgets: the records the form fills, the
checks as the parent types (the loader's own rules, and `baoan caregiver add`'s), the
agent's refusals put by the field they concern, what an edit loses, and the controller
that saves through the policy API off the UI thread (docs/api.md, "Caregivers").

Secrets (an ntfy access token, the mail account's password, an Apprise URL) come back
from the agent only as "set" or "not set"; a field the parent leaves empty keeps the one
the agent has.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal

from gui.backend import BackendError, PolicyProblem
from gui.parent_calls import PolicyEditCalls
from gui.workers import ApiRunner

# What a caregiver can choose to hear (the policy's ALERT_TOPICS); Help is always heard.
ALERT_TOPICS = ("help", "adult", "tamper", "limit", "requests", "paused")
DEFAULT_NTFY_SERVER = "https://ntfy.sh"
DEFAULT_ALERTS_PER_HOUR = 10
MAX_ALERTS_PER_HOUR = 1000
MIN_TOPIC_CHARS = 16  # shorter is guessable (`baoan caregiver add` refuses it too)
_TOPIC_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# The form's fields, as the checks and the agent's refusals name them.
NAME = "name"
HEARS = "hears"
PER_HOUR = "alerts_per_hour"
CHANNELS = "channels"
NTFY_SERVER = "ntfy_server"
NTFY_TOPIC = "ntfy_topic"
EMAIL = "email"
SMTP = "smtp"
SMTP_USER = "smtp_user"
APPRISE = "apprise"
FORM = "form"  # a problem no field of the form shows (quiet hours edited by hand)
_FIELD_OF_KEY = {
    "name": NAME,
    "hears": HEARS,
    "alerts_per_hour": PER_HOUR,
    "ntfy_server": NTFY_SERVER,
    "ntfy_topic": NTFY_TOPIC,
    "email": EMAIL,
    "smtp": SMTP,
    "apprise": APPRISE,
}
_PATH_RE = re.compile(r"^caregivers\[\d+\](?:\.([A-Za-z_]+))?")


@dataclass(frozen=True)
class NtfyEntry:
    server: str = DEFAULT_NTFY_SERVER
    topic: str = ""  # empty: the agent makes an unguessable one
    token_set: bool = False  # the agent holds Bảo An's token for this server
    token: str | None = None  # None: keep the one the agent has


@dataclass(frozen=True)
class EmailEntry:
    address: str
    smtp: str = ""  # "host:port"
    username: str = ""
    password_set: bool = False
    password: str | None = None  # None: keep


@dataclass(frozen=True)
class AppriseEntry:
    url_set: bool = False
    url_hint: str = ""  # "discord://…"
    url: str | None = None  # None: keep


@dataclass(frozen=True)
class CaregiverEntry:
    """A caregiver as the form edits them; ``hears`` empty means every alert."""

    name: str
    hears: tuple[str, ...] = ()
    alerts_per_hour: int = DEFAULT_ALERTS_PER_HOUR
    quiet_start: str | None = None
    quiet_end: str | None = None
    ntfy: NtfyEntry | None = None
    email: EmailEntry | None = None
    apprise: AppriseEntry | None = None


@dataclass(frozen=True)
class CaregiverList:
    etag: str
    caregivers: tuple[CaregiverEntry, ...] = ()

    def find(self, name: str) -> CaregiverEntry | None:
        wanted = name.casefold()
        return next((c for c in self.caregivers if c.name.casefold() == wanted), None)


class CaregiverExistsError(BackendError):
    """A caregiver of that name is in the policy already."""

    def __init__(self, message: str = "caregiver exists") -> None:
        super().__init__(message, code="caregiver_exists")


@runtime_checkable
class CaregiverSettingsBackend(Protocol):
    """``GET``, ``POST``, ``PUT``, ``DELETE /api/family/caregivers``; each edit answers
    with the list as it is after it."""

    def caregiver_settings(self, token: str) -> CaregiverList: ...

    def add_caregiver(self, token: str, etag: str, entry: CaregiverEntry) -> CaregiverList: ...

    def update_caregiver(
        self, token: str, etag: str, name: str, entry: CaregiverEntry
    ) -> CaregiverList: ...

    def remove_caregiver(self, token: str, etag: str, name: str) -> CaregiverList: ...


def field_of(path: str) -> str:
    """The form's field an agent's refusal concerns: ``caregivers[2].email`` → email,
    ``caregivers[2]`` (no channel) → channels."""
    match = _PATH_RE.match(path)
    if match is None:
        return FORM
    key = match.group(1)
    if key is None:
        return CHANNELS
    return _FIELD_OF_KEY.get(key, FORM)


def problems_by_field(problems: Sequence[PolicyProblem]) -> dict[str, list[PolicyProblem]]:
    found: dict[str, list[PolicyProblem]] = {}
    for problem in problems:
        found.setdefault(field_of(problem.path), []).append(problem)
    return found


class CaregiverWords(QObject):
    """The checks as the parent types and every word the form says (no widgets)."""

    def check(
        self,
        entry: CaregiverEntry,
        others: Sequence[str] = (),
        old: CaregiverEntry | None = None,
    ) -> dict[str, str]:
        """Each field's problem, in words; empty when the agent can be asked to save.
        `others` are the other caregivers' names, `old` the caregiver being edited."""
        found: dict[str, str] = {}
        name = entry.name.strip()
        if not name:
            found[NAME] = self.tr("Type the caregiver's name.")
        elif name.casefold() in {other.casefold() for other in others}:
            found[NAME] = self.tr("%1 is already a caregiver.").replace("%1", name)
        if not 1 <= entry.alerts_per_hour <= MAX_ALERTS_PER_HOUR:
            found[PER_HOUR] = self.tr("Between 1 and %1 alerts an hour.").replace(
                "%1", str(MAX_ALERTS_PER_HOUR))
        if entry.ntfy is None and entry.email is None and entry.apprise is None:
            found[CHANNELS] = self.tr(
                "Choose at least one way to reach them: ntfy, email or Apprise.")
        if entry.ntfy is not None:
            found.update(self._check_ntfy(entry.ntfy, old.ntfy if old else None))
        if entry.email is not None:
            found.update(self._check_email(entry.email))
        if entry.apprise is not None:
            url = entry.apprise.url
            if url is None and not entry.apprise.url_set:
                found[APPRISE] = self.tr("Paste the Apprise URL (for example discord://…).")
            elif url is not None and "://" not in url:
                found[APPRISE] = self.tr(
                    "An Apprise URL starts with its service, such as discord:// or tgram://.")
        return found

    def _check_ntfy(self, ntfy: NtfyEntry, old: NtfyEntry | None) -> dict[str, str]:
        found: dict[str, str] = {}
        parts = urlsplit(ntfy.server.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            found[NTFY_SERVER] = self.tr(
                "An ntfy server's address, such as https://ntfy.sh.")
        topic = ntfy.topic.strip()
        if topic and not _TOPIC_RE.match(topic):
            found[NTFY_TOPIC] = self.tr(
                "A topic has only letters, digits, - and _ (at most 64).")
        elif topic and len(topic) < MIN_TOPIC_CHARS and (old is None or old.topic != topic):
            found[NTFY_TOPIC] = self.tr(
                "A topic this short can be guessed: use at least %1 characters, or leave it "
                "empty and Bảo An makes one.").replace("%1", str(MIN_TOPIC_CHARS))
        return found

    def _check_email(self, email: EmailEntry) -> dict[str, str]:
        found: dict[str, str] = {}
        if not _EMAIL_RE.match(email.address.strip()):
            found[EMAIL] = self.tr("An email address, such as ba@example.com.")
        host, _, port = email.smtp.strip().rpartition(":")
        if not email.smtp.strip():
            found[SMTP] = self.tr(
                "Bảo An needs a mail server to send from, such as smtp.gmail.com:465.")
        elif not host or not port.isdigit() or not 0 < int(port) < 65536:
            found[SMTP] = self.tr("The mail server and its port, such as smtp.gmail.com:465.")
        if email.password and not email.username.strip():
            found[SMTP_USER] = self.tr("The mail account's user name goes with its password.")
        return found

    def refusal(self, problem: PolicyProblem) -> str:
        """One of the agent's refusals beside its field."""
        if problem.got:
            return self.tr("Bảo An expects %1; it got %2.").replace(
                "%1", problem.expected or "?").replace("%2", problem.got)
        return self.tr("Bảo An expects %1.").replace("%1", problem.expected or "?")

    def lost(self, old: CaregiverEntry, new: CaregiverEntry) -> list[str]:
        """What saving `new` over `old` stops: one line per channel removed."""
        lines = []
        if old.ntfy is not None and new.ntfy is None:
            lines.append(self.tr("the ntfy alerts to the topic %1").replace("%1", old.ntfy.topic))
        if old.email is not None and new.email is None:
            lines.append(self.tr("the emails to %1").replace("%1", old.email.address))
        if old.apprise is not None and new.apprise is None:
            lines.append(self.tr("the Apprise alerts"))
        return lines

    def topic_name(self, topic: str) -> str:
        names = {
            "help": self.tr("Help / 111"),
            "adult": self.tr("Adult content"),
            "tamper": self.tr("Protection weakened"),
            "limit": self.tr("Screen time used up"),
            "requests": self.tr("The children's requests"),
            "paused": self.tr("Protection paused"),
        }
        return names.get(topic, topic)


class CaregiverSettingsController(PolicyEditCalls):
    """Reads and saves the caregivers' settings off the UI thread; no widgets."""

    loaded = Signal(object)  # CaregiverList
    saved = Signal(str, str)  # "added", "changed" or "removed"; the caregiver's name

    def __init__(
        self,
        runner: ApiRunner,
        token: Callable[[], str | None],
        on_failure: Callable[[BackendError], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, token, on_failure, parent)
        self.caregivers: CaregiverList | None = None

    @property
    def supported(self) -> bool:
        return isinstance(self._runner.backend, CaregiverSettingsBackend)

    def clear(self) -> None:
        self.caregivers = None

    def load(self) -> None:
        token = self._token()
        if token is None or not self.supported:
            return
        self._runner.submit(
            lambda backend: _backend(backend).caregiver_settings(token),
            self._on_loaded,
            self._on_load_failed,
            key="caregiver-settings",
        )

    def add(self, entry: CaregiverEntry) -> None:
        self._edit("added", entry.name.strip(),
                   lambda b, token, etag: _backend(b).add_caregiver(token, etag, entry))

    def update(self, name: str, entry: CaregiverEntry) -> None:
        self._edit("changed", entry.name.strip(),
                   lambda b, token, etag: _backend(b).update_caregiver(token, etag, name, entry))

    def remove(self, name: str) -> None:
        self._edit("removed", name,
                   lambda b, token, etag: _backend(b).remove_caregiver(token, etag, name))

    def _edit(
        self, action: str, name: str, call: Callable[[object, str, str], CaregiverList]
    ) -> None:
        def saved(caregivers: CaregiverList) -> None:
            self._on_loaded(caregivers)
            self.saved.emit(action, name)

        etag = self.caregivers.etag if self.caregivers else None
        self._save(etag, call, saved, "caregiver-settings")

    def _on_loaded(self, caregivers: CaregiverList) -> None:
        if self._token() is None:
            return
        self.caregivers = caregivers
        self.loaded.emit(caregivers)

    def _after_conflict(self) -> None:
        self.load()  # the new version: saving again applies the change over it


def _backend(backend: object) -> CaregiverSettingsBackend:
    assert isinstance(backend, CaregiverSettingsBackend)
    return backend


def others(caregivers: CaregiverList | None, editing: str | None) -> list[str]:
    """The names a new or renamed caregiver may not take."""
    if caregivers is None:
        return []
    return [
        c.name for c in caregivers.caregivers
        if editing is None or c.name.casefold() != editing.casefold()
    ]


def with_hears(entry: CaregiverEntry, ticked: Mapping[str, bool]) -> CaregiverEntry:
    """What the parent ticked as ``hears``: every kind ticked is every alert (``()``), so
    a kind Bảo An learns later reaches them too; Help is always among them."""
    chosen = tuple(topic for topic in ALERT_TOPICS if topic == "help" or ticked.get(topic))
    return replace(entry, hears=() if len(chosen) == len(ALERT_TOPICS) else chosen)
