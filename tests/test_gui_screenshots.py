"""`baoan dashboard --screenshots DIR`: every page, in Vietnamese and English, from a real
agent, as PNG files."""

from __future__ import annotations

from pathlib import Path

from helpers_policy_agent import PARENT_PIN, running_family, set_first_pin
from PySide6.QtGui import QImage

from gui.api_backend import ApiBackend
from gui.screenshots import take_screenshots


def test_every_page_in_both_languages(tmp_path: Path, qapp: object) -> None:
    (tmp_path / "agent").mkdir()
    with running_family(tmp_path / "agent") as family:
        set_first_pin(family)
        backend = ApiBackend(family.url, timeout=5.0)
        try:
            written = take_screenshots(
                backend, tmp_path / "shots", agent_address=family.url, pin=PARENT_PIN
            )
        finally:
            backend.close()
    names = sorted(path.name for path in written)
    for language in ("vi", "en"):
        pages = [name for name in names if name.startswith(language + "-")]
        # the PIN page, seven tabs, the caregivers (in Settings) and the first run's two steps
        assert len(pages) == 11, pages
    assert "en-05-web.png" in names and "en-06-screen-time.png" in names
    assert "vi-01-cac-con.png" in names and "vi-06-thoi-gian.png" in names
    assert "vi-07-cai-dat.png" in names and "en-07-settings.png" in names
    assert "en-08-caregivers.png" in names and "vi-08-nguoi-than.png" in names
    assert "vi-10-first-run-first-child.png" in names
    for path in written:
        image = QImage(str(path))
        assert image.width() >= 900 and image.height() >= 600
