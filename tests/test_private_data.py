"""The agent's data is private: another OS account on the PC (a child's) cannot read the
store, its WAL, the secrets or the lists' copies.

The tests run a real agent in a folder every account may walk through (like /var/lib) and
then try to read its files as `nobody`, the way a child would with `sqlite3 -readonly`.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_upstreams_standin import StandInDns

from agent.policy.template import render_initial_policy
from agent.private_files import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, secure_data_dir
from agent.runtime import DATABASE_NAME, LAST_GOOD_POLICY_NAME, Agent, AgentSettings
from agent.secrets import SECRETS_FILE_NAME, file_secret_store
from agent.store import Store

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")

# Reads each path named on the command line as the account it runs as; prints one line
# per path: "read" or the error's name.
READER = """
import sqlite3, sys
for path in sys.argv[1:]:
    try:
        if path.endswith(".sqlite3"):
            connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            connection.close()
        else:
            with open(path, "rb") as handle:
                handle.read(1)
        print("read")
    except Exception as error:
        print(type(error).__name__)
"""


def other_account() -> tuple[int, int] | None:
    """(uid, gid) of `nobody`, when this test can become it (it runs as root)."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def read_as_other_account(*paths: Path) -> list[str]:
    account = other_account()
    if account is None:
        pytest.skip("needs root, to read the files as a second OS account (nobody)")
    uid, gid = account
    # The second account may not reach the test's own interpreter (a virtualenv under a
    # private folder): the system's Python reads SQLite just as well.
    for interpreter in (sys.executable, getattr(sys, "_base_executable", ""), "/usr/bin/python3"):
        if not interpreter:
            continue
        try:
            done = subprocess.run(
                [interpreter, "-c", READER, *map(str, paths)],
                # Set in the child before exec (no Python runs there: the agent's threads
                # cannot dead-lock it), supplementary groups dropped.
                user=uid,
                group=gid,
                extra_groups=[],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
                cwd="/",
            )
        except PermissionError:
            continue
        return done.stdout.split()
    pytest.skip("no Python that the second OS account may run")


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder every account may walk through, as /var/lib is (pytest's own is 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="baoan-private-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def agent_in(folder: Path, upstream: StandInDns) -> Agent:
    config = folder / "family.toml"
    if not config.exists():
        config.write_text(
            render_initial_policy("An", 9, ["an"], [upstream.udp_url]), encoding="utf-8"
        )
    return Agent(
        AgentSettings(
            config_path=config,
            data_dir=folder / "data",
            dns_listen=(("127.0.0.1", 0),),
            http_listen=("127.0.0.1", 0),
            refresh_lists_at_start=False,
        ),
        session_user=lambda: "an",
    )


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def private_files(data_dir: Path) -> list[Path]:
    store = data_dir / DATABASE_NAME
    return [
        store,
        store.with_name(store.name + "-wal"),
        store.with_name(store.name + "-shm"),
        data_dir / SECRETS_FILE_NAME,
    ]


@posix_only
def test_a_running_agent_keeps_its_data_from_other_accounts(
    open_folder: Path, upstream: StandInDns
) -> None:
    agent = agent_in(open_folder, upstream)
    agent.start()
    try:
        assert agent.store is not None
        agent.store.events.add("help", "An pressed Help")  # a private record
        data_dir = agent.settings.data_dir
        files = private_files(data_dir)
        for path in files:
            assert path.exists(), path
        assert mode_of(data_dir) == PRIVATE_DIR_MODE
        for path in files:
            assert mode_of(path) == PRIVATE_FILE_MODE, path
            assert path.lstat().st_uid == os.geteuid(), path
        # A second account can open none of them: the folder does not let it in.
        assert read_as_other_account(*files) == ["OperationalError"] + ["PermissionError"] * 3
    finally:
        agent.stop()


@posix_only
def test_files_stay_private_even_when_the_folder_is_opened(
    open_folder: Path, upstream: StandInDns
) -> None:
    """Each file is 0600 by itself, not only behind the folder."""
    agent = agent_in(open_folder, upstream)
    agent.start()
    try:
        data_dir = agent.settings.data_dir
        data_dir.chmod(0o755)  # someone loosened the folder while the agent ran
        assert read_as_other_account(*private_files(data_dir)) == (
            ["OperationalError"] + ["PermissionError"] * 3
        )
    finally:
        agent.stop()


@posix_only
def test_an_old_install_found_readable_is_made_private_at_start(
    open_folder: Path, upstream: StandInDns, caplog: pytest.LogCaptureFixture
) -> None:
    # What an older agent left: a 0755 folder, a 0644 store with its WAL, 0644 secrets,
    # and the lists' copies readable by all.
    first = agent_in(open_folder, upstream)
    first.start()
    first.stop()
    data_dir = first.settings.data_dir
    lists = data_dir / "lists"
    lists.mkdir(exist_ok=True)
    copy = lists / "adult.txt"
    copy.write_text("casino.example\n", encoding="utf-8")
    store = data_dir / DATABASE_NAME
    wal = store.with_name(store.name + "-wal")
    wal.write_bytes(b"")
    last_good = data_dir / LAST_GOOD_POLICY_NAME
    assert last_good.is_file()  # the last good family.toml is kept here too
    for path in (store, wal, data_dir / SECRETS_FILE_NAME, copy, last_good):
        path.chmod(0o644)
    for folder in (data_dir, lists):
        folder.chmod(0o755)
    assert read_as_other_account(store, copy) == ["read", "read"]  # the problem

    caplog.set_level(logging.WARNING, logger="agent.private_files")
    again = agent_in(open_folder, upstream)
    again.start()
    try:
        assert mode_of(data_dir) == PRIVATE_DIR_MODE
        assert mode_of(lists) == PRIVATE_DIR_MODE
        for path in (store, wal, data_dir / SECRETS_FILE_NAME, copy, last_good):
            assert mode_of(path) == PRIVATE_FILE_MODE, path
        # What was fixed is logged, by name.
        logged = caplog.text
        for path in (data_dir, store, data_dir / SECRETS_FILE_NAME, copy):
            assert str(path) in logged, path
        data_dir.chmod(0o755)  # even so, each file is private by itself
        assert read_as_other_account(store, wal, copy, last_good) == [
            "OperationalError",
            "PermissionError",
            "PermissionError",
            "PermissionError",
        ]
    finally:
        again.stop()


@posix_only
def test_files_are_created_private_whatever_the_umask(open_folder: Path) -> None:
    """Created with their mode, never chmod-ed after the data is in them: a umask of 000
    (a careless service manager) still gives 0700 and 0600."""
    previous = os.umask(0)
    try:
        data_dir = open_folder / "data"
        assert secure_data_dir(data_dir) == ()  # created: nothing to fix
        store = Store(data_dir / DATABASE_NAME)
        try:
            store.events.add("help", "An pressed Help")
            file_secret_store(data_dir).set("tray-token", "secret")
            files = private_files(data_dir)
            for path in files:
                assert path.exists(), path
            assert mode_of(data_dir) == PRIVATE_DIR_MODE
            for path in files:
                assert mode_of(path) == PRIVATE_FILE_MODE, path
        finally:
            store.close()
    finally:
        os.umask(previous)


@posix_only
def test_secure_data_dir_does_not_follow_links_out_of_the_folder(open_folder: Path) -> None:
    outside = open_folder / "outside.txt"
    outside.write_text("not ours", encoding="utf-8")
    outside.chmod(0o644)
    data_dir = open_folder / "data"
    secure_data_dir(data_dir)
    (data_dir / "link.txt").symlink_to(outside)
    secure_data_dir(data_dir)
    assert mode_of(outside) == 0o644
