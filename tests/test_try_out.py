"""`baoan try`: the README's main job, run as a newcomer would, then stopped with Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from dnslib import QTYPE, DNSRecord


def free_ports() -> tuple[int, int]:
    """Two different ports, each free for UDP and TCP when asked (the agent binds both)."""
    ports: list[int] = []
    while len(ports) < 2:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
        if port not in ports:
            ports.append(port)
    return ports[0], ports[1]


def start_try_out(tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    """`baoan try` on free ports; started again on others if a program took a port between
    the look and the agent's bind (the suite may share the machine)."""
    env = {key: value for key, value in os.environ.items() if key not in ("DISPLAY",)}
    for _attempt in range(3):
        dns_port, http_port = free_ports()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "agent.cli",
                "try",
                "--no-dashboard",
                "--data-dir",
                str(tmp_path),
                "--dns-listen",
                f"127.0.0.1:{dns_port}",
                "--http-listen",
                f"127.0.0.1:{http_port}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**env, "PYTHONUNBUFFERED": "1"},
        )
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            return process, dns_port  # still running: it has its ports
        _out, err = process.communicate()
        if "in use" not in err:
            raise AssertionError(f"the try-out agent stopped at once: {err}")
    raise AssertionError("no free ports for the try-out agent in three tries")


def test_try_runs_a_sample_family_prints_next_steps_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    process, dns_port = start_try_out(tmp_path)
    try:
        reply = None
        deadline = time.monotonic() + 30
        while reply is None and time.monotonic() < deadline:
            try:
                query = DNSRecord.question("pornhub.com")
                reply = DNSRecord.parse(query.send("127.0.0.1", dns_port, timeout=0.5))
            except OSError:
                time.sleep(0.2)
        assert reply is not None, "the try-out agent never answered"
        assert [str(rr.rdata) for rr in reply.rr if rr.rtype == QTYPE.A] == ["127.0.0.1"]
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert f"dig @127.0.0.1 -p {dns_port} pornhub.com" in out
    assert "1234" in out  # the try-out PIN is shown
    assert (tmp_path / "family.toml").is_file()
    assert "Bảo An agent stopped" in err
