"""Matching apps that renaming does not escape, interpreter-hosted apps, and the agent's
process sampler with a fake process list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pytest

from agent.api.types import APP_ENTRY_MAX_LENGTH, app_entry_key, app_entry_problem
from agent.policy.services import load_catalogue
from agent.usage.apps import AlwaysAllowed, AppClassifier, app_id_of
from agent.usage.model import AppIdentity
from agent.usage.sampler import ATTRIBUTES, ProcessSampler, account_name

CLASSIFIER = AppClassifier(load_catalogue())


@pytest.mark.parametrize(
    ("app", "service"),
    [
        (AppIdentity(exe_path=r"C:\Games\RobloxPlayerBeta.exe"), "roblox"),
        # renamed file: the version information still says what it is
        (
            AppIdentity(
                exe_path=r"C:\Users\minh\homework.exe", original_name="RobloxPlayerBeta.exe"
            ),
            "roblox",
        ),
        (
            AppIdentity(exe_path=r"C:\Users\minh\maths.exe", product_name="Minecraft Launcher"),
            "minecraft",
        ),
        (AppIdentity(exe_path="/usr/bin/gedit"), None),
    ],
)
def test_renaming_does_not_escape(app: AppIdentity, service: str | None) -> None:
    assert CLASSIFIER.classify(app).service == service


def test_the_app_id_prefers_the_original_name() -> None:
    renamed = AppIdentity(exe_path=r"C:\x\homework.exe", original_name="RobloxPlayerBeta.exe")
    assert app_id_of(renamed) == "robloxplayerbeta.exe"
    assert app_id_of(AppIdentity()) == "unknown"


def test_an_app_hosted_by_java_is_matched_by_its_command_line() -> None:
    java = AppIdentity(exe_path="/usr/lib/jvm/java-17/bin/java", pid=77)
    cmdline = ["java", "-Xmx2G", "-cp", "libs.jar", "net.minecraft.client.main.Main", "--demo"]
    use = CLASSIFIER.classify(java, cmdline=cmdline)
    assert use.service == "minecraft" and use.category == "games"
    assert use.app_id == "java:minecraft"
    assert CLASSIFIER.classify(java, cmdline=["java", "-jar", "school.jar"]).service is None
    # a file name that is not an interpreter's is not looked into
    other = AppIdentity(exe_path="/usr/bin/gedit")
    assert (
        CLASSIFIER.classify(other, cmdline=["gedit", "net.minecraft.client.main.Main"]).service
        is None
    )


def test_wine_hosting_a_windows_game() -> None:
    wine = AppIdentity(exe_path="/usr/bin/wine64-preloader")
    use = CLASSIFIER.classify(wine, cmdline=["wine64-preloader", r"C:\Roblox\RobloxPlayerBeta.exe"])
    assert use.service == "roblox"


def test_always_allowed_by_name_or_service() -> None:
    school = AppIdentity(exe_path=r"C:\OLM\olm.exe")
    assert CLASSIFIER.classify(school, always_allowed=("OLM.exe",)).always_allowed
    assert CLASSIFIER.classify(AppIdentity(original_name="baoan-tray")).always_allowed
    game = AppIdentity(exe_path="RobloxPlayerBeta.exe")
    assert CLASSIFIER.classify(game, always_allowed=("roblox",)).always_allowed


@pytest.mark.parametrize(
    "entry",
    ["zoom", "Zoom.exe", r"C:\Program Files\Zoom\bin\Zoom.exe", "/usr/bin/libreoffice",
     r"\\school\apps\olm.exe", "  Microsoft Teams  "],
)
def test_an_app_typed_by_a_parent_is_a_name_or_a_full_path(entry: str) -> None:
    assert app_entry_problem(entry) is None


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("/", "folder"),
        ("\\", "folder"),
        ("C:\\", "folder"),
        ("/usr/bin/", "folder"),
        ("..", "folder"),
        ("zoom\nexe", "control"),
        ("zo\x00om", "control"),
        ("zoom\u202eexe.txt", "control"),  # a right-to-left override that disguises a name
        ("x" * (APP_ENTRY_MAX_LENGTH + 1), "too_long"),
        (r"Zoom\bin\Zoom.exe", "not_full_path"),  # its end would match any folder
        ("zoom?.exe", "not_a_name"),
        ("C:", "not_a_name"),
    ],
)
def test_garbage_is_no_app(entry: str, problem: str) -> None:
    assert app_entry_problem(entry) == problem


def test_entries_compare_as_the_matcher_compares() -> None:
    assert app_entry_key("Zoom.exe") == app_entry_key("zoom") == "zoom"
    assert app_entry_key(r"C:\Program Files\Zoom\bin\Zoom.exe") == (
        app_entry_key("c:/program files//zoom/bin/zoom.exe")
    )
    assert app_entry_key("/usr/bin/zoom") != app_entry_key("zoom")


def test_a_typed_name_or_path_is_matched_by_path_and_version_names() -> None:
    allowed = AlwaysAllowed(["zoom", r"C:\Program Files\OLM\olm.exe", "/usr/bin/libreoffice"])
    assert allowed.allows(AppIdentity(exe_path=r"C:\Program Files\Zoom\bin\Zoom.exe"))
    assert allowed.allows(AppIdentity(exe_path="/usr/bin/zoom"))  # Linux: no .exe
    assert allowed.allows(AppIdentity(exe_path=r"C:\Apps\meet.exe", product_name="Zoom"))
    assert allowed.allows(AppIdentity(exe_path=r"c:\program files\olm\OLM.EXE"))
    assert allowed.allows(AppIdentity(exe_path="/usr/bin/libreoffice"))
    # A path allows that file only: the same name in a folder the child can write is not it.
    assert not allowed.allows(AppIdentity(exe_path=r"C:\Users\an\Downloads\olm.exe"))
    assert not allowed.allows(AppIdentity(exe_path="/home/an/usr/bin/libreoffice"))
    # A game renamed after a school app is the game its version information says.
    renamed = AppIdentity(exe_path=r"C:\Users\an\zoom.exe", original_name="RobloxPlayerBeta.exe")
    assert not allowed.allows(renamed)
    assert not CLASSIFIER.classify(renamed, always_allowed=("zoom",)).always_allowed
    # Garbage in a list allows nothing; Bảo An's own windows are always allowed.
    assert not AlwaysAllowed(["/", ""]).allows(AppIdentity(exe_path="/"))
    assert AlwaysAllowed().allows(AppIdentity(original_name="baoan-tray"))


@dataclass(frozen=True)
class FakeProcess:
    info: Mapping[str, object]
    full: Mapping[str, object]
    cmdline_reads: list[int]

    def cmdline(self) -> list[str]:
        self.cmdline_reads.append(int(str(self.full["pid"])))
        value = self.full.get("cmdline")
        return list(value) if isinstance(value, list) else []


def fake_iter(  # type: ignore[no-untyped-def]
    processes: list[dict[str, object]], cmdline_reads: list[int] | None = None
):
    reads = cmdline_reads if cmdline_reads is not None else []

    def process_iter(*, attrs: list[str], ad_value: object) -> Iterable[FakeProcess]:
        assert tuple(attrs) == ATTRIBUTES and ad_value is None
        return [
            FakeProcess({key: p.get(key) for key in ATTRIBUTES}, p, reads) for p in processes
        ]

    return process_iter


def test_the_sampler_sees_the_childrens_games_even_without_focus() -> None:
    processes: list[dict[str, object]] = [
        {"pid": 1, "name": "systemd", "username": "root", "exe": "/sbin/init"},
        {
            "pid": 10,
            "name": "java",
            "username": "an",
            "exe": "/usr/bin/java",
            "cmdline": ["java", "net.minecraft.client.main.Main"],
        },
        {
            "pid": 11,
            "name": "RobloxPlayerBeta.exe",
            "username": r"FAMILY-PC\Lan",
            "exe": r"C:\Roblox\RobloxPlayerBeta.exe",
            "cmdline": None,
        },
        {"pid": 12, "name": "bash", "username": "an", "exe": "/bin/bash", "cmdline": ["bash"]},
        {"pid": 13, "name": "gone", "username": None, "exe": None, "cmdline": None},
    ]
    cmdline_reads: list[int] = []
    sampler = ProcessSampler(
        CLASSIFIER, lambda: {"an": "An", "lan": "Lan"}, fake_iter(processes, cmdline_reads)
    )
    found = sampler.sample()
    assert {child: [app.app.service for app in apps] for child, apps in found.items()} == {
        "An": ["minecraft"],
        "Lan": ["roblox"],
    }
    # only the interpreter's command line is read: it is what names the game java hosts
    assert cmdline_reads == [10]
    assert account_name(r"PC\Minh") == "minh"


def test_a_browser_showing_a_services_website_is_that_service() -> None:
    chrome = AppIdentity(
        exe_path=r"C:\Program Files\Google\Chrome\Application\chrome.exe",
        title="Mèo con đáng yêu - YouTube - Google Chrome",
    )
    use = CLASSIFIER.classify(chrome)
    assert use.service == "youtube" and use.category == "video"
    assert use.app_id == "chrome.exe:youtube"
    # the child's recent DNS queries must agree when they are asked
    assert CLASSIFIER.classify(chrome, site_support=lambda service: False).service is None
    assert CLASSIFIER.classify(chrome, site_support=lambda s: s == "youtube").service == "youtube"
    # a title is looked at only in a browser
    editor = AppIdentity(exe_path="/usr/bin/gedit", title="notes about YouTube")
    assert CLASSIFIER.classify(editor).service is None
    plain = AppIdentity(exe_path="/usr/bin/firefox", title="Bài tập Toán lớp 5")
    assert CLASSIFIER.classify(plain).service is None


def test_a_versioned_interpreter_hosts_what_its_command_line_names() -> None:
    for exe in ("/usr/bin/python3.11", r"C:\Python312\python3.12.exe", "/opt/node/node18"):
        assert AppClassifier.is_interpreter(AppIdentity(exe_path=exe)), exe
    for exe in ("/usr/bin/python3.11-config", "/usr/bin/bash", "/opt/x3.1"):
        assert not AppClassifier.is_interpreter(AppIdentity(exe_path=exe)), exe
    java21 = AppIdentity(exe_path="/usr/lib/jvm/bin/java21")
    use = CLASSIFIER.classify(
        java21, cmdline=["java21", "-cp", "x.jar", "net.minecraft.client.main.Main"]
    )
    assert use.service == "minecraft"
