"""Starting an agent process on free loopback ports, safely when other programs share the
machine: a port seen free can be taken before the agent binds it, so the start is tried
again on other ports when (and only when) the agent says a port was in use."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Sequence


def free_ports(count: int = 2) -> tuple[int, ...]:
    """`count` different ports, each free for UDP and TCP when asked (the DNS server binds
    both on one number)."""
    ports: list[int] = []
    while len(ports) < count:
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
    return tuple(ports)


def start_on_free_ports(
    arguments: Callable[[int, int], Sequence[str]],
    *,
    env: dict[str, str] | None = None,
    settle_seconds: float = 3.0,
) -> tuple[subprocess.Popen[str], int, int]:
    """Runs `python -m baoan *arguments(dns_port, http_port)`; returns the process that
    kept running and its two ports."""
    environment = {**(env if env is not None else os.environ), "PYTHONUNBUFFERED": "1"}
    for _attempt in range(3):
        dns_port, http_port = free_ports(2)
        process = subprocess.Popen(
            [sys.executable, "-m", "baoan", *arguments(dns_port, http_port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        try:
            process.wait(timeout=settle_seconds)
        except subprocess.TimeoutExpired:
            return process, dns_port, http_port  # still running: it has its ports
        _out, err = process.communicate()
        if "in use" not in err:
            raise AssertionError(f"the agent stopped at once: {err}")
    raise AssertionError("no free ports for the agent in three tries")
