"""Bảo An's DNS filter against dnsmasq, side by side, on loopback only.

    python -m benchmarks.filter_vs_dnsmasq [--duration 10] [--record]
                         [--loop asyncio|uvloop|both] [--fastpath both|on|off]

(`./dev bench` runs it first, then the agent's mixes and the million-name start; see
`benchmarks/__main__.py`.)

1. Checks that `dnsperf` and `dnsmasq` are installed (installs the Debian packages when
   run as root).
2. Merges the plain domain lists under `../shared/data/blocklists` (UT1 and hostsVN, less
   the lists of sites meant for children) into one blocklist.
3. Starts a stand-in upstream on loopback, then, one at a time, our filter (the real
   factory chain) and dnsmasq, both blocking the same names with 0.0.0.0 and forwarding
   the rest to the same stand-in.
4. For each: start-up time (spawn to first answer), a warm-up pass, dnsperf at full speed
   (qps, mean latency), dnsperf at 1,000 qps with per-query latencies (mean, p50, p99,
   max), and RSS.
5. A generated 1,000,000-name list: start-up (load) time and RSS for both.

Our filter runs with the C fast path for UDP memo hits (`dns_filter/_fastpath.c`) on each
loop when it is built, and (`--fastpath both`, the default) once more on the asyncio loop
with the pure-Python path, labelled "Python".

Every packet goes to 127.0.0.1; every step has a time limit. `--record` appends the
report to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import datetime as dt
import logging
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dnslib import DNSRecord

from dns_filter.lists.parser import parse_file
from dns_filter.server import load_fastpath

logger = logging.getLogger("benchmarks")

REPO_ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"
CHILDREN_LISTS = {"child", "educational_games", "liste_blanche"}  # sites meant for children
BLOCKED_SAMPLE = 5_000
ALLOWED_SAMPLE = 5_000
MILLION = 1_000_000
STARTUP_LIMIT = 120.0  # seconds a server may take to answer its first query


@dataclass
class ServerRun:
    name: str
    list_size: int
    startup_seconds: float = 0.0
    load_seconds: float | None = None  # our own figure for parsing + indexing the list
    qps: float = 0.0
    mean_ms: float = 0.0
    lost: int = 0
    rate_qps: float = 0.0
    rate_mean_ms: float = 0.0
    rate_p50_ms: float = 0.0
    rate_p99_ms: float = 0.0
    rate_max_ms: float = 0.0
    rss_mb: float = 0.0
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ preparation


def blocklists_dir() -> Path:
    path = REPO_ROOT.parent / "shared" / "data" / "blocklists"
    if not path.is_dir():
        raise SystemExit(f"the shared blocklists are missing: {path}")
    return path


def ensure_tools() -> None:
    missing = [tool for tool in ("dnsperf", "dnsmasq") if shutil.which(tool) is None]
    if not missing:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        logger.info("installing dnsperf and dnsmasq-base")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "dnsperf", "dnsmasq-base"],
            check=True,
            env=env,
            timeout=600,
        )
        missing = [tool for tool in ("dnsperf", "dnsmasq") if shutil.which(tool) is None]
    if missing:
        raise SystemExit(f"missing tools: {', '.join(missing)} (Debian: dnsperf dnsmasq-base)")


def merged_blocklist(folder: Path) -> list[str]:
    files = sorted([*folder.glob("ut1/*.domains"), *folder.glob("hostsvn/*-domain*.txt")])
    names: set[str] = set()
    for path in files:
        if path.stem in CHILDREN_LISTS:
            continue
        names.update(parse_file(path).names)
    return sorted(names)


def generated_names(count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    tlds = ("com", "net", "org", "vn", "com.vn", "info", "xyz", "top")
    return [
        f"{''.join(rng.choices(letters, k=rng.randint(6, 14)))}{index}.{rng.choice(tlds)}"
        for index in range(count)
    ]


PACKAGES = ("agent", "baoan", "dns_filter", "gui", "sync")


def compile_bytecode(tree: Path = REPO_ROOT) -> None:
    """Byte-compile the project's packages in `tree`, as `pip install` does: the agent is
    measured as it is installed, not compiling its modules from source at every start
    (which it does where PYTHONDONTWRITEBYTECODE is set and no .pyc was written)."""
    for package in PACKAGES:
        folder = tree / package
        if folder.is_dir() and not compileall.compile_dir(folder, quiet=1, workers=0):
            raise RuntimeError(f"cannot byte-compile {folder}")


def write_lines(path: Path, lines: Sequence[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


def write_dnsmasq_conf(path: Path, names: Sequence[str], upstream_port: int, port: int) -> None:
    settings = [
        f"port={port}",
        f"listen-address={LOOPBACK}",
        "bind-interfaces",
        "no-resolv",
        "no-hosts",
        f"server={LOOPBACK}#{upstream_port}",
        "cache-size=20000",
    ]
    with path.open("w", encoding="ascii") as out:
        out.write("\n".join(settings) + "\n")
        for name in names:
            out.write(f"address=/{name}/0.0.0.0\n")


def query_file(path: Path, blocked: Sequence[str], seed: int = 7) -> list[str]:
    """Half blocked names, half allowed ones (answered by the upstream, then cached)."""
    rng = random.Random(seed)
    chosen = rng.sample(list(blocked), min(BLOCKED_SAMPLE, len(blocked)))
    allowed = [f"www{index}.allowed-site{index % 97}.example" for index in range(ALLOWED_SAMPLE)]
    lines = [f"{name} A" for name in chosen + allowed]
    rng.shuffle(lines)
    write_lines(path, lines)
    return chosen


def free_port() -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((LOOPBACK, 0))
            port: int = udp.getsockname()[1]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            try:
                tcp.bind((LOOPBACK, port))
            except OSError:
                continue
        return port


# -------------------------------------------------------------------- measuring


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


def wait_for_answer(port: int, name: str, process: subprocess.Popen[str], limit: float) -> None:
    """Poll with one query until the server answers (or dies, or `limit` passes)."""
    deadline = time.monotonic() + limit
    payload = DNSRecord.question(name).pack()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.02)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with code {process.returncode}")
            sock.sendto(payload, (LOOPBACK, port))
            try:
                sock.recvfrom(4096)
                return
            except (TimeoutError, ConnectionRefusedError):
                continue
    raise RuntimeError(f"no answer on port {port} within {limit} s")


@contextlib.contextmanager
def started(
    command: Sequence[str],
    port: int,
    probe: str,
    run: ServerRun,
    *,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
) -> Iterator[subprocess.Popen[str]]:
    """Start a server, time it to its first answer, and stop it at the end. With
    `log_path` its stderr goes to that file (a process that logs a lot never waits on a
    full pipe in the middle of a measurement)."""
    begin = time.monotonic()
    with contextlib.ExitStack() as files:
        stderr = (
            files.enter_context(log_path.open("w", encoding="utf-8"))
            if log_path is not None
            else subprocess.PIPE
        )
        process = subprocess.Popen(
            list(command), stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=REPO_ROOT,
            env=None if env is None else {**os.environ, **env},
        )
        try:
            wait_for_answer(port, probe, process, STARTUP_LIMIT)
            run.startup_seconds = time.monotonic() - begin
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
            try:
                out, err = process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                out, err = process.communicate()
            if log_path is not None:
                err = ""
            for line in out.splitlines():
                if line.startswith("ready "):
                    run.load_seconds = float(line.split()[1])
                elif line.startswith("{"):
                    run.notes.append(f"{run.name}, {run.list_size:,} names, counters: {line}")
            if process.returncode not in (0, -15) and err.strip():
                logger.warning("%s stderr:\n%s", run.name, err.strip()[-2000:])


def dnsperf(port: int, queries: Path, *extra: str, timeout: float) -> str:
    command = ["dnsperf", "-s", LOOPBACK, "-p", str(port), "-d", str(queries), *extra]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"dnsperf failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def summary_value(output: str, label: str) -> float:
    match = re.search(rf"{re.escape(label)}:\s+([\d.]+)", output)
    if match is None:
        raise RuntimeError(f"dnsperf printed no {label!r}:\n{output[-1500:]}")
    return float(match.group(1))


def per_query_latencies(output: str) -> list[float]:
    """Latencies in seconds from dnsperf -v lines ('> NOERROR name A 0.000123')."""
    values = []
    for line in output.splitlines():
        if line.startswith("> "):
            with contextlib.suppress(ValueError, IndexError):
                values.append(float(line.rsplit(None, 1)[1]))
    return values


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def warm_up(port: int, queries: Path) -> None:
    """One rate-limited pass, so the allowed half is in the server's cache."""
    dnsperf(port, queries, "-n", "1", "-Q", "4000", timeout=60)


