"""The agent process as a family runs it, against dnsmasq, on three query mixes.

    python -m benchmarks.agent_mixes [--quick] [--duration 10] [--rounds 3]
                                     [--paths both|c|python] [--mixes memo,misses,day]
                                     [--baseline TREE] [--record]

`baoan agent` runs with the merged lists as its `adult` category, page mode and the query
log to SQLite, once with the C fast path for UDP memo hits (when it is built) and once
with the pure-Python path (`BAOAN_DNS_FASTPATH=0`); dnsmasq blocks the same names with
0.0.0.0; both forward to the same stand-in upstream (TTLs from 30 s to a day, chosen by
the name). Three mixes, each through dnsperf at full speed (qps, mean latency, and the
server process's CPU per answer, every thread counted, which the load of others moves less
than qps) and at 1,000 qps (p50, p99, max):

- **memo**: 5,000 blocked and 5,000 allowed names, shuffled, cached by a warm-up pass;
- **misses**: every query a new name (none cached; the forwarding path);
- **day**: a Zipf-like mix over 30,000 names (a few asked very often, most rarely),
  as a family PC's browsers ask, no warm-up.

`--baseline TREE` also runs the agent from another source tree (an export of an earlier
commit, with its C extensions built), so that before and after are measured in the same
run on the same machine; `--mixes` picks some of the mixes.

`--quick` takes a tenth of the list, 3 s per measurement and one round: to check that the
benchmark works, not to judge the targets. The report states the load average before and
after, because figures from a shared machine are only as good as its quiet.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dnslib import DNSRecord

from benchmarks.filter_vs_dnsmasq import (
    LOOPBACK,
    REPO_ROOT,
    ServerRun,
    blocklists_dir,
    compile_bytecode,
    dnsmasq_command,
    ensure_tools,
    free_port,
    machine_line,
    measure_full_speed,
    measure_paced,
    merged_blocklist,
    query_file,
    rss_mb,
    started,
    warm_up,
    write_dnsmasq_conf,
    write_lines,
)
from dns_filter.server import load_fastpath

logger = logging.getLogger("benchmarks.agent")

MIXES = ("memo", "misses", "day")
DAY_NAMES = 30_000
MISS_QUERIES = 400_000  # more than dnsperf asks in one full-speed run of the agent


@dataclass
class MixResult:
    server: str
    mix: str
    qps: float = 0.0
    mean_ms: float = 0.0
    lost: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    rss_mb: float = 0.0
    cpu_us: float = 0.0  # the server process's CPU (every thread) per answer, at full speed
    rounds: list[float] = field(default_factory=list)


def misses_file(path: Path, count: int, salt: str) -> None:
    """Every line a name asked once (a new `salt` per run: nothing cached from before)."""
    write_lines(path, [f"n{index}.{salt}-miss{index % 997}.example A" for index in range(count)])


def day_file(path: Path, queries: int, seed: int = 11) -> None:
    """A Zipf-like mix (weight 1/rank) over DAY_NAMES names, A and AAAA as browsers ask."""
    rng = random.Random(seed)
    names = [f"site{rank}.day{rank % 331}.example" for rank in range(1, DAY_NAMES + 1)]
    weights = [1.0 / rank for rank in range(1, DAY_NAMES + 1)]
    chosen = rng.choices(names, weights=weights, k=queries)
    write_lines(path, [f"{name} {rng.choice(('A', 'A', 'AAAA'))}" for name in chosen])


def family_toml(path: Path, upstream_port: int, list_path: Path) -> None:
    path.write_text(
        "schema_version = 1\n\n[settings]\n"
        f'upstreams = ["udp://{LOOPBACK}:{upstream_port}"]\n'
        'block_mode = "page"\n\n[settings.lists]\n'
        f'adult = ["{list_path}"]\n\n'
        '[[children]]\nname = "Con"\nage = 9\n',
        encoding="utf-8",
    )


def agent_command(
    config: Path, data_dir: Path, port: int, http_port: int, tree: Path | None = None
) -> list[str]:
    """`baoan agent` from this tree, or from the source tree `tree` (put first on the path)."""
    start = (
        [sys.executable, "-m", "baoan"]
        if tree is None
        else [sys.executable, "-c",
              f"import sys; sys.path.insert(0, {str(tree)!r}); from baoan.cli import main; "
              "sys.exit(main())"]
    )
    return [
        *start, "agent", "--config", str(config),
        "--data-dir", str(data_dir), "--dns-listen", f"{LOOPBACK}:{port}",
        "--http-listen", f"{LOOPBACK}:{http_port}", "--block-page-listen", "none",
    ]


def cpu_seconds(pid: int) -> float:
    """User and system CPU the process has used (every thread), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_blocking(port: int, name: str, limit: float = 120.0) -> None:
    """The agent answers before its lists are read; wait until a listed name is blocked
    (answered with the block page's address, the agent's HTTP listener on loopback)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            answer = DNSRecord.parse(DNSRecord.question(name).send(LOOPBACK, port, timeout=0.5))
            if any(str(rr.rdata) == LOOPBACK for rr in answer.rr):
                return
        time.sleep(0.2)
    raise RuntimeError(f"the agent did not block {name} within {limit:.0f} s")


def measure(
    servers: Sequence[tuple[str, int, int]], files: dict[str, Path], duration: float,
    rounds: int, mixes: Sequence[str] = MIXES,
) -> list[MixResult]:
    results = []
    for mix in mixes:
        for _name, port, _pid in servers:
            if mix == "memo":
                warm_up(port, files[mix])
        by_server: dict[str, list[tuple[float, float, int, float]]] = {
            n: [] for n, _, _ in servers
        }
        paced: dict[str, list[tuple[float, ...]]] = {n: [] for n, _, _ in servers}
        for round_number in range(rounds):
            for index, (name, port, pid) in enumerate(servers):
                if mix == "misses":  # new names for every run
                    misses_file(files[mix], MISS_QUERIES, f"s{index}r{round_number}f")
                logger.info("%s, %s mix, round %d: full speed", name, mix, round_number + 1)
                used = cpu_seconds(pid)
                qps, mean_ms, lost = measure_full_speed(port, files[mix], duration)
                used = cpu_seconds(pid) - used
                # CPU per answer moves less than qps with the load of others on the machine
                cpu_us = used / (qps * duration) * 1e6 if qps else 0.0
                by_server[name].append((qps, mean_ms, lost, cpu_us))
            for index, (name, port, _pid) in enumerate(servers):
                if mix == "misses":
                    misses_file(files[mix], MISS_QUERIES, f"s{index}r{round_number}p")
                logger.info("%s, %s mix, round %d: 1,000 qps", name, mix, round_number + 1)
                paced[name].append(measure_paced(port, files[mix], duration))
        for name, _port, pid in servers:
            ordered = sorted(by_server[name])
            qps, mean_ms, lost, _cpu = ordered[len(ordered) // 2]
            cpu_us = sorted(sample[3] for sample in ordered)[len(ordered) // 2]
            by_p99 = sorted(paced[name], key=lambda sample: sample[3])
            _rate, _mean, p50, p99, worst = by_p99[len(by_p99) // 2]
            results.append(
                MixResult(name, mix, qps, mean_ms, lost, p50, p99, worst, rss_mb(pid), cpu_us,
                          [sample[0] for sample in by_server[name]])
            )
    return results


def report(
    results: Sequence[MixResult], loads: tuple[tuple[float, ...], tuple[float, ...]],
    list_size: int, duration: float, rounds: int, quick: bool,
    mixes: Sequence[str] = MIXES,
) -> str:
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    before, after = (", ".join(f"{value:.2f}" for value in load) for load in loads)
    lines = [
        f"## The agent process, three mixes{' (quick)' if quick else ''}: run of {when}",
        "",
        f"Machine: {machine_line()}. Load average (1, 5, 15 min) before: {before}; "
        f"after: {after}.",
        f"`baoan agent` (page mode, query log to SQLite, {list_size:,} names) against "
        f"dnsmasq; dnsperf {duration:g} s per measurement, median of {rounds} round(s).",
        "",
        "| mix | server | max qps | CPU µs an answer | mean ms | lost | at 1,000 qps: p50 ms "
        "| p99 ms | max ms | RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        lines.append(
            f"| {result.mix} | {result.server} | {result.qps:,.0f} | {result.cpu_us:.1f} "
            f"| {result.mean_ms:.3f} "
            f"| {result.lost} | {result.p50_ms:.3f} | {result.p99_ms:.3f} "
            f"| {result.max_ms:.3f} | {result.rss_mb:.1f} |"
        )
    lines.append("")
    if rounds > 1:
        lines.append("Max qps of each round, in the order measured:")
        lines.append("")
        for result in results:
            per_round = ", ".join(f"{qps:,.0f}" for qps in result.rounds)
            lines.append(f"- {result.mix}, {result.server}: {per_round}")
        lines.append("")
    for mix in mixes:
        ours = [r for r in results if r.mix == mix and r.server != "dnsmasq"]
        theirs = next((r for r in results if r.mix == mix and r.server == "dnsmasq"), None)
        for result in ours:
            if theirs is not None and theirs.qps:
                share = result.qps / theirs.qps
                verdict = "met" if share >= 1.0 else "NOT met"
                lines.append(
                    f"- {mix}: {result.server} at least dnsmasq's qps — **{verdict}** "
                    f"({share:.0%})"
                )
            if mix == "misses":
                verdict = "met" if result.p99_ms <= 5.0 else "NOT met"
                lines.append(
                    f"- misses: p99 ≤ 5 ms at 1,000 qps — **{verdict}** ({result.p99_ms:.3f} ms)"
                )
    if quick:
        lines.append("- A quick run: a check that the benchmark works, not a measurement.")
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def upstream_process(port: int) -> Iterator[None]:
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.standin_upstream", "--port", str(port),
         "--varied-ttl"],
        stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT,
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()  # "ready"
        yield
    finally:
        process.terminate()
        process.wait(10)


def agent_variants(
    paths: str, baseline: Path | None = None
) -> list[tuple[str, dict[str, str], Path | None]]:
    """(label, environment, source tree) of each agent run: the C fast path when built,
    the Python one; each from `baseline` first when given, then from this tree."""
    variants: list[tuple[str, dict[str, str]]] = []
    if paths in ("both", "c"):
        if load_fastpath() is None:
            if paths == "c":
                raise SystemExit("the C fast path is not built (or BAOAN_DNS_FASTPATH=0)")
        else:
            variants.append(("Bảo An agent (C fast path)", {"BAOAN_DNS_FASTPATH": "1"}))
    if paths in ("both", "python"):
        variants.append(("Bảo An agent (Python)", {"BAOAN_DNS_FASTPATH": "0"}))
    if baseline is None:
        return [(label, env, None) for label, env in variants]
    return [
        (f"{label}, {when}", env, tree)
        for label, env in variants
        for when, tree in (("before", baseline), ("after", None))
    ]


def run_all(args: argparse.Namespace, work: Path) -> str:
    compile_bytecode()
    if args.baseline is not None:
        compile_bytecode(args.baseline)
    names = merged_blocklist(blocklists_dir())
    if args.quick:
        names = names[: len(names) // 10]
    list_path = work / "blocked.txt"
    write_lines(list_path, names)
    files = {mix: work / f"{mix}.txt" for mix in MIXES}
    blocked_sample = query_file(files["memo"], names)
    day_file(files["day"], 100_000 if args.quick else 1_000_000)
    loads_before = os.getloadavg()
    upstream_port = free_port()
    with upstream_process(upstream_port), contextlib.ExitStack() as stack:
        servers: list[tuple[str, int, int]] = []
        config = work / "family.toml"
        family_toml(config, upstream_port, list_path)
        for label, env, tree in agent_variants(args.paths, args.baseline):
            port, http_port = free_port(), free_port()
            run = ServerRun(label, len(names))
            data_dir = work / f"data-{len(servers)}"
            agent = stack.enter_context(
                started(agent_command(config, data_dir, port, http_port, tree), port,
                        blocked_sample[0], run, env=env,
                        log_path=work / f"agent-{len(servers)}.log")
            )
            wait_until_blocking(port, blocked_sample[0])
            servers.append((label, port, agent.pid))
        conf = work / "dnsmasq.conf"
        dnsmasq_port = free_port()
        write_dnsmasq_conf(conf, names, upstream_port, dnsmasq_port)
        dnsmasq_run = ServerRun("dnsmasq", len(names))
        process = stack.enter_context(
            started(dnsmasq_command(conf), dnsmasq_port, blocked_sample[0], dnsmasq_run)
        )
        servers.append(("dnsmasq", dnsmasq_port, process.pid))
        results = measure(servers, files, args.duration, args.rounds, args.mixes)
    text = report(
        results, (loads_before, os.getloadavg()), len(names), args.duration, args.rounds,
        args.quick, args.mixes,
    )
    if args.baseline is not None:
        text += f"- before: the agent from {args.baseline}; after: from {REPO_ROOT}.\n"
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.agent_mixes", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short check of the benchmark")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per dnsperf run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--paths", choices=["both", "c", "python"], default="both",
        help="the agent with the C fast path for UDP memo hits, the pure-Python path, or both",
    )
    parser.add_argument(
        "--mixes", type=lambda text: [mix for mix in text.split(",") if mix], default=MIXES,
        help="comma-separated, of: " + ", ".join(MIXES),
    )
    parser.add_argument(
        "--baseline", type=Path,
        help="also run the agent from this source tree (before/after in the same run)",
    )
    parser.add_argument("--record", action="store_true", help="append the report to BENCHMARKS.md")
    args = parser.parse_args(argv)
    if any(mix not in MIXES for mix in args.mixes):
        parser.error("--mixes takes " + ", ".join(MIXES))
    if args.quick:
        args.duration, args.rounds = 3.0, 1
    if not 1 <= args.duration <= 60 or not 1 <= args.rounds <= 9:
        parser.error("--duration must be 1–60 s and --rounds 1–9")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    ensure_tools()
    with tempfile.TemporaryDirectory(prefix="baoan-agent-bench-") as work:
        text = run_all(args, Path(work))
    print(text)
    if args.record:
        with (REPO_ROOT / "BENCHMARKS.md").open("a", encoding="utf-8") as out:
            out.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
