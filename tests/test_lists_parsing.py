"""Blocklist parsing and normalisation, on the real shared lists and on hand-made text."""

from __future__ import annotations

from pathlib import Path

import pytest

from dns_filter.lists import (
    InvalidNameError,
    ListFormat,
    load_starter,
    normalise_name,
    parse_file,
    parse_text,
    scan_file,
    starter_categories,
)
from dns_filter.lists.loader import NEVER_BLOCKED


def test_hosts_file_from_block_list_project(blocklists_dir: Path) -> None:
    parsed = parse_file(blocklists_dir / "blocklistproject" / "drugs.txt")
    assert parsed.format is ListFormat.HOSTS
    assert parsed.bad_count == 0
    assert len(parsed.names) > 20_000
    assert "001kanpou.com" in parsed.names
    assert "0.0.0.0" not in parsed.names
    assert all(" " not in name for name in parsed.names[:1000])


def test_hosts_file_from_hostsvn(blocklists_dir: Path) -> None:
    parsed = parse_file(blocklists_dir / "hostsvn" / "ads-hosts")
    assert parsed.format is ListFormat.HOSTS
    assert "api-adservices.apple.com" in parsed.names
    assert len(parsed.names) > 15_000


def test_plain_domains_from_hostsvn_and_ut1(blocklists_dir: Path) -> None:
    adult = parse_file(blocklists_dir / "hostsvn" / "adult-domain-VN.txt")
    assert adult.format is ListFormat.DOMAINS
    assert "0310love.com" in adult.names
    assert adult.bad_count == 0
    gambling = parse_file(blocklists_dir / "ut1" / "gambling.domains")
    assert gambling.format is ListFormat.DOMAINS
    assert len(gambling.names) > 30_000
    # UT1 carries bare IP addresses: each one is a counted bad line, never a rule.
    assert gambling.bad_count > 0
    assert all(sample.reason.startswith("địa chỉ IP") for sample in gambling.bad_samples)
    assert not any(name[0].isdigit() and name.replace(".", "").isdigit() for name in gambling.names)


def test_adblock_filter_from_hostsvn(blocklists_dir: Path) -> None:
    parsed = parse_file(blocklists_dir / "hostsvn" / "adult-filter.txt")
    assert parsed.format is ListFormat.ADBLOCK
    assert "0-bbs.com" in parsed.names
    assert len(parsed.names) > 20_000
    # `||60com^` is a single label: rejected with its line number, the rest still loads.
    bad = {sample.line_number: sample.text for sample in parsed.bad_samples}
    assert bad[2228] == "||60com^"


def test_wildcard_list_from_hagezi(blocklists_dir: Path) -> None:
    parsed = parse_file(blocklists_dir / "hagezi" / "doh-vpn-proxy-bypass.txt")
    assert parsed.format is ListFormat.WILDCARD
    assert "012proxy.ga" in parsed.names
    assert not any(name.startswith("*") for name in parsed.names)
    assert 700 <= len(parsed.names) <= 720


def test_idn_names_from_hostsvn_become_punycode(blocklists_dir: Path) -> None:
    parsed = parse_file(blocklists_dir / "hostsvn" / "threat-domain-VN.txt")
    assert "xn--shpmobaviet-v89e.vn" in parsed.names  # shọpmobaviet.vn
    assert all(name.isascii() for name in parsed.names)


def test_given_format_is_used_instead_of_detection() -> None:
    parsed = parse_text("0.0.0.0 a.example\nb.example\n", ListFormat.HOSTS)
    assert parsed.format is ListFormat.HOSTS
    assert parsed.names == ("a.example", "b.example")


def test_garbage_lines_are_counted_with_line_numbers() -> None:
    text = "\n".join(
        [
            "# comment",
            "good.example",
            "bad name here",
            "exa$mple.com",
            "",
            "1.2.3.4",
            "a" * 64 + ".example",
            ".".join(["abcdefghij"] * 25) + ".com",  # 279 characters
            "another.example",
        ]
    )
    parsed = parse_text(text, ListFormat.DOMAINS)
    assert parsed.names == ("good.example", "another.example")
    assert parsed.bad_count == 5
    assert [sample.line_number for sample in parsed.bad_samples] == [3, 4, 6, 7, 8]
    assert "IP" in parsed.bad_samples[2].reason
    assert "63" in parsed.bad_samples[3].reason
    assert "253" in parsed.bad_samples[4].reason


