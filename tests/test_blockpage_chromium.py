"""The block page as a real browser draws it: headless Debian Chromium renders it from the
agent's listener on loopback, in Vietnamese and in English; the 111 link must be in the DOM,
not hidden, and the screenshot must not be blank."""

from __future__ import annotations

import html
import re
import struct
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_pages_support import RunningPages, running_pages

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


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and unfiltered rows of an 8-bit RGB/RGBA PNG (enough for Chromium's)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position = 8
    idat = b""
    width = height = channels = 0
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        chunk = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8
            channels = {2: 3, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += chunk
        position += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for row_index in range(height):
        start = row_index * (stride + 1)
        filter_type = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            upper_left = previous[i - channels] if i >= channels else 0
            if filter_type == 1:
                line[i] = (line[i] + left) & 0xFF
            elif filter_type == 2:
                line[i] = (line[i] + up) & 0xFF
            elif filter_type == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif filter_type == 4:
                estimate = left + up - upper_left
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - upper_left)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else upper_left
                line[i] = (line[i] + predictor) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows


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
    assert 'href="https://tongdai111.vn/"' in text and 'href="https://vn-cop.vn/"' in text
    assert f'lang="{language}"' in text

    png = tmp_path / f"block-page-{language}.png"
    shot = chromium(tmp_path, f"--screenshot={png}", url)
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert png.exists() and png.stat().st_size > 10_000
    width, height, rows = png_pixels(png)
    assert (width, height) == (1000, 1200)
    colours = {row[i : i + 3] for row in rows[::8] for i in range(0, len(row), 3 * 16)}
    assert len(colours) > 20, "the screenshot is blank"
    # The 111 button's red (#b3261e) is drawn: the button is visible, not just in the DOM.
    red = [
        (x, y)
        for y, row in enumerate(rows[::4])
        for x in range(0, len(row) - 2, 3)
        if abs(row[x] - 0xB3) < 12 and abs(row[x + 1] - 0x26) < 12 and abs(row[x + 2] - 0x1E) < 12
    ]
    assert len(red) > 200, "the 111 button is not visible in the screenshot"
