"""The freed heap goes back to the system (dns_filter/heap.py), in a process of its own so
that the heap is the test's alone."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from dns_filter.collector import QuietCollector
from dns_filter.heap import return_freed_heap

PROGRAM = textwrap.dedent(
    """
    import os
    from dns_filter.heap import return_freed_heap

    def rss_kib():
        with open(f"/proc/{os.getpid()}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])

    # 80 MiB in 4 KiB blocks (malloc's heap, not mmap); every 64th stays, so the free
    # runs between them are inside the heap, where free() on its own never shrinks it.
    blocks = [bytearray(4096) for _ in range(20_000)]
    kept = blocks[::64]
    del blocks
    before = rss_kib()
    returned = return_freed_heap()
    print(before, rss_kib(), returned)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_the_heap_freed_below_a_live_block_leaves_the_rss() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=60, check=True
    )
    before, after, returned = done.stdout.split()
    assert returned == "True"
    # ~79 MiB were freed between blocks still in use; at least half of it must leave the RSS
    assert int(before) - int(after) > 40 * 1024, done.stdout


def test_nothing_to_return_is_not_an_error() -> None:
    return_freed_heap()
    assert return_freed_heap() in (True, False)


def test_the_quiet_collector_returns_the_heap_after_each_collection() -> None:
    released: list[str] = []
    clock = [0.0]
    collector = QuietCollector(
        lambda: 7,
        interval=60.0,
        monotonic=lambda: clock[0],
        collect=lambda: released.append("collect"),
        pending=lambda: 1,
        release=lambda: released.append("release"),
    )
    collector.tick()  # the first look only learns the activity
    clock[0] = 61.0
    assert collector.tick()
    assert released == ["collect", "release"]
    clock[0] = 62.0
    assert not collector.tick()  # not due: nothing collected, nothing released
    assert released == ["collect", "release"]
