"""The real agent as its composition root builds it: one answer to "which child is this
address?" for the DNS chain, the server's memo and the block page, and grants that end on
time in one place."""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

import psutil
import pytest
from dnslib import QTYPE, DNSRecord
from helpers_pages import Answer, form_field
from test_upstreams_standin import StandInDns

from agent.policy.template import render_initial_policy
from agent.runtime import Agent, AgentSettings

SITE = "www.example.test"  # in the stand-in upstream's zone: 192.0.2.10
SITE_ADDRESS = "192.0.2.10"
TABLET_MAC = "aa:bb:cc:dd:ee:02"

# An is at the PC; Minh's tablet is known to family.toml by its MAC address only.
MINH_AND_HIS_TABLET = f"""
[[children]]
name = "Minh"
age = 12
deny = ["{SITE}"]

[[devices]]
child = "Minh"
mac = "{TABLET_MAC}"
name = "Minh's tablet"
"""


class FakeMacLookup:
    """The ARP table as the agent reads it: IP -> MAC."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.asked: list[str] = []

    def __call__(self, address: str) -> str | None:
        self.asked.append(address)
        return self.table.get(address)


def lan_address() -> str | None:
    """An IPv4 address of this machine that is not loopback: it plays the tablet."""
    for entries in psutil.net_if_addrs().values():
        for entry in entries:
            if entry.family == socket.AF_INET and not ipaddress.ip_address(
                entry.address
            ).is_loopback:
                return str(entry.address)
    return None


def write_family(tmp_path: Path, upstream_url: str, extra: str = "") -> Path:
    config = tmp_path / "family.toml"
    config.write_text(
        render_initial_policy("An", 9, ["an"], [upstream_url]) + extra, encoding="utf-8"
    )
    return config


def ask_dns(host: str, port: int, name: str, source: str) -> list[str]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((source, 0))
        sock.settimeout(5)
        sock.sendto(DNSRecord.question(name).pack(), (host, port))
        reply = DNSRecord.parse(sock.recvfrom(4096)[0])
    return [str(rr.rdata) for rr in reply.rr if rr.rtype == QTYPE.A]


def http_from(
    source: str, host: str, port: int, method: str, path: str, headers: dict[str, str],
    body: bytes = b"",
) -> Answer:
    connection = http.client.HTTPConnection(host, port, timeout=5, source_address=(source, 0))
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        if body or method == "POST":
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


def test_a_device_known_by_its_mac_is_the_same_child_for_filter_memo_and_page(
    tmp_path: Path, upstream: StandInDns
) -> None:
    tablet = lan_address()
    if tablet is None:
        pytest.skip("this machine has no non-loopback IPv4 address to play the tablet")
    macs = FakeMacLookup({tablet: TABLET_MAC})
    agent = Agent(
        AgentSettings(
            config_path=write_family(tmp_path, upstream.udp_url, MINH_AND_HIS_TABLET),
            data_dir=tmp_path / "data",
            dns_listen=(("127.0.0.1", 0), (tablet, 0)),
            http_listen=(tablet, 0),
            refresh_lists_at_start=False,
        ),
        session_user=lambda: "an",
        # The tablet's address is this machine's, but here it stands for another device.
        local_addresses=frozenset,
        mac_lookup=macs,
    )
    agent.start()
    try:
        assert agent.dns_server is not None and agent.http_server is not None
        ports = {bound.host: bound.port for bound in agent.dns_server.addresses}
        block_page = [agent.block_page_ipv4()]
        # An, at the PC, may open the site: its answer is remembered under An ...
        assert ask_dns("127.0.0.1", ports["127.0.0.1"], SITE, "127.0.0.1") == [SITE_ADDRESS]
        # ... and the tablet is Minh's by its MAC, for the chain and for the memo alike:
        # asked twice, both answers are Minh's block, never An's remembered answer.
        for _ in range(2):
            assert ask_dns(tablet, ports[tablet], SITE, tablet) == block_page
        assert tablet in macs.asked

        # The block page, visited from the tablet, speaks for Minh, and its form asks the
        # parents in Minh's name.
        port = agent.http_server.address[1]
        block = http_from(tablet, tablet, port, "GET", "/", {"Host": SITE})
        assert block.status == 403
        body = urllib.parse.urlencode(
            {
                "csrf": form_field(block.text, "/__baoan/ask", "csrf"),
                "site": SITE,
                "reason": "con cần làm bài tập",
            }
        ).encode()
        asked = http_from(
            tablet,
            tablet,
            port,
            "POST",
            "/__baoan/ask",
            {"Host": SITE, "Content-Type": "application/x-www-form-urlencoded"},
            body,
        )
        assert asked.status == 303, asked.text
        assert agent.access is not None
        filed = agent.access.requests()
        assert [(request.child, request.target) for request in filed] == [("Minh", SITE)]
        assert re.search(r"/request/" + re.escape(filed[0].id), asked.headers["location"])
        # The same resolver answers all three.
        assert agent.child_resolver(tablet) == "Minh"
        assert agent.child_resolver("127.0.0.1") == "An"
    finally:
        agent.stop()


def test_grants_end_within_a_second_of_their_end_one_after_another(
    tmp_path: Path, upstream: StandInDns
) -> None:
    other = "long.example.test"  # in the stand-in upstream's zone: 192.0.2.12
    agent = Agent(
        AgentSettings(
            config_path=write_family(tmp_path, upstream.udp_url),
            data_dir=tmp_path / "data",
            dns_listen=(("127.0.0.1", 0),),
            http_listen=("127.0.0.1", 0),
            refresh_lists_at_start=False,
        ),
        session_user=lambda: "an",
    )
    config = agent.settings.config_path
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'os_users = ["an"]', f'os_users = ["an"]\ndeny = ["{SITE}", "{other}"]', 1
        ),
        encoding="utf-8",
    )
    agent.start()
    try:
        assert agent.dns_server is not None and agent.store is not None
        assert agent.access is not None and agent.scheduler is not None
        port = agent.dns_server.addresses[0].port
        block_page = [agent.block_page_ipv4()]

        def answer(name: str) -> list[str]:
            return ask_dns("127.0.0.1", port, name, "127.0.0.1")

        assert answer(SITE) == block_page and answer(other) == block_page
        # Grants of 1.5 and 3 seconds (a parent's are whole minutes; the store takes any
        # end), then the compile a parent's approval triggers.
        now = agent.clock.now()
        ends = {SITE: now + timedelta(seconds=1.5), other: now + timedelta(seconds=3)}
        for name, until in ends.items():
            request = agent.access.request_access("An", name, "", "127.0.0.1")
            agent.store.requests.decide(request.id, True, until=until, by="parent")
        agent.recompile()
        assert answer(SITE) == [SITE_ADDRESS] and answer(other) == ["192.0.2.12"]
        # One one-off job ends them, and nothing polls.
        grant_jobs = [job for job in agent.scheduler.job_names() if "grant" in job]
        assert grant_jobs == ["grant-expiry"]

        # Each ends by itself, within a second of its end: the job that ends the first
        # grant arms the one that ends the second.
        # Judged by when each question was asked, not when its answer was seen, so a
        # loaded machine that is slow to look cannot make an on-time end look late.
        for name, until in ends.items():
            deadline = time.monotonic() + 6
            while True:
                asked = agent.clock.now()
                blocked = answer(name) == block_page
                answered = agent.clock.now()
                if blocked:
                    assert answered >= until, f"the grant for {name} ended early"
                    break
                assert asked < until + timedelta(seconds=0.1), f"{name} still open after its end"
                assert time.monotonic() < deadline, f"the grant for {name} did not end"
                time.sleep(0.05)
        # With no grant left, nothing waits (the last job may still be finishing its run).
        deadline = time.monotonic() + 5
        while "grant-expiry" in agent.scheduler.job_names():
            assert time.monotonic() < deadline, "a grant-expiry job is left with no grant"
            time.sleep(0.05)
    finally:
        agent.stop()
