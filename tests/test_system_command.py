"""`baoan system`: each change through one command, for the maintainer scripts."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest
from helpers_runner import RecordingRunner

from agent.commands import system as system_command
from agent.policy.template import render_initial_policy
from agent.system.linux import LinuxIntegration
from agent.system.runner import CommandResult
from baoan.cli import build_parser, main

OLD_RESOLV = b"nameserver 192.0.2.1\n"


@pytest.fixture
def as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)


def test_install_and_restore_dns_under_a_root(tmp_path: Path, as_root: None) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/resolv.conf").write_bytes(OLD_RESOLV)
    assert main(["system", "--root", str(tmp_path), "install-dns"]) == 0
    assert b"\nnameserver 127.0.0.1\noptions" in (tmp_path / "etc/resolv.conf").read_bytes()
    assert main(["system", "--root", str(tmp_path), "restore-dns"]) == 0
    assert (tmp_path / "etc/resolv.conf").read_bytes() == OLD_RESOLV


def test_the_root_comes_from_dpkg_root(
    tmp_path: Path, as_root: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DPKG_ROOT", str(tmp_path))
    assert main(["system", "install-policies"]) == 0
    assert (tmp_path / "etc/chromium/policies/managed/baoan.json").is_file()
    assert main(["system", "remove-policies"]) == 0
    assert not (tmp_path / "etc/chromium").exists()


def test_the_firewall_takes_the_children_s_accounts_from_the_policy(tmp_path: Path) -> None:
    config = tmp_path / "etc/baoan/family.toml"
    config.parent.mkdir(parents=True)
    config.write_text(render_initial_policy("An", 9, ["an", "an2"]), encoding="utf-8")
    (tmp_path / "etc/passwd").write_text("an:x:1001:1001::/home/an:/bin/sh\n")
    runner = RecordingRunner()
    args = build_parser().parse_args(["system", "--root", str(tmp_path), "install-firewall"])
    assert system_command.run(args, LinuxIntegration(runner, tmp_path)) == 0
    assert runner.commands == [("nft", "-f", "-")]
    assert "meta skuid { 1001 } jump child" in (runner.inputs[0] or "")


def test_a_named_account_needs_no_policy(tmp_path: Path) -> None:
    runner = RecordingRunner()
    args = build_parser().parse_args(
        ["system", "--root", str(tmp_path), "install-firewall", "--child-account", "1500"]
    )
    assert system_command.run(args, LinuxIntegration(runner, tmp_path)) == 0
    assert "meta skuid { 1500 }" in (runner.inputs[0] or "")


def test_failures_are_said_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["system", "--root", str(tmp_path), "install-firewall"])
    assert system_command.run(args, LinuxIntegration(RecordingRunner(), tmp_path)) == 1
    assert "the children's accounts are not known" in capsys.readouterr().err
    failing = RecordingRunner(lambda argv, _: CommandResult(argv, 1, "", "Operation not permitted"))
    args = build_parser().parse_args(["system", "--root", str(tmp_path), "remove-firewall"])
    assert system_command.run(args, LinuxIntegration(failing, tmp_path)) == 1
    assert "Operation not permitted" in capsys.readouterr().err


def test_only_root_may_change_the_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert main(["system", "--root", str(tmp_path), "install-dns"]) == 4
    assert "run this as root" in capsys.readouterr().err
    assert not (tmp_path / "etc").exists()


def test_every_action_parses() -> None:
    for name, _ in system_command.ACTIONS:
        args = build_parser().parse_args(["system", name])
        assert isinstance(args, argparse.Namespace) and args.system_action == name