def test_case_trailing_dot_whitespace_and_idn() -> None:
    parsed = parse_text("  WWW.Example.COM.  \n\tBÁO-mới.VN\r\n")
    punycode = "báo-mới.vn".encode("idna").decode("ascii")
    assert punycode.startswith("xn--")
    assert parsed.names == ("www.example.com", punycode)


def test_hosts_lines_with_several_names_comments_and_boilerplate() -> None:
    text = (
        "127.0.0.1 localhost\n"
        "::1 localhost ip6-localhost\n"
        "0.0.0.0 a.example b.example  # inline comment\n"
        "0.0.0.0\tTabbed.Example\n"
        "0.0.0.0 0.0.0.0\n"
        "not-an-ip c.example\n"
    )
    parsed = parse_text(text)
    assert parsed.format is ListFormat.HOSTS
    assert parsed.names == ("a.example", "b.example", "tabbed.example")
    assert parsed.bad_count == 1
    assert parsed.bad_samples[0].line_number == 6


def test_adblock_exceptions_header_and_unsupported_syntax() -> None:
    text = (
        "[Adblock Plus 2.0]\n"
        "! Title: test\n"
        "||ads.example^\n"
        "@@||good.ads.example^\n"
        "||tracker.example^$important\n"
        "||third.example^$third-party\n"
        "example.org##.banner\n"
        "/banner/*/img^\n"
        "||bad_label-.example^|\n"
    )
    parsed = parse_text(text)
    assert parsed.format is ListFormat.ADBLOCK
    assert parsed.names == ("ads.example", "tracker.example", "bad_label-.example")
    assert parsed.exceptions == ("good.ads.example",)
    assert parsed.unsupported_count == 3
    assert parsed.bad_count == 0


def test_wildcard_tld_only_with_explicit_star() -> None:
    parsed = parse_text("*.xxx\n*.sub.example\nxxx\n", ListFormat.WILDCARD)
    assert parsed.names == ("xxx", "sub.example")
    assert parsed.bad_count == 1


def test_normalise_name_rejects_what_is_not_a_name() -> None:
    assert normalise_name("Ví-Dụ.VN.") == "ví-dụ.vn".encode("idna").decode("ascii")
    for bad in ("", "1.2.3.4", "::1", "a..b", "a b.com", "single", "x" * 64 + ".com"):
        with pytest.raises(InvalidNameError):
            normalise_name(bad)


def test_undecodable_bytes_are_bad_lines_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(b"ok.example\n\xff\xfe.example\nfine.example\n")
    report = scan_file(path)
    assert report.name_count == 2
    assert report.bad_count == 1
    assert report.bad_samples[0].line_number == 2


def test_long_list_split_across_read_blocks(tmp_path: Path) -> None:
    # Names cut at the file-reading block boundary still come out whole.
    path = tmp_path / "big.txt"
    names = [f"n{i}.block-boundary.example" for i in range(60_000)]
    path.write_text("\n".join(names), encoding="utf-8")  # no final newline
    parsed = parse_file(path)
    assert parsed.names == tuple(names)
    assert parsed.report.total_lines == 60_000


def test_every_category_has_a_starter_list() -> None:
    wanted = {"adult", "gambling", "drugs", "dating", "violence", "weapons", "social"}
    wanted |= {"chat", "games", "video", "bypass", "threats", "scam"}
    assert wanted <= set(starter_categories())
    for category in starter_categories():
        parsed = load_starter(category)
        assert parsed is not None
        assert parsed.bad_count == 0, (category, parsed.bad_samples)
        assert parsed.unsupported_count == 0
    adult = load_starter("adult")
    assert adult is not None and "pornhub.com" in adult.names and "xxx" in adult.names


def test_help_sites_never_in_any_starter_list() -> None:
    for category in starter_categories():
        parsed = load_starter(category)
        assert parsed is not None
        for name in parsed.names:
            for help_site in NEVER_BLOCKED:
                assert name != help_site and not help_site.endswith("." + name), (category, name)
