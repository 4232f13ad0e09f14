"""The cost of screen-time monitoring: the agent (no lists) and the child's tray.

    python -m benchmarks.monitoring [--seconds 60] [--processes 400] [--no-mpris] [--record]
    ./dev bench --only monitoring [--quick] [--record]

1. Starts 400 sleeping processes of this account, which the family names as the child's,
   so that every pass of the agent's process sampler looks at each one.
2. Starts the real agent (``baoan agent`` in its own process, DNS and HTTP on loopback,
   no blocklists downloaded) with its default intervals: the sampler every 15 s, the
   session, clock and save jobs every 10–30 s.
3. Starts the real tray (``baoan tray``, Qt offscreen) on an Xvfb display with a window
   in front, so that its X11 watcher reads the active window, its process, title and the
   idle time, and sends a heartbeat every 5 s to the agent.
4. Gives the tray a session bus of its own (a private ``dbus-daemon``) with two stand-in
   MPRIS players, one paused and one playing (:mod:`benchmarks.mpris`), so that its media
   check runs as on a desktop with players open: every 5 s one ``dbus-send`` for the bus's
   names and one per player. ``--no-mpris`` leaves the tray the environment's bus.
5. After a warm-up, measures the processes' CPU time (the short-lived ``dbus-send`` and
   ``loginctl`` the tray runs included: a process's waited children count in its own
   times) and RSS over `--seconds`, and the bus daemon's, with the load average before and
   after (the machine may be shared).

Targets (issue 12, item 13): the agent under 1% of one core and under 60 MB RSS.
`--record` appends the report to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import psutil

from agent.auth import TRAY_TOKEN_SECRET_NAME
from agent.policy.template import render_initial_policy
from agent.secrets import open_secret_store
from agent.tray.identity import load_tray_user_keys
from benchmarks.mpris import SessionBus, private_session_bus
from dns_filter.http_client import HttpClient, HttpError

log = logging.getLogger("benchmarks.monitoring")

REPO_ROOT = Path(__file__).resolve().parents[1]
WARM_UP_SECONDS = 20.0
WINDOW_PROGRAM = (
    "import ctypes, ctypes.util, os, sys\n"
    "c = ctypes; x = c.cdll.LoadLibrary(c.util.find_library('X11'))\n"
    "x.XOpenDisplay.restype = c.c_void_p; x.XOpenDisplay.argtypes = (c.c_char_p,)\n"
    "x.XDefaultRootWindow.restype = c.c_ulong; x.XDefaultRootWindow.argtypes = (c.c_void_p,)\n"
    "x.XCreateSimpleWindow.restype = c.c_ulong\n"
    "x.XCreateSimpleWindow.argtypes = (c.c_void_p, c.c_ulong, c.c_int, c.c_int, c.c_uint,"
    " c.c_uint, c.c_uint, c.c_ulong, c.c_ulong)\n"
    "x.XInternAtom.restype = c.c_ulong\n"
    "x.XInternAtom.argtypes = (c.c_void_p, c.c_char_p, c.c_int)\n"
    "x.XMapWindow.argtypes = (c.c_void_p, c.c_ulong); x.XFlush.argtypes = (c.c_void_p,)\n"
    "x.XChangeProperty.argtypes = (c.c_void_p, c.c_ulong, c.c_ulong, c.c_ulong, c.c_int,"
    " c.c_int, c.c_void_p, c.c_int)\n"
    "d = x.XOpenDisplay(None); root = x.XDefaultRootWindow(d)\n"
    "w = x.XCreateSimpleWindow(d, root, 0, 0, 200, 100, 0, 0, 0)\n"
    "a = lambda n: x.XInternAtom(d, n.encode(), 0)\n"
    "t = b'Minecraft'\n"
    "x.XChangeProperty(d, w, a('_NET_WM_NAME'), a('UTF8_STRING'), 8, 0, t, len(t))\n"
    "p = (c.c_ulong * 1)(os.getpid())\n"
    "x.XChangeProperty(d, w, a('_NET_WM_PID'), a('CARDINAL'), 32, 0, p, 1)\n"
    "x.XMapWindow(d, w); q = (c.c_ulong * 1)(w)\n"
    "x.XChangeProperty(d, root, a('_NET_ACTIVE_WINDOW'), a('WINDOW'), 32, 0, q, 1)\n"
    "x.XFlush(d); print(w, flush=True); sys.stdin.read()\n"
)


def baoan_command() -> list[str]:
    return [sys.executable, "-c", "import sys; from baoan.cli import main; sys.exit(main())"]


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    return server, f":{number}"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_health(api_url: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    with HttpClient() as http:
        while time.monotonic() < deadline:
            try:
                if http.get(api_url + "/api/health", timeout=1).ok:
                    return
            except HttpError:
                pass
            time.sleep(0.2)
    raise RuntimeError("the agent did not answer")


def measure(processes: dict[str, psutil.Process], seconds: float) -> dict[str, dict[str, float]]:
    def cpu(process: psutil.Process) -> float:
        times = process.cpu_times()
        # Children it has waited for (the tray's dbus-send and loginctl) count here.
        total = times.user + times.system + times.children_user + times.children_system
        for child in process.children(recursive=True):
            try:
                child_times = child.cpu_times()
                total += child_times.user + child_times.system
            except psutil.Error:
                pass
        return total

    before = {name: cpu(p) for name, p in processes.items()}
    started = time.monotonic()
    peak = dict.fromkeys(processes, 0.0)
    while time.monotonic() - started < seconds:
        for name, process in processes.items():
            peak[name] = max(peak[name], process.memory_info().rss / 2**20)
        time.sleep(1.0)
    elapsed = time.monotonic() - started
    return {
        name: {
            "cpu_percent": 100.0 * (cpu(process) - before[name]) / elapsed,
            "rss_mb": peak[name],
        }
        for name, process in processes.items()
    }


def run(
    seconds: float, count: int, mpris: bool = True
) -> tuple[dict[str, dict[str, float]], dict[str, object]]:
    if shutil.which("Xvfb") is None:
        raise SystemExit("Xvfb is needed (apt-get install xvfb)")
    if mpris and (shutil.which("dbus-daemon") is None or shutil.which("dbus-send") is None):
        raise SystemExit("dbus-daemon and dbus-send are needed (or --no-mpris)")
    if not mpris:
        return _run(seconds, count, None)
    with private_session_bus() as bus:
        return _run(seconds, count, bus)


def _run(
    seconds: float, count: int, bus: SessionBus | None
) -> tuple[dict[str, dict[str, float]], dict[str, object]]:
    user = getpass.getuser()
    sleepers = [
        subprocess.Popen(["sleep", str(int(seconds + 600))]) for _ in range(count)
    ]
    work = Path(tempfile.mkdtemp(prefix="baoan-monitoring-"))
    xvfb, display = start_xvfb()
    window: subprocess.Popen[str] | None = None
    agent: subprocess.Popen[bytes] | None = None
    tray: subprocess.Popen[bytes] | None = None
    try:
        config = work / "family.toml"
        config.write_text(
            render_initial_policy("An", 12, [user], ["udp://127.0.0.1:9"]), encoding="utf-8"
        )
        data_dir = work / "data"
        port = free_port()
        api_url = f"http://127.0.0.1:{port}"
        agent = subprocess.Popen(
            [
                *baoan_command(), "agent", "--config", str(config), "--data-dir", str(data_dir),
                "--dns-listen", f"127.0.0.1:{free_port()}", "--http-listen", f"127.0.0.1:{port}",
                "--block-page-listen", "none", "--no-list-refresh",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_health(api_url)
        secrets = open_secret_store(data_dir)
        token = secrets.get(TRAY_TOKEN_SECRET_NAME)
        key = load_tray_user_keys(secrets).key_for(user)
        token_file = work / "tray-token.json"
        token_file.write_text(
            json.dumps({"token": token, "user": user, "user_key": key, "api_url": api_url}),
            encoding="utf-8",
        )
        window = subprocess.Popen(
            [sys.executable, "-c", WINDOW_PROGRAM],
            env={**os.environ, "DISPLAY": display},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert window.stdout is not None
        window.stdout.readline()
        tray_env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "offscreen"}
        if bus is not None:
            tray_env["DBUS_SESSION_BUS_ADDRESS"] = bus.address
        tray = subprocess.Popen(
            [*baoan_command(), "tray", "--token-file", str(token_file)],
            env=tray_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(WARM_UP_SECONDS)
        watched = {"agent": psutil.Process(agent.pid), "tray": psutil.Process(tray.pid)}
        if bus is not None:
            watched["dbus-daemon"] = bus.daemon
        load_before = os.getloadavg()
        asked_before = bus.answered if bus is not None else 0
        figures = measure(watched, seconds)
        counted = seconds_counted(data_dir)
        return figures, {
            "counted_seconds": counted,
            "processes": len(psutil.pids()),
            "load_before": load_before,
            "load_after": os.getloadavg(),
            "mpris_players": len(bus.players) if bus is not None else 0,
            "mpris_answers": (bus.answered - asked_before) if bus is not None else 0,
        }
    finally:
        for process in (tray, agent):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        if window is not None and window.stdin is not None:
            window.stdin.close()
            window.wait(timeout=10)
        xvfb.terminate()
        xvfb.wait(timeout=10)
        for sleeper in sleepers:
            sleeper.kill()
        for sleeper in sleepers:
            sleeper.wait()
        shutil.rmtree(work, ignore_errors=True)


def seconds_counted(data_dir: Path) -> int:
    """What the agent counted for the child (proof that the heartbeats arrived)."""
    from agent.store import Store

    store = Store(data_dir / "baoan.sqlite3")
    try:
        saved = store.kv.get("usage.counter.An") or {}
    finally:
        store.close()
    tally = saved.get("tally", {}) if isinstance(saved, dict) else {}
    return int(tally.get("counted_seconds", 0)) if isinstance(tally, dict) else 0


def report(
    figures: dict[str, dict[str, float]], extra: dict[str, object], args: argparse.Namespace
) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    agent, tray = figures["agent"], figures["tray"]
    players = int(str(extra["mpris_players"]))
    before, after = extra["load_before"], extra["load_after"]
    assert isinstance(before, tuple) and isinstance(after, tuple)
    media = (
        f"the tray's media check against {players} stand-in MPRIS players (one paused, one "
        "playing) on a private dbus-daemon"
        if players
        else "the tray's media check on the environment's session bus (no stand-in players)"
    )
    lines = [
        f"### Screen-time monitoring, {when}",
        "",
        f"{platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, shared with other people's work: load average (1, 5, "
        f"15 min) {_load(before)} before, {_load(after)} after. {args.processes} extra "
        f"processes of the child's account ({extra['processes']} in all), measured over "
        f"{args.seconds:.0f} s after {WARM_UP_SECONDS:.0f} s of warm-up; default intervals "
        "(heartbeat 5 s, process sampler 15 s, session 10 s, clock 30 s, save 10 s); "
        f"{media}. CPU counts the processes' waited children (the tray's `dbus-send`).",
        "",
        "| process | CPU (% of one core) | RSS peak (MB) | target |",
        "|---|---:|---:|---|",
        f"| agent (`baoan agent`, no lists) | {agent['cpu_percent']:.2f} | "
        f"{agent['rss_mb']:.1f} | < 1 %, < 60 MB |",
        f"| tray (`baoan tray`, Qt offscreen, X11 watcher on Xvfb"
        f"{', MPRIS check' if players else ''}) | "
        f"{tray['cpu_percent']:.2f} | {tray['rss_mb']:.1f} | — |",
    ]
    if "dbus-daemon" in figures:
        daemon = figures["dbus-daemon"]
        lines.append(
            f"| the session bus (`dbus-daemon`, answering the tray) | "
            f"{daemon['cpu_percent']:.2f} | {daemon['rss_mb']:.1f} | — |"
        )
    lines += [
        "",
        f"The agent counted {extra['counted_seconds']} s for the child by the end (the "
        "heartbeats arrived)"
        + (
            f"; the players answered {extra['mpris_answers']} `PlaybackStatus` questions "
            "while measured (the tray asked)."
            if players
            else "."
        ),
        "",
    ]
    return "\n".join(lines)


def _load(values: tuple[float, ...]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.monitoring")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--processes", type=int, default=400)
    parser.add_argument(
        "--no-mpris", action="store_true", help="no private session bus with MPRIS players"
    )
    parser.add_argument("--record", action="store_true", help="append to BENCHMARKS.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    figures, extra = run(args.seconds, args.processes, mpris=not args.no_mpris)
    text = report(figures, extra, args)
    sys.stdout.write(text)
    if args.record:
        with (REPO_ROOT / "BENCHMARKS.md").open("a", encoding="utf-8") as out:
            out.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
