"""`baoan try`: the README's main job, run as a newcomer would, then stopped with Ctrl-C."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from dnslib import QTYPE, DNSRecord
from helpers_ports import start_on_free_ports


def test_try_runs_a_sample_family_prints_next_steps_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("DISPLAY",)}
    process, dns_port, _http_port = start_on_free_ports(
        lambda dns, http: [
            "try",
            "--no-dashboard",
            "--data-dir",
            str(tmp_path),
            "--dns-listen",
            f"127.0.0.1:{dns}",
            "--http-listen",
            f"127.0.0.1:{http}",
        ],
        env=env,
    )
    try:
        reply = None
        deadline = time.monotonic() + 30
        while reply is None and time.monotonic() < deadline:
            try:
                query = DNSRecord.question("pornhub.com")
                reply = DNSRecord.parse(query.send("127.0.0.1", dns_port, timeout=0.5))
            except OSError:
                time.sleep(0.2)
        assert reply is not None, "the try-out agent never answered"
        assert [str(rr.rdata) for rr in reply.rr if rr.rtype == QTYPE.A] == ["127.0.0.1"]
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert f"dig @127.0.0.1 -p {dns_port} pornhub.com" in out
    assert "1234" in out  # the try-out PIN is shown
    assert (tmp_path / "family.toml").is_file()
    assert "Bảo An agent stopped" in err
    assert "made private" not in err  # its data folder was private from the start
