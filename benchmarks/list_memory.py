"""A million listed names in the agent process: time to its first answer and its memory.

    python -m benchmarks.list_memory [--names 1000000] [--rounds 3] [--record]

`baoan agent` runs as a family runs it (page mode, the query log to SQLite, a stand-in
upstream on loopback) with its `adult` category built from two sources whose last good
copies are already in the data folder, as after any earlier refresh:

- the merged plain domain lists of `../shared/data/blocklists` (UT1 and hostsVN, less the
  lists of sites meant for children), one name a line;
- names derived from those (`name-2.tld`, `name-3.tld`, … as look-alike sites are named)
  in hosts format (`0.0.0.0 name`), until the category holds `--names` names.

Each round starts the agent once with the lists and once without them (the starter lists
only), and measures the time from spawn to the first answer (the agent loads its lists
before it listens, so the first answer means they are loaded), that a listed name is
blocked, the resident memory at the first answer and 5 s later, and the peak (`VmHWM`).
The report states the load average before and after each round: the machine is shared.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from dnslib import DNSRecord

from benchmarks.agent_mixes import agent_command, upstream_process
from benchmarks.filter_vs_dnsmasq import (
    LOOPBACK,
    REPO_ROOT,
    blocklists_dir,
    compile_bytecode,
    free_port,
    merged_blocklist,
    write_lines,
)
from dns_filter.lists import ListSource

logger = logging.getLogger("benchmarks.lists")

CATEGORY = "adult"
STARTUP_LIMIT = 120.0
SETTLE_SECONDS = 5.0
MAX_LABEL = 63


@dataclass(frozen=True)
class AgentStart:
    names: int  # names in the category's sources (0: the starter lists only)
    first_answer_seconds: float
    rss_first_mb: float
    rss_settled_mb: float
    peak_mb: float
    blocked: bool  # a listed name was answered with the block page's address
    loads: tuple[float, float]  # 1-min load average before and after


def derived_names(real: Sequence[str], wanted: int) -> list[str]:
    """`wanted` names: look-alikes of the real ones, `first-k.rest`, k = 2, 3, …"""
    derived: list[str] = []
    suffix = 2
    while len(derived) < wanted:
        for name in real:
            first, _, rest = name.partition(".")
            label = f"{first}-{suffix}"
            if rest and len(label) <= MAX_LABEL:
                derived.append(f"{label}.{rest}")
                if len(derived) == wanted:
                    break
        suffix += 1
    return derived


def status_mb(pid: int, field_name: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field_name}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def family_toml(path: Path, upstream_port: int, sources: Sequence[Path]) -> None:
    listed = ", ".join(f'"{source}"' for source in sources)
    path.write_text(
        "schema_version = 1\n\n[settings]\n"
        f'upstreams = ["udp://{LOOPBACK}:{upstream_port}"]\n'
        'block_mode = "page"\n\n[settings.lists]\n'
        f"{CATEGORY} = [{listed}]\n\n"
        '[[children]]\nname = "Con"\nage = 9\n',
        encoding="utf-8",
    )


def place_copies(data_dir: Path, sources: Sequence[Path]) -> None:
    """The sources' last good copies, where a refresh would have left them."""
    lists_dir = data_dir / "lists"
    lists_dir.mkdir(parents=True, exist_ok=True)
    for source in sources:
        copy = ListSource(CATEGORY, str(source)).copy_path(lists_dir)
        copy.write_bytes(source.read_bytes())


def first_answer(port: int, name: str, process: subprocess.Popen[bytes]) -> bytes:
    payload = DNSRecord.question(name).pack()
    deadline = time.monotonic() + STARTUP_LIMIT
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.005)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the agent exited with code {process.returncode}")
            sock.sendto(payload, (LOOPBACK, port))
            with contextlib.suppress(TimeoutError, ConnectionRefusedError):
                return sock.recvfrom(4096)[0]
    raise RuntimeError(f"the agent did not answer within {STARTUP_LIMIT:.0f} s")


@contextlib.contextmanager
def running_agent(
    work: Path, upstream_port: int, sources: Sequence[Path], label: str
) -> Iterator[tuple[subprocess.Popen[bytes], int, float]]:
    """The agent with `sources` (copies in place), its DNS port and the spawn time."""
    folder = work / label
    folder.mkdir()
    config = folder / "family.toml"
    family_toml(config, upstream_port, sources)
    place_copies(folder / "data", sources)
    port, http_port = free_port(), free_port()
    command = [*agent_command(config, folder / "data", port, http_port), "--no-list-refresh"]
    with (folder / "agent.log").open("wb") as log_file:
        begin = time.monotonic()
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=log_file, cwd=REPO_ROOT
        )
        try:
            yield process, port, begin
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def measure_start(
    work: Path, upstream_port: int, sources: Sequence[Path], names: int, probe: str, label: str
) -> AgentStart:
    before = os.getloadavg()[0]
    with running_agent(work, upstream_port, sources, label) as (process, port, begin):
        answer = first_answer(port, probe, process)
        seconds = time.monotonic() - begin
        rss_first = status_mb(process.pid, "VmRSS")
        blocked = any(str(rr.rdata) == LOOPBACK for rr in DNSRecord.parse(answer).rr)
        time.sleep(SETTLE_SECONDS)
        rss_settled = status_mb(process.pid, "VmRSS")
        peak = status_mb(process.pid, "VmHWM")
    return AgentStart(
        names, seconds, rss_first, rss_settled, peak, blocked, (before, os.getloadavg()[0])
    )