def measure_full_speed(port: int, queries: Path, duration: float) -> tuple[float, float, int]:
    """qps, mean latency (ms) and lost queries with dnsperf sending as fast as it can."""
    full = dnsperf(port, queries, "-l", str(duration), timeout=duration + 60)
    return (
        summary_value(full, "Queries per second"),
        summary_value(full, "Average Latency (s)") * 1000,
        int(summary_value(full, "Queries lost")),
    )


def measure_paced(port: int, queries: Path, duration: float) -> tuple[float, ...]:
    """qps, mean, p50, p99 and max latency (ms) at 1,000 qps, from per-query latencies."""
    paced = dnsperf(port, queries, "-l", str(duration), "-Q", "1000", "-v", timeout=duration + 60)
    latencies = per_query_latencies(paced)
    if not latencies:
        raise RuntimeError("dnsperf -v printed no per-query latencies")
    return (
        summary_value(paced, "Queries per second"),
        statistics.fmean(latencies) * 1000,
        percentile(latencies, 0.50) * 1000,
        percentile(latencies, 0.99) * 1000,
        max(latencies) * 1000,
    )


def measure_all(
    servers: Sequence[tuple[ServerRun, int, int]], queries: Path, duration: float, rounds: int
) -> None:
    """Full-speed and paced runs interleaved over `rounds` (the machine is shared:
    interleaving spreads any disturbance over every server); each server keeps its
    median round of each kind (by qps, and by p99)."""
    for _run, port, _pid in servers:
        warm_up(port, queries)
    full: dict[str, list[tuple[float, float, int]]] = {run.name: [] for run, _, _ in servers}
    paced: dict[str, list[tuple[float, ...]]] = {run.name: [] for run, _, _ in servers}
    for round_number in range(rounds):
        for run, port, _pid in servers:
            logger.info("round %d: %s at full speed", round_number + 1, run.name)
            full[run.name].append(measure_full_speed(port, queries, duration))
        for run, port, _pid in servers:
            logger.info("round %d: %s at 1,000 qps", round_number + 1, run.name)
            paced[run.name].append(measure_paced(port, queries, duration))
    for run, _port, pid in servers:
        ordered = sorted(full[run.name])
        run.qps, run.mean_ms, run.lost = ordered[len(ordered) // 2]
        by_p99 = sorted(paced[run.name], key=lambda sample: sample[3])
        (
            run.rate_qps,
            run.rate_mean_ms,
            run.rate_p50_ms,
            run.rate_p99_ms,
            run.rate_max_ms,
        ) = by_p99[len(by_p99) // 2]
        run.notes.append(
            f"{run.name}: max qps per round "
            + ", ".join(f"{qps:,.0f}" for qps, _, _ in ordered)
            + "; p99 ms at 1,000 qps per round "
            + ", ".join(f"{sample[3]:.3f}" for sample in by_p99)
        )
        run.rss_mb = rss_mb(pid)


def filter_command(
    port: int, upstream_port: int, names_file: Path, loop: str, fastpath: bool
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "benchmarks.filter_process",
        "--port",
        str(port),
        "--upstream-port",
        str(upstream_port),
        "--list",
        str(names_file),
        "--loop",
        loop,
        "--max-seconds",
        "600",
        "--fastpath",
        "on" if fastpath else "off",
    ]


def dnsmasq_command(conf: Path) -> list[str]:
    return ["dnsmasq", "--keep-in-foreground", f"--conf-file={conf}", "--pid-file=", "--user=root"]


# --------------------------------------------------------------------- reporting


def machine_line() -> str:
    model = "unknown CPU"
    cores = os.cpu_count() or 0
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        found = re.search(r"Model name:\s+(.+)", lscpu)
        if found:
            model = found.group(1).strip()
    dnsmasq_version = subprocess.run(
        ["dnsmasq", "--version"], capture_output=True, text=True, timeout=10
    ).stdout.split("\n", 1)[0]
    dnsperf_version = re.search(
        r"Version ([\d.]+)",
        subprocess.run(["dnsperf", "-h"], capture_output=True, text=True, timeout=10).stderr
        + subprocess.run(["dnsperf", "-h"], capture_output=True, text=True, timeout=10).stdout,
    )
    return (
        f"{model}, {cores} cores; Python {platform.python_version()}; "
        f"{dnsmasq_version}; dnsperf {dnsperf_version.group(1) if dnsperf_version else '?'}"
    )


def report(
    runs: Sequence[ServerRun],
    million: Sequence[ServerRun],
    duration: float,
    rounds: int,
    list_size: int,
    loads_before: tuple[float, ...] = (),
) -> str:
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    loads = ", ".join(f"{value:.2f}" for value in loads_before)
    after = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    lines = [
        f"## Run of {when}",
        "",
        f"Machine: {machine_line()}. Load average (1, 5, 15 min) before: {loads or '?'}; "
        f"after: {after}.",
        f"Lists: {list_size:,} names (merged plain domain lists of shared/data/blocklists); "
        f"query mix: {BLOCKED_SAMPLE:,} blocked + {ALLOWED_SAMPLE:,} allowed names, shuffled, "
        f"allowed ones cached after a warm-up pass; dnsperf {duration:g} s per measurement; "
        f"each figure is the median of {rounds} interleaved rounds.",
        "",
        "| server | start-up s | max qps | mean ms | lost | at 1,000 qps: mean ms | p50 ms "
        "| p99 ms | max ms | RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        lines.append(
            f"| {run.name} | {run.startup_seconds:.2f} | {run.qps:,.0f} | {run.mean_ms:.3f} "
            f"| {run.lost} | {run.rate_mean_ms:.3f} | {run.rate_p50_ms:.3f} "
            f"| {run.rate_p99_ms:.3f} | {run.rate_max_ms:.3f} | {run.rss_mb:.1f} |"
        )
    lines += [
        "",
        f"{MILLION:,} generated names:",
        "",
        "| server | names | start-up s (to first answer) | list load s | RSS MB |",
        "|---|---|---|---|---|",
    ]
    for run in million:
        load = f"{run.load_seconds:.2f}" if run.load_seconds is not None else "—"
        lines.append(
            f"| {run.name} | {run.list_size:,} | {run.startup_seconds:.2f} | {load} "
            f"| {run.rss_mb:.1f} |"
        )
    lines += ["", *targets(runs, million)]
    notes = [note for run in [*runs, *million] for note in run.notes]
    if notes:
        lines += ["", *[f"- {note}" for note in notes]]
    return "\n".join(lines) + "\n"


def targets(runs: Sequence[ServerRun], million: Sequence[ServerRun]) -> list[str]:
    """Issue 3, item 11, judged on this run's figures."""
    ours = [run for run in runs if run.name != "dnsmasq"]
    dnsmasq = next((run for run in runs if run.name == "dnsmasq"), None)
    lines = ["Targets (issue 3, item 11), this run:", ""]
    for run in ours:
        if dnsmasq is not None:
            share = run.qps / dnsmasq.qps if dnsmasq.qps else 0.0
            verdict = "met" if run.qps >= dnsmasq.qps else "NOT met"
            lines.append(
                f"- {run.name}: max qps at least dnsmasq's — **{verdict}** "
                f"({run.qps:,.0f} against {dnsmasq.qps:,.0f}, {share:.0%})"
            )
        verdict = "met" if run.rate_p99_ms < 2.0 else "NOT met"
        lines.append(
            f"- {run.name}: p99 under 2 ms at 1,000 qps — **{verdict}** ({run.rate_p99_ms:.3f} ms)"
        )
    for run in million:
        if run.name == "dnsmasq" or run.load_seconds is None:
            continue
        verdict = "met" if run.load_seconds < 3.0 and run.rss_mb < 150.0 else "NOT met"
        lines.append(
            f"- {run.name}: {run.list_size:,} names in under 3 s and 150 MB — **{verdict}** "
            f"({run.load_seconds:.2f} s to load, {run.startup_seconds:.2f} s to the first "
            f"answer, {run.rss_mb:.1f} MB)"
        )
    return lines


# -------------------------------------------------------------------------- main


def filter_variants(args: argparse.Namespace) -> list[tuple[str, str, bool]]:
    """(label, event loop, C fast path) for each run of our filter."""
    loops = ["asyncio", "uvloop"] if args.loop == "both" else [args.loop]
    built = args.fastpath != "off" and load_fastpath() is not None
    if args.fastpath == "on" and not built:
        raise SystemExit("the C fast path is not built (or BAOAN_DNS_FASTPATH=0)")
    if not built:
        return [(loop, loop, False) for loop in loops]
    variants = [(f"{loop}, C fast path", loop, True) for loop in loops]
    if args.fastpath == "both":
        variants.append(("asyncio, Python", "asyncio", False))
    return variants


def run_all(args: argparse.Namespace, work: Path) -> str:
    compile_bytecode()
    loads_before = os.getloadavg()
    names = merged_blocklist(blocklists_dir())
    logger.info("merged blocklist: %d names", len(names))
    names_file = work / "blocked.txt"
    write_lines(names_file, names)
    queries = work / "queries.txt"
    blocked_sample = query_file(queries, names)
    probe = blocked_sample[0]

    upstream_port = free_port()
    upstream = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.standin_upstream", "--port", str(upstream_port)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    try:
        assert upstream.stdout is not None
        upstream.stdout.readline()  # "ready"
        variants = filter_variants(args)
        conf = work / "dnsmasq.conf"
        with contextlib.ExitStack() as stack:
            servers: list[tuple[ServerRun, int, int]] = []
            for label, loop, fastpath in variants:
                run = ServerRun(f"Bảo An ({label})", len(names))
                port = free_port()
                logger.info("starting %s on port %d", run.name, port)
                command = filter_command(port, upstream_port, names_file, loop, fastpath)
                process = stack.enter_context(started(command, port, probe, run))
                servers.append((run, port, process.pid))
            run = ServerRun("dnsmasq", len(names))
            port = free_port()
            write_dnsmasq_conf(conf, names, upstream_port, port)
            logger.info("starting dnsmasq on port %d", port)
            process = stack.enter_context(started(dnsmasq_command(conf), port, probe, run))
            servers.append((run, port, process.pid))
            measure_all(servers, queries, args.duration, args.rounds)
        runs = [run for run, _, _ in servers]

        million_names = generated_names(MILLION)
        million_file = work / "million.txt"
        write_lines(million_file, million_names)
        million: list[ServerRun] = []
        for label, loop, fastpath in variants[:1]:
            run = ServerRun(f"Bảo An ({label})", MILLION)
            port = free_port()
            logger.info("loading 1M names into %s", run.name)
            command = filter_command(port, upstream_port, million_file, loop, fastpath)
            with started(command, port, million_names[0], run) as process:
                run.rss_mb = rss_mb(process.pid)
            million.append(run)
        run = ServerRun("dnsmasq", MILLION)
        port = free_port()
        write_dnsmasq_conf(conf, million_names, upstream_port, port)
        logger.info("loading 1M names into dnsmasq")
        with started(dnsmasq_command(conf), port, million_names[0], run) as process:
            run.rss_mb = rss_mb(process.pid)
        million.append(run)
    finally:
        upstream.terminate()
        upstream.wait(10)
    return report(runs, million, args.duration, args.rounds, len(names), loads_before)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.filter_vs_dnsmasq", description=__doc__
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per dnsperf run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved full-speed runs")
    parser.add_argument("--loop", choices=["asyncio", "uvloop", "both"], default="both")
    parser.add_argument(
        "--fastpath",
        choices=["both", "on", "off"],
        default="both",
        help="our filter with the C fast path (when built), the Python path, or both",
    )
    parser.add_argument("--record", action="store_true", help="append the report to BENCHMARKS.md")
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 60:
        parser.error("--duration must be between 1 and 60 seconds")
    if not 1 <= args.rounds <= 9:
        parser.error("--rounds must be between 1 and 9")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.loop != "asyncio":
        try:
            import uvloop  # noqa: F401
        except ImportError:
            logger.warning("uvloop is not installed; measuring the asyncio loop only")
            args.loop = "asyncio"
    ensure_tools()
    with tempfile.TemporaryDirectory(prefix="baoan-bench-") as work:
        text = report_text = run_all(args, Path(work))
    print(report_text)
    if args.record:
        target = REPO_ROOT / "BENCHMARKS.md"
        with target.open("a", encoding="utf-8") as out:
            out.write("\n" + text)
        logger.info("appended to %s", target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
