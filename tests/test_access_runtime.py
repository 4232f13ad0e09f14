"""The pages and the request flow inside the real agent: family.toml in, a denied name
answered with the block page over DNS, the child asks on that page, a parent approves over
the API, and the very next DNS answer is the real address — no restart."""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from dnslib import QTYPE, RR, DNSRecord
from helpers_pages import form_field, raw_request
from test_upstreams_standin import ZONE_TEXT, StandInDns, Zone

from agent.pin_setup import setup_code_path
from agent.policy.template import render_initial_policy
from agent.runtime import Agent, AgentSettings

SITE = "www.example.test"  # in the stand-in upstream's zone: 192.0.2.10


# "No internet" all day, every day: only the help sites and a parent's approval get through.
NO_INTERNET_ALL_DAY = """
[[children.schedules]]
target = "*"
mode = "blocked_during"
windows = [{ days = "every_day", start = "00:00", end = "00:00" }]
"""


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[Agent]:
    yield from run_agent(tmp_path, f'deny = ["{SITE}"]')


@pytest.fixture
def bedtime_agent(tmp_path: Path) -> Iterator[Agent]:
    yield from run_agent(tmp_path, NO_INTERNET_ALL_DAY)


def run_agent(tmp_path: Path, child_rules: str) -> Iterator[Agent]:
    """The real agent with a stand-in upstream; `child_rules` are added to the child."""
    upstream = StandInDns(Zone(RR.fromZone(ZONE_TEXT))).start()
    text = render_initial_policy("An", 9, ["an"], [upstream.udp_url])
    text = text.replace('os_users = ["an"]', f'os_users = ["an"]\n{child_rules}', 1)
    config = tmp_path / "family.toml"
    config.write_text(text, encoding="utf-8")
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
        upstream.close()


def resolve(agent: Agent, name: str) -> list[str]:
    port = int(agent.dns_server.addresses[0].port)
    reply = DNSRecord.parse(DNSRecord.question(name).send("127.0.0.1", port, timeout=5))
    return [str(rr.rdata) for rr in reply.rr if rr.rtype == QTYPE.A]


def test_ask_on_the_block_page_and_an_approval_opens_the_site_at_once(agent: Agent) -> None:
    if agent.access is None:
        pytest.skip("this agent build does not register the child's pages")
    port = agent.http_server.address[1]
    assert resolve(agent, SITE) == [agent.block_page_ipv4()]

    block = raw_request(port, "GET", "/", {"Host": SITE})
    assert block.status == 403
    assert "Bố mẹ đã chặn trang này" in html.unescape(block.text)
    assert 'href="tel:111"' in block.text
    body = urllib.parse.urlencode(
        {
            "csrf": form_field(block.text, "/__baoan/ask", "csrf"),
            "site": SITE,
            "reason": "con cần làm bài tập",
        }
    ).encode()
    asked = raw_request(
        port,
        "POST",
        "/__baoan/ask",
        {"Host": SITE, "Content-Type": "application/x-www-form-urlencoded"},
        body,
    )
    assert asked.status == 303, asked.text
    request_id = re.search(r"/request/([^?]+)", asked.headers["location"]).group(1)  # type: ignore[union-attr]

    with requests.Session() as session:
        session.trust_env = False
        base = agent.http_url()
        assert session.post(f"{base}/api/pin", json=first_pin(agent), timeout=5).ok
        token = session.post(f"{base}/api/session", json={"pin": "2468"}, timeout=5).json()
        session.headers["Authorization"] = f"Bearer {token['token']}"
        pending = session.get(f"{base}/api/requests?status=pending", timeout=5).json()
        assert [item["id"] for item in pending] == [request_id]
        decided = session.post(
            f"{base}/api/requests/{request_id}/decision",
            json={"allow": True, "minutes": 30},
            timeout=5,
        )
        assert decided.status_code == 200, decided.text

    assert resolve(agent, SITE) == ["192.0.2.10"]
    state = raw_request(port, "GET", f"/__baoan/request/{request_id}", {"Host": SITE})
    assert 'data-state="allowed"' in state.text


def first_pin(agent: Agent) -> dict[str, str]:
    """The first PIN with the set-up code the agent wrote in its data folder."""
    code = setup_code_path(agent.settings.data_dir).read_text(encoding="ascii").strip()
    return {"pin": "2468", "setup_code": code}


def parent_session(agent: Agent) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    base = agent.http_url()
    assert session.post(f"{base}/api/pin", json=first_pin(agent), timeout=5).ok
    token = session.post(f"{base}/api/session", json={"pin": "2468"}, timeout=5).json()
    session.headers["Authorization"] = f"Bearer {token['token']}"
    return session


def test_an_approval_opens_the_site_even_when_the_internet_is_off(bedtime_agent: Agent) -> None:
    agent = bedtime_agent
    if agent.access is None:
        pytest.skip("this agent build does not register the child's pages")
    block_page = [agent.block_page_ipv4()]
    assert resolve(agent, SITE) == block_page
    assert resolve(agent, "short.example.test") == block_page
    port = agent.http_server.address[1]
    before = raw_request(port, "GET", "/", {"Host": SITE})
    assert "Bây giờ là giờ nghỉ" in html.unescape(before.text)

    asked = agent.access.request_access("An", SITE, "con cần học bài", "127.0.0.1")
    base = agent.http_url()
    with parent_session(agent) as session:
        decided = session.post(
            f"{base}/api/requests/{asked.id}/decision", json={"allow": True, "minutes": 30},
            timeout=5,
        )
        assert decided.status_code == 200, decided.text
        assert decided.json()["state"] == "allowed"

        # The approved name goes upstream at once, in spite of "no internet" ...
        assert resolve(agent, SITE) == ["192.0.2.10"]
        policy = agent.current_filter_policy()
        assert policy is not None
        profile = policy.profiles["An"]
        assert SITE in profile.granted and SITE not in profile.allow
        # ... every other name is still blocked, and the page agrees with the filter.
        assert resolve(agent, "short.example.test") == block_page
        after = raw_request(port, "GET", "/", {"Host": SITE})
        assert "Bây giờ là giờ nghỉ" not in html.unescape(after.text)

        # Taking it back closes the site again at once.
        revoked = session.post(f"{base}/api/requests/{asked.id}/revoke", json={}, timeout=5)
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["state"] == "revoked"
    assert resolve(agent, SITE) == block_page
