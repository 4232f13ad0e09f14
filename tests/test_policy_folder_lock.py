"""Two writers of family.toml in two processes — the agent's policy API and `baoan
caregiver add` — at the same time: the policy folder's lock serialises them, so every
edit of both is in the file afterwards (an edit on a stale tag is refused and made again,
never silently lost)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from helpers_policy_files import init_file

from agent.policy.folder_lock import (
    PolicyLockTimeoutError,
    lock_path_for,
    policy_folder_lock,
)
from agent.policy.loader import load_policy

EDITS = 25

WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from pathlib import Path

    from agent.policy.holder import PolicyHolder
    from agent.policy_editor import PolicyEditor, StalePolicyError
    from baoan.cli import main

    config, role, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    edits = int(sys.argv[4])


    class Events:
        def add(self, kind, message, *, child=None, data=None):
            return None


    holder = PolicyHolder(config, last_good_path=config.parent / f"{role}.last-good.toml")
    holder.load()
    editor = PolicyEditor(config, holder, Events(), lambda: datetime.now(UTC))
    while not go.exists():  # everything imported and loaded: start together
        time.sleep(0.001)
    if role == "cli":
        for index in range(edits):
            code = main(["caregiver", "add", f"Cg{index}", "--email", f"cg{index}@example.com",
                         "--config", str(config), "--data-dir", str(config.parent / "data")])
            assert code == 0, code
    else:
        stale = 0
        for index in range(edits):
            while True:
                version = editor.read()
                document = version.policy
                children = list(document["children"])
                child = dict(children[0])
                child["deny"] = [*child.get("deny", []), f"site{index}.example"]
                children[0] = child
                document["children"] = children
                try:
                    editor.replace(version.etag, document)
                    break
                except StalePolicyError:
                    stale += 1  # the clear refusal: read again and make the edit again
        print(stale)
    """
)


def test_two_processes_writing_at_once_lose_no_edit(tmp_path: Path) -> None:
    config = init_file(tmp_path)
    go = tmp_path / "go"
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writers = [
        subprocess.Popen([sys.executable, str(script), str(config), role, str(go), str(EDITS)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=environment)
        for role in ("cli", "api")
    ]
    time.sleep(4)  # both processes started, loaded and waiting
    go.write_text("go")
    for writer in writers:
        _out, err = writer.communicate(timeout=240)
        assert writer.returncode == 0, err
    family = load_policy(config)
    names = {caregiver.name for caregiver in family.caregivers}
    assert names == {f"Cg{index}" for index in range(EDITS)}
    [child] = family.children
    assert set(child.deny) == {f"site{index}.example" for index in range(EDITS)}


def test_the_lock_is_reentrant_here_and_keeps_another_process_out(tmp_path: Path) -> None:
    config = tmp_path / "family.toml"
    holder = textwrap.dedent(
        """
        import sys, time
        from agent.policy.folder_lock import policy_folder_lock
        with policy_folder_lock(sys.argv[1]):
            print("held", flush=True)
            time.sleep(3)
        """
    )
    other = subprocess.Popen(
        [sys.executable, "-c", holder, str(config)], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "held"
        with pytest.raises(PolicyLockTimeoutError), policy_folder_lock(config, timeout=0.3):
            pass
        started = time.monotonic()
        with policy_folder_lock(config, timeout=20), policy_folder_lock(config, timeout=0.1):
            assert time.monotonic() - started > 0.5  # waited for the other to let go
    finally:
        other.wait(timeout=20)
    # POSIX locks the folder itself: nothing is left beside family.toml to be synced.
    expected = tmp_path / ".baoan-policy.lock" if sys.platform == "win32" else tmp_path
    assert lock_path_for(config) == expected
