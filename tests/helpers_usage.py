"""Helpers for the screen-time tests: a real agent on loopback with a parent PIN, and
calls as the child's tray or as a parent. Not a test module of its own."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from helpers_policy_agent import stop_agent

from agent.api.types import ForegroundApp, HeartbeatBatch, HeartbeatReport
from agent.auth import TRAY_TOKEN_SECRET_NAME
from agent.policy.template import render_initial_policy
from agent.runtime import Agent, AgentSettings
from agent.secrets import open_secret_store
from agent.tray.identity import load_tray_user_keys

PIN = "2468"
# A caregiver whose ntfy server is a closed loopback port: delivery reaches nothing beyond
# the PC.
CAREGIVER_TOPIC = "baoan-me"
CLOSED_PORT = "http://127.0.0.1:9"


def caregiver_table(server: str = CLOSED_PORT) -> str:
    return (
        f'\n[[caregivers]]\nname = "Mẹ"\nntfy_topic = "{CAREGIVER_TOPIC}"\n'
        f'ntfy_server = "{server}"\n'
    )


CAREGIVER = caregiver_table()


@contextmanager
def running_usage_agent(
    tmp_path: Path,
    screen_time: str = "",
    *,
    caregiver: bool = False,
    ntfy_server: str | None = None,
    os_accounts: Callable[[], frozenset[str] | None] | None = None,
) -> Iterator[Agent]:
    """A real agent for the child An (age 9, OS account "an", whose session is active);
    `screen_time` is the body of An's ``[children.screen_time]`` table (with no allowed
    hours unless it sets them, so that the hour of the run does not matter); `caregiver` adds
    one who gets alerts (at a closed loopback port, or at `ntfy_server`)."""
    config = tmp_path / "family.toml"
    text = render_initial_policy("An", 9, ["an"], ["udp://127.0.0.1:9"])
    if "allowed_hours" not in screen_time:
        # The preset's hours end at 20:30 in the family's zone: with them, a test run in
        # the evening would find An's day over before any limit it sets.
        screen_time = "\n".join(filter(None, [screen_time, "allowed_hours = []"]))
    marker = "# [children.screen_time]\n"
    assert marker in text
    text = text.replace(marker, "[children.screen_time]\n" + screen_time + "\n", 1)
    if caregiver or ntfy_server:
        text += caregiver_table(ntfy_server or CLOSED_PORT)
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
        os_accounts=os_accounts or (lambda: frozenset({"an"})),
    )
    running.start()
    assert running.authenticator is not None
    running.authenticator.set_first_pin(PIN)
    try:
        yield running
    finally:
        stop_agent(running)


def call(agent: Agent, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
    with requests.Session() as session:
        session.trust_env = False
        return session.request(method, agent.http_url() + path, headers=headers, timeout=5, **kw)


def tray_headers(agent: Agent, user: str = "an", key: str | None = None) -> dict[str, str]:
    secrets = open_secret_store(agent.settings.data_dir)
    token = secrets.get(TRAY_TOKEN_SECRET_NAME)
    keys = load_tray_user_keys(secrets)
    return {
        "Authorization": f"Bearer {token}",
        "X-Baoan-User": user,
        "X-Baoan-User-Key": key if key is not None else keys.key_for(user),
    }


def parent_headers(agent: Agent) -> dict[str, str]:
    assert agent.authenticator is not None
    return {"Authorization": f"Bearer {agent.authenticator.login(PIN).token}"}


MINECRAFT = ForegroundApp(exe_path="/usr/games/minecraft-launcher", pid=4242, title="Minecraft")


def beats(
    seconds: int, step: int = 5, app: ForegroundApp = MINECRAFT, instance: str = "tray-e2e"
) -> HeartbeatBatch:
    """A batch of heartbeats every `step` seconds with `app` in front, sent now."""
    base = time.monotonic()
    reports = tuple(
        HeartbeatReport(instance, base + t, datetime.now(UTC), app, utc_offset_minutes=420)
        for t in range(0, seconds + 1, step)
    )
    return HeartbeatBatch(base + seconds, reports)
