"""The packed form of the domain index: the C sorting and its Python twin agree, buckets
reach the ends of the 64-bit range, the first list wins, and a rule costs a few bytes."""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator

import pytest

from dns_filter.lists import DomainIndex, IndexBuilder, NamedList, parse_text
from dns_filter.lists import index as index_module
from dns_filter.lists.index import PackedRules, load_packed, release_free_memory

EXTREMES = [-(2**63), -(2**63) + 1, -1, 0, 1, 2**62, 2**63 - 2, 2**63 - 1]


@pytest.fixture(params=["c", "python"])
def sorting(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each test once with the C module (when built) and once with the Python steps."""
    if request.param == "c":
        if load_packed() is None:
            pytest.skip("the C module dns_filter._packed is not built")
    else:
        monkeypatch.setattr(index_module, "load_packed", lambda: None)
    yield request.param


def _pairs(count: int, seed: int) -> tuple[array[int], array[int]]:
    rng = random.Random(seed)
    keys = array("q", EXTREMES + [rng.randint(-(2**63), 2**63 - 1) for _ in range(count)])
    keys.extend(keys[: count // 3])  # repeats, of later lists
    numbers = array("H", [rng.randrange(3) for _ in range(len(keys) - count // 3)])
    numbers.extend(number + 3 for number in numbers[: count // 3])
    return keys, numbers


@pytest.mark.usefixtures("sorting")
def test_sorting_keeps_each_key_once_with_its_lowest_list() -> None:
    keys, numbers = _pairs(20_000, seed=3)
    expected: dict[int, int] = {}
    for key, number in zip(keys, numbers, strict=True):
        expected[key] = min(number, expected.get(key, number))
    index_module._sort_unique(keys, numbers)
    assert list(keys) == sorted(expected)
    assert list(numbers) == [expected[key] for key in keys]


def test_c_and_python_steps_give_the_same_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    if load_packed() is None:
        pytest.skip("the C module dns_filter._packed is not built")
    results = []
    for use_c in (True, False):
        if not use_c:
            monkeypatch.setattr(index_module, "load_packed", lambda: None)
        keys, numbers = _pairs(5_000, seed=8)
        index_module._sort_unique(keys, numbers)
        results.append((keys.tobytes(), numbers.tobytes(), _bucket_bytes(keys, 9)))
    assert results[0] == results[1]


def _bucket_bytes(keys: array[int], bits: int) -> bytes:
    return index_module._bucket_starts(keys, bits).tobytes()


@pytest.mark.usefixtures("sorting")
@pytest.mark.parametrize("bits", [1, 2, 7, 12])
def test_buckets_hold_exactly_their_keys_up_to_both_ends(bits: int) -> None:
    keys, numbers = _pairs(3_000, seed=bits)
    index_module._sort_unique(keys, numbers)
    starts = index_module._bucket_starts(keys, bits)
    shift, bias = 64 - bits, 1 << (bits - 1)
    assert len(starts) == (1 << bits) + 1
    assert starts[0] == 0 and starts[-1] == len(keys)
    for position, key in enumerate(keys):
        bucket = (key >> shift) + bias
        assert starts[bucket] <= position < starts[bucket + 1]


@pytest.mark.usefixtures("sorting")
def test_every_listed_name_is_found_and_others_are_not() -> None:
    names = [f"site{number}.zone{number % 89}.example" for number in range(30_000)]
    index = DomainIndex.from_names(names, "generated")
    assert len(index) == len(names)
    for name in names[::97]:
        assert index.match(f"www.{name}") == name
        assert index.explain(name) is not None
    for number in range(30_000, 30_500):
        assert index.match(f"site{number}.zone1.example") is None
    assert index.match("zone1.example") is None


@pytest.mark.usefixtures("sorting")
def test_the_first_list_wins_among_many_lists() -> None:
    builder = IndexBuilder()
    for number in range(300):  # past one byte of list numbers
        builder.add_rules(f"list{number}", [f"only{number}.example", "shared.example"])
    index = builder.build()
    assert len(index) == 301
    shared = index.match("a.shared.example")
    assert shared is not None and shared.list_id == "list0"
    last = index.match("only299.example")
    assert last is not None and last.list_id == "list299"


@pytest.mark.usefixtures("sorting")
def test_exceptions_are_kept_as_exact_names() -> None:
    index = DomainIndex.build(
        [
            NamedList("block", parse_text("example.org\n")),
            NamedList("allow", parse_text("[Adblock Plus 2.0]\n@@||good.example.org^\n")),
        ]
    )
    assert index.match("deep.good.example.org") is None
    assert index.match("bad.example.org") == "example.org"
    assert index.is_excepted("x.good.example.org")
    assert not index.is_excepted("goodexample.org")


def test_a_rule_costs_about_nine_bytes() -> None:
    index = DomainIndex.from_names(f"host{number}.example" for number in range(200_000))
    assert index.nbytes <= 10 * len(index)
    several = IndexBuilder()
    several.add_rules("a", [f"a{number}.example" for number in range(100_000)])
    several.add_rules("b", [f"b{number}.example" for number in range(100_000)])
    assert several.build().nbytes <= 10 * 200_000


def test_an_empty_index_matches_nothing() -> None:
    empty = DomainIndex.from_names([])
    assert len(empty) == 0
    assert empty.match("example.com") is None
    assert PackedRules.pack(array("q"), array("H")).find("a.b") is None


def test_releasing_free_memory_is_harmless() -> None:
    assert release_free_memory() in (True, False)


def test_fingerprints_in_c_are_the_names_hashes() -> None:
    packed = load_packed()
    if packed is None:
        pytest.skip("the C module dns_filter._packed is not built")
    names = [f"n{number}.example" for number in range(1_000)] + ["ví-dụ.vn", ""]
    keys = array("q")
    keys.frombytes(packed.fingerprints(names))
    assert list(keys) == [hash(name) for name in names]
    with pytest.raises(TypeError):
        packed.fingerprints(["a", 1])
