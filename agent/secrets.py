"""The agent's secrets (tray token, parent PIN hash, sync keys) through `keyring`.

Which backend holds them:

* ``open_secret_store(data_dir)`` — the default, and what the agent does whenever it is
  given a data dir (``--data-dir``, try-out mode, tests): a :class:`FileKeyring` at
  ``<data_dir>/secrets.json`` (0600, atomic writes). A service has no desktop keyring, and
  a data dir named on the command line must never reach into the user's own keyring.
* ``open_secret_store(data_dir, use_system_keyring=True)`` — what the agent does when it
  runs from the OS's standard places: the system keyring (Windows Credential Manager,
  macOS Keychain, Secret Service) when a usable one exists, else the file above.

`keyring` is imported only when the system keyring is asked for: the service keeps its
secrets in the file and does not carry keyring's backends in memory.

Every secret lives under the service name ``baoan``. Secret values are never logged, and
:class:`SecretStore`'s ``repr`` shows only where they are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from agent.keyring_backend import (
    FileKeyring,
    SecretBackend,
    SecretBackendError,
    SecretMissingError,
)

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE_NAME = "baoan"
SECRETS_FILE_NAME = "secrets.json"


class SecretStoreError(RuntimeError):
    """A secret could not be read or written; the message says where and why."""


class SecretStore:
    """Named secrets of one service in one keyring backend."""

    def __init__(self, backend: SecretBackend, service: str = SERVICE_NAME) -> None:
        self._backend = backend
        self._service = service

    def __repr__(self) -> str:
        return f"SecretStore(service={self._service!r}, backend={self.backend_description})"

    @property
    def backend_description(self) -> str:
        return str(self._backend)

    def get(self, name: str) -> str | None:
        try:
            return self._backend.get_password(self._service, name)
        except SecretBackendError as exc:
            raise SecretStoreError(f"cannot read secret {name!r}: {exc}") from exc

    def set(self, name: str, value: str) -> None:
        try:
            self._backend.set_password(self._service, name, value)
        except SecretBackendError as exc:
            raise SecretStoreError(f"cannot store secret {name!r}: {exc}") from exc

    def delete(self, name: str) -> bool:
        """Remove a secret; False when there was none."""
        try:
            self._backend.delete_password(self._service, name)
        except SecretMissingError:
            return False
        except SecretBackendError as exc:
            raise SecretStoreError(f"cannot delete secret {name!r}: {exc}") from exc
        return True

    def get_or_create(self, name: str, make: Callable[[], str]) -> str:
        """The secret called `name`, made with `make()` and stored first if absent."""
        value = self.get(name)
        if value is None:
            value = make()
            self.set(name, value)
            log.info("created secret %r in %s", name, self.backend_description)
        return value


def file_secret_store(data_dir: Path) -> SecretStore:
    """Secrets in ``<data_dir>/secrets.json``."""
    return SecretStore(FileKeyring(Path(data_dir) / SECRETS_FILE_NAME))


class SystemKeyring:
    """The OS keyring behind the backend's three calls, its errors turned into ours."""

    def __init__(self, backend: KeyringBackend) -> None:
        self._backend = backend

    def __str__(self) -> str:
        return f"{type(self._backend).__module__}.{type(self._backend).__name__}"

    def get_password(self, service: str, username: str) -> str | None:
        from keyring import errors

        try:
            return self._backend.get_password(service, username)
        except errors.KeyringError as exc:
            raise SecretBackendError(str(exc)) from exc

    def set_password(self, service: str, username: str, password: str) -> None:
        from keyring import errors

        try:
            self._backend.set_password(service, username, password)
        except errors.KeyringError as exc:
            raise SecretBackendError(str(exc)) from exc

    def delete_password(self, service: str, username: str) -> None:
        from keyring import errors

        try:
            self._backend.delete_password(service, username)
        except errors.PasswordDeleteError as exc:
            raise SecretMissingError(str(exc)) from exc
        except errors.KeyringError as exc:
            raise SecretBackendError(str(exc)) from exc


def system_keyring() -> SystemKeyring | None:
    """The OS keyring when a usable one exists (priority >= 1), else None."""
    try:
        import keyring  # here, not at the top: the service never needs it

        backend = keyring.get_keyring()
        priority = float(backend.priority)
    except Exception as exc:  # a broken D-Bus or keychain must not stop the agent
        log.info("no usable system keyring: %s", exc)
        return None
    if priority < 1:
        log.info("system keyring %s is not usable (priority %g)", backend, priority)
        return None
    return SystemKeyring(backend)


def open_secret_store(data_dir: Path, *, use_system_keyring: bool = False) -> SecretStore:
    """The agent's secret store; see the module documentation for the choice made."""
    if use_system_keyring:
        backend = system_keyring()
        if backend is not None:
            return SecretStore(backend)
    return file_secret_store(data_dir)
