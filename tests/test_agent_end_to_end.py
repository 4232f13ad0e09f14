"""The whole agent: family.toml in, real DNS over UDP/TCP and the local API out.

A real agent on random loopback ports, with a stand-in upstream DNS server on loopback.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from dnslib import QTYPE, RCODE, RR, DNSRecord
from helpers_ports import start_on_free_ports
from test_upstreams_standin import ZONE_TEXT, StandInDns, Zone

from agent.policy.template import render_initial_policy
from agent.runtime import Agent, AgentSettings, parse_listen

EXTRA_ZONE = """
forcesafesearch.google.com. 300 IN A 216.239.38.120
tongdai111.vn. 300 IN A 203.0.113.111
cloaked.example.test. 300 IN CNAME pornhub.com.
pornhub.com. 300 IN A 198.51.100.66
"""


def family_text(upstream: str, *, deny: tuple[str, ...] = ()) -> str:
    text = render_initial_policy("An", 9, ["an"], [upstream])
    if deny:
        listed = ", ".join(f'"{name}"' for name in deny)
        text = text.replace('os_users = ["an"]', f'os_users = ["an"]\ndeny = [{listed}]', 1)
    return text


def wait_for(condition: Callable[[], object], timeout: float = 10.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def upstream() -> Iterator[StandInDns]:
    server = StandInDns(Zone(RR.fromZone(ZONE_TEXT + EXTRA_ZONE))).start()
    yield server
    server.close()


@pytest.fixture
def agent(tmp_path: Path, upstream: StandInDns) -> Iterator[Agent]:
    config = tmp_path / "family.toml"
    config.write_text(family_text(upstream.udp_url), encoding="utf-8")
    running = Agent(
        AgentSettings(
            config_path=config,
            data_dir=tmp_path / "data",
            dns_listen=(("127.0.0.1", 0),),
            http_listen=("127.0.0.1", 0),
            refresh_lists_at_start=False,
            policy_poll_seconds=0.2,
        ),
        session_user=lambda: "an",
    )
    running.start()
    yield running
    running.stop()


def dns_port(agent: Agent) -> int:
    return int(agent.dns_server.addresses[0].port)


def ask(agent: Agent, name: str, qtype: str = "A", *, tcp: bool = False) -> DNSRecord:
    query = DNSRecord.question(name, qtype)
    return DNSRecord.parse(query.send("127.0.0.1", dns_port(agent), tcp=tcp, timeout=5))


def addresses(reply: DNSRecord) -> list[str]:
    return [str(rr.rdata) for rr in reply.rr if rr.rtype in (QTYPE.A, QTYPE.AAAA)]


def test_blocked_name_points_to_the_block_page_and_is_logged(agent: Agent) -> None:
    reply = ask(agent, "pornhub.com")
    assert addresses(reply) == [agent.block_page_ipv4()]
    store = agent.store
    assert store is not None

    def logged() -> object:
        return [row for row in store.query_log.recent() if row.name == "pornhub.com"]

    rows = wait_for(logged)
    assert isinstance(rows, list)
    assert rows[0].decision == "blocked"
    assert rows[0].child == "An"
    assert rows[0].category == "adult"


@pytest.mark.parametrize("tcp", [False, True])
def test_allowed_name_is_resolved_upstream_over_udp_and_tcp(agent: Agent, tcp: bool) -> None:
    reply = ask(agent, "www.example.test", tcp=tcp)
    assert reply.header.rcode == RCODE.NOERROR
    assert addresses(reply) == ["192.0.2.10"]


def test_safe_search_answers_cname_and_the_target_addresses(agent: Agent) -> None:
    reply = ask(agent, "www.google.com.vn")
    cnames = [str(rr.rdata) for rr in reply.rr if rr.rtype == QTYPE.CNAME]
    assert cnames == ["forcesafesearch.google.com."]
    assert addresses(reply) == ["216.239.38.120"]


def test_cname_cloaking_to_a_blocked_name_is_blocked(agent: Agent) -> None:
    reply = ask(agent, "cloaked.example.test")
    assert "198.51.100.66" not in addresses(reply)
    assert addresses(reply) == [agent.block_page_ipv4()]


def test_browser_doh_canary_gets_nxdomain(agent: Agent) -> None:
    assert ask(agent, "use-application-dns.net").header.rcode == RCODE.NXDOMAIN


def test_upstream_down_is_servfail_never_nxdomain(agent: Agent, upstream: StandInDns) -> None:
    upstream.behaviour.mode = "drop"
    reply = ask(agent, "never-seen-before.example.test")
    assert reply.header.rcode == RCODE.SERVFAIL


@contextmanager
def refusing_upstream() -> Iterator[str]:
    """A real UDP upstream on loopback that answers every query REFUSED."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, client = sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            reply = DNSRecord.parse(data).reply()
            reply.header.rcode = RCODE.REFUSED
            sock.sendto(reply.pack(), client)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"udp://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        sock.close()


