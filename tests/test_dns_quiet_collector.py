"""Full garbage collections wait for a quiet moment (dns_filter/collector.py)."""

from __future__ import annotations

import gc
import time

import pytest

from dns_filter.collector import QuietCollector


class _Fake:
    def __init__(self) -> None:
        self.now = 0.0
        self.queries = 0
        self.pending = 1
        self.collected = 0

    def collect(self) -> int:
        self.collected += 1
        self.pending = 0
        return 0


def _collector(fake: _Fake, **limits: float) -> QuietCollector:
    return QuietCollector(
        lambda: fake.queries,
        monotonic=lambda: fake.now,
        collect=fake.collect,
        pending=lambda: fake.pending,
        **limits,
    )


def test_a_busy_server_is_not_collected_until_it_is_quiet() -> None:
    fake = _Fake()
    collector = _collector(fake, interval=60.0, longest=600.0)
    for _ in range(100):  # a minute and more of queries, one look a second
        fake.now += 1.0
        fake.queries += 1000
        assert not collector.tick()
    fake.now += 1.0  # one look with no query since the last
    assert collector.tick()
    assert fake.collected == 1


def test_no_collection_sooner_than_the_interval_nor_with_nothing_new_to_walk() -> None:
    fake = _Fake()
    collector = _collector(fake, interval=60.0, longest=600.0)
    fake.now = 30.0
    collector.tick()
    fake.now = 31.0
    assert not collector.tick()  # quiet, but only 31 s since the start
    fake.now = 61.0
    fake.pending = 0
    assert not collector.tick()  # quiet and due, but nothing survived into the oldest generation
    fake.pending = 5
    assert collector.tick()
    fake.pending = 5
    fake.now = 62.0
    assert not collector.tick()  # just collected


def test_load_that_never_pauses_still_gets_a_collection_every_longest() -> None:
    fake = _Fake()
    collector = _collector(fake, interval=60.0, longest=600.0)
    ticks = 0
    while fake.collected == 0:
        fake.now += 1.0
        fake.queries += 1000
        collector.tick()
        ticks += 1
    assert ticks == 600


def test_a_failing_activity_counter_counts_as_busy() -> None:
    fake = _Fake()

    def broken() -> int:
        raise RuntimeError("no server")

    collector = QuietCollector(
        broken,
        monotonic=lambda: fake.now,
        collect=fake.collect,
        pending=lambda: 1,
        interval=1.0,
        longest=10.0,
    )
    for second in range(1, 10):
        fake.now = float(second)
        assert not collector.tick()
    fake.now = 10.0
    assert collector.tick()


def test_running_takes_the_automatic_full_collections_away_and_gives_them_back() -> None:
    before = gc.get_threshold()
    collector = QuietCollector(lambda: 0, quiet_seconds=0.01, interval=0.0, longest=1.0)
    collector.start()
    try:
        assert gc.get_threshold()[:2] == before[:2]
        assert gc.get_threshold()[2] > 1_000_000
        garbage: list[object] = []
        garbage.append(garbage)  # a cycle, so something reaches the oldest generation
        del garbage
        gc.collect(1)
        deadline = time.monotonic() + 10.0
        while collector.collections == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert collector.collections >= 1
    finally:
        collector.stop()
    assert gc.get_threshold() == before


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError):
        QuietCollector(lambda: 0, quiet_seconds=0)
    with pytest.raises(ValueError):
        QuietCollector(lambda: 0, interval=10.0, longest=5.0)
