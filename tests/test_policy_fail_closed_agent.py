"""A real agent never fails open on family.toml: cut-off files show in `/api/status` while
the whole policy keeps blocking, an edit that protects less is an event and an alert, and a
restart with a broken file runs on the last good copy."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from dnslib import QTYPE, RR, DNSRecord
from test_upstreams_standin import ZONE_TEXT, StandInDns, Zone

from agent.policy.errors import InvalidPolicyError
from agent.policy.seal import seal
from agent.policy.template import render_initial_policy
from agent.policy_alerts import EVENT_POLICY_LOOSENED
from agent.runtime import LAST_GOOD_POLICY_NAME, Agent, AgentSettings

EXTRA_ZONE = "pornhub.com. 300 IN A 198.51.100.66\n"
# A closed loopback port: the agent's delivery tries it and reaches nothing beyond the PC.
CAREGIVER = (
    '\n[[caregivers]]\nname = "Mẹ"\nntfy_topic = "baoan-me"\nntfy_server = "http://127.0.0.1:9"\n'
)


def family_text(upstream: str) -> str:
    return render_initial_policy("An", 10, ["an"], [upstream]) + CAREGIVER


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
    server = StandInDns(Zone(RR.fromZone(ZONE_TEXT + "\n" + EXTRA_ZONE))).start()
    yield server
    server.close()


def make_agent(config: Path, data_dir: Path) -> Agent:
    return Agent(
        AgentSettings(
            config_path=config,
            data_dir=data_dir,
            dns_listen=(("127.0.0.1", 0),),
            http_listen=("127.0.0.1", 0),
            refresh_lists_at_start=False,
            policy_poll_seconds=0.2,
        ),
        session_user=lambda: "an",
    )


def blocked(agent: Agent, name: str = "pornhub.com") -> bool:
    assert agent.dns_server is not None
    port = int(agent.dns_server.addresses[0].port)
    reply = DNSRecord.parse(DNSRecord.question(name).send("127.0.0.1", port, timeout=5))
    answers = [str(rr.rdata) for rr in reply.rr if rr.rtype == QTYPE.A]
    return answers == [agent.block_page_ipv4()]


def policy_error(agent: Agent) -> str | None:
    status = requests.get(f"{agent.http_url()}/api/status", timeout=5).json()
    error = status["policy"]["error"]
    return None if error is None else str(error)


def test_cut_off_files_show_an_error_while_the_whole_policy_keeps_blocking(
    tmp_path: Path, upstream: StandInDns
) -> None:
    whole = family_text(upstream.udp_url).encode()
    config = tmp_path / "family.toml"
    config.write_bytes(whole)
    agent = make_agent(config, tmp_path / "data")
    agent.start()
    try:
        assert policy_error(agent) is None and blocked(agent)
        cuts = {
            748: "expected at least one child",  # the report's: schema_version and comments
            whole.index(b"age = 10") + 8: "no line break",  # mid-line: a partial last line
            whole.index(b"os_users"): "the first",  # at a line's start: the beginning of the file
            whole.rindex(b"[[caregivers]]"): "caregiver Mẹ removed",
            len(whole) - 5: "TOML syntax error",  # in the caregiver's last string
        }
        for cut, words in cuts.items():
            config.write_bytes(whole[:cut])
            error = wait_for(lambda: policy_error(agent))
            assert words in str(error) and str(config) in str(error), cut
            assert blocked(agent), cut  # the whole policy is still in force
            config.write_bytes(whole)
            wait_for(lambda: policy_error(agent) is None)
        # A file Bảo An wrote, cut off: half-written.
        config.write_bytes(seal(whole.decode()).encode()[:-40])
        assert "half-written" in str(wait_for(lambda: policy_error(agent)))
        assert blocked(agent)
    finally:
        agent.stop()


def test_a_whole_edit_that_protects_less_is_applied_as_an_event_and_an_alert(
    tmp_path: Path, upstream: StandInDns
) -> None:
    text = family_text(upstream.udp_url)
    config = tmp_path / "family.toml"
    config.write_text(text, encoding="utf-8")
    agent = make_agent(config, tmp_path / "data")
    agent.start()
    try:
        store = agent.store
        assert store is not None
        config.write_text(text.replace("age = 10", "age = 10\nsafe_search = false\n"
                                       'allow_categories = ["adult"]'), encoding="utf-8")
        wait_for(lambda: not blocked(agent))
        assert policy_error(agent) is None
        (event,) = store.events.recent(kind=EVENT_POLICY_LOOSENED)
        assert event.severity == "alert" and event.child == "An"
        assert "An: SafeSearch switched off" in event.message
        assert {"kind": "category-unblocked", "child": "An", "subject": "adult"} in (
            event.data["changes"]
        )
        # Queued whether or not delivery has fanned it out to the caregivers since.
        (alert,) = [item for item in store.outbox.for_event(event.id) if item.channel == "alerts"]
        assert alert.channel == "alerts" and alert.payload["kind"] == EVENT_POLICY_LOOSENED
        last_good = tmp_path / "data" / LAST_GOOD_POLICY_NAME
        assert last_good.read_bytes() == config.read_bytes()  # hand edits too
    finally:
        agent.stop()


def test_a_restart_with_a_broken_file_runs_on_the_last_good_copy(
    tmp_path: Path, upstream: StandInDns
) -> None:
    whole = family_text(upstream.udp_url).encode()
    config = tmp_path / "family.toml"
    config.write_bytes(whole)
    first = make_agent(config, tmp_path / "data")
    first.start()
    first.stop()
    config.write_bytes(whole[:748])
    again = make_agent(config, tmp_path / "data")
    again.start()
    try:
        assert "expected at least one child" in str(policy_error(again))
        assert blocked(again)
    finally:
        again.stop()


def test_without_any_good_copy_the_agent_refuses_to_start_and_says_so(tmp_path: Path) -> None:
    config = tmp_path / "family.toml"
    config.write_bytes(render_initial_policy("An", 10).encode()[:748])
    agent = make_agent(config, tmp_path / "data")
    with pytest.raises(InvalidPolicyError, match="there is no last good copy"):
        agent.start()
