"""A child's categories asked together (`CategoryLists`): the same verdict as asking each
category's index in turn, with the C probe and with its Python twin — the first category
in order wins, a category's exceptions let a name through that category only, and names
are read as the indexes read them."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from dns_filter.lists import DomainIndex, NamedList, parse_text
from dns_filter.lists.index import CategoryLists, RuleMatch, load_packed
from dns_filter.resolvers import SuffixSet


@pytest.fixture(params=["c", "python"])
def probe(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each test once with the C probe (when built) and once with the Python steps."""
    if request.param == "c":
        module = load_packed()
        if module is None or not hasattr(module, "first_rule"):
            pytest.skip("the C module dns_filter._packed is not built")
    else:
        monkeypatch.setattr(CategoryLists, "_c_probe", staticmethod(lambda: None))
    yield request.param


def _index(list_id: str, text: str) -> DomainIndex:
    return DomainIndex.build([NamedList(list_id, parse_text(text))])


def _one_by_one(categories: list[tuple[str, DomainIndex]], name: str) -> tuple[str, str] | None:
    """What asking each category's index in turn gives (the behaviour kept)."""
    for category, index in categories:
        rule = index.match(name)
        if rule:
            return category, rule
    return None


@pytest.mark.usefixtures("probe")
def test_the_same_verdicts_as_each_index_in_turn_over_many_names() -> None:
    rng = random.Random(5)
    words = [f"w{number}" for number in range(60)]
    categories = []
    for number in range(12):
        names = {".".join(rng.sample(words, rng.randint(1, 3))) + ".vn" for _ in range(300)}
        exceptions = {f"@@||{name}^" for name in rng.sample(sorted(names), 5)}
        text = "\n".join(sorted(names) + sorted(exceptions))
        categories.append((f"c{number}", _index(f"list{number}", text)))
    lists = CategoryLists(categories)
    asked = [
        ".".join(rng.sample(words, rng.randint(1, 4))) + rng.choice([".vn", ".com"])
        for _ in range(3_000)
    ]
    blocked = 0
    for name in asked:
        expected = _one_by_one(categories, name)
        got = lists.first_match(name)
        assert got == expected, name
        if expected is not None:
            blocked += 1
            assert got is not None and isinstance(got[1], RuleMatch)
            assert got[1].list_id == expected[1].list_id  # type: ignore[attr-defined]
    assert 300 < blocked < 2_900  # both kinds of answer were asked


@pytest.mark.usefixtures("probe")
def test_the_first_category_in_order_wins_over_a_more_specific_rule_later() -> None:
    lists = CategoryLists(
        [("adult", _index("a", "example.vn")), ("games", _index("g", "play.example.vn"))]
    )
    found = lists.first_match("play.example.vn")
    assert found == ("adult", "example.vn")
    assert found is not None and isinstance(found[1], RuleMatch) and found[1].list_id == "a"
    assert lists.first_match("other.vn") is None


@pytest.mark.usefixtures("probe")
def test_an_exception_lets_a_name_through_its_own_category_only() -> None:
    lists = CategoryLists(
        [
            ("adult", _index("a", "example.vn\n@@||safe.example.vn^")),
            ("games", _index("g", "safe.example.vn")),
        ]
    )
    assert lists.first_match("safe.example.vn") == ("games", "safe.example.vn")
    assert lists.first_match("www.safe.example.vn") == ("games", "safe.example.vn")
    assert lists.first_match("bad.example.vn") == ("adult", "example.vn")
    only_adult = CategoryLists([("adult", _index("a", "example.vn\n@@||safe.example.vn^"))])
    assert only_adult.first_match("x.safe.example.vn") is None


@pytest.mark.usefixtures("probe")
def test_names_are_read_as_the_indexes_read_them() -> None:
    lists = CategoryLists([("adult", _index("a", "example.vn"))])
    assert lists.first_match("WWW.Example.VN.") == ("adult", "example.vn")
    assert lists.first_match("") is None
    assert lists.first_match("vn") is None


def test_a_category_that_is_not_an_index_keeps_its_place_in_the_order() -> None:
    lists = CategoryLists(
        [("custom", SuffixSet(["example.vn"])), ("adult", _index("a", "example.vn"))]
    )
    assert lists.first_match("a.example.vn") == ("custom", "example.vn")
    assert lists.first_match("other.vn") is None
    assert len(lists) == 2


def test_no_categories_block_nothing() -> None:
    assert CategoryLists([]).first_match("example.vn") is None


def test_the_c_probe_refuses_what_is_not_a_table() -> None:
    module = load_packed()
    if module is None or not hasattr(module, "first_rule"):
        pytest.skip("the C module dns_filter._packed is not built")
    table = _index("a", "example.vn").blocked.table
    assert module.first_rule(("example.vn", "vn"), (table,), 0) is not None
    assert module.first_rule(("example.vn", "vn"), (table,), 1) is None  # skipped
    with pytest.raises(TypeError):
        module.first_rule(("example.vn",), ((table[0], table[1]),), 0)
    with pytest.raises(ValueError):
        module.first_rule(("example.vn",), ((table[0], table[1], table[2] + 1),), 0)
    with pytest.raises(TypeError):
        module.first_rule((b"example.vn",), (table,), 0)
