"""A flood of junk from one client must not hurt another: the agent under 1,000,000 bad
UDP packets while a second client asks well-formed questions at 200 qps.

    python -m benchmarks.flood [--packets 1000000] [--seconds 120] [--record]

`baoan agent` runs as a family runs it (page mode, the query log to SQLite, the merged
shared lists as its `adult` category, a stand-in upstream on loopback). A flooder process
on 127.0.0.2 sends `--packets` datagrams as fast as it can, stopping early at `--seconds`:
random bytes of random length, headers cut short, answers (QR set) sent as questions, two
questions, label lengths past 63, compression pointers in the question, names running
past the end, unknown opcodes and EDNS versions, and oversized packets. Meanwhile the
well-formed client on 127.0.0.1 asks one question every 5 ms (a new name now and then,
forwarded upstream; mostly names asked before, answered from the memo; some blocked ones)
and waits up to 2 s for each answer; it starts 2 s before the flood and ends 2 s after.

Reported: the flood's packets and rate, the well-formed questions asked, answered and
lost (no answer within 2 s) and their latencies, the agent's RSS before the flood, at its
highest during it (sampled every 0.2 s) and after, and whether the agent still runs. The
targets: nothing lost, no crash, RSS within 20 MB of where it started. Every packet goes
to loopback; the count and the time are both bounded.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import os
import platform
import random
import select
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dnslib import DNSRecord

from benchmarks.agent_mixes import agent_command, family_toml, upstream_process, wait_until_blocking
from benchmarks.filter_vs_dnsmasq import (
    LOOPBACK,
    REPO_ROOT,
    ServerRun,
    blocklists_dir,
    compile_bytecode,
    free_port,
    merged_blocklist,
    percentile,
    rss_mb,
    started,
    write_lines,
)

logger = logging.getLogger("benchmarks.flood")

FLOOD_SOURCE = "127.0.0.2"  # loopback too: the agent never rate-limits the PC itself
GOOD_INTERVAL = 0.005  # 200 qps
ANSWER_WAIT = 2.0
LEAD_SECONDS = 2.0
MAX_SECONDS = 600.0


# ------------------------------------------------------------------ the junk


def junk_packets(rng: random.Random, count: int) -> list[bytes]:
    """`count` bad datagrams of every kind the module docstring lists."""
    makers = (
        lambda: rng.randbytes(rng.randint(0, 600)),  # random bytes (half with QR set)
        lambda: rng.randbytes(rng.randint(0, 11)),  # shorter than a header
        lambda: _header(rng, flags=0x8180) + _question(rng),  # an answer, not a question
        lambda: _header(rng, qdcount=2) + _question(rng) + _question(rng),
        lambda: _header(rng) + bytes([64 + rng.randint(0, 63)]) + rng.randbytes(70) + b"\0",
        lambda: _header(rng) + b"\xc0\x0c\x00\x01\x00\x01",  # a pointer at itself
        lambda: _header(rng) + b"\x3fabc",  # a label running past the end
        lambda: _header(rng, flags=0x2800) + _question(rng),  # opcode 5 (update)
        lambda: _header(rng, arcount=1) + _question(rng) + _OPT_VERSION_1,
        lambda: _header(rng) + rng.randbytes(rng.randint(1200, 4000)),  # oversized
    )
    return [makers[index % len(makers)]() for index in range(count)]


# An OPT record asking for EDNS version 1 (BADVERS).
_OPT_VERSION_1 = b"\x00\x00\x29\x04\xd0\x00\x01\x00\x00\x00\x00"


def _header(rng: random.Random, flags: int = 0x0100, qdcount: int = 1, arcount: int = 0) -> bytes:
    return struct.pack(">HHHHHH", rng.getrandbits(16), flags, qdcount, 0, 0, arcount)


def _question(rng: random.Random) -> bytes:
    label = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 20)))
    return bytes([len(label)]) + label + b"\x07example\x00" + b"\x00\x01\x00\x01"


def flood_main(port: int, packets: int, seconds: float, seed: int) -> int:
    """The flooder process: send `packets` junk datagrams to 127.0.0.1:`port`."""
    rng = random.Random(seed)
    pool = junk_packets(rng, 65_536)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((FLOOD_SOURCE, 0))
    sock.setblocking(False)
    target = (LOOPBACK, port)
    sent = 0
    began = time.monotonic()
    deadline = began + seconds
    send = sock.sendto
    while sent < packets and time.monotonic() < deadline:
        for data in pool[: min(len(pool), packets - sent)]:
            try:
                send(data, target)
            except (BlockingIOError, InterruptedError):
                select.select([], [sock], [], 0.01)
                continue
            except OSError:  # e.g. ICMP from an earlier packet
                continue
            sent += 1
        rng.shuffle(pool)
    print(f"{sent} {time.monotonic() - began:.3f}", flush=True)
    return 0


# ------------------------------------------------------------ the good client


@dataclass
class GoodClient:
    """Asks a question every 5 ms from its own socket and matches answers by ID."""

    port: int
    names: Sequence[str]
    asked: int = 0
    answered: int = 0
    wrong: int = 0
    latencies: list[float] = field(default_factory=list)
    outstanding: dict[int, float] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        rng = random.Random(5)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((LOOPBACK, 0))
        sock.setblocking(False)
        next_send = time.monotonic()
        ident = 0
        try:
            while not self.stop.is_set() or (
                self.outstanding and time.monotonic() < next_send + ANSWER_WAIT
            ):
                now = time.monotonic()
                if not self.stop.is_set() and now >= next_send:
                    ident = (ident + 1) & 0xFFFF
                    pick = rng.random()
                    if pick < 0.1:
                        name = f"new{self.asked}.flood-check.example"  # forwarded upstream
                    else:
                        name = self.names[rng.randrange(len(self.names))]
                    query = DNSRecord.question(name)
                    query.header.id = ident
                    sock.sendto(query.pack(), (LOOPBACK, self.port))
                    self.outstanding[ident] = now
                    self.asked += 1
                    next_send += GOOD_INTERVAL
                self._receive(sock)
                wait = max(0.0, min(next_send - time.monotonic(), 0.005))
                select.select([sock], [], [], wait)
        finally:
            sock.close()

    def _receive(self, sock: socket.socket) -> None:
        while True:
            try:
                data = sock.recv(4096)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                continue
            if len(data) < 2:
                self.wrong += 1
                continue
            ident = struct.unpack_from(">H", data)[0]
            sent_at = self.outstanding.pop(ident, None)
            if sent_at is None:
                self.wrong += 1
                continue
            latency = time.monotonic() - sent_at
            if latency <= ANSWER_WAIT:
                self.answered += 1
                self.latencies.append(latency)

    @property
    def lost(self) -> int:
        return self.asked - self.answered


# ------------------------------------------------------------------- the run


@dataclass(frozen=True)
class FloodResult:
    packets: int
    flood_seconds: float
    asked: int
    answered: int
    lost: int
    wrong: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    rss_before: float
    rss_peak: float
    rss_after: float
    alive: bool
    loads: tuple[tuple[float, ...], tuple[float, ...]]
    list_size: int


@contextlib.contextmanager
def sampling_rss(pid: int) -> Iterator[list[float]]:
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            with contextlib.suppress(OSError):
                samples.append(rss_mb(pid))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        done.set()
        thread.join(2)


def run_flood(args: argparse.Namespace, work: Path) -> FloodResult:
    names = merged_blocklist(blocklists_dir())
    if args.quick:
        names = names[: len(names) // 10]
    list_path = work / "blocked.txt"
    write_lines(list_path, names)
    rng = random.Random(3)
    good_names = [f"www{index}.allowed{index % 7}.example" for index in range(200)]
    good_names += rng.sample(names, 100)
    loads_before = os.getloadavg()
    upstream_port = free_port()
    with upstream_process(upstream_port), contextlib.ExitStack() as stack:
        config = work / "family.toml"
        family_toml(config, upstream_port, list_path)
        port, http_port = free_port(), free_port()
        run = ServerRun("Bảo An agent", len(names))
        agent = stack.enter_context(
            started(agent_command(config, work / "data", port, http_port), port, names[0], run,
                    log_path=work / "agent.log")
        )
        wait_until_blocking(port, names[0])
        for name in good_names:  # the memo as a family's day leaves it
            with contextlib.suppress(OSError):
                DNSRecord.question(name).send(LOOPBACK, port, timeout=1.0)
        time.sleep(1.0)
        rss_before = rss_mb(agent.pid)
        client = GoodClient(port, good_names)
        asking = threading.Thread(target=client.run, daemon=True)
        with sampling_rss(agent.pid) as samples:
            asking.start()
            time.sleep(LEAD_SECONDS)
            flooder = subprocess.run(
                [sys.executable, "-m", "benchmarks.flood", "--flooder", "--port", str(port),
                 "--packets", str(args.packets), "--seconds", f"{args.seconds:g}"],
                capture_output=True, text=True, cwd=REPO_ROOT, timeout=args.seconds + 60,
                check=True,
            )
            time.sleep(LEAD_SECONDS)
            client.stop.set()
            asking.join(ANSWER_WAIT + 5)
        sent, seconds = flooder.stdout.split()
        alive = agent.poll() is None
        with contextlib.suppress(OSError):
            DNSRecord.question(good_names[0]).send(LOOPBACK, port, timeout=2.0)
        alive = alive and agent.poll() is None
        rss_after = rss_mb(agent.pid) if alive else 0.0
    latencies = sorted(client.latencies) or [0.0]
    return FloodResult(
        packets=int(sent),
        flood_seconds=float(seconds),
        asked=client.asked,
        answered=client.answered,
        lost=client.lost,
        wrong=client.wrong,
        p50_ms=percentile(latencies, 0.5) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        max_ms=max(latencies) * 1000,
        rss_before=rss_before,
        rss_peak=max([rss_before, *samples]),
        rss_after=rss_after,
        alive=alive,
        loads=(loads_before, os.getloadavg()),
        list_size=len(names),
    )


def report(result: FloodResult) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    before, after = (", ".join(f"{value:.2f}" for value in load) for load in result.loads)
    growth = result.rss_peak - result.rss_before
    rate = result.packets / result.flood_seconds if result.flood_seconds else 0.0
    lines = [
        f"### A flood of junk UDP packets: run of {when}",
        "",
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores "
        f"(shared). Load average (1, 5, 15 min) before: {before}; after: {after}. "
        f"`baoan agent` (page mode, query log to SQLite, {result.list_size:,} names).",
        "",
        "| junk packets | flood s | packets/s | good asked | answered | lost | p50 ms "
        "| p99 ms | max ms | RSS before MB | peak MB | after MB | agent alive |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {result.packets:,} | {result.flood_seconds:.1f} | {rate:,.0f} | {result.asked:,} "
        f"| {result.answered:,} | {result.lost:,} | {result.p50_ms:.3f} | {result.p99_ms:.3f} "
        f"| {result.max_ms:.1f} | {result.rss_before:.1f} | {result.rss_peak:.1f} "
        f"| {result.rss_after:.1f} | {'yes' if result.alive else 'NO'} |",
        "",
        f"- The well-formed client loses nothing — **{'met' if result.lost == 0 else 'NOT met'}** "
        f"({result.lost:,} of {result.asked:,} without an answer within {ANSWER_WAIT:g} s; "
        f"{result.wrong} unexpected datagrams)",
        f"- The agent does not crash — **{'met' if result.alive else 'NOT met'}**",
        f"- RSS within 20 MB of where it started — **{'met' if growth <= 20 else 'NOT met'}** "
        f"(+{growth:.1f} MB at the highest)",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.flood", description=__doc__)
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=120.0, help="the flood's time limit")
    parser.add_argument("--quick", action="store_true", help="a tenth of the lists")
    parser.add_argument("--record", action="store_true", help="append the report to BENCHMARKS.md")
    parser.add_argument("--flooder", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.packets <= 10_000_000 or not 1 <= args.seconds <= MAX_SECONDS:
        parser.error(f"--packets must be 1–10,000,000 and --seconds 1–{MAX_SECONDS:g}")
    if args.flooder:
        return flood_main(args.port, args.packets, args.seconds, seed=17)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="baoan-flood-") as work:
        result = run_flood(args, Path(work))
    text = report(result)
    print(text)
    if args.record:
        with (REPO_ROOT / "BENCHMARKS.md").open("a", encoding="utf-8") as out:
            out.write("\n" + text)
    return 0 if result.lost == 0 and result.alive else 1


if __name__ == "__main__":
    sys.exit(main())
