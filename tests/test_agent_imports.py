"""What the agent's process loads when it starts: nothing a family may never use.

Apprise (with its plugins) is loaded at the first alert through an Apprise channel and
keyring only when the OS keyring is asked for; each costs the service megabytes it would
carry all day (issue 12's monitoring benchmark holds the agent under 60 MB). The HTTP/2
stack of DNS over HTTPS (httpcore, h2) is loaded at the first DoH question, so a
family forwarding over plain DNS never carries it."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import baoan.cli, agent.commands.agent, agent.runtime, agent.alert_delivery, agent.secrets
import dns_filter.upstreams  # the upstream group of a family forwarding over UDP
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_starting_the_agent_loads_neither_apprise_nor_keyring_nor_tomlkit() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = set(json.loads(done.stdout))
    assert "agent" in loaded and "aiohttp" in loaded  # the probe really imported the agent
    assert "apprise" not in loaded
    assert "keyring" not in loaded
    assert "tomlkit" not in loaded  # until a parent reads or edits the policy
    assert "PySide6" not in loaded
    assert not loaded & {"httpx", "httpcore", "h2", "hpack"}  # until a DoH question is asked
