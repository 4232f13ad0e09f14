"""Shared test fixtures."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from helpers_policy_agent import RunningFamily
    from pytestqt.qtbot import QtBot
    from test_upstreams_standin import StandInDns

    from gui.i18n import Translations
    from gui.views.main_window import MainWindow

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate (and its key) for 127.0.0.1 and localhost: loopback TLS
    servers for the tests, trusted by nobody unless told."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="session")
def blocklists_dir() -> Path:
    """The real public blocklists kept beside the repository in `shared/`."""
    path = REPO_ROOT.parent / "shared" / "data" / "blocklists"
    if not path.is_dir():
        pytest.fail(f"the shared blocklists are missing: {path}")
    return path


def _translations(qapp: object, language: str) -> Iterator[Translations]:
    from gui.i18n import Translations  # Qt loads only for the tests that ask for it

    translations = Translations(qapp)  # type: ignore[arg-type]
    assert translations.use(language)
    yield translations
    translations.remove()


@pytest.fixture
def vietnamese(qapp: object) -> Iterator[Translations]:
    """The dashboard's strings in Vietnamese for the length of a test."""
    yield from _translations(qapp, "vi")


@pytest.fixture
def english(qapp: object) -> Iterator[Translations]:
    """The dashboard's strings in English for the length of a test."""
    yield from _translations(qapp, "en")


@pytest.fixture
def upstream() -> Iterator[StandInDns]:
    """A real DNS server on loopback standing in for the internet's resolvers, answering
    the test zone (a module with other names to answer defines its own `upstream`)."""
    from dnslib import RR
    from test_upstreams_standin import ZONE_TEXT, StandInDns, Zone

    server = StandInDns(Zone(RR.fromZone(ZONE_TEXT))).start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def family(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningFamily]:
    """A real agent on random loopback ports with the parent's first PIN set; a test may
    give the text of its `family.toml` (a function of the upstream's URL) as an indirect
    parameter (a module whose family differs throughout defines its own `family`)."""
    from helpers_policy_agent import family_text, running_family, set_first_pin

    text = getattr(request, "param", family_text)
    with running_family(tmp_path, text=text) as running:
        set_first_pin(running)
        yield running


@pytest.fixture
def window(qtbot: QtBot, qapp: object, family: RunningFamily) -> Iterator[MainWindow]:
    """The dashboard on `family`'s agent, signed in with the parent's PIN."""
    from helpers_dashboard import signed_in_dashboard

    with signed_in_dashboard(qtbot, qapp, family.url) as made:
        yield made
