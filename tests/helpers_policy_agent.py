"""A real agent on random loopback ports for the policy-editing tests, and its parent."""

from __future__ import annotations

import faulthandler
import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from test_upstreams_standin import ZONE_TEXT, StandInDns, Zone

from agent.api.client import ApiClient
from agent.pin_setup import setup_code_path
from agent.policy.template import render_initial_policy
from agent.runtime import Agent, AgentSettings
from dns_filter.clock import SystemClock

PARENT_PIN = "2468"
HAND_COMMENT = "# Minh's own note: keep this line"


@dataclass(frozen=True)
class RunningFamily:
    agent: Agent
    config: Path

    @property
    def url(self) -> str:
        return self.agent.http_url()


def family_text(upstream_url: str) -> str:
    text = render_initial_policy("An", 9, ["an"], [upstream_url])
    return text.replace(
        'os_users = ["an"]', f'{HAND_COMMENT}\nos_users = ["an"]\ndeny = ["a.example"]', 1
    )


@contextmanager
def running_family(
    tmp_path: Path,
    *,
    os_accounts: Callable[[], frozenset[str] | None] | None = None,
    pause_minute_seconds: float = 60.0,
    text: Callable[[str], str] = family_text,
) -> Iterator[RunningFamily]:
    from dnslib import RR

    upstream = StandInDns(Zone(RR.fromZone(ZONE_TEXT))).start()
    config = tmp_path / "family.toml"
    config.write_text(text(upstream.udp_url), encoding="utf-8")
    agent = Agent(
        AgentSettings(
            config_path=config,
            data_dir=tmp_path / "data",
            dns_listen=(("127.0.0.1", 0),),
            http_listen=("127.0.0.1", 0),
            refresh_lists_at_start=False,
            policy_poll_seconds=0.2,
            pause_minute_seconds=pause_minute_seconds,
        ),
        session_user=lambda: "an",
        clock=SystemClock(),
        os_accounts=os_accounts,
    )
    agent.start()
    try:
        yield RunningFamily(agent, config)
    finally:
        try:
            stop_agent(agent)
        finally:
            upstream.close()


AGENT_STOP_SECONDS = 120.0


def stop_agent(agent: Agent) -> None:
    """Stop `agent`; one that does not stop within a generous limit (a deadlock) fails the
    test with every thread's stack, instead of hanging the suite."""
    stopping = threading.Thread(target=agent.stop, name="agent-stop", daemon=True)
    stopping.start()
    stopping.join(AGENT_STOP_SECONDS)
    if stopping.is_alive():
        faulthandler.dump_traceback(all_threads=True)
        raise AssertionError(f"the agent did not stop within {AGENT_STOP_SECONDS:.0f} s")


def set_first_pin(family: RunningFamily) -> None:
    code = setup_code_path(family.agent.settings.data_dir).read_text(encoding="ascii").strip()
    with ApiClient(family.url) as client:
        client.set_pin(PARENT_PIN, setup_code=code)


def parent_client(family: RunningFamily) -> ApiClient:
    set_first_pin(family)
    client = ApiClient(family.url)
    client.token = client.open_session(PARENT_PIN).token
    return client


def baoan_check(config: Path, name: str) -> dict[str, object]:
    """`baoan check NAME --json`, as a parent runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "baoan", "check", name, "--config", str(config), "--json",
         "--data-dir", str(config.parent / "data")],
        capture_output=True, text=True, timeout=60, check=True,
    )
    value = json.loads(result.stdout)
    assert isinstance(value, dict)
    return value


def with_local_lists(text: str, sources: dict[str, Path]) -> str:
    """`text` with every category's list sources set: the local files given, else none,
    so that "update now" never reaches for a public server."""
    from agent.policy.categories import categories

    lines = ["[settings.lists]"]
    for category in categories():
        paths = [json.dumps(str(sources[category]))] if category in sources else []
        lines.append(f"{category} = [{', '.join(paths)}]")
    return text.replace("# [settings.lists]\n", "\n".join(lines) + "\n", 1)
