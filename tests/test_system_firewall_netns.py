"""The children's firewall, loaded for real in a network namespace the test makes.

Inside the namespace: the agent's address (127.0.0.1, ports 53 UDP and TCP), another
resolver on 127.0.0.2 (53 UDP and TCP, 853 TCP) and, on the namespace's loopback, a
known DoH address (9.9.9.9, 443 and 80 TCP). The rules come from
`baoan system install-firewall`, as the package loads them. A process running as a
child's uid (`setpriv --reuid`) reaches only the agent; an adult's reaches everything.
No packet leaves the namespace.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.system.doh_addresses import KNOWN_DOH_ADDRESSES

SYSTEM_PYTHON = "/usr/bin/python3"  # readable by any uid, unlike a checkout's venv
CHILD_UID = 1500
ADULT_UID = 1600
DOH_ADDRESS = "9.9.9.9"  # in agent.system.doh_addresses; here only on the dummy interface

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="nftables is Linux's"),
    pytest.mark.skipif(
        not hasattr(os, "geteuid") or os.geteuid() != 0,
        reason="making a network namespace and loading nftables rules needs root",
    ),
    pytest.mark.skipif(
        any(shutil.which(tool) is None for tool in ("nft", "ip", "setpriv")),
        reason="needs nft (nftables), ip (iproute2) and setpriv (util-linux)",
    ),
    pytest.mark.skipif(not Path(SYSTEM_PYTHON).exists(), reason="needs /usr/bin/python3"),
]

SERVERS = f"""
import socket, sys, threading
DOH = "{DOH_ADDRESS}"
listeners = []
def udp(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    def serve():
        while True:
            data, peer = sock.recvfrom(512)
            sock.sendto(b"ok:" + data, peer)
    listeners.append(serve)
def tcp(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(16)
    def serve():
        while True:
            conn, _ = sock.accept()
            conn.sendall(b"ok")
            conn.close()
    listeners.append(serve)
for host in ("127.0.0.1", "127.0.0.2"):
    udp(host, 53)
    tcp(host, 53)
tcp("127.0.0.2", 853)
tcp(DOH, 443)
tcp(DOH, 80)
for serve in listeners:
    threading.Thread(target=serve, daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
"""

CLIENT = """
import json, socket, sys
results = {}
for target in json.loads(sys.argv[1]):
    proto, host, port = target.split(":")
    family = socket.AF_INET
    kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
    sock = socket.socket(family, kind)
    sock.settimeout(1.0)
    try:
        if proto == "udp":
            sock.sendto(b"q", (host, int(port)))
            reached = sock.recvfrom(512)[0] == b"ok:q"
        else:
            sock.connect((host, int(port)))
            reached = sock.recv(2) == b"ok"
    except OSError:
        reached = False
    finally:
        sock.close()
    results[target] = reached
print(json.dumps(results))
"""

AGENT_TARGETS = ("udp:127.0.0.1:53", "tcp:127.0.0.1:53")
OTHER_RESOLVER = ("udp:127.0.0.2:53", "tcp:127.0.0.2:53", "tcp:127.0.0.2:853")
DOH = (f"tcp:{DOH_ADDRESS}:443",)
NOT_DNS = (f"tcp:{DOH_ADDRESS}:80",)
ALL_TARGETS = AGENT_TARGETS + OTHER_RESOLVER + DOH + NOT_DNS


def in_netns(netns: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ip", "netns", "exec", netns, *argv],
        capture_output=True, text=True, timeout=60, check=False,
    )


def checked(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{done.args} exited {done.returncode}: {done.stderr}"
    return done.stdout


@pytest.fixture
def netns() -> Iterator[str]:
    name = f"baoan-fw-{uuid.uuid4().hex[:8]}"
    checked(subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True,
                           timeout=30, check=False))
    try:
        checked(in_netns(name, "ip", "link", "set", "lo", "up"))
        # The namespace's own loopback holds the DoH address (no route leads out).
        checked(in_netns(name, "ip", "addr", "add", f"{DOH_ADDRESS}/32", "dev", "lo"))
        servers = subprocess.Popen(
            ["ip", "netns", "exec", name, SYSTEM_PYTHON, "-c", SERVERS],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        try:
            assert servers.stdout is not None
            assert servers.stdout.readline().strip() == "ready"
            yield name
        finally:
            servers.kill()
            servers.wait(timeout=10)
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False, timeout=30)


def reachable(netns: str, uid: int) -> dict[str, bool]:
    done = in_netns(
        netns, "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
        SYSTEM_PYTHON, "-c", CLIENT, json.dumps(ALL_TARGETS),
    )
    result: dict[str, bool] = json.loads(checked(done))
    return result


def baoan_system(netns: str, *args: str) -> None:
    checked(in_netns(netns, sys.executable, "-m", "baoan", "system", "--root", "/", *args))


def test_a_child_reaches_only_the_agent_and_an_adult_everything(netns: str) -> None:
    assert DOH_ADDRESS in KNOWN_DOH_ADDRESSES
    before = reachable(netns, CHILD_UID)
    assert all(before.values()), before  # the stand-ins answer everyone without the rules

    baoan_system(netns, "install-firewall", "--child-account", str(CHILD_UID))
    listed = checked(in_netns(netns, "nft", "list", "table", "inet", "baoan"))
    assert f"meta skuid {CHILD_UID} jump child" in listed

    child = reachable(netns, CHILD_UID)
    assert all(child[target] for target in AGENT_TARGETS), child
    assert not any(child[target] for target in OTHER_RESOLVER), child
    assert not any(child[target] for target in DOH), child
    assert all(child[target] for target in NOT_DNS), child  # the web itself is not blocked

    adult = reachable(netns, ADULT_UID)
    assert all(adult.values()), adult

    baoan_system(netns, "remove-firewall")
    assert "baoan" not in checked(in_netns(netns, "nft", "list", "tables"))
    assert all(reachable(netns, CHILD_UID).values())
