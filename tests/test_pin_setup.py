"""Setting the parent PIN needs proof of set-up: the one-time set-up code over HTTP, or
`baoan pin set` as the account that owns the agent's data — never access to the port alone."""

from __future__ import annotations

import argparse
import io
import os
import pwd
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from helpers_api import FAST_SCRYPT, RunningApi, running_api

from agent.auth import LockedOutError, PinManager, WrongSetupCodeError
from agent.commands.pin import ownership_problem, run_reset_code, run_set, set_parent_pin
from agent.pin_setup import (
    SETUP_LOCKOUT_SECRET_NAME,
    SetupCodes,
    new_setup_code,
    normalise_code,
    setup_code_path,
)
from agent.runtime import Agent, AgentSettings
from agent.secrets import open_secret_store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def api(tmp_path: Path) -> Iterator[RunningApi]:
    with running_api(tmp_path) as running:
        yield running


def post_pin(api: RunningApi, body: dict[str, Any], token: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with requests.Session() as session:
        session.trust_env = False
        return session.post(api.url + "/api/pin", json=body, headers=headers, timeout=5)


def login(api: RunningApi, pin: str) -> requests.Response:
    with requests.Session() as session:
        session.trust_env = False
        return session.post(api.url + "/api/session", json={"pin": pin}, timeout=5)


def run_cli(*args: str, stdin: str = "", **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "baoan.cli", "pin", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
        **kwargs,
    )


# -- over HTTP ------------------------------------------------------------------------------------


def test_no_pin_and_no_code_is_refused(api: RunningApi) -> None:
    # As reproduced: a fresh install took the first PIN from anyone on the PC.
    for token in (None, "not-a-token"):
        answer = post_pin(api, {"pin": "1234"}, token)
        assert answer.status_code in (401, 403)
    answer = post_pin(api, {"pin": "1234"})
    assert answer.status_code == 403 and answer.json()["error"] == "setup_code_required"
    assert not api.auth.pins.is_set()
    assert api.setup_code()  # still there: a refusal uses nothing up


def test_a_wrong_code_is_refused_and_counted_until_a_lock(api: RunningApi) -> None:
    code = api.setup_code()
    wrong = new_setup_code()
    for tries_left in (4, 3, 2, 1):
        answer = post_pin(api, {"pin": "1234", "setup_code": wrong})
        assert answer.status_code == 403
        assert answer.json() == {
            "error": "wrong_setup_code",
            "message": "wrong set-up code",
            "tries_left": tries_left,
        }
    answer = post_pin(api, {"pin": "1234", "setup_code": wrong})
    assert answer.status_code == 429 and answer.json()["error"] == "locked"
    # While locked not even the right code is checked.
    answer = post_pin(api, {"pin": "1234", "setup_code": code})
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0
    assert not api.auth.pins.is_set()
    # A bad PIN is no guess at the code: nothing counted.
    api.clock.advance(timedelta(seconds=31))
    answer = post_pin(api, {"pin": "12", "setup_code": wrong})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_pin"
    answer = post_pin(api, {"pin": "1234", "setup_code": f" {code.lower()} "})
    assert answer.status_code == 201


def test_the_right_code_sets_the_pin_once_and_is_gone(api: RunningApi) -> None:
    code = api.setup_code()
    codes = api.auth.setup_codes
    assert isinstance(codes, SetupCodes)
    assert stat.S_IMODE(codes.path.stat().st_mode) == 0o600
    answer = post_pin(api, {"pin": "1234", "setup_code": code})
    assert answer.status_code == 201 and answer.json() == {"status": "set"}
    assert not codes.path.exists()
    assert login(api, "1234").status_code == 200
    # Used once: the same code again is a wrong code, and the PIN stays.
    answer = post_pin(api, {"pin": "9999", "setup_code": code})
    assert answer.status_code == 403 and answer.json()["error"] == "wrong_setup_code"
    assert login(api, "9999").status_code == 401
    assert login(api, "1234").status_code == 200


def test_a_forgotten_pin_is_reset_with_a_fresh_code(api: RunningApi, tmp_path: Path) -> None:
    assert post_pin(api, {"pin": "1234", "setup_code": api.setup_code()}).status_code == 201
    session = login(api, "1234").json()["token"]
    result = run_cli("reset-code", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    code = result.stdout.strip()
    assert code == api.setup_code()
    answer = post_pin(api, {"pin": "8642", "setup_code": code})
    assert answer.status_code == 200 and answer.json() == {"status": "reset"}
    assert login(api, "8642").status_code == 200
    assert login(api, "1234").status_code == 401
    with requests.Session() as http:
        http.trust_env = False
        ended = http.get(
            api.url + "/api/children", headers={"Authorization": f"Bearer {session}"}, timeout=5
        )
    assert ended.status_code == 401  # every earlier parent session ended


def test_codes_are_random_and_typed_loosely() -> None:
    codes = {new_setup_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(normalise_code(code)) == 12 for code in codes)
    assert normalise_code("ab2c-d3ef gh4k") == "AB2CD3EFGH4K"


def test_the_lockout_survives_a_restart(tmp_path: Path) -> None:
    store = open_secret_store(tmp_path)
    codes = SetupCodes(setup_code_path(tmp_path), store)
    code = codes.issue()
    for _ in range(5):
        with pytest.raises((WrongSetupCodeError, LockedOutError)):
            codes.verify("WRONG")
    again = SetupCodes(setup_code_path(tmp_path), open_secret_store(tmp_path))
    with pytest.raises(LockedOutError):
        again.verify(code)
    assert store.get(SETUP_LOCKOUT_SECRET_NAME) is not None
    again.issue()  # a fresh code: the tries were against one that is gone
    assert store.get(SETUP_LOCKOUT_SECRET_NAME) is None


def test_the_agent_writes_a_fresh_code_at_each_start_while_no_pin_is_set(tmp_path: Path) -> None:
    config = tmp_path / "family.toml"
    from agent.policy.template import render_initial_policy

    config.write_text(render_initial_policy("An", 9, ["an"]), encoding="utf-8")
    settings = AgentSettings(
        config_path=config,
        data_dir=tmp_path / "data",
        dns_listen=(("127.0.0.1", 0),),
        http_listen=("127.0.0.1", 0),
        refresh_lists_at_start=False,
    )
    path = setup_code_path(settings.data_dir)
    seen = []
    for _ in range(2):
        agent = Agent(settings, session_user=lambda: "an")
        agent.start()
        try:
            seen.append(path.read_text(encoding="ascii").strip())
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
        finally:
            agent.stop()
    assert seen[0] != seen[1]
    set_parent_pin(settings.data_dir, "2468")
    assert not path.exists()
    agent = Agent(settings, session_user=lambda: "an")
    agent.start()
    try:
        assert not path.exists()  # a PIN is set: no code is made unasked
    finally:
        agent.stop()


# -- the command line -----------------------------------------------------------------------------


def test_pin_set_from_a_pipe_while_the_agent_runs(api: RunningApi, tmp_path: Path) -> None:
    result = run_cli(
        "set",
        "--config",
        str(tmp_path / "family.toml"),
        "--data-dir",
        str(tmp_path),
        stdin="2468\n",
    )
    assert result.returncode == 0, result.stderr
    assert not setup_code_path(tmp_path).exists()
    assert login(api, "2468").status_code == 200  # the running agent reads the same store
    # A forgotten PIN: set again, the old one no longer works.
    assert run_cli("set", "--data-dir", str(tmp_path), stdin="13579\n").returncode == 0
    assert login(api, "2468").status_code == 401
    assert login(api, "13579").status_code == 200


def test_pin_set_refuses_a_bad_pin(tmp_path: Path) -> None:
    result = run_cli("set", "--data-dir", str(tmp_path), stdin="12ab\n")
    assert result.returncode == 2
    assert not PinManager(open_secret_store(tmp_path), params=FAST_SCRYPT).is_set()


def run_as_nobody(action: Callable[[], int]) -> int:
    """`action()`'s exit code, run in a forked child that became `nobody` first (the
    interpreter under /root may not be executable by nobody, so no new program is run)."""
    nobody = pwd.getpwnam("nobody")
    pid = os.fork()
    if pid == 0:  # the child
        code = 99
        try:
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            code = action()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_pin_set_as_another_account_is_refused(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    if not hasattr(os, "fork") or os.geteuid() != 0:
        pytest.skip("needs root to act as another account")
    # The agent's data as an installed PC had it before: root's, in a 0755 folder.
    base = Path(tempfile.mkdtemp(prefix="baoan-pin-"))
    try:
        base.chmod(0o755)
        data_dir = base / "data"
        data_dir.mkdir()
        data_dir.chmod(0o755)
        SetupCodes(setup_code_path(data_dir), open_secret_store(data_dir)).issue()
        args = argparse.Namespace(config=None, data_dir=data_dir)
        assert run_as_nobody(lambda: run_set(args, io.StringIO("1111\n"))) == 4
        assert run_as_nobody(lambda: run_reset_code(args, io.StringIO())) == 4
        assert capfd.readouterr().err.count("only the account that owns") == 2
        assert not PinManager(open_secret_store(data_dir)).is_set()
        assert ownership_problem(data_dir) is None  # root, its owner, may
        assert run_set(args, io.StringIO("1111\n")) == 0
    finally:
        subprocess.run(["rm", "-rf", str(base)], check=True)


def test_only_if_unset_keeps_the_pin_a_parent_chose(tmp_path: Path) -> None:
    assert run_cli("set", "--data-dir", str(tmp_path), stdin="2468\n").returncode == 0
    again = run_cli("set", "--only-if-unset", "--data-dir", str(tmp_path), stdin="1111\n")
    assert again.returncode == 0 and "already set" in again.stderr
    PinManager(open_secret_store(tmp_path)).verify("2468")


def test_the_try_out_sets_its_pin_as_the_datas_owner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent.commands import try_out

    started: list[Path] = []

    def headless(agent: Agent, config: Path, dns: object) -> int:
        started.append(agent.settings.data_dir)
        # The agent has not started yet, and the PIN is already there: no set-up code.
        PinManager(open_secret_store(agent.settings.data_dir)).verify(try_out.TRY_PIN)
        return 0

    monkeypatch.setattr(try_out, "_run_headless", headless)
    args = argparse.Namespace(
        data_dir=tmp_path / "try",
        dns_listen="127.0.0.1:0",
        http_listen="127.0.0.1:0",
        no_dashboard=True,
    )
    assert try_out.run(args) == 0
    assert started == [tmp_path / "try"]
    assert not setup_code_path(tmp_path / "try").exists()


def test_an_installer_asks_for_a_code_only_while_no_pin_is_set(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run_cli("reset-code", "--data-dir", str(data), "--only-if-unset")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == setup_code_path(data).read_text().strip()
    set_parent_pin(data, "2468")
    again = run_cli("reset-code", "--data-dir", str(data), "--only-if-unset")
    assert again.returncode == 0 and again.stdout == ""
    assert "already set" in again.stderr
    assert not setup_code_path(data).exists()  # no code that could replace the PIN
