"""The Windows and macOS build scripts, checked for their shape (they cannot run here): the
PyInstaller spec run against stand-ins of PyInstaller's build steps, the Inno Setup script
read entry by entry — every `baoan` command line it runs must parse with today's `baoan`,
the service's `binPath` included — and the macOS plists, pkgbuild and maintainer scripts."""

from __future__ import annotations

import plistlib
import re
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from agent.system.macos import PF_ANCHOR_FILE, PF_ANCHOR_NAME
from baoan.cli import build_parser

INSTALLERS = Path(__file__).resolve().parents[1] / "installers"
WINDOWS = INSTALLERS / "windows"
MACOS = INSTALLERS / "macos"
PROGRAM_DATA = "C:\\ProgramData"
APP = "C:\\Program Files\\BaoAn"


# -- the PyInstaller spec -----------------------------------------------------------------


@dataclass
class SpecRun:
    analyses: list[dict[str, object]] = field(default_factory=list)
    exes: list[dict[str, object]] = field(default_factory=list)
    collects: list[dict[str, object]] = field(default_factory=list)


def run_spec(monkeypatch: pytest.MonkeyPatch, platform_name: str) -> SpecRun:
    run = SpecRun()

    class Analysis:
        def __init__(self, scripts: list[str], **options: object) -> None:
            run.analyses.append({"scripts": scripts, **options})
            self.pure, self.scripts, self.binaries, self.datas = [], scripts, [], []

    def exe(*_parts: object, **options: object) -> dict[str, object]:
        run.exes.append(options)
        return options

    def collect(*_parts: object, **options: object) -> None:
        run.collects.append(options)

    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda package: [(f"{package}/data.txt", package)]  # type: ignore[attr-defined]
    hooks.collect_submodules = lambda package: [f"{package}.module"]  # type: ignore[attr-defined]
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "platform", platform_name)
    spec = WINDOWS / "baoan.spec"
    exec(compile(spec.read_text(encoding="utf-8"), str(spec), "exec"), {
        "SPECPATH": str(WINDOWS), "Analysis": Analysis, "PYZ": lambda pure: pure,
        "EXE": exe, "COLLECT": collect,
    })
    return run


def test_the_spec_builds_one_folder_with_the_four_windows_programs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = run_spec(monkeypatch, "win32")
    programs = {str(exe["name"]): exe for exe in run.exes}
    assert set(programs) == {"baoan", "baoan-tray", "baoan-dashboard", "baoan-service"}
    assert programs["baoan"]["console"] is True
    assert programs["baoan-tray"]["console"] is False  # no console window at log-in
    assert programs["baoan-dashboard"]["console"] is False
    assert all(exe["exclude_binaries"] is True for exe in run.exes)  # one folder
    assert [collect["name"] for collect in run.collects] == ["baoan"]
    for analysis in run.analyses:
        (script,) = analysis["scripts"]  # type: ignore[misc]
        assert Path(script).is_file()
        hidden = analysis["hiddenimports"]
        assert isinstance(hidden, list) and "agent.module" in hidden and "gui.module" in hidden
        assert "win32timezone" in hidden
    assert run_spec(monkeypatch, "darwin").exes[-1]["name"] != "baoan-service"


@pytest.mark.parametrize(("script", "command"), [
    ("entry_tray.py", "tray"), ("entry_dashboard.py", "dashboard"),
])
def test_the_windowed_programs_run_their_baoan_command(script: str, command: str) -> None:
    text = (WINDOWS / script).read_text(encoding="utf-8")
    assert f'main(["{command}", *sys.argv[1:]])' in text
    assert build_parser().parse_args([command]).command == command


def test_the_service_program_runs_the_agent_with_the_binpath_arguments() -> None:
    text = (WINDOWS / "entry_service.py").read_text(encoding="utf-8")
    compile(text, "entry_service.py", "exec")
    assert '_svc_name_ = SERVICE_NAME' in text and 'SERVICE_NAME = "BaoAnAgent"' in text
    assert 'parse_args(["agent", *AGENT_ARGUMENTS])' in text
    assert "AGENT_ARGUMENTS.extend(sys.argv[1:])" in text
    assert "StartServiceCtrlDispatcher" in text


