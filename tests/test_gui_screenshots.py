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
        backend = ApiBackend(family.url, timeout=30.0)
        try:
            written = take_screenshots(
                backend, tmp_path / "shots", agent_address=family.url, pin=PARENT_PIN
            )
        finally:
            backend.close()
    names = sorted(path.name for path in written)
    for language in ("vi", "en"):
        pages = [name for name in names if name.startswith(language + "-")]
        # the PIN page, nine tabs, the weekly schedule (in Web), the caregivers (in Settings)
        # and the first run's two steps
        assert len(pages) == 14, pages
    assert "en-07-web.png" in names and "en-08-screen-time.png" in names
    assert "vi-02-cac-con.png" in names and "vi-08-thoi-gian.png" in names
    assert "vi-01-tong-quan.png" in names and "en-01-overview.png" in names
    assert "vi-05-hoat-dong.png" in names and "en-05-activity.png" in names
    assert "vi-06-yeu-cau-va-canh-bao.png" in names
    assert "en-06-requests-and-alerts.png" in names
    assert "vi-09-cai-dat.png" in names and "en-09-settings.png" in names
    assert "en-10-web-internet-hours.png" in names and "vi-10-web-gio-dung-internet.png" in names
    assert "en-11-caregivers.png" in names and "vi-11-nguoi-than.png" in names
    assert "vi-13-first-run-first-child.png" in names
    for path in written:
        image = QImage(str(path))
        assert image.width() >= 900 and image.height() >= 600
