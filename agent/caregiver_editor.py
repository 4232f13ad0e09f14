"""Who hears the alerts, through the API: add, edit and remove a caregiver (name, what
they hear, their hourly cap, their quiet hours) and each of their channels (ntfy, email
through SMTP, Apprise).

Every edit goes through :class:`agent.policy_editor.PolicyEditor` as the whole policy's
JSON, as the children's do: the same entity tag (a hand edit in the meantime is a
``412``), the same loader (``422``), the same writer keeping the parent's comments, the
same ``policy-edited`` event. What must not be in family.toml goes to the keyring, as
`baoan caregiver add` puts it there (docs/alerts.md): the ntfy access token per server
(``ntfy-token:<server>``), the SMTP account per mail server (``smtp:<host:port>``), the
Apprise URL per caregiver (``apprise:<name>``). An answer never carries a secret, only
whether one is set; a request that leaves a secret out keeps it. Secrets are written
only once the file was: a refused edit changes nothing.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from agent.alert_delivery import apprise_secret, ntfy_token_secret, smtp_secret
from agent.api.types import (
    AppriseChannelSettings,
    CaregiverSettings,
    EmailChannelSettings,
    NtfyChannelSettings,
)
from agent.policy.errors import InvalidPolicyError, KeyPath, PolicyError
from agent.policy.model import DEFAULT_NTFY_SERVER, Caregiver
from agent.policy_editor import PolicyAdopter, PolicyEditor

TOPIC_RANDOM_BYTES = 12  # 96 bits: a topic nobody can guess
MIN_TOPIC_CHARS = 16


class CaregiverExistsError(ValueError):
    """A caregiver of that name is in the policy already."""


class UnknownCaregiverError(LookupError):
    pass


class Secrets(Protocol):
    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> bool: ...


def new_topic() -> str:
    """An unguessable alerts topic: ``baoan-`` and 24 hex digits."""
    return "baoan-" + secrets.token_hex(TOPIC_RANDOM_BYTES)


def _same(a: object, b: str) -> bool:
    return isinstance(a, str) and a.casefold() == b.casefold()


@dataclass(frozen=True)
class _SecretWrite:
    """One keyring change to make once the file is written (None: delete it)."""

    name: str
    value: str | None


class CaregiverEditor:
    """The caregivers' settings over the policy editor; one edit at a time (the editor's)."""

    def __init__(
        self,
        editor: PolicyEditor,
        holder: PolicyAdopter,
        secret_store: Secrets,
        make_topic: Callable[[], str] = new_topic,
    ) -> None:
        self._editor = editor
        self._holder = holder
        self._secrets = secret_store
        self._make_topic = make_topic

    # -- reading ------------------------------------------------------------------------------

    def caregivers(self) -> tuple[str, tuple[CaregiverSettings, ...]]:
        """The file's version and every caregiver's settings, secrets left out."""
        etag = self._editor.read().etag
        return etag, tuple(self._settings(c) for c in self._holder.policy.caregivers)

    def caregiver(self, name: str) -> tuple[str, CaregiverSettings]:
        etag = self._editor.read().etag
        found = self._find(name)
        if found is None:
            raise UnknownCaregiverError(name)
        return etag, self._settings(found)

    # -- editing ------------------------------------------------------------------------------

    def add_caregiver(
        self, if_match: str, settings: CaregiverSettings
    ) -> tuple[str, CaregiverSettings]:
        """Add a caregiver; raises CaregiverExistsError, StalePolicyError or
        InvalidPolicyError (nothing written, no secret kept)."""
        name = settings.name.strip()
        if self._find(name) is not None:
            raise CaregiverExistsError(name)
        document = self._editor.read().policy
        tables = _tables(document.get("caregivers"))
        index = len(tables)
        table, writes = self._table({}, None, settings, ("caregivers", index))
        tables.append(table)
        document["caregivers"] = tables
        self._save(if_match, document, writes, name)
        return self.caregiver(name)

    def update_caregiver(
        self, if_match: str, name: str, settings: CaregiverSettings
    ) -> tuple[str, CaregiverSettings]:
        """Change `name`'s settings and channels (a new ``settings.name`` renames them); a
        channel left out is removed, a secret left out is kept."""
        document = self._editor.read().policy
        tables = _tables(document.get("caregivers"))
        index = next((i for i, raw in enumerate(tables) if _same(raw.get("name"), name)), None)
        old = self._find(name)
        if index is None or old is None:
            raise UnknownCaregiverError(name)
        new_name = settings.name.strip()
        if not _same(new_name, name) and self._find(new_name) is not None:
            raise CaregiverExistsError(new_name)
        table, writes = self._table(dict(tables[index]), old, settings, ("caregivers", index))
        tables[index] = table
        document["caregivers"] = tables
        self._save(if_match, document, writes, new_name)
        return self.caregiver(new_name)

    def remove_caregiver(self, if_match: str, name: str) -> str:
        """Remove a caregiver (and their Apprise URL; a server's token or a mail account
        others may share stays). The agent cancels this PC's dead-man signal on their
        topic when it adopts the file."""
        document = self._editor.read().policy
        tables = _tables(document.get("caregivers"))
        kept = [raw for raw in tables if not _same(raw.get("name"), name)]
        if len(kept) == len(tables):
            raise UnknownCaregiverError(name)
        document["caregivers"] = kept or None
        etag = self._editor.replace(if_match, document).etag
        self._secrets.delete(apprise_secret(name))
        return etag

    # -- helpers ------------------------------------------------------------------------------

    def _save(
        self, if_match: str, document: dict[str, object], writes: list[_SecretWrite], name: str
    ) -> None:
        wanted: dict[str, str | None] = {}
        for write in writes:  # in order: a renamed caregiver's new URL wins over the old's
            wanted[write.name] = write.value
        changed = {key: value for key, value in wanted.items() if self._secrets.get(key) != value}
        self._editor.replace(if_match, document, secrets_changed=(name,) if changed else ())
        for key, value in changed.items():
            if value is None:
                self._secrets.delete(key)
            else:
                self._secrets.set(key, value)

    def _find(self, name: str) -> Caregiver | None:
        return next(
            (c for c in self._holder.policy.caregivers if c.name.casefold() == name.casefold()),
            None,
        )

    def _table(
        self,
        raw: dict[str, object],
        old: Caregiver | None,
        settings: CaregiverSettings,
        path: KeyPath,
    ) -> tuple[dict[str, object], list[_SecretWrite]]:
        """`raw` (the caregiver's table as the file has it) with `settings` laid over, and
        the keyring changes that go with it. Keys the dashboard does not edit stay."""
        problems: list[PolicyError] = []
        writes: list[_SecretWrite] = []
        name = settings.name.strip()
        raw["name"] = name
        if settings.hears:
            raw["hears"] = list(dict.fromkeys(settings.hears))
        else:
            raw.pop("hears", None)
        raw["alerts_per_hour"] = settings.alerts_per_hour
        if settings.quiet_start and settings.quiet_end:
            raw["quiet_hours"] = {"start": settings.quiet_start, "end": settings.quiet_end}
        else:
            raw.pop("quiet_hours", None)
        for key in ("ntfy_topic", "ntfy_server", "email", "smtp", "apprise"):
            raw.pop(key, None)
        if settings.ntfy is not None:
            writes += self._ntfy(raw, old, settings.ntfy, path, problems)
        if settings.email is not None:
            writes += self._email(raw, settings.email, path, problems)
        if old is not None:
            writes.append(_SecretWrite(apprise_secret(old.name), None))  # gone or renamed
        if settings.apprise is not None:
            url = settings.apprise.url
            if url is None and old is not None:
                url = self._secrets.get(apprise_secret(old.name))
            if not url or "://" not in url:
                problems.append(_problem(
                    (*path, "apprise"), 'an Apprise URL such as "discord://…"', url or ""))
            raw["apprise"] = True
            writes.append(_SecretWrite(apprise_secret(name), url))
        if problems:
            raise InvalidPolicyError(problems)
        return raw, writes

    def _ntfy(
        self,
        raw: dict[str, object],
        old: Caregiver | None,
        ntfy: NtfyChannelSettings,
        path: KeyPath,
        problems: list[PolicyError],
    ) -> list[_SecretWrite]:
        server = ntfy.server.strip().rstrip("/") or DEFAULT_NTFY_SERVER
        topic = ntfy.topic.strip()
        if not topic:
            topic = self._make_topic()
        elif len(topic) < MIN_TOPIC_CHARS and (old is None or old.ntfy_topic != topic):
            problems.append(_problem(
                (*path, "ntfy_topic"),
                f"a topic of at least {MIN_TOPIC_CHARS} characters that nobody can guess "
                "(leave it empty and Bảo An makes one)",
                topic,
            ))
        raw["ntfy_topic"] = topic
        if server != DEFAULT_NTFY_SERVER:
            raw["ntfy_server"] = server
        if ntfy.token is None:
            return []
        return [_SecretWrite(ntfy_token_secret(server), ntfy.token.strip() or None)]

    def _email(
        self,
        raw: dict[str, object],
        email: EmailChannelSettings,
        path: KeyPath,
        problems: list[PolicyError],
    ) -> list[_SecretWrite]:
        raw["email"] = email.address.strip()
        smtp = email.smtp.strip()
        if not smtp:
            return []
        raw["smtp"] = smtp
        account = self._smtp_account(smtp)
        username = email.username.strip()
        if username:
            account["username"] = username
            account.setdefault("sender", username)
        else:
            account.pop("username", None)
        if email.password is not None:
            if email.password:
                account["password"] = email.password
            else:
                account.pop("password", None)
        if account.get("password") and not account.get("username"):
            problems.append(_problem(
                (*path, "smtp"), "the mail account's user name with its password", ""))
        return [_SecretWrite(smtp_secret(smtp), json.dumps(account) if account else None)]

    def _smtp_account(self, smtp: str) -> dict[str, str]:
        raw = self._secrets.get(smtp_secret(smtp))
        try:
            loaded = json.loads(raw) if raw else {}
        except ValueError:
            loaded = {}
        if not isinstance(loaded, dict):
            return {}
        return {str(key): str(value) for key, value in loaded.items() if value is not None}

    def _settings(self, caregiver: Caregiver) -> CaregiverSettings:
        ntfy = email = apprise = None
        if caregiver.ntfy_topic:
            ntfy = NtfyChannelSettings(
                server=caregiver.ntfy_server,
                topic=caregiver.ntfy_topic,
                token_set=bool(self._secrets.get(ntfy_token_secret(caregiver.ntfy_server))),
            )
        if caregiver.email:
            account = self._smtp_account(caregiver.smtp) if caregiver.smtp else {}
            email = EmailChannelSettings(
                address=caregiver.email,
                smtp=caregiver.smtp or "",
                username=account.get("username", ""),
                password_set=bool(account.get("password")),
            )
        if caregiver.apprise:
            url = self._secrets.get(apprise_secret(caregiver.name)) or ""
            scheme = url.partition("://")[0] if "://" in url else ""
            apprise = AppriseChannelSettings(
                url_set=bool(url), url_hint=f"{scheme}://…" if scheme else ""
            )
        return CaregiverSettings(
            name=caregiver.name,
            hears=caregiver.hears,
            alerts_per_hour=caregiver.alerts_per_hour,
            quiet_start=None if caregiver.quiet_start is None
            else caregiver.quiet_start.strftime("%H:%M"),
            quiet_end=None if caregiver.quiet_end is None
            else caregiver.quiet_end.strftime("%H:%M"),
            ntfy=ntfy,
            email=email,
            apprise=apprise,
        )


def _problem(path: KeyPath, expected: str, got: str) -> PolicyError:
    shown = json.dumps(got, ensure_ascii=False) if got else "nothing"
    return PolicyError("family.toml", f"expected {expected}, got {shown}", key_path=path)


def _tables(value: object) -> list[dict[str, object]]:
    if not isinstance(value, list):
        return []
    return [dict(item) for item in value if isinstance(item, dict)]