# -- the Inno Setup script ----------------------------------------------------------------


def inno_sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]") and " " not in stripped:
            current = stripped[1:-1]
            sections[current] = []
        elif current and stripped and not stripped.startswith(";"):
            sections[current].append(stripped)
    return sections


def inno_entry(line: str) -> dict[str, str]:
    """`Name: "value"; Other: value` with Inno's doubled quotes."""
    entry: dict[str, str] = {}
    for match in re.finditer(r'(\w+):\s*("(?:[^"]|"")*"|[^;]*)\s*(?:;|$)', line):
        value = match.group(2).strip()
        if value.startswith('"'):
            value = value[1:-1].replace('""', '"')
        entry[match.group(1)] = value
    return entry


def windows_argv(command_line: str) -> list[str]:
    """Split a command line as CommandLineToArgvW and the C runtime do."""
    arguments: list[str] = []
    current: list[str] = []
    quoted = in_argument = False
    index = 0
    while index < len(command_line):
        char = command_line[index]
        if char == "\\":
            count = 0
            while index < len(command_line) and command_line[index] == "\\":
                count += 1
                index += 1
            if index < len(command_line) and command_line[index] == '"':
                current.append("\\" * (count // 2))
                if count % 2:
                    current.append('"')
                    index += 1
            else:
                current.append("\\" * count)
            in_argument = True
            continue
        if char == '"':
            quoted = not quoted
            in_argument = True
        elif char in " \t" and not quoted:
            if in_argument:
                arguments.append("".join(current))
                current, in_argument = [], False
        else:
            current.append(char)
            in_argument = True
        index += 1
    if in_argument:
        arguments.append("".join(current))
    return arguments


def expand(value: str) -> str:
    return (value.replace("{commonappdata}", PROGRAM_DATA).replace("{app}", APP)
            .replace("{sys}", "C:\\Windows\\System32").replace("{#ServiceName}", "BaoAnAgent")
            # What the wizard's child page gave.
            .replace("{code:ChildName}", "Minh").replace("{code:ChildAge}", "9")
            .replace("{code:ChildAccount}", "minh"))


@pytest.fixture(scope="module")
def iss() -> dict[str, list[str]]:
    return inno_sections((WINDOWS / "baoan.iss").read_text(encoding="utf-8"))


def run_entries(iss: dict[str, list[str]], section: str) -> list[tuple[str, list[str]]]:
    entries = []
    for line in iss[section]:
        entry = inno_entry(line)
        program = Path(expand(entry["Filename"]).replace("\\", "/")).name
        entries.append((program, windows_argv(expand(entry.get("Parameters", "")))))
    return entries


CONFIG = f"{PROGRAM_DATA}\\BaoAn\\family.toml"
DATA = f"{PROGRAM_DATA}\\BaoAn\\data"


def test_the_setup_runs_as_administrator_and_starts_the_tray_for_every_user(
    iss: dict[str, list[str]],
) -> None:
    setup = dict(line.split("=", 1) for line in iss["Setup"])
    assert setup["PrivilegesRequired"] == "admin"
    entries = [inno_entry(line) for line in iss["Registry"]]
    run_key = next(entry for entry in entries if entry["ValueName"] == "BaoAnTray")
    path = next(entry for entry in entries if entry["ValueName"] == "Path")
    assert path["ValueData"] == "{olddata};{app}" and path["Check"] == "NotOnPath"
    assert run_key["Root"] == "HKLM"
    assert run_key["Subkey"] == "Software\\Microsoft\\Windows\\CurrentVersion\\Run"
    assert windows_argv(expand(run_key["ValueData"])) == [f"{APP}\\baoan-tray.exe"]
    assert "uninsdeletevalue" in run_key["Flags"]


def test_the_service_runs_the_agent_and_is_restarted_on_failure(
    iss: dict[str, list[str]],
) -> None:
    entries = run_entries(iss, "Run")
    sc = [argv for program, argv in entries if program == "sc.exe"]
    create = next(argv for argv in sc if argv[0] == "create")
    options = dict(zip(create[2::2], create[3::2], strict=True))
    assert create[1] == "BaoAnAgent"
    assert options["start="] == "auto" and options["obj="] == "LocalSystem"
    service_argv = windows_argv(options["binPath="])
    assert service_argv[0] == f"{APP}\\baoan-service.exe"
    args = build_parser().parse_args(["agent", *service_argv[1:]])
    assert str(args.config) == CONFIG and str(args.data_dir) == DATA
    assert args.dns_listen == ["127.0.0.1", "[::1]"]  # IPv4 and IPv6 ask the agent
    assert args.watch_system  # the tamper watch runs in the installed service
    failure = next(argv for argv in sc if argv[0] == "failure")
    assert failure[1] == "BaoAnAgent"
    actions = failure[failure.index("actions=") + 1].split("/")
    assert actions[0::2] == ["restart"] * 3
    assert ["failureflag", "BaoAnAgent", "1"] in sc
    order = [argv[0] for argv in sc]
    assert order.index("create") < order.index("failure") < order.index("start")


def test_every_baoan_command_the_setup_runs_parses(iss: dict[str, list[str]]) -> None:
    entries = run_entries(iss, "Run")
    baoan = [argv for program, argv in entries if program == "baoan.exe"]
    commands = [build_parser().parse_args(argv) for argv in baoan]
    install = next(args for args in commands if args.command == "system")
    assert install.system_action == "install"
    assert str(install.config) == CONFIG and str(install.data_dir) == DATA
    init = next(args for args in commands if args.command == "init")
    assert str(init.config) == CONFIG
    programs = [program for program, _ in entries]
    # DNS is pointed at the agent only once the agent is started.
    start = next(i for i, (p, a) in enumerate(entries) if p == "sc.exe" and a[0] == "start")
    system = next(i for i, (p, a) in enumerate(entries) if p == "baoan.exe" and a[0] == "system")
    assert start < system
    assert programs[0] == "icacls.exe"


def test_the_data_folder_is_made_private_before_the_pin_is_written(
    iss: dict[str, list[str]],
) -> None:
    icacls = inno_entry(iss["Run"][0])
    argv = windows_argv(expand(icacls["Parameters"]))
    assert argv[:2] == [DATA, "/inheritance:r"]
    assert "*S-1-5-18:(OI)(CI)F" in argv and "*S-1-5-32-544:(OI)(CI)F" in argv
    assert icacls["AfterInstall"] == "SetParentPin"


def code_calls(iss_text: str, function: str) -> str:
    body = iss_text.split(f"function {function}", 1)[1]
    return body.split("\nend;", 1)[0]


def test_removal_asks_for_the_parent_pin_and_then_gives_the_pc_back(
    iss: dict[str, list[str]],
) -> None:
    text = (WINDOWS / "baoan.iss").read_text(encoding="utf-8")
    uninstall = code_calls(text, "InitializeUninstall(): Boolean;")
    assert "Result := False;" in uninstall.split("AskParentPin", 1)[0]
    assert "'pin verify --data-dir \"' + DataDir() + '\" --pin-file \"' + PinFile + '\"'" in (
        uninstall)
    assert "(ResultCode = 0) then\n      Result := True" in uninstall
    assert "DeleteFile(PinFile)" in uninstall
    args = build_parser().parse_args(["pin", "verify", "--data-dir", DATA, "--pin-file", "p"])
    assert (args.command, args.pin_action) == ("pin", "verify")
    pin_set = text.split("procedure SetParentPin", 1)[1].split("\nend;", 1)[0]
    assert "--pin-file" in pin_set and "--only-if-unset" in pin_set
    args = build_parser().parse_args(
        ["pin", "set", "--config", CONFIG, "--data-dir", DATA, "--pin-file", "p",
         "--only-if-unset"])
    assert args.pin_action == "set"

    removal = run_entries(iss, "UninstallRun")
    remove = build_parser().parse_args(removal[0][1])
    assert (remove.command, remove.system_action) == ("system", "remove")
    assert str(remove.data_dir) == DATA  # where install saved the DNS settings
    assert [argv[0] for program, argv in removal if program == "sc.exe"] == ["stop", "delete"]
    assert all("RunOnceId" in inno_entry(line) for line in iss["UninstallRun"])


# -- macOS --------------------------------------------------------------------------------


def plist(name: str) -> dict[str, object]:
    with (MACOS / name).open("rb") as file:
        value = plistlib.load(file)
    assert isinstance(value, dict)
    return value


SUPPORT = "/Library/Application Support/BaoAn"


def test_the_launch_daemon_runs_the_agent_on_both_loopbacks() -> None:
    daemon = plist("vn.baoan.agent.plist")
    arguments = daemon["ProgramArguments"]
    assert isinstance(arguments, list) and arguments[0] == "/usr/local/bin/baoan"
    args = build_parser().parse_args(arguments[1:])
    assert args.command == "agent" and args.dns_listen == ["127.0.0.1", "[::1]"]
    assert args.watch_system
    assert str(args.data_dir) == f"{SUPPORT}/data"


def test_the_launch_agent_keeps_the_tray_in_every_desktop_session() -> None:
    tray = plist("vn.baoan.tray.plist")
    arguments = tray["ProgramArguments"]
    assert isinstance(arguments, list)
    assert build_parser().parse_args(arguments[1:]).command == "tray"
    assert tray["LimitLoadToSessionType"] == "Aqua"
    assert tray["KeepAlive"] is True and tray["RunAtLoad"] is True


def test_the_firewall_daemon_loads_the_anchor_the_integration_writes() -> None:
    firewall = plist("vn.baoan.firewall.plist")
    arguments = firewall["ProgramArguments"]
    assert arguments == ["/sbin/pfctl", "-E", "-a", PF_ANCHOR_NAME, "-f",
                         "/" + PF_ANCHOR_FILE.as_posix()]


@pytest.mark.parametrize("script", ["build.sh", "uninstall.sh", "scripts/preinstall",
                                    "scripts/postinstall"])
def test_the_macos_scripts_parse(script: str) -> None:
    path = MACOS / script
    assert subprocess.run(["bash", "-n", str(path)], check=False).returncode == 0
    assert path.stat().st_mode & 0o111  # pkgbuild runs them as they are


def test_the_package_is_built_with_pkgbuild_and_its_scripts() -> None:
    text = (MACOS / "build.sh").read_text(encoding="utf-8")
    assert '"$root/installers/windows/baoan.spec"' in text
    assert "pkgbuild --root \"$payload\" --identifier vn.baoan.pkg" in text
    assert '--scripts "$here/scripts"' in text
    for name in ("vn.baoan.agent.plist", "vn.baoan.firewall.plist", "vn.baoan.tray.plist"):
        assert f"$here/{name}" in text


def baoan_lines(text: str) -> list[list[str]]:
    """Each `"$baoan" ...` command of a shell script, up to the first shell operator."""
    import shlex

    found = []
    for line in text.replace("\\\n", " ").splitlines():
        if '"$baoan" ' not in line or line.lstrip().startswith("#"):
            continue
        lexer = shlex.shlex(line[line.index('"$baoan" '):], posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words = []
        for word in lexer:
            if word and set(word) <= set("|&;<>()"):
                break
            words.append(word.replace("$config", f"{SUPPORT}/family.toml")
                         .replace("$data", f"{SUPPORT}/data"))
        found.append(words[1:])
    return found


def test_postinstall_points_the_pc_at_the_agent_with_the_daemons_data_folder() -> None:
    text = (MACOS / "scripts" / "postinstall").read_text(encoding="utf-8")
    commands = [build_parser().parse_args(words) for words in baoan_lines(text)]
    install = next(args for args in commands if args.command == "system")
    assert install.system_action == "install"
    assert str(install.data_dir) == f"{SUPPORT}/data"
    assert "install -d -m 0700 -o root -g wheel \"$data\"" in text
    assert text.index("launchctl bootstrap system /Library/LaunchDaemons/vn.baoan.agent") < (
        text.index('"$baoan" system install'))


def test_the_macos_uninstaller_checks_the_pin_before_it_removes_anything() -> None:
    text = (MACOS / "uninstall.sh").read_text(encoding="utf-8")
    assert 'id -u)" = 0' in text
    commands = baoan_lines(text)
    parsed = [build_parser().parse_args(words) for words in commands]
    assert (parsed[0].command, parsed[0].pin_action) == ("pin", "verify")
    assert (parsed[1].command, parsed[1].system_action) == ("system", "remove")
    assert text.index("pin verify") < text.index("exit 3") < text.index("system remove")
