"""Atomic writing with a backup of the last good file, and the live PolicyHolder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent.policy.errors import InvalidPolicyError
from agent.policy.holder import PolicyHolder
from agent.policy.loader import load_policy
from agent.policy.model import FamilyPolicy
from agent.policy.template import render_initial_policy
from agent.policy.writer import backup_path, write_policy_text

REPO = Path(__file__).resolve().parents[1]


def policy_text(name: str, age: int = 9) -> str:
    return render_initial_policy(name, age, ["an"], ["udp://127.0.0.2:5301"])


def test_write_validates_and_keeps_the_last_good_file_as_backup(tmp_path: Path) -> None:
    path = tmp_path / "family.toml"
    write_policy_text(path, policy_text("An"))
    assert not backup_path(path).exists()
    write_policy_text(path, policy_text("Bình"))
    assert load_policy(path).children[0].name == "Bình"
    assert load_policy(backup_path(path)).children[0].name == "An"
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)


def test_an_invalid_policy_is_never_written(tmp_path: Path) -> None:
    path = tmp_path / "family.toml"
    write_policy_text(path, policy_text("An"))
    before = path.read_bytes()
    with pytest.raises(InvalidPolicyError, match=r"children\[0\]\.age"):
        write_policy_text(path, policy_text("An").replace("age = 9", "age = 30"))
    assert path.read_bytes() == before
    assert not backup_path(path).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["family.toml"]


def test_a_hand_broken_file_does_not_replace_the_good_backup(tmp_path: Path) -> None:
    path = tmp_path / "family.toml"
    write_policy_text(path, policy_text("An"))
    write_policy_text(path, policy_text("Bình"))  # backup: An
    path.write_text("schema_version = [broken", encoding="utf-8")
    write_policy_text(path, policy_text("Chi"))
    assert load_policy(backup_path(path)).children[0].name == "An"  # not the broken file
    assert load_policy(path).children[0].name == "Chi"


def test_a_failed_rename_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "family.toml"
    write_policy_text(path, policy_text("An"))
    before = path.read_bytes()

    def failing_replace(source: str, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        write_policy_text(path, policy_text("Bình"))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


_WRITER_LOOP = """
import sys
from agent.policy.template import render_initial_policy
from agent.policy.writer import write_policy_text
texts = [render_initial_policy(name, 9, ["an"], ["udp://127.0.0.2:5301"]) + "#" * size
         for name, size in (("An", 10), ("Bình", 40000))]
print("ready", flush=True)
index = 0
while True:
    write_policy_text(sys.argv[1], texts[index % 2])
    index += 1
"""


def test_killed_in_the_middle_of_writes_the_file_is_whole(tmp_path: Path) -> None:
    path = tmp_path / "family.toml"
    write_policy_text(path, policy_text("An"))
    for delay in (0.15, 0.3):
        process = subprocess.Popen(
            [sys.executable, "-c", _WRITER_LOOP, str(path)],
            cwd=REPO,
            stdout=subprocess.PIPE,
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert load_policy(path).children[0].name in ("An", "Bình")
        assert load_policy(backup_path(path)).children[0].name in ("An", "Bình")


# -- PolicyHolder ----------------------------------------------------------------------------


def test_holder_keeps_the_last_good_policy_on_a_broken_edit_and_picks_up_the_fix(
    tmp_path: Path,
) -> None:
    path = tmp_path / "family.toml"
    path.write_text(policy_text("An"), encoding="utf-8")
    holder = PolicyHolder(path)
    seen: list[FamilyPolicy] = []
    holder.subscribe(seen.append)
    assert holder.load().children[0].name == "An"
    assert [p.children[0].name for p in seen] == ["An"]
    assert holder.check_for_changes() is False  # nothing changed

    path.write_text(policy_text("An").replace("age = 9", 'age = "ten"'), encoding="utf-8")
    assert holder.check_for_changes() is False
    assert holder.policy.children[0].name == "An"  # protection stays up
    assert holder.last_error is not None
    (error,) = holder.last_error.errors
    assert error.key == "children[0].age" and error.line is not None
    assert str(error).endswith('children[0].age: expected a whole number from 0 to 17, got "ten"')
    assert len(seen) == 1

    path.write_text(policy_text("An", age=12), encoding="utf-8")
    assert holder.check_for_changes() is True
    assert holder.last_error is None
    assert holder.policy.children[0].age == 12
    assert [p.children[0].age for p in seen] == [9, 12]


def test_holder_sees_a_same_size_edit_within_the_same_second(tmp_path: Path) -> None:
    path = tmp_path / "family.toml"
    path.write_text(policy_text("An", age=7), encoding="utf-8")
    holder = PolicyHolder(path)
    holder.load()
    stat = path.stat()
    path.write_text(policy_text("An", age=8), encoding="utf-8")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime too
    assert holder.check_for_changes() is True
    assert holder.policy.children[0].age == 8


def test_holder_starts_from_the_backup_when_the_file_is_broken(tmp_path: Path) -> None:
    path = tmp_path / "family.toml"
    write_policy_text(path, policy_text("An"))
    write_policy_text(path, policy_text("Bình"))
    path.write_text("schema_version = 1\n[[children]]\nname = 5\n", encoding="utf-8")
    holder = PolicyHolder(path)
    assert holder.load().children[0].name == "An"  # the backup
    assert holder.last_error is not None
    assert "children[0].name" in str(holder.last_error)


def test_holder_without_any_good_policy_raises(tmp_path: Path) -> None:
    path = tmp_path / "family.toml"
    path.write_text("schema_version = 1\nchildren = 3\n", encoding="utf-8")
    holder = PolicyHolder(path)
    with pytest.raises(InvalidPolicyError, match="children"):
        holder.load()
    assert not holder.has_policy


def test_holder_survives_a_deleted_file_and_a_failing_subscriber(tmp_path: Path) -> None:
    path = tmp_path / "family.toml"
    path.write_text(policy_text("An"), encoding="utf-8")
    holder = PolicyHolder(path)

    def broken_subscriber(policy: FamilyPolicy) -> None:
        raise RuntimeError("boom")

    holder.subscribe(broken_subscriber)
    holder.load()
    path.unlink()
    assert holder.check_for_changes() is False
    assert "cannot read the file" in str(holder.last_error)
    assert holder.policy.children[0].name == "An"
    path.write_text(policy_text("Chi"), encoding="utf-8")
    assert holder.check_for_changes() is True
    assert holder.policy.children[0].name == "Chi"
