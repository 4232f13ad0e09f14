"""`baoan status` against a real agent API on a random loopback port."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_api import TEST_VERSION, RunningApi, running_api

from baoan.cli import main

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningApi]:
    monkeypatch.delenv("BAOAN_PIN", raising=False)
    with running_api(tmp_path) as running:
        yield running


@pytest.fixture
def api_with_pin(api: RunningApi) -> RunningApi:
    api.auth.set_first_pin("2468")
    return api


def _status(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["status", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_human_output_without_pin(api: RunningApi, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _status(["--api", api.url], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Bảo An {TEST_VERSION}: đang chạy (running) — {api.url}"
    assert lines[1] == "DNS đang nghe (listening): udp://127.0.0.1:5353, tcp://127.0.0.1:5353"
    assert "/home/family/family.toml" in lines[2] and "2025-06-01T08:30:00+00:00" in lines[2]
    assert "Danh sách chặn (blocklists): 2, tổng 54441 tên (names)" in out
    assert any(line.split()[:2] == ["adult", "54321"] for line in lines)
    assert any("gambling" in line and "120" in line and "2 dòng lỗi" in line for line in lines)
    assert "Chưa đặt mã PIN" in out
    assert "cần PIN" in out
    assert "Minh" not in out


def test_json_output_without_pin(api: RunningApi, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _status(["--api", api.url, "--json"], capsys)
    assert code == 0
    body = json.loads(out)
    assert body["version"] == TEST_VERSION
    assert body["dns"]["listening"] == ["udp://127.0.0.1:5353", "tcp://127.0.0.1:5353"]
    assert [(item["category"], item["count"]) for item in body["lists"]] == [
        ("adult", 54321),
        ("gambling", 120),
    ]
    assert "children" not in body


def test_pin_from_stdin_adds_children_and_logs_out(
    api_with_pin: RunningApi, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("2468\n"))
    code, out, _ = _status(["--api", api_with_pin.url, "--json", "--pin-stdin"], capsys)
    assert code == 0
    body = json.loads(out)
    assert [(c["name"], c["usage_today_minutes"]) for c in body["children"]] == [
        ("Minh", 42),
        ("Lan", 95),
    ]
    assert len(api_with_pin.auth.sessions) == 0  # the session it opened was closed


def test_pin_from_the_environment_in_human_output(
    api_with_pin: RunningApi, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAOAN_PIN", "2468")
    code, out, _ = _status(["--api", api_with_pin.url], capsys)
    assert code == 0
    assert "Trẻ (children): 2" in out
    assert "  Minh  9 tuổi    tieu-hoc  hôm nay (today) 42 phút (min)" in out.splitlines()
    assert "  Lan   13 tuổi   thcs      hôm nay (today) 95 phút (min)" in out.splitlines()
    assert "2468" not in out


def test_a_wrong_pin_exits_3_with_tries_left(
    api_with_pin: RunningApi, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("1111\n"))
    code, out, err = _status(["--api", api_with_pin.url, "--pin-stdin"], capsys)
    assert code == 3
    assert out == ""
    assert "Mã PIN sai (còn 4 lần thử)" in err and "Wrong PIN (4 tries left)" in err


def test_a_locked_pin_exits_3_with_the_wait(
    api_with_pin: RunningApi, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAOAN_PIN", "1111")
    codes = [_status(["--api", api_with_pin.url], capsys)[0] for _ in range(4)]
    code, _, err = _status(["--api", api_with_pin.url], capsys)
    assert codes == [3, 3, 3, 3] and code == 3
    assert "thử lại sau 30 giây" in err and "try again in 30 s" in err


def test_agent_not_running_exits_1_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BAOAN_PIN", raising=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    code, out, err = _status(["--api", url], capsys)
    assert code == 1
    assert out == ""
    assert f"Bảo An chưa chạy: không có gì trả lời ở {url}." in err
    assert f"The Bảo An agent is not running: nothing answers at {url}." in err


def test_the_installed_command_end_to_end(api_with_pin: RunningApi) -> None:
    env = {key: value for key, value in os.environ.items() if key != "BAOAN_PIN"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "baoan",
            "status",
            "--api",
            api_with_pin.url,
            "--json",
            "--pin-stdin",
        ],
        input="2468\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["version"] == TEST_VERSION and len(body["children"]) == 2


def test_shed_log_rows_and_rate_limited_queries_are_shown() -> None:
    from agent.api.types import DnsCounters, PolicyState, Status
    from agent.commands.status import format_status

    status = Status(
        version="1.0", dns_listening=("udp://127.0.0.1:53",), policy=PolicyState("f", None, None),
        lists=(), pin_set=True, language="vi", dns_counters=DnsCounters(87502, 12),
    )
    out = format_status(status, "http://127.0.0.1:8053", asked_with_pin=False)
    assert "(answers shed from the log): 87502" in out and "(rate limited, REFUSED): 12" in out
    assert Status.from_json(status.to_json()).dns_counters == DnsCounters(87502, 12)
    quiet = format_status(
        Status("1.0", (), PolicyState("f", None, None), (), True, "vi"),
        "http://127.0.0.1:8053", asked_with_pin=False,
    )
    assert "shed" not in quiet
