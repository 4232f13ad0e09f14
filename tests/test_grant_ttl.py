"""A parent's temporary approval ends on time, in the browser too: answers for a granted
name carry a TTL no longer than the time the grant has left, and neither the server's memo
nor the chain serves the name past the grant's end.

A real agent with a real stand-in upstream (TTL 300 for the site), real DNS over UDP.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from dnslib import EDNS0, QTYPE, RR, DNSRecord
from test_upstreams_standin import StandInDns

from agent.policy.template import render_initial_policy
from agent.runtime import Agent, AgentSettings
from dns_filter.answers import with_ttls_at_most

SITE = "www.example.test"  # 300 IN A 192.0.2.10 upstream
SITE_ADDRESS = "192.0.2.10"
ALIAS = "alias.example.test"  # 600 IN CNAME www.example.test.


@pytest.fixture
def agent(tmp_path: Path, upstream: StandInDns) -> Iterator[Agent]:
    config = tmp_path / "family.toml"
    config.write_text(
        render_initial_policy("An", 9, ["an"], [upstream.udp_url]).replace(
            'os_users = ["an"]', f'os_users = ["an"]\ndeny = ["{SITE}", "{ALIAS}"]', 1
        ),
        encoding="utf-8",
    )
    running = Agent(
        AgentSettings(
            config_path=config,
            data_dir=tmp_path / "data",
            dns_listen=(("127.0.0.1", 0),),
            http_listen=("127.0.0.1", 0),
            refresh_lists_at_start=False,
        ),
        session_user=lambda: "an",
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()


def ask(agent: Agent, name: str, qtype: str = "A") -> DNSRecord:
    assert agent.dns_server is not None
    port = agent.dns_server.addresses[0].port
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(DNSRecord.question(name, qtype).pack(), ("127.0.0.1", port))
        return DNSRecord.parse(sock.recvfrom(4096)[0])


def addresses(reply: DNSRecord) -> list[str]:
    return [str(rr.rdata) for rr in reply.rr if rr.rtype == QTYPE.A]


def ttls(reply: DNSRecord) -> list[int]:
    return [rr.ttl for rr in (*reply.rr, *reply.auth, *reply.ar) if rr.rtype != QTYPE.OPT]


def grant(agent: Agent, site: str, until: datetime) -> None:
    assert agent.access is not None and agent.store is not None
    request = agent.access.request_access("An", site, "", "127.0.0.1")
    agent.store.requests.decide(request.id, True, until=until, by="parent")
    agent.recompile()


def test_a_granted_answer_carries_no_more_ttl_than_the_grant_has_left(agent: Agent) -> None:
    block_page = [agent.block_page_ipv4()]
    assert addresses(ask(agent, SITE)) == block_page
    grant(agent, SITE, agent.clock.now() + timedelta(seconds=20))
    fresh = ask(agent, SITE)
    assert addresses(fresh) == [SITE_ADDRESS]
    assert ttls(fresh) and all(15 <= ttl <= 20 for ttl in ttls(fresh)), ttls(fresh)
    # The same from the server's memo and from the cache behind it, and for any type.
    again = ask(agent, SITE)
    assert addresses(again) == [SITE_ADDRESS] and max(ttls(again)) <= 20
    aaaa = ask(agent, SITE, "AAAA")
    assert ttls(aaaa) and max(ttls(aaaa)) <= 20
    # A name that is not granted keeps the upstream's TTL.
    assert max(ttls(ask(agent, "long.example.test"))) > 20


def test_a_grant_ends_at_once_without_the_job_that_ends_it(agent: Agent) -> None:
    """The filter knows when each grant ends: with the scheduler's one-off job gone, the
    memo and the chain still stop at the grant's end, and no answer given before it asks
    the browser to keep it longer."""
    assert agent.scheduler is not None
    block_page = [agent.block_page_ipv4()]
    until = agent.clock.now() + timedelta(seconds=2.5)
    grant(agent, SITE, until)
    agent.scheduler.discard_job("grant-expiry")
    answered: list[tuple[datetime, DNSRecord]] = []
    deadline = time.monotonic() + 6
    while True:
        asked_at = agent.clock.now()
        reply = ask(agent, SITE)
        if addresses(reply) == block_page:
            break
        answered.append((asked_at, reply))
        assert time.monotonic() < deadline, "the grant did not end"
        time.sleep(0.05)
    ended = agent.clock.now()
    assert until <= ended < until + timedelta(seconds=1)
    assert answered  # it was open before
    for asked_at, reply in answered:
        assert addresses(reply) == [SITE_ADDRESS]
        left = (until - asked_at).total_seconds()
        assert max(ttls(reply)) <= left, (left, ttls(reply))


def test_cutting_ttls_keeps_the_opt_record_and_leaves_the_original_alone() -> None:
    reply = DNSRecord.question(SITE).reply()
    reply.add_answer(*RR.fromZone(f"{SITE}. 300 IN A {SITE_ADDRESS}"))
    reply.add_auth(*RR.fromZone("example.test. 3600 IN NS ns.example.test."))
    reply.add_ar(EDNS0(flags="do", udp_len=1232))
    cut = with_ttls_at_most(reply, 20)
    assert [rr.ttl for rr in (*cut.rr, *cut.auth)] == [20, 20]
    assert DNSRecord.parse(cut.pack()).ar[0].rtype == QTYPE.OPT
    assert cut.ar[0].ttl == reply.ar[0].ttl  # the OPT's flags (DO), not a TTL
    assert [rr.ttl for rr in (*reply.rr, *reply.auth)] == [300, 3600]  # the cache's copy
    assert with_ttls_at_most(reply, 500).rr[0].ttl == 300  # never raised
