"""A site a parent types in the Web tab's lists, checked as they type."""

from __future__ import annotations

import pytest

from gui.domains import site_lines, site_name


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("roblox.com", "roblox.com"),
        ("  WWW.Roblox.COM. ", "www.roblox.com"),
        ("https://www.roblox.com/games?id=1", "www.roblox.com"),
        ("*.example.com", "example.com"),
        ("*.xxx", "xxx"),
        ("tiếngviệt.vn", "xn--tingvit-5t4cyc.vn"),
        ("example.com:8080", "example.com"),
    ],
)
def test_site_names(typed: str, name: str) -> None:
    assert site_name(typed) == name


@pytest.mark.parametrize(
    "typed", ["roblox", "not a site", "192.168.1.1", "-bad.example", "bad-.example", "", "a..b"]
)
def test_not_site_names(typed: str) -> None:
    assert site_name(typed) is None


def test_site_lines_skip_blanks_and_repeats() -> None:
    names, bad = site_lines("roblox.com\n\nwww.x.example\nroblox.com\nnope\n")
    assert names == ["roblox.com", "www.x.example"]
    assert bad == ["nope"]