def test_every_upstream_down_is_servfail_logged_failed_and_never_an_allowed_site(
    tmp_path: Path, upstream: StandInDns
) -> None:
    upstream.behaviour.mode = "drop"  # a real socket that never answers
    with refusing_upstream() as refused:
        config = tmp_path / "family.toml"
        text = render_initial_policy("An", 9, ["an"], [upstream.udp_url, refused])
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
            reply = ask(running, "down.example.test")
            assert reply.header.rcode == RCODE.SERVFAIL
            store = running.store
            assert store is not None

            def logged() -> object:
                return [row for row in store.query_log.recent() if row.name == "down.example.test"]

            rows = wait_for(logged)
            assert isinstance(rows, list)
            [row] = rows
            assert row.decision == "failed"
            assert row.reason["kind"] == "failure"
            assert "REFUSED" in str(row.reason["detail"])
            assert row.category is None
            stats = store.query_log.stats()
            assert "down.example.test" not in {name for name, _ in stats.top_allowed}
            assert "down.example.test" not in {name for name, _ in stats.top_blocked}
        finally:
            running.stop()


def test_help_hotline_resolves_even_when_the_parent_denies_it(
    tmp_path: Path, agent: Agent, upstream: StandInDns
) -> None:
    agent.settings.config_path.write_text(
        family_text(upstream.udp_url, deny=("tongdai111.vn", "www.example.test")),
        encoding="utf-8",
    )
    wait_for(lambda: addresses(ask(agent, "www.example.test")) == [agent.block_page_ipv4()])
    assert addresses(ask(agent, "tongdai111.vn")) == ["203.0.113.111"]


def test_broken_edit_keeps_the_last_good_policy_and_says_where(
    agent: Agent, upstream: StandInDns
) -> None:
    config = agent.settings.config_path
    good = config.read_text(encoding="utf-8")
    config.write_text(good.replace("age = 9", 'age = "chín"'), encoding="utf-8")
    base = agent.http_url()

    def policy_error() -> object:
        status = requests.get(f"{base}/api/status", timeout=5).json()
        return status["policy"]["error"]

    error = wait_for(policy_error)
    assert "age" in str(error) and "family.toml:" in str(error)
    # Protection stays: the last good policy still blocks.
    assert addresses(ask(agent, "pornhub.com")) == [agent.block_page_ipv4()]
    # A fixed edit is picked up without a restart.
    config.write_text(
        family_text(upstream.udp_url, deny=("www.example.test",)), encoding="utf-8"
    )
    wait_for(lambda: addresses(ask(agent, "www.example.test")) == [agent.block_page_ipv4()])
    assert requests.get(f"{base}/api/status", timeout=5).json()["policy"]["error"] is None


def test_status_lists_each_source_once_with_the_starter_lists(agent: Agent) -> None:
    lists = requests.get(f"{agent.http_url()}/api/status", timeout=5).json()["lists"]
    starter = {item["category"]: item["count"] for item in lists if item["source"] == "starter"}
    assert starter["adult"] > 0 and starter["bypass"] > 0
    sources = [(item["category"], item["source"]) for item in lists]
    assert len(sources) == len(set(sources))
    assert any(item["source"].startswith("https://") for item in lists)


def test_health_over_http_has_the_version_and_no_family_data(agent: Agent) -> None:
    answer = requests.get(f"{agent.http_url()}/api/health", timeout=5)
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert "An" not in answer.text


def test_parse_listen_forms() -> None:
    assert parse_listen("127.0.0.1:5353", 53) == ("127.0.0.1", 5353)
    assert parse_listen("[::1]:5353", 53) == ("::1", 5353)
    assert parse_listen("0.0.0.0", 53) == ("0.0.0.0", 53)
    with pytest.raises(ValueError, match="port"):
        parse_listen("127.0.0.1:99999", 53)


def test_agent_command_runs_until_sigterm_and_exits_zero(
    tmp_path: Path, upstream: StandInDns
) -> None:
    config = tmp_path / "family.toml"
    config.write_text(family_text(upstream.udp_url), encoding="utf-8")
    process, port, _http_port = start_on_free_ports(
        lambda dns, http: [
            "agent", "--config", str(config), "--data-dir", str(tmp_path / "data"),
            "--dns-listen", f"127.0.0.1:{dns}", "--http-listen", f"127.0.0.1:{http}",
            "--no-list-refresh",
        ]
    )
    try:
        def answers() -> object:
            try:
                query = DNSRecord.question("pornhub.com")
                return DNSRecord.parse(query.send("127.0.0.1", port, timeout=0.5))
            except OSError:
                return None

        reply = wait_for(answers, timeout=30)
        assert isinstance(reply, DNSRecord)
        assert addresses(reply) == ["127.0.0.1"]
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "stopped" in err


