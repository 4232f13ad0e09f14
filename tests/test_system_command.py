"""`baoan system` (what the installers run) and `baoan pin verify` (what an uninstaller
asks before it removes anything)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers_runner import RecordingRunner
from helpers_windows import FakeWindows, NetAdapter

from agent.commands import pin, system
from agent.commands.pin import run_verify, set_parent_pin
from agent.policy.template import render_initial_policy
from agent.system import Finding
from agent.system.windows import WindowsIntegration
from baoan.cli import build_parser


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
    assert fake.calls == [("dns", ("127.0.0.1", "::1")), ("browsers", None),
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
