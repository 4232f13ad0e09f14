"""The one domain-name normaliser (dns_filter.names) and every part that relies on it: list
lines, the filter's suffix rules, `baoan check`, family.toml and the block page's site."""

from __future__ import annotations

import time

import pytest

from agent.access import normalise_site, site_host
from dns_filter.names import MAX_INPUT_LENGTH, InvalidNameError, normalise_name
from dns_filter.resolvers import SuffixSet

LONGEST = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])  # 253 characters


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Example.COM", "example.com"),
        ("  example.com\t", "example.com"),
        ("example.com.", "example.com"),  # the root's dot
        ("café.example", "xn--caf-dma.example"),
        ("Ví-Dụ.VN.", "xn--v-d-rma6749a.vn"),
        ("straße.de", "xn--strae-oqa.de"),  # IDNA 2008 with UTS 46, as browsers ask for it
        ("ＥＸＡＭＰＬＥ.com", "example.com"),  # full-width letters are mapped
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("_dmarc.example.com", "_dmarc.example.com"),  # real DNS carries underscores
        ("bad_label-.example", "bad_label-.example"),  # ... and such labels, in real lists
        ("-ads.example", "-ads.example"),
        (LONGEST, LONGEST),
        ("x" * 63 + ".example", "x" * 63 + ".example"),
    ],
)
def test_the_canonical_form(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        ".",
        "example.com..",  # one trailing dot is the root; two end in an empty label
        "a..b.com",
        ".example.com",  # only with allow_wildcard
        "*.example.com",
        "single",  # a single label only with a wildcard or allow_single_label
        "1.2.3.4",
        "::1",
        "[::1]",
        "example.123",  # a top-level label starts with a letter
        "a b.com",
        "<script>.example",
        "example.com/path",
        "example.com:80",
        "x" * 64 + ".example",
        LONGEST + "d",
        "ä" * 300 + ".vn",
    ],
)
def test_what_is_not_a_name(raw: str) -> None:
    with pytest.raises(InvalidNameError):
        normalise_name(raw)


def test_wildcards_and_single_labels() -> None:
    assert normalise_name("*.Example.com", allow_wildcard=True) == "example.com"
    assert normalise_name(".example.com", allow_wildcard=True) == "example.com"
    assert normalise_name("*.xxx", allow_wildcard=True) == "xxx"  # the whole top-level domain
    assert normalise_name("xxx", allow_single_label=True) == "xxx"
    with pytest.raises(InvalidNameError, match="một nhãn"):
        normalise_name("xxx", allow_wildcard=True)  # a bare label is a typo more often
    with pytest.raises(InvalidNameError):
        normalise_name("*.*.example.com", allow_wildcard=True)
    with pytest.raises(InvalidNameError):
        normalise_name("*.1.2.3.4", allow_wildcard=True)


def test_strict_hyphens_is_the_host_name_rule() -> None:
    assert normalise_name("my-site.example", strict_hyphens=True) == "my-site.example"
    assert normalise_name("_dmarc.example.com", strict_hyphens=True) == "_dmarc.example.com"
    for raw in ("-bad.example", "bad-.example", "bad.example-"):
        with pytest.raises(InvalidNameError, match="gạch ngang"):
            normalise_name(raw, strict_hyphens=True)


def test_a_huge_input_is_refused_before_it_is_encoded() -> None:
    started = time.monotonic()
    with pytest.raises(InvalidNameError, match="tối đa 253"):
        normalise_name("ä" * 1_000_000)
    assert time.monotonic() - started < 0.5
    with pytest.raises(InvalidNameError):
        normalise_name("a" * (MAX_INPUT_LENGTH + 1))


def test_the_error_is_a_value_error_with_the_reason() -> None:
    with pytest.raises(ValueError, match="địa chỉ IP"):
        normalise_name("192.168.1.1")


# -- each former normaliser's callers ----------------------------------------------------


def test_suffix_rules_take_wildcards_and_top_level_domains() -> None:
    # The filter's suffix rules arrive normalised; a top-level domain is a single label.
    rules = SuffixSet(["*.Casino.example", ".bet.example", "xxx", "1.2.3.4", "a..b", " "])
    assert sorted(rules) == ["bet.example", "casino.example", "xxx"]
    assert rules.rejected == ("1.2.3.4", "a..b")
    assert rules.match("www.casino.example") == "casino.example"
    assert rules.match("anything.xxx") == "xxx"


@pytest.mark.parametrize(
    ("raw", "host"),
    [
        ("youtube.com", "youtube.com"),
        ("https://YouTube.com/watch?v=1", "YouTube.com"),
        ("HTTP://www.example.com:8080/a#b", "www.example.com"),
        ("youtube.com/shorts", "youtube.com"),
        ("//cdn.example/x.js", "cdn.example"),
        ("https://user:pw@site.example/", "site.example"),
        ("https://site.example\\path", "site.example"),
        ("[::1]:80", "[::1]"),
    ],
)
def test_site_host_is_the_url_to_host_step(raw: str, host: str) -> None:
    assert site_host(raw) == host


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://YouTube.com/watch?v=1", "youtube.com"),
        ("https://café.example:443/", "xn--caf-dma.example"),
        ("Casino.Example.", "casino.example"),
        ("_srv.example", "_srv.example"),
        ("1.2.3.4", None),  # an address, not a site
        ("http://[::1]/", None),
        ("localhost", None),
        ("-bad.example", None),
        ("https://", None),
        ("x" * 5000, None),
    ],
)
def test_a_site_a_child_gives(raw: str, expected: str | None) -> None:
    assert normalise_site(raw) == expected