def median_start(starts: Sequence[AgentStart]) -> AgentStart:
    ordered = sorted(starts, key=lambda start: start.first_answer_seconds)
    middle = ordered[len(ordered) // 2]
    return AgentStart(
        middle.names,
        middle.first_answer_seconds,
        statistics.median(start.rss_first_mb for start in starts),
        statistics.median(start.rss_settled_mb for start in starts),
        statistics.median(start.peak_mb for start in starts),
        all(start.blocked for start in starts),
        middle.loads,
    )


def report(
    with_lists: Sequence[AgentStart], without: Sequence[AgentStart], real_count: int,
    label: str,
) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    listed, bare = median_start(with_lists), median_start(without)
    per_name = (listed.rss_settled_mb - bare.rss_settled_mb) * 1024 * 1024 / listed.names
    lines = [
        f"### {label}: run of {when}",
        "",
        f"{platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores (shared). `baoan agent` (page mode, query log to SQLite, "
        f"`--no-list-refresh`), {listed.names:,} names in its `{CATEGORY}` category: "
        f"{real_count:,} from the shared lists, the rest derived from them; "
        f"{len(with_lists)} round(s), medians.",
        "",
        "| agent | names | spawn to first answer s | RSS at first answer MB "
        f"| RSS {SETTLE_SECONDS:g} s later MB | peak RSS MB | listed name blocked |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for title, start in (("with the lists", listed), ("starter lists only", bare)):
        lines.append(
            f"| {title} | {start.names:,} | {start.first_answer_seconds:.2f} "
            f"| {start.rss_first_mb:.1f} | {start.rss_settled_mb:.1f} | {start.peak_mb:.1f} "
            f"| {'yes' if start.blocked else 'no'} |"
        )
    loads = ", ".join(
        f"{start.loads[0]:.2f}→{start.loads[1]:.2f}" for start in [*with_lists, *without]
    )
    lines += [
        "",
        f"- The lists cost {per_name:.1f} bytes a name ({listed.rss_settled_mb:.1f} MB "
        f"against {bare.rss_settled_mb:.1f} MB without them).",
        "- Per round, spawn to first answer with the lists: "
        + ", ".join(f"{start.first_answer_seconds:.2f} s" for start in with_lists)
        + "; RSS: "
        + ", ".join(f"{start.rss_settled_mb:.1f} MB" for start in with_lists)
        + ".",
        f"- 1-min load average before→after each start: {loads}.",
    ]
    target_memory = listed.rss_settled_mb < 80.0 and listed.peak_mb < 80.0
    lines.append(
        f"- Under 80 MB for the whole agent with {listed.names:,} names — "
        f"**{'met' if target_memory else 'NOT met'}** ({listed.rss_settled_mb:.1f} MB, "
        f"peak {listed.peak_mb:.1f} MB)"
    )
    lines.append(
        f"- Loaded in under 1 s (spawn to first answer) — "
        f"**{'met' if listed.first_answer_seconds < 1.0 else 'NOT met'}** "
        f"({listed.first_answer_seconds:.2f} s; without lists "
        f"{bare.first_answer_seconds:.2f} s)"
    )
    return "\n".join(lines) + "\n"


def run_all(args: argparse.Namespace, work: Path) -> str:
    compile_bytecode()
    real = merged_blocklist(blocklists_dir())
    wanted = max(args.names, 1)
    real_part = real[:wanted]
    derived = derived_names(real, wanted - len(real_part))
    real_file, derived_file = work / "merged.txt", work / "derived-hosts.txt"
    write_lines(real_file, real_part)
    write_lines(derived_file, [f"0.0.0.0 {name}" for name in derived])
    del derived
    probe = real_part[len(real_part) // 2]
    logger.info("%d names: %d real, %d derived", wanted, len(real_part), wanted - len(real_part))
    upstream_port = free_port()
    with_lists: list[AgentStart] = []
    without: list[AgentStart] = []
    with upstream_process(upstream_port):
        for round_number in range(args.rounds):
            logger.info("round %d: the agent with the lists", round_number + 1)
            with_lists.append(
                measure_start(work, upstream_port, [real_file, derived_file], wanted, probe,
                              f"lists{round_number}")
            )
            logger.info("round %d: the agent without them", round_number + 1)
            without.append(
                measure_start(work, upstream_port, [], 0, probe, f"bare{round_number}")
            )
    label = args.label or f"{wanted:,} listed names"
    return report(with_lists, without, len(real_part), label)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.list_memory", description=__doc__)
    parser.add_argument("--names", type=int, default=1_000_000, help="names in the category")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--label", default="", help="the report's title")
    parser.add_argument("--record", action="store_true", help="append the report to BENCHMARKS.md")
    args = parser.parse_args(argv)
    if not 1 <= args.rounds <= 9 or not 1 <= args.names <= 5_000_000:
        parser.error("--rounds must be 1–9 and --names 1–5,000,000")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    with tempfile.TemporaryDirectory(prefix="baoan-list-bench-") as work:
        text = run_all(args, Path(work))
    print(text)
    if args.record:
        with (REPO_ROOT / "BENCHMARKS.md").open("a", encoding="utf-8") as out:
            out.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
