"""The installers start the real command lines: each must parse with today's `baoan`."""

from __future__ import annotations

import argparse
import configparser
import plistlib
import shlex
import subprocess
from pathlib import Path

import pytest

from agent.system.linux import resolved_drop_in
from baoan.cli import build_parser

INSTALLERS = Path(__file__).resolve().parents[1] / "installers"


def parse_baoan(command_line: list[str]) -> argparse.Namespace:
    assert Path(command_line[0]).name in ("baoan", "baoan.exe")
    return build_parser().parse_args(command_line[1:])


def read_ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


def test_systemd_unit_runs_the_agent_with_its_policy_and_data() -> None:
    unit = read_ini(INSTALLERS / "linux" / "baoan-agent.service")
    args = parse_baoan(shlex.split(unit["Service"]["ExecStart"]))
    assert args.command == "agent"
    assert str(args.config) == "/etc/baoan/family.toml"
    assert str(args.data_dir) == "/var/lib/baoan"
    assert unit["Service"]["Restart"] == "always"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_the_unit_loads_the_firewall_and_watches_the_system() -> None:
    service = read_ini(INSTALLERS / "linux" / "baoan-agent.service")["Service"]
    before = service["ExecStartPre"]
    assert before.startswith("-")  # a failure is logged; the agent starts all the same
    args = parse_baoan(shlex.split(before[1:]))
    assert (args.command, args.system_action) == ("system", "install-firewall")
    assert parse_baoan(shlex.split(service["ExecStart"])).watch_system is True


def test_tray_autostart_runs_the_tray() -> None:
    entry = read_ini(INSTALLERS / "linux" / "baoan-tray.desktop")["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert parse_baoan(shlex.split(entry["Exec"])).command == "tray"


def test_macos_launch_daemon_runs_the_agent() -> None:
    with (INSTALLERS / "macos" / "vn.baoan.agent.plist").open("rb") as file:
        daemon = plistlib.load(file)
    assert daemon["KeepAlive"] is True
    assert parse_baoan(daemon["ProgramArguments"]).command == "agent"


def test_resolved_drop_in_points_dns_at_the_agent() -> None:
    # Written by `baoan system install-dns` (agent.system.linux), no longer a fixed file.
    conf = configparser.ConfigParser(strict=False, interpolation=None)
    conf.read_string(resolved_drop_in(("127.0.0.1",)).decode())
    assert conf["Resolve"]["DNS"] == "127.0.0.1"


@pytest.mark.parametrize("script", ["install.sh", "uninstall.sh", "build.sh"])
def test_shell_scripts_parse_and_refuse_a_non_root_or_empty_call(script: str) -> None:
    path = INSTALLERS / "linux" / script
    assert subprocess.run(["bash", "-n", str(path)], check=False).returncode == 0
    text = path.read_text(encoding="utf-8")
    if script != "build.sh":  # building needs no root
        assert 'id -u)" = 0' in text  # both refuse to run without root


@pytest.mark.parametrize("script", ["postinst", "prerm", "postrm"])
def test_maintainer_scripts_parse_and_honour_dpkg_root(script: str) -> None:
    path = INSTALLERS / "linux" / "debian" / script
    assert subprocess.run(["sh", "-n", str(path)], check=False).returncode == 0
    text = path.read_text(encoding="utf-8")
    assert 'root="${DPKG_ROOT:-}"' in text
    for line in text.splitlines():
        for word in shlex.split(line, comments=True) if "$(" not in line else []:
            if word.startswith(("/etc/baoan", "/var/lib/baoan", "/opt/baoan")):
                assert line.lstrip().startswith("echo"), f"{script}: {line}"


def test_the_maintainer_scripts_change_the_system_through_baoan_system() -> None:
    folder = INSTALLERS / "linux" / "debian"
    postinst = (folder / "postinst").read_text(encoding="utf-8")
    removal = (folder / "prerm").read_text(encoding="utf-8")
    for action in ("install-dns", "install-policies", "install-firewall"):
        assert f"baoan system {action}" in postinst
        parse_baoan(["baoan", "system", action])
    for action in ("restore-dns", "remove-policies", "remove-firewall"):
        assert f"baoan system {action}" in removal
        parse_baoan(["baoan", "system", action])


def test_linux_installer_makes_the_data_folder_root_s_alone() -> None:
    # The package's postinst makes it (install.sh installs the package).
    script = (INSTALLERS / "linux" / "debian" / "postinst").read_text(encoding="utf-8")
    assert 'data="$root/var/lib/baoan"' in script
    script = script.replace('"$data"', "/var/lib/baoan")
    lines = [line.split() for line in script.splitlines() if line.startswith("install -d")]
    data = [line for line in lines if "/var/lib/baoan" in line]
    assert data and all(line[line.index("-m") + 1] == "0700" for line in data)
    assert not any("0755" in line and "/var/lib/baoan" in line for line in lines)
    unit = read_ini(INSTALLERS / "linux" / "baoan-agent.service")["Service"]
    assert unit["StateDirectoryMode"] == "0700"  # systemd would make it 0755 otherwise
    assert unit["UMask"] == "0077"
    assert unit["RuntimeDirectoryMode"] == "0755"  # the trays walk to their token folder


def test_macos_daemon_creates_files_private() -> None:
    with (INSTALLERS / "macos" / "vn.baoan.agent.plist").open("rb") as file:
        daemon = plistlib.load(file)
    assert daemon["Umask"] == 0o077


def test_windows_installer_gives_the_data_folder_to_system_and_administrators_only() -> None:
    script = (INSTALLERS / "windows" / "install-service.ps1").read_text(encoding="utf-8")
    acl = next(line for line in script.splitlines() if line.startswith("icacls $data"))
    assert "/inheritance:r" in acl  # nothing inherited from ProgramData (Users: read)
    assert "*S-1-5-18:(OI)(CI)F" in acl and "*S-1-5-32-544:(OI)(CI)F" in acl
    assert "S-1-5-32-545" not in acl and "Users" not in acl


def test_the_linux_installer_sets_the_parent_pin_as_root_or_prints_the_command() -> None:
    text = (INSTALLERS / "linux" / "install.sh").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("pin_set=("))
    command = shlex.split(line.removeprefix("pin_set=(").removesuffix(")"))
    args = parse_baoan([*command, "--only-if-unset"])
    assert (args.command, args.pin_action) == ("pin", "set")
    assert str(args.config) == "/etc/baoan/family.toml"
    assert str(args.data_dir) == "/var/lib/baoan"  # the systemd unit's data folder
    assert "Set the parent PIN in the dashboard" not in text
    assert 'sudo ${pin_set[*]}' in text


def test_the_windows_installer_sets_the_parent_pin() -> None:
    text = (INSTALLERS / "windows" / "install-service.ps1").read_text(encoding="utf-8")
    assert "& $baoan pin set --config $config --data-dir $data --only-if-unset" in text
    args = parse_baoan(["baoan.exe", "pin", "set", "--config", "c", "--data-dir", "d"])
    assert args.pin_action == "set"