def test_agent_command_refuses_a_broken_policy_with_its_line(tmp_path: Path) -> None:
    config = tmp_path / "family.toml"
    config.write_text("schema_version = 1\n[settings]\nlanguage = 'fr'\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "baoan", "agent", "--config", str(config),
         "--data-dir", str(tmp_path / "data"), "--dns-listen", "127.0.0.1:0",
         "--http-listen", "127.0.0.1:0"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert f"{config}:3" in done.stderr and "language" in done.stderr


def run_check(config: Path, data_dir: Path, name: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "baoan", "check", name, "--config", str(config),
         "--data-dir", str(data_dir), "--json"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_check_command_gives_the_verdict_without_a_server(tmp_path: Path) -> None:
    config = tmp_path / "family.toml"
    config.write_text(family_text("udp://127.0.0.1:9", deny=("example.org",)), encoding="utf-8")
    data_dir = tmp_path / "data"
    adult = run_check(config, data_dir, "pornhub.com")
    assert adult["decision"] == "blocked" and adult["reason"]["category"] == "adult"
    denied = run_check(config, data_dir, "www.example.org")
    assert denied["decision"] == "blocked" and denied["reason"]["kind"] == "deny_list"
    tiktok = run_check(config, data_dir, "www.tiktok.com")
    assert tiktok["decision"] == "blocked" and tiktok["reason"]["service"] == "tiktok"
    google = run_check(config, data_dir, "www.google.com.vn")
    assert google["decision"] == "rewritten"
    wiki = run_check(config, data_dir, "vi.wikipedia.org")
    assert wiki["decision"] == "allowed"
    assert wiki["answer_type"] is None  # it would go on to the upstream


def test_block_page_listener_answers_a_blocked_name_with_the_111_page(
    tmp_path: Path, upstream: StandInDns
) -> None:
    config = tmp_path / "family.toml"
    config.write_text(family_text(upstream.udp_url), encoding="utf-8")
    running = Agent(
        AgentSettings(
            config_path=config, data_dir=tmp_path / "data", dns_listen=(("127.0.0.1", 0),),
            http_listen=("127.0.0.1", 0), block_page_listen=("127.0.0.2", 0),
            refresh_lists_at_start=False,
        ),
        session_user=lambda: "an",
    )
    running.start()
    try:
        assert addresses(ask(running, "pornhub.com")) == ["127.0.0.2"]
        host, port = running.block_page_server.address[:2]
        page = requests.get(f"http://{host}:{port}/", headers={"Host": "pornhub.com"}, timeout=5)
        assert page.status_code == 403  # the block page says "forbidden" to the browser
        assert page.headers["Content-Type"].startswith("text/html")
        assert 'href="tel:111"' in page.text and "pornhub.com" in page.text
        # The API on the block-page listener still refuses a foreign Host.
        api = requests.get(
            f"http://{host}:{port}/api/health", headers={"Host": "pornhub.com"}, timeout=5
        )
        assert api.status_code == 403
    finally:
        running.stop()


def test_answers_follow_the_child_at_the_desktop_not_a_remembered_one(
    tmp_path: Path, upstream: StandInDns
) -> None:
    config = tmp_path / "family.toml"
    text = family_text(upstream.udp_url)
    text += '\n[[children]]\nname = "Binh"\nage = 16\nos_users = ["binh"]\n'
    config.write_text(text, encoding="utf-8")
    at_desktop = ["an"]
    running = Agent(
        AgentSettings(
            config_path=config, data_dir=tmp_path / "data", dns_listen=(("127.0.0.1", 0),),
            http_listen=("127.0.0.1", 0), refresh_lists_at_start=False,
        ),
        session_user=lambda: at_desktop[0],
    )
    running.start()
    try:
        # TikTok is blocked for a 9-year-old (twice: the second answer may come from memory).
        for _ in range(2):
            assert addresses(ask(running, "www.tiktok.com")) == [running.block_page_ipv4()]
        at_desktop[0] = "binh"
        running.active_child.refresh()
        # For the 16-year-old the same question goes upstream (which has no such name).
        reply = ask(running, "www.tiktok.com")
        assert reply.header.rcode == RCODE.NXDOMAIN
        assert addresses(reply) == []
    finally:
        running.stop()
