"""The catalogue's apps: names specific enough that no other program answers to them, and
the ones checked against what the real apps ship (the file names and version names)."""

from __future__ import annotations

import re

import pytest

from agent.policy.services import load_catalogue
from agent.usage.apps import BROWSERS, INTERPRETERS, AppClassifier
from agent.usage.model import AppIdentity

# File names many programs have (a bundle's `launcher`, Electron's defaults, a Store
# template's name): a service matched by one would take other programs' time.
GENERIC_NAMES = frozenset(
    {
        "app", "application", "bin", "browser", "client", "game", "games", "helper", "host",
        "launcher", "main", "player", "run", "runner", "server", "service", "setup", "start",
        "update", "updater", "uninstall", "windows10universal", "electron", "java", "javaw",
        "python", "node", "wine", "x", "steamservice",
    }
)


def stem(name: str) -> str:
    return re.sub(r"\.exe$", "", name.casefold())


def every_app_name() -> list[tuple[str, str, str]]:
    return [
        (entry.service_id, kind, name)
        for entry in load_catalogue()
        for kind, names in (
            ("windows", entry.apps.windows),
            ("macos", entry.apps.macos),
            ("linux", entry.apps.linux),
            ("product_names", entry.apps.product_names),
        )
        for name in names
    ]


@pytest.mark.parametrize(("service", "kind", "name"), every_app_name())
def test_no_app_name_is_too_generic(service: str, kind: str, name: str) -> None:
    assert stem(name) not in GENERIC_NAMES, f"{service}.apps.{kind}: {name!r} is too generic"
    # three letters at least (HoYoPlay's HYP.exe, Nox.exe are real and their own)
    assert len(stem(name)) >= 3, f"{service}.apps.{kind}: {name!r} is too short to tell"
    assert name.casefold() not in INTERPRETERS and name.casefold() not in BROWSERS
    if kind == "windows":
        assert name.casefold().endswith(".exe"), f"{service}: {name!r} is no Windows program"
    else:
        assert not name.casefold().endswith(".exe"), f"{service}.apps.{kind}: {name!r}"


def test_no_name_belongs_to_two_services() -> None:
    seen: dict[str, str] = {}
    for service, _kind, name in every_app_name():
        owner = seen.setdefault(name.casefold(), service)
        assert owner == service, f"{name!r} is both {owner}'s and {service}'s"


def test_path_ends_name_a_folder_and_a_file() -> None:
    for entry in load_catalogue():
        for path in entry.apps.paths:
            parts = path.split("/")
            assert len(parts) >= 2 and all(parts), f"{entry.service_id}: {path!r}"


