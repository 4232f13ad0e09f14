"""`./dev bench`: the DNS benchmarks in turn, on loopback only.

    python -m benchmarks [--quick] [--only filter|agent|lists ...] [--record]
                         [--duration 10] [--rounds 3]

1. **filter** (`benchmarks/filter_vs_dnsmasq.py`): the filter process (the real chain, a
   counting query-log callback) against dnsmasq on the memo mix, and 1,000,000 generated
   names; about four minutes.
2. **agent** (`benchmarks/agent_mixes.py`): the real `baoan agent` (page mode, query log
   to SQLite), with the C fast path and with the Python one, against dnsmasq on the memo,
   miss-only and day mixes; about twenty minutes.
3. **lists** (`benchmarks/list_memory.py`): the agent with a million listed names: time
   to its first answer and its memory; about a minute.
4. **monitoring** (`benchmarks/monitoring.py`): screen time's cost — the agent's process
   sampler over 400 processes and the child's tray (X11 watcher on Xvfb, its MPRIS check
   against stand-in players on a private session bus); about a minute and a half.

`--quick` runs each for a few seconds (one round, a tenth of the lists for the mixes, 3 s
per measurement, 200,000 names for the list start): a check that the benchmarks work, not
a measurement. `--record` appends each report to BENCHMARKS.md. Every report states the
machine's load average.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from benchmarks import agent_mixes, filter_vs_dnsmasq, list_memory, monitoring

PARTS = ("filter", "agent", "lists", "monitoring")


def part_arguments(part: str, args: argparse.Namespace) -> list[str]:
    """The command line of one part, from the suite's options."""
    common = ["--record"] if args.record else []
    if part == "monitoring":
        return [*common, "--seconds", "10"] if args.quick else common
    if part == "lists":
        quick = ["--rounds", "1", "--names", "200000"] if args.quick else []
        return [*common, *quick]
    if args.quick:
        quick = ["--quick"] if part == "agent" else ["--duration", "3", "--rounds", "1"]
        return [*common, *quick]
    return [*common, "--duration", f"{args.duration:g}", "--rounds", str(args.rounds)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a few seconds each: a check")
    parser.add_argument(
        "--only", action="append", choices=PARTS, help="run this part (repeatable; default all)"
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per dnsperf run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--record", action="store_true", help="append the reports to BENCHMARKS.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    mains: dict[str, Callable[[Sequence[str] | None], int]] = {
        "filter": filter_vs_dnsmasq.main,
        "agent": agent_mixes.main,
        "lists": list_memory.main,
        "monitoring": monitoring.main,
    }
    failed = 0
    for part in args.only or PARTS:
        logging.getLogger("benchmarks").info("benchmark part: %s", part)
        failed |= mains[part](part_arguments(part, args))
    return failed


if __name__ == "__main__":
    sys.exit(main())
