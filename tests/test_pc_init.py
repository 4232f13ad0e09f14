"""`baoan pc init`: this PC's own keys move out of family.toml into this-pc.toml beside it,
the policy in force the same, family.toml's comments kept, both files sealed, the old
family.toml kept as its backup; a second run changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_policy_files import init_file

from agent.policy.holder import PolicyHolder
from agent.policy.loader import load_policy, parse_policy
from agent.policy.seal import seal, strip_seal
from agent.policy.this_pc import read_local
from agent.policy.writer import backup_path
from baoan.cli import main

DEVICE = '[[devices]]\nchild = "Minh"\nip = "192.168.1.23"\nname = "Máy tính bảng"\n'


def shared_family(tmp_path: Path) -> Path:
    """What `baoan init` wrote, then edited by hand: a comment, a second account, a device."""
    config = init_file(tmp_path)
    text = strip_seal(config.read_text(encoding="utf-8"))
    text = text.replace('os_users = ["minh"]',
                        '# Minh có hai tài khoản\nos_users = ["minh", "minh-game"]', 1)
    config.write_text(text + "\n" + DEVICE, encoding="utf-8")
    return config


def test_pc_init_moves_this_pcs_keys_into_this_pc_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = shared_family(tmp_path)
    before = load_policy(config)
    hand_edited = config.read_bytes()
    assert main(["pc", "init", "--config", str(config), "--name", "Phòng-khách"]) == 0
    assert "this-pc.toml" in capsys.readouterr().out
    local = tmp_path / "this-pc.toml"
    shared_text = config.read_text(encoding="utf-8")
    local_text = local.read_text(encoding="utf-8")
    # The shared file holds the family's rules only, its comments kept.
    settings = [line.split("#")[0] for line in shared_text.splitlines()]  # not the comments
    for key in ("os_users", "[[devices]]", "default_child"):
        assert not any(key in line for line in settings), key
    assert "# Minh có hai tài khoản" in shared_text
    shared = parse_policy(strip_seal(shared_text))
    assert shared.children[0].os_users == () and shared.devices == ()
    # This PC's file holds them, with its name.
    part = read_local(local_text, file=str(local))
    assert part.pc_name == "Phòng-khách"
    assert part.raw["children"] == [{"name": "Minh", "os_users": ["minh", "minh-game"]}]
    assert part.raw["devices"][0]["ip"] == "192.168.1.23"
    # The two together are the policy the PC had.
    after = load_policy(config)
    assert after.pc_name == "Phòng-khách"
    assert (after.children, after.devices, after.default_child) == (
        before.children, before.devices, before.default_child)
    # Written by the policy writer: both sealed, the hand-edited file kept as the backup.
    for text in (shared_text, local_text):
        assert text == seal(strip_seal(text))
    assert backup_path(config).read_bytes() == hand_edited
    assert oct(local.stat().st_mode & 0o777) == oct(0o600)


def test_the_agent_adopts_the_pair_as_no_change_of_protection(tmp_path: Path) -> None:
    config = shared_family(tmp_path)
    holder = PolicyHolder(config, last_good_path=tmp_path / "data" / "family.last-good.toml")
    (tmp_path / "data").mkdir()
    holder.load()
    loosened: list[object] = []
    holder.on_loosened(loosened.append)
    assert main(["pc", "init", "--config", str(config)]) == 0
    assert holder.check_for_changes()
    assert loosened == []  # nothing protects less
    assert holder.policy.children[0].os_users == ("minh", "minh-game")
    assert holder.local_last_good_path.read_bytes() == (tmp_path / "this-pc.toml").read_bytes()


def test_a_second_run_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = shared_family(tmp_path)
    assert main(["pc", "init", "--config", str(config), "--name", "Phong-hoc"]) == 0
    files = {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.is_file()}
    capsys.readouterr()
    assert main(["pc", "init", "--config", str(config), "--name", "Khac"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.is_file()} == files


def test_a_name_too_long_is_refused_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = shared_family(tmp_path)
    text = config.read_bytes()
    assert main(["pc", "init", "--config", str(config), "--name", "x" * 65]) == 1
    assert "name" in capsys.readouterr().err
    assert config.read_bytes() == text and not (tmp_path / "this-pc.toml").exists()
