"""The domain index: parent matching, exceptions, merged lists, reasons, a million names."""

from __future__ import annotations

from pathlib import Path

from dns_filter.lists import (
    DEFAULT_SOURCES,
    DomainIndex,
    IndexBuilder,
    NamedList,
    build_matchers,
    parse_file,
    parse_text,
)
from dns_filter.policy import DomainMatcher, FilterPolicy


def _index(*texts: tuple[str, str]) -> DomainIndex:
    return DomainIndex.build(NamedList(list_id, parse_text(text)) for list_id, text in texts)


def test_rule_blocks_the_name_and_its_subdomains_only() -> None:
    index = _index(("l1", "example.com\n"))
    assert index.match("example.com") == "example.com"
    assert index.match("a.b.example.com") == "example.com"
    assert index.match("A.B.Example.COM.") == "example.com"
    assert index.match("notexample.com") is None
    assert index.match("example.com.evil.net") is None
    assert index.match("com") is None
    assert index.match("") is None


def test_exceptions_win_over_every_list_of_the_category() -> None:
    index = _index(
        ("blocker", "0.0.0.0 ads.example\n0.0.0.0 example.org\n"),
        ("allower", "[Adblock Plus 2.0]\n@@||good.ads.example^\n@@||example.org^\n"),
    )
    assert index.match("x.ads.example") == "ads.example"
    assert index.match("good.ads.example") is None
    assert index.match("deep.good.ads.example") is None
    assert index.match("example.org") is None
    assert index.exception_count == 2


def test_reason_names_the_list_and_the_first_list_wins() -> None:
    index = _index(
        ("hostsVN", "shared.example\nvn.example\n"), ("UT1", "shared.example\nut.example\n")
    )
    match = index.match("www.shared.example")
    assert match == "shared.example"
    assert match is not None and match.list_id == "hostsVN"
    ut = index.match("ut.example")
    assert ut is not None and ut.list_id == "UT1"
    explained = index.explain("a.vn.example")
    assert explained is not None and (explained.rule, explained.list_id) == (
        "vn.example",
        "hostsVN",
    )
    assert len(index) == 3


def test_most_specific_rule_is_reported() -> None:
    index = _index(("l", "example.com\nads.example.com\n"))
    assert index.match("x.ads.example.com") == "ads.example.com"


def test_wildcard_tld_rule_blocks_the_whole_tld() -> None:
    index = _index(("starter", "*.xxx\n"))
    assert index.match("anything.xxx") == "xxx"
    assert index.match("xxx.com") is None


def test_index_is_a_domain_matcher_for_the_filter_policy() -> None:
    index = _index(("l", "blocked.example\n"))
    matcher: DomainMatcher = index
    policy = FilterPolicy(categories={"adult": matcher})
    assert policy.categories["adult"].match("www.blocked.example") == "blocked.example"


def test_million_generated_names_load_and_match(tmp_path: Path) -> None:
    path = tmp_path / "million.txt"
    with path.open("w", encoding="ascii") as out:
        out.write("# generated\n")
        for number in range(1_000_000):
            out.write(f"host{number}.zone{number % 997}.example\n")
    builder = IndexBuilder()
    report = builder.add_file("generated", path)
    index = builder.build()
    assert report.name_count == 1_000_000
    assert report.bad_count == 0
    assert len(index) == 1_000_000
    for number in (0, 1, 499_999, 999_999):
        name = f"host{number}.zone{number % 997}.example"
        assert index.match(f"www.{name}") == name
    assert index.match("host1000000.zone1.example") is None
    assert index.match("zone5.example") is None


def _default_adult(blocklists_dir: Path) -> DomainIndex:
    # The shared snapshots of the default adult sources (hostsVN domain + filter lists).
    hostsvn = blocklists_dir / "hostsvn"
    named = [
        NamedList("hostsVN adult", parse_file(hostsvn / "adult-domain.txt")),
        NamedList("hostsVN adult filter", parse_file(hostsvn / "adult-filter.txt")),
    ]
    index = DomainIndex.build(named)
    assert "adult" in DEFAULT_SOURCES
    return index


def test_childrens_sites_are_not_blocked_by_the_adult_lists(blocklists_dir: Path) -> None:
    adult = _default_adult(blocklists_dir)
    assert adult.match("0310love.com") == "0310love.com"  # the lists did load
    starter = build_matchers({}, None)["adult"]
    for file_name in ("child.domains", "liste_blanche.domains", "educational_games.domains"):
        for name in parse_file(blocklists_dir / "ut1" / file_name).names:
            assert adult.match(name) is None, (file_name, name, adult.match(name))
            assert starter.match(name) is None, (file_name, name)


def test_help_sites_are_never_blocked_even_by_a_list_that_holds_them(tmp_path: Path) -> None:
    matchers = build_matchers({}, None)
    assert matchers, "the starter lists give every category a matcher"
    for matcher in matchers.values():
        assert matcher.match("tongdai111.vn") is None
        assert matcher.match("www.vn-cop.vn") is None
    from dns_filter.lists import ListSource

    source = ListSource("adult", str(tmp_path / "hostile.txt"))
    lists_dir = tmp_path / "lists"
    lists_dir.mkdir()
    source.copy_path(lists_dir).write_text("tongdai111.vn\nvn-cop.vn\nbad.example\n")
    adult = build_matchers({"adult": [source.location]}, lists_dir)["adult"]
    assert adult.match("bad.example") == "bad.example"
    assert adult.match("tongdai111.vn") is None
    assert adult.match("vn-cop.vn") is None
