"""What the agent's process loads when it starts: nothing a family may never use.

Apprise (with its plugins) is loaded at the first alert through an Apprise channel and
keyring only when the OS keyring is asked for; each costs the service megabytes it would
carry all day (issue 12's monitoring benchmark holds the agent under 60 MB). The HTTP/2
stack of DNS over HTTPS (httpcore, h2) is loaded at the first DoH question, so a
family forwarding over plain DNS never carries it. The agent's outgoing HTTP goes through
urllib3 (`dns_filter.http_client`): requests, with the charset detection it loads at
import (charset_normalizer, over 3 MB), is never loaded.

The probe is the real `baoan agent` command, started in a process of its own on loopback
ports; once the agent says it is running, the process lists its modules and stops."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from agent.policy.template import render_initial_policy

PROBE = """
import json, logging, os, signal, sys, threading
from baoan.cli import main

config, data = sys.argv[1:3]
running = threading.Event()


class Running(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Bảo An agent is running"):
            running.set()


logging.getLogger("agent.runtime").addHandler(Running())
logging.getLogger("agent.runtime").setLevel(logging.INFO)


def report() -> None:
    if running.wait(90):
        print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), flush=True)
    os.kill(os.getpid(), signal.SIGTERM)  # the agent's own clean stop


threading.Thread(target=report, daemon=True).start()
sys.exit(main([
    "agent", "--config", config, "--data-dir", data, "--dns-listen", "127.0.0.1:0",
    "--http-listen", "127.0.0.1:0", "--block-page-listen", "none", "--no-list-refresh",
]))
"""


def test_the_started_agent_loads_none_of_what_a_family_may_never_use(tmp_path: Path) -> None:
    config = tmp_path / "family.toml"
    config.write_text(render_initial_policy("An", 12, (), ["udp://127.0.0.1:9"]), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(config), str(tmp_path / "data")],
        capture_output=True, text=True, timeout=120,
    )
    assert done.stdout.strip(), f"the agent did not start:\n{done.stderr}"
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    assert "agent" in loaded and "aiohttp" in loaded  # the probe really ran the agent
    assert "urllib3" in loaded  # its HTTP client is there, ready for the lists and ntfy
    assert "apprise" not in loaded
    assert "keyring" not in loaded
    assert "tomlkit" not in loaded  # until a parent reads or edits the policy
    assert "PySide6" not in loaded
    assert not loaded & {"httpx", "httpcore", "h2", "hpack"}  # until a DoH question is asked
    assert "requests" not in loaded
    assert "charset_normalizer" not in loaded


# The modules of `baoan agent` before it starts: what it loads before its first answer.
BEFORE_START = """
import json, sys
import baoan.cli
import agent.runtime
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_the_agent_answers_before_aiohttp_is_loaded() -> None:
    # aiohttp's stack is about a seventh of the agent's start-up: it comes with the HTTP
    # listener, which starts after the DNS filter listens.
    done = subprocess.run(
        [sys.executable, "-c", BEFORE_START], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    assert {"agent", "dns_filter", "dnslib"} <= loaded
    assert not loaded & {"aiohttp", "yarl", "multidict", "frozenlist"}