@pytest.mark.parametrize(
    ("app", "service"),
    [
        # Roblox's own installer and the Store build, by its version information.
        (AppIdentity(exe_path="C:\\Users\\an\\AppData\\Local\\Roblox\\Versions\\version-1\\"
                     "RobloxPlayerBeta.exe", original_name="RobloxPlayerBeta.exe",
                     product_name="Roblox"), "roblox"),
        (AppIdentity(exe_path="C:\\Program Files\\WindowsApps\\ROBLOXCORPORATION.ROBLOX_2.6_"
                     "x64__55nm5eh3cm0pr\\Windows10Universal.exe", product_name="Roblox"),
         "roblox"),
        (AppIdentity(exe_path="/Applications/Roblox.app/Contents/MacOS/RobloxPlayer",
                     original_name="RobloxPlayer"), "roblox"),
        # Minecraft: the macOS launcher by its path, not by the bare name "launcher".
        (AppIdentity(exe_path="/Applications/Minecraft.app/Contents/MacOS/launcher",
                     original_name="launcher"), "minecraft"),
        (AppIdentity(exe_path="C:\\XboxGames\\Minecraft Launcher\\Content\\Minecraft.exe"),
         "minecraft"),
        (AppIdentity(exe_path="/usr/bin/minecraft-launcher"), "minecraft"),
        (AppIdentity(exe_path="C:\\Users\\an\\AppData\\Local\\Discord\\app-1.0.9\\Discord.exe",
                     original_name="Discord.exe", product_name="Discord"), "discord"),
        (AppIdentity(exe_path="C:\\Users\\an\\AppData\\Local\\Programs\\Zalo\\Zalo.exe"), "zalo"),
        (AppIdentity(exe_path="C:\\Program Files\\WindowsApps\\5319275A.WhatsAppDesktop_2.2587.10"
                     ".0_x64__cv1g1gvanyjgm\\WhatsApp.Root.exe"), "whatsapp"),
        (AppIdentity(exe_path="C:\\Program Files (x86)\\Steam\\steam.exe"), "steam"),
        (AppIdentity(exe_path="/Applications/Steam.app/Contents/MacOS/steam_osx"), "steam"),
        (AppIdentity(exe_path="C:\\Program Files (x86)\\Epic Games\\Launcher\\Portal\\Binaries"
                     "\\Win64\\EpicGamesLauncher.exe"), "epic-games"),
        (AppIdentity(exe_path="/Applications/Messenger.app/Contents/MacOS/Messenger"),
         "messenger"),
        # Spotify on each OS, and each Linux packaging of it.
        (AppIdentity(exe_path="C:\\Users\\an\\AppData\\Roaming\\Spotify\\Spotify.exe"),
         "spotify"),
        (AppIdentity(exe_path="/Applications/Spotify.app/Contents/MacOS/Spotify"), "spotify"),
        (AppIdentity(exe_path="/usr/share/spotify/spotify"), "spotify"),
        (AppIdentity(exe_path="/opt/spotify/spotify"), "spotify"),
        (AppIdentity(exe_path="/snap/spotify/88/usr/share/spotify/spotify"), "spotify"),
        (AppIdentity(exe_path="/var/lib/flatpak/app/com.spotify.Client/x86_64/stable/active/"
                     "files/extra/share/spotify/spotify"), "spotify"),
        (AppIdentity(exe_path="C:\\Program Files (x86)\\Garena\\Garena\\Garena.exe"),
         "lien-quan"),
        (AppIdentity(exe_path="C:\\Users\\an\\AppData\\Roaming\\Twitch\\Bin\\Twitch.exe"),
         "twitch"),
    ],
)
def test_the_real_apps_are_recognised(app: AppIdentity, service: str) -> None:
    found = AppClassifier(load_catalogue()).service_of(app)
    assert found is not None and found[0] == service


@pytest.mark.parametrize(
    "path",
    [
        "/Applications/SomeGame.app/Contents/MacOS/launcher",  # another bundle's launcher
        "C:\\Program Files\\WindowsApps\\Other.App_1.0\\Windows10Universal.exe",
        "C:\\Tools\\X.exe",
    ],
)
def test_generic_programs_are_nobodys(path: str) -> None:
    assert AppClassifier(load_catalogue()).service_of(AppIdentity(exe_path=path)) is None


# Written from memory once, and found in nothing the apps ship: a program of that name is
# not the service.
UNCONFIRMED = ("Netflix.exe", "Instagram.exe", "Facebook.exe", "GarenaLauncher.exe")


@pytest.mark.parametrize("name", UNCONFIRMED)
def test_names_nobody_could_show_are_not_in_the_catalogue(name: str) -> None:
    names = {found.casefold() for _service, _kind, found in every_app_name()}
    assert name.casefold() not in names
    assert AppClassifier(load_catalogue()).service_of(AppIdentity(exe_path=f"C:\\{name}")) is None


@pytest.mark.parametrize(
    ("title", "service"), [("Netflix", "netflix"), ("Instagram", "instagram")]
)
def test_a_store_web_app_in_wwahost_is_told_by_its_title(title: str, service: str) -> None:
    """The Store's web apps all run in one program, WWAHost.exe: the window title tells
    which (with the child's DNS queries for the service's domains, as for a website)."""
    classifier = AppClassifier(load_catalogue())
    host = AppIdentity(exe_path="C:\\Windows\\System32\\WWAHost.exe", title=title)
    assert classifier.classify(host, site_support=lambda found: found == service).service == (
        service
    )
    assert classifier.classify(host, site_support=lambda _found: False).service is None
    assert classifier.is_browser(host)  # never closed: it may host another app too


def test_spotify_is_one_service_for_its_app_and_its_website() -> None:
    entry = next(entry for entry in load_catalogue() if entry.service_id == "spotify")
    assert entry.category == "video"
    assert {"spotify.com", "scdn.co"} <= set(entry.domains)
    chrome = AppIdentity(exe_path="C:\\Chrome\\chrome.exe", title="Spotify – Web Player")
    assert AppClassifier(load_catalogue()).classify(chrome).service == "spotify"
