"""`baoan system` (what the installers run, one command per change, root only, under
`--root` or `$DPKG_ROOT` for a package installed elsewhere) and `baoan pin verify` (what an
uninstaller asks before it removes anything)."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers_runner import RecordingRunner
from helpers_windows import FakeWindows, NetAdapter

from agent.commands import pin, system
from agent.commands.pin import run_verify, set_parent_pin
from agent.policy.template import render_initial_policy
from agent.system import Finding, default_agent_addresses
from agent.system.linux import LinuxIntegration
from agent.system.runner import CommandResult
from agent.system.windows import WindowsIntegration
from baoan.cli import build_parser, main


@dataclass
class FakeIntegration:
    """A SystemIntegration that remembers what it was asked."""

    calls: list[tuple[str, object]] = field(default_factory=list)

    def point_dns_at_agent(self, agent_addresses: tuple[str, ...]) -> None:
        self.calls.append(("dns", agent_addresses))

    def restore_dns(self) -> None:
        self.calls.append(("restore-dns", None))

    def dns_points_at_agent(self, agent_addresses: tuple[str, ...]) -> Finding:
        return Finding("dns", True, "")

    def install_browser_policies(self) -> None:
        self.calls.append(("browsers", None))

    def remove_browser_policies(self) -> None:
        self.calls.append(("remove-browsers", None))

    def browser_policies_in_place(self) -> list[Finding]:
        return []

    def install_firewall(self, child_accounts: tuple[str, ...]) -> None:
        self.calls.append(("firewall", child_accounts))

    def remove_firewall(self) -> None:
        self.calls.append(("remove-firewall", None))


def family_file(tmp_path: Path) -> Path:
    config = tmp_path / "family.toml"
    config.write_text(render_initial_policy("Minh", 9, ["minh", "minh-game"]), encoding="utf-8")
    return config


def test_install_does_all_three_with_the_childrens_accounts_from_family_toml(
    tmp_path: Path,
) -> None:
    fake = FakeIntegration()
    args = build_parser().parse_args(
        ["system", "install", "--config", str(family_file(tmp_path)), "--data-dir", str(tmp_path)]
    )
    assert system.run(args, fake) == 0
    assert fake.calls == [("dns", default_agent_addresses()), ("browsers", None),
                          ("firewall", ("minh", "minh-game"))]
    args = build_parser().parse_args(["system", "remove", "--data-dir", str(tmp_path)])
    assert system.run(args, fake) == 0
    assert fake.calls[3:] == [("restore-dns", None), ("remove-browsers", None),
                              ("remove-firewall", None)]


def test_each_step_alone_and_named_accounts(tmp_path: Path) -> None:
    fake = FakeIntegration()
    args = build_parser().parse_args(
        ["system", "install-firewall", "--child-account", "lan", "--child-account", "an"]
    )
    assert system.run(args, fake) == 0
    args = build_parser().parse_args(["system", "install-dns", "--agent-address", "10.0.0.2"])
    assert system.run(args, fake) == 0
    assert fake.calls == [("firewall", ("lan", "an")), ("dns", ("10.0.0.2",))]


def test_a_failing_system_command_is_exit_1_with_its_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pc = FakeWindows(adapters=[NetAdapter(3, "Ethernet", "{E}")])
    integration = WindowsIntegration(RecordingRunner(pc), tmp_path)
    args = build_parser().parse_args(["system", "install-firewall", "--child-account", "ghost"])
    assert system.run(args, integration) == 1
    assert "could not be translated" in capsys.readouterr().err


def test_a_broken_family_toml_stops_the_firewall_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "family.toml").write_text("[[children]\n", encoding="utf-8")
    args = build_parser().parse_args(
        ["system", "install-firewall", "--config", str(tmp_path / "family.toml")]
    )
    assert system.run(args, FakeIntegration()) == 1
    assert "family.toml" in capsys.readouterr().err


def test_pin_verify_says_whether_the_pin_is_the_parents(tmp_path: Path) -> None:
    data = tmp_path / "data"
    set_parent_pin(data, "2468")
    args = build_parser().parse_args(["pin", "verify", "--data-dir", str(data)])
    assert run_verify(args, io.StringIO("2468\n")) == 0
    assert run_verify(args, io.StringIO("1111\n")) == pin.EXIT_PIN_REFUSED
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text("2468\n", encoding="utf-8")
    args = build_parser().parse_args(
        ["pin", "verify", "--data-dir", str(data), "--pin-file", str(pin_file)]
    )
    assert run_verify(args) == 0


def test_pin_verify_keeps_the_lockout(tmp_path: Path) -> None:
    data = tmp_path / "data"
    set_parent_pin(data, "2468")
    args = build_parser().parse_args(["pin", "verify", "--data-dir", str(data)])
    answers = [run_verify(args, io.StringIO("0000\n")) for _ in range(6)]
    assert set(answers) == {pin.EXIT_PIN_REFUSED}
    # Locked now: even the right PIN waits, so an uninstaller cannot be guessed through.
    assert run_verify(args, io.StringIO("2468\n")) == pin.EXIT_PIN_REFUSED


def test_pin_verify_without_a_pin_set_refuses(tmp_path: Path) -> None:
    args = build_parser().parse_args(["pin", "verify", "--data-dir", str(tmp_path / "d")])
    assert run_verify(args, io.StringIO("1234\n")) == pin.EXIT_PIN_REFUSED


def test_pin_set_from_an_installers_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text("\ufeff8642\r\n", encoding="utf-8")
    args = build_parser().parse_args(
        ["pin", "set", "--data-dir", str(data), "--pin-file", str(pin_file), "--only-if-unset"]
    )
    assert pin.run_set(args) == 0
    verify = build_parser().parse_args(["pin", "verify", "--data-dir", str(data)])
    assert run_verify(verify, io.StringIO("8642\n")) == 0


# -- on Linux, as the package's maintainer scripts call it -------------------------------

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
    assert system.run(args, LinuxIntegration(runner, tmp_path)) == 0
    assert runner.commands == [("nft", "-f", "-")]
    assert "meta skuid { 1001 } jump child" in (runner.inputs[0] or "")


def test_a_linux_install_asks_the_agent_on_127_0_0_1_only(tmp_path: Path) -> None:
    integration = LinuxIntegration(RecordingRunner(), tmp_path, manage_services=False)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/resolv.conf").write_bytes(OLD_RESOLV)
    args = build_parser().parse_args(["system", "--root", str(tmp_path), "install-dns"])
    assert system.run(args, integration) == 0
    assert integration.dns_points_at_agent(default_agent_addresses("linux")).ok
    assert default_agent_addresses("linux") == ("127.0.0.1",)


def test_a_named_account_needs_no_policy(tmp_path: Path) -> None:
    runner = RecordingRunner()
    args = build_parser().parse_args(
        ["system", "--root", str(tmp_path), "install-firewall", "--child-account", "1500"]
    )
    assert system.run(args, LinuxIntegration(runner, tmp_path)) == 0
    assert "meta skuid { 1500 }" in (runner.inputs[0] or "")


def test_failures_are_said_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["system", "--root", str(tmp_path), "install-firewall"])
    assert system.run(args, LinuxIntegration(RecordingRunner(), tmp_path)) == 1
    assert "the children's accounts are not known" in capsys.readouterr().err
    failing = RecordingRunner(lambda argv, _: CommandResult(argv, 1, "", "Operation not permitted"))
    args = build_parser().parse_args(["system", "--root", str(tmp_path), "remove-firewall"])
    assert system.run(args, LinuxIntegration(failing, tmp_path)) == 1
    assert "Operation not permitted" in capsys.readouterr().err


def test_only_root_may_change_the_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert main(["system", "--root", str(tmp_path), "install-dns"]) == 4
    assert "run this as root" in capsys.readouterr().err
    assert not (tmp_path / "etc").exists()


def test_every_action_parses_and_the_old_names_too() -> None:
    for name in system.ACTIONS:
        args = build_parser().parse_args(["system", name])
        assert system.action_of(args) == name
    args = build_parser().parse_args(["system", "install-browser-policies"])
    assert system.action_of(args) == "install-policies"
