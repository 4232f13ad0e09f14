"""Secrets through keyring, kept in the agent's private file backend."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest

from agent.keyring_backend import FileKeyring, SecretFileError
from agent.secrets import (
    SECRETS_FILE_NAME,
    SERVICE_NAME,
    SecretStore,
    SecretStoreError,
    open_secret_store,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_round_trip_through_the_file_backend(tmp_path: Path) -> None:
    store = open_secret_store(tmp_path / "data")
    assert store.get("tray-token") is None
    store.set("tray-token", "tội-phạm 🔑 secret")
    store.set("smtp-password", "p@ss")

    # A fresh store over the same folder (a restarted agent) reads the same values.
    again = open_secret_store(tmp_path / "data")
    assert again.get("tray-token") == "tội-phạm 🔑 secret"
    assert again.get("smtp-password") == "p@ss"

    stored = json.loads((tmp_path / "data" / SECRETS_FILE_NAME).read_text(encoding="utf-8"))
    assert stored == {SERVICE_NAME: {"tray-token": "tội-phạm 🔑 secret", "smtp-password": "p@ss"}}

    assert again.delete("smtp-password") is True
    assert again.delete("smtp-password") is False
    assert open_secret_store(tmp_path / "data").get("smtp-password") is None


@posix_only
def test_file_is_0600_in_a_0700_folder_and_no_temp_file_is_left(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    store = open_secret_store(data_dir)
    store.set("a", "1")
    store.set("b", "2")
    path = data_dir / SECRETS_FILE_NAME
    assert _mode(path) == 0o600
    assert _mode(data_dir) == 0o700
    assert sorted(p.name for p in data_dir.iterdir()) == [SECRETS_FILE_NAME]


@posix_only
def test_a_loosened_file_is_tightened_back_to_0600(tmp_path: Path) -> None:
    store = open_secret_store(tmp_path)
    store.set("a", "1")
    path = tmp_path / SECRETS_FILE_NAME
    os.chmod(path, 0o644)
    assert store.get("a") == "1"
    assert _mode(path) == 0o600


def test_a_damaged_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / SECRETS_FILE_NAME
    path.write_text('{"baoan": {"tray-token": "abc"', encoding="utf-8")  # cut short
    store = open_secret_store(tmp_path)
    with pytest.raises(SecretStoreError, match=r"secrets\.json.*damaged"):
        store.get("tray-token")
    with pytest.raises(SecretStoreError, match="damaged"):
        store.set("other", "x")
    assert path.read_text(encoding="utf-8") == '{"baoan": {"tray-token": "abc"'


def test_a_file_of_the_wrong_shape_is_refused(tmp_path: Path) -> None:
    (tmp_path / SECRETS_FILE_NAME).write_text('{"baoan": "not an object"}', encoding="utf-8")
    with pytest.raises(SecretFileError, match="expected an object of services"):
        FileKeyring(tmp_path / SECRETS_FILE_NAME).get_password("baoan", "x")


def test_get_or_create_makes_once_and_keeps(tmp_path: Path) -> None:
    store = open_secret_store(tmp_path)
    made: list[str] = []

    def make() -> str:
        made.append("x")
        return f"value-{len(made)}"

    assert store.get_or_create("signing-key", make) == "value-1"
    assert open_secret_store(tmp_path).get_or_create("signing-key", make) == "value-1"
    assert made == ["x"]


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    store = open_secret_store(tmp_path)

    def write(index: int) -> None:
        for round_ in range(10):
            store.set(f"name-{index}-{round_}", str(index * round_))

    threads = [threading.Thread(target=write, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reread = open_secret_store(tmp_path)
    for index in range(4):
        for round_ in range(10):
            assert reread.get(f"name-{index}-{round_}") == str(index * round_)


def test_the_file_backend_is_never_chosen_by_keyring_itself() -> None:
    assert not issubclass(FileKeyring, keyring.backend.KeyringBackend)
    chosen = [type(ring) for ring in keyring.backend.get_all_keyring()]
    assert FileKeyring not in chosen


class _MemoryKeyring:
    """A system keyring as keyring's own backends behave: its errors, its delete. Not a
    KeyringBackend subclass: keyring would then pick it for every later test."""

    priority = 5.0

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        if username == "locked":
            raise keyring.errors.KeyringLocked("the keychain is locked")
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.values:
            raise keyring.errors.PasswordDeleteError("no such password")
        del self.values[(service, username)]


def test_a_system_keyring_speaks_through_the_same_store_and_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ring = _MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: ring)
    store = open_secret_store(tmp_path, use_system_keyring=True)
    assert "_MemoryKeyring" in store.backend_description
    store.set("tray-token", "t")
    assert ring.values == {("baoan", "tray-token"): "t"}
    assert store.get("tray-token") == "t"
    assert store.delete("tray-token") is True
    assert store.delete("tray-token") is False  # keyring's PasswordDeleteError
    with pytest.raises(SecretStoreError, match="locked"):
        store.get("locked")
    assert not (tmp_path / SECRETS_FILE_NAME).exists()


def test_without_a_usable_system_keyring_the_file_backend_is_used(tmp_path: Path) -> None:
    # This machine has no desktop keyring (keyring's "fail" backend, priority 0).
    store = open_secret_store(tmp_path, use_system_keyring=True)
    assert SECRETS_FILE_NAME in store.backend_description
    store.set("x", "y")
    assert (tmp_path / SECRETS_FILE_NAME).exists()


def test_the_store_never_shows_a_secret(tmp_path: Path) -> None:
    store = SecretStore(FileKeyring(tmp_path / SECRETS_FILE_NAME))
    store.set("tray-token", "do-not-print-me")
    assert "do-not-print-me" not in repr(store)
    assert "do-not-print-me" not in store.backend_description


WRITER = """
import sys
from pathlib import Path
from agent.keyring_backend import FileKeyring
ring = FileKeyring(Path(sys.argv[1]))
for number in range(int(sys.argv[3])):
    ring.set_password("baoan", f"{sys.argv[2]}-{number}", "x")
"""


@pytest.mark.skipif(os.name != "posix", reason="the lock between processes is flock")
def test_processes_writing_at_once_all_keep_their_secrets(tmp_path: Path) -> None:
    # As `baoan pin set` beside a running agent: without a lock between processes, two
    # read-change-write cycles at once lost one of the changes.
    import subprocess
    import sys

    path = tmp_path / "secrets.json"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, "50"])
        for name in ("agent", "pin", "other")
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0]
    names = json.loads(path.read_text(encoding="utf-8"))["baoan"]
    assert len(names) == 150
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secrets.json"]
