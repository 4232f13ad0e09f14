"""The block page as a real browser draws it: headless Debian Chromium renders it from the
agent's listener on loopback, in Vietnamese and in English; the 111 link must be in the DOM,
not hidden, and the screenshot must not be blank."""

from __future__ import annotations

import html
import re
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from helpers_pages import RunningPages, running_pages

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1000,1200",
)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPages]:
    with running_pages(tmp_path_factory.mktemp("agent")) as running:
        running.runtime.child_at_pc = "Minh"
        yield running


def chromium(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [
            str(CHROMIUM),
            *FLAGS,
            f"--user-data-dir={profile}",
            # Nothing but loopback: no proxy, and every other name fails to resolve.
            "--no-proxy-server",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def sampled_pixels(path: Path, step: int = 4) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Width, height and every `step`-th pixel's RGB, read with Qt (no display needed)."""
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull(), "the screenshot is not a readable PNG"
    pixels = []
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colour = image.pixelColor(x, y)
            pixels.append((colour.red(), colour.green(), colour.blue()))
    return image.width(), image.height(), pixels


@pytest.mark.parametrize(
    ("language", "call_label", "heading"),
    [
        ("vi", "Gọi 111", "Trang này đang tạm đóng"),
        ("en", "Call 111", "This page is closed for now"),
    ],
)
def test_block_page_in_chromium(
    pages: RunningPages, tmp_path: Path, language: str, call_label: str, heading: str
) -> None:
    # The tray's link for a blocked HTTPS site: the agent's own address, the site named.
    url = f"{pages.url}/__baoan/blocked?site=casino.example&lang={language}"

    dom = chromium(tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = dom.stdout
    link = re.search(
        r'(<a class="call111" id="call-111" href="tel:111"[^>]*>)(.*?)</a>', text, re.S
    )
    assert link, "the 111 link is missing from the rendered page"
    assert call_label in html.unescape(re.sub(r"<[^>]+>", "", link.group(2)))
    start_tag = link.group(1)
    assert "hidden" not in start_tag and "style" not in start_tag
    assert heading in html.unescape(text)
    assert 'href="https://tongdai111.vn/"' in text
    # Minh is 9: vn-cop.vn (reporting harm online) is shown from 11; 111 says "any phone".
    assert 'href="https://vn-cop.vn/"' not in text
    assert 'id="any-phone"' in text
    assert f'lang="{language}"' in text

    png = tmp_path / f"block-page-{language}.png"
    shot = chromium(tmp_path, f"--screenshot={png}", url)
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert png.exists() and png.stat().st_size > 10_000
    width, height, pixels = sampled_pixels(png)
    assert (width, height) == (1000, 1200)
    assert len(set(pixels)) > 20, "the screenshot is blank"
    # The 111 button's red (#b3261e) is drawn: the button is visible, not just in the DOM.
    red = [
        pixel
        for pixel in pixels
        if abs(pixel[0] - 0xB3) < 12 and abs(pixel[1] - 0x26) < 12 and abs(pixel[2] - 0x1E) < 12
    ]
    assert len(red) > 200, "the 111 button is not visible in the screenshot"


class _HeaderEcho(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _HeaderEcho.seen.append(self.headers.get("Accept-Language", ""))
        body = b"<!doctype html><title>echo</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


ENGLISH_BROWSER = ("--lang=en-US", "--accept-lang=en-US,en")


def test_an_english_browser_in_a_vietnamese_family_reads_vietnamese(
    pages: RunningPages, tmp_path: Path
) -> None:
    # First prove the browser really asks for English.
    echo = ThreadingHTTPServer(("127.0.0.1", 0), _HeaderEcho)
    thread = threading.Thread(target=echo.serve_forever, daemon=True)
    thread.start()
    try:
        echo_url = f"http://127.0.0.1:{echo.server_address[1]}/"
        asked = chromium(tmp_path, *ENGLISH_BROWSER, "--dump-dom", echo_url)
    finally:
        echo.shutdown()
        echo.server_close()
    assert asked.returncode == 0, asked.stderr[-2000:]
    assert _HeaderEcho.seen and _HeaderEcho.seen[-1].startswith("en"), _HeaderEcho.seen

    url = f"{pages.url}/__baoan/blocked?site=casino.example"
    dom = chromium(tmp_path, *ENGLISH_BROWSER, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = html.unescape(dom.stdout)
    assert '<html lang="vi">' in text
    assert "Trang này đang tạm đóng" in text and "Gọi 111" in text
    # The switch to English is on the page and keeps the page.
    switch = re.search(r'<a class="lang" href="([^"]+)"[^>]*>English</a>', text)
    assert switch is not None
    assert switch.group(1) == "/__baoan/blocked?site=casino.example&lang=en"
    english = chromium(tmp_path, *ENGLISH_BROWSER, "--dump-dom", pages.url + switch.group(1))
    assert "This page is closed for now" in html.unescape(english.stdout)
