"""The endpoints of docs/api.md over real HTTP: PIN, sessions, lockout, roles, data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from helpers_api import CLOCK_START, RunningApi, StaticServices, running_api

from agent.api.http import Request
from agent.auth import TRAY_TOKEN_SECRET_NAME
from agent.secrets import open_secret_store
from dns_filter.clock import ManualClock

PARENT_ENDPOINTS = ["/api/children", "/api/usage/today", "/api/querylog", "/api/stats"]


@pytest.fixture
def api(tmp_path: Path) -> Iterator[RunningApi]:
    with running_api(tmp_path) as running:
        yield running


def _call(
    api: RunningApi, method: str, path: str, token: str | None = None, **kwargs: Any
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with requests.Session() as session:
        session.trust_env = False
        return session.request(method, api.url + path, headers=headers, timeout=5, **kwargs)


def _login(api: RunningApi, pin: str = "1234") -> requests.Response:
    return _call(api, "POST", "/api/session", json={"pin": pin})


def _parent_token(api: RunningApi, pin: str = "1234") -> str:
    if not api.auth.pins.is_set():
        body = {"pin": pin, "setup_code": api.setup_code()}
        assert _call(api, "POST", "/api/pin", json=body).status_code == 201
    response = _login(api, pin)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def _tray_token(api: RunningApi, data_dir: Path) -> str:
    token = open_secret_store(data_dir).get(TRAY_TOKEN_SECRET_NAME)
    assert token
    return token


def test_public_status_has_dns_policy_and_lists_but_no_children(api: RunningApi) -> None:
    response = _call(api, "GET", "/api/status")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "version": "9.8.7",
        "dns": {
            "listening": ["udp://127.0.0.1:5353", "tcp://127.0.0.1:5353"],
            "log_shed": 0,
            "rate_limited": 0,
        },
        "policy": {
            "loaded_at": "2025-06-01T08:30:00+00:00",
            "source": "/home/family/family.toml",
            "error": None,
        },
        "lists": [
            {
                "category": "adult",
                "source": "hostsVN",
                "count": 54321,
                "updated_at": "2025-06-01T08:00:00+00:00",
                "bad_lines": 0,
                "error": None,
            },
            {
                "category": "gambling",
                "source": "starter",
                "count": 120,
                "updated_at": None,
                "bad_lines": 2,
                "error": None,
            },
        ],
        "pin_set": False,
        "language": "vi",
        "timezone": "Asia/Ho_Chi_Minh",
    }
    # No child's name (the city in the zone's name is not one).
    assert "Minh" not in response.text.replace("Asia/Ho_Chi_Minh", "")


def test_status_with_a_parent_token_adds_children_and_todays_minutes(api: RunningApi) -> None:
    token = _parent_token(api)
    body = _call(api, "GET", "/api/status", token).json()
    assert body["pin_set"] is True
    assert body["children"] == [
        {
            "name": "Minh",
            "age": 9,
            "preset": "tieu-hoc",
            "os_users": ["minh"],
            "usage_today_minutes": 42,
        },
        {
            "name": "Lan",
            "age": 13,
            "preset": "thcs",
            "os_users": ["lan", "lan-school"],
            "usage_today_minutes": 95,
        },
    ]


def test_status_shows_a_refused_policy(tmp_path: Path) -> None:
    from agent.api.types import PolicyState

    services = StaticServices(
        policy=PolicyState(
            "/f/family.toml",
            datetime(2025, 1, 1, tzinfo=UTC),
            "family.toml:12: children[0].age: expected a whole number",
        )
    )
    with running_api(tmp_path, services=services) as api:
        body = _call(api, "GET", "/api/status").json()
    assert body["policy"]["error"] == "family.toml:12: children[0].age: expected a whole number"


def test_first_pin_then_login_then_logout(api: RunningApi) -> None:
    assert _login(api).json()["error"] == "pin_not_set"
    assert _login(api).status_code == 409

    # Access to the port is not proof of set-up: the first PIN needs the set-up code.
    response = _call(api, "POST", "/api/pin", json={"pin": "1234"})
    assert response.status_code == 403 and response.json()["error"] == "setup_code_required"
    code = api.setup_code()
    response = _call(api, "POST", "/api/pin", json={"pin": "12", "setup_code": code})
    assert response.status_code == 400 and response.json()["error"] == "invalid_pin"
    response = _call(api, "POST", "/api/pin", json={"pin": "1234", "setup_code": code})
    assert response.status_code == 201 and response.json() == {"status": "set"}

    # A second "first PIN" needs a parent session.
    response = _call(api, "POST", "/api/pin", json={"pin": "9999"})
    assert response.status_code == 401 and response.json()["error"] == "auth_required"

    response = _login(api)
    assert response.status_code == 200
    session = response.json()
    expires = datetime.fromisoformat(session["expires_at"])
    assert expires == api.clock.now() + timedelta(seconds=600)
    token = session["token"]
    assert _call(api, "GET", "/api/children", token).status_code == 200

    response = _call(api, "DELETE", "/api/session", token)
    assert response.status_code == 200 and response.json() == {"status": "closed"}
    response = _call(api, "GET", "/api/children", token)
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_wrong_pin_counts_down_then_locks_with_retry_after(api: RunningApi) -> None:
    _parent_token(api)
    for tries_left in (4, 3, 2, 1):
        response = _login(api, "0000")
        assert response.status_code == 401
        assert response.json()["error"] == "wrong_pin"
        assert response.json()["tries_left"] == tries_left
    response = _login(api, "0000")
    assert response.status_code == 429
    assert response.json()["error"] == "locked"
    assert response.json()["retry_after"] == 30
    assert response.headers["Retry-After"] == "30"

    # Locked: the right PIN is refused too, and the wait counts down.
    api.clock.advance(12)
    response = _login(api, "1234")
    assert response.status_code == 429 and response.json()["retry_after"] == 18

    # Back-off: after the lock, one more wrong PIN locks for twice as long.
    api.clock.advance(18)
    response = _login(api, "5555")
    assert response.status_code == 429 and response.json()["retry_after"] == 60
    api.clock.advance(60)
    assert _login(api, "1234").status_code == 200
    assert _login(api, "0000").json()["tries_left"] == 4  # a right PIN resets the count


def test_lockout_persists_across_a_restart(tmp_path: Path) -> None:
    clock = ManualClock(CLOCK_START)
    with running_api(tmp_path, clock=clock) as api:
        _parent_token(api)
        for _ in range(5):
            last = _login(api, "0000")
        assert last.status_code == 429
    clock.advance(10)
    with running_api(tmp_path, clock=clock) as restarted:
        response = _login(restarted, "1234")
        assert response.status_code == 429
        assert response.json()["retry_after"] == 20
        clock.advance(20)
        assert _login(restarted, "1234").status_code == 200


def test_sessions_expire_when_left_unused(api: RunningApi) -> None:
    token = _parent_token(api)
    api.clock.advance(599)
    assert _call(api, "GET", "/api/usage/today", token).status_code == 200  # restarts idle
    api.clock.advance(599)
    assert _call(api, "GET", "/api/usage/today", token).status_code == 200
    api.clock.advance(600)
    response = _call(api, "GET", "/api/usage/today", token)
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"


def test_sessions_end_at_their_maximum_age_even_when_used(api: RunningApi) -> None:
    token = _parent_token(api)
    for _ in range(6):
        api.clock.advance(590)
        assert _call(api, "GET", "/api/stats", token).status_code == 200
    api.clock.advance(600 * 6 - 590 * 6 + 1)  # past the one-hour maximum
    assert _call(api, "GET", "/api/stats", token).status_code == 401


def test_sessions_end_when_the_agent_restarts(tmp_path: Path) -> None:
    with running_api(tmp_path) as api:
        token = _parent_token(api)
    with running_api(tmp_path) as restarted:
        assert _call(restarted, "GET", "/api/children", token).status_code == 401
        assert _login(restarted).status_code == 200  # the PIN itself was kept


@pytest.mark.parametrize("path", PARENT_ENDPOINTS)
def test_parent_endpoints_refuse_without_a_parent_token(
    api: RunningApi, tmp_path: Path, path: str
) -> None:
    response = _call(api, "GET", path)
    assert response.status_code == 401 and response.json()["error"] == "auth_required"
    response = _call(api, "GET", path, "made-up-token")
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"
    response = _call(api, "GET", path, _tray_token(api, tmp_path))
    assert response.status_code == 403 and response.json()["error"] == "parent_only"
    assert "Minh" not in response.text
    assert api.services.calls == []  # nothing was read for them


def test_a_malformed_authorization_header_is_refused(api: RunningApi) -> None:
    with requests.Session() as session:
        session.trust_env = False
        response = session.get(
            api.url + "/api/children", headers={"Authorization": "Basic dXNlcjpwYXNz"}, timeout=5
        )
    assert response.status_code == 401 and response.json()["error"] == "auth_required"


def test_the_tray_token_works_only_where_a_child_is_allowed(
    api: RunningApi, tmp_path: Path
) -> None:
    heartbeats: list[Request] = []

    def heartbeat(request: Request) -> object:
        heartbeats.append(request)
        return {"ok": True, "role": request.role.value if request.role else None}

    api.server.router.add("POST", "/api/test-heartbeat", heartbeat, auth="child")
    tray = _tray_token(api, tmp_path)
    parent = _parent_token(api)

    response = _call(api, "POST", "/api/test-heartbeat", tray, json={"idle": 3})
    assert response.status_code == 200 and response.json() == {"ok": True, "role": "child"}
    response = _call(api, "POST", "/api/test-heartbeat", parent, json={"idle": 3})
    assert response.status_code == 403 and response.json()["error"] == "child_only"
    response = _call(api, "POST", "/api/test-heartbeat", json={"idle": 3})
    assert response.status_code == 401
    assert len(heartbeats) == 1

    # The tray may read public status, and sees no children there.
    body = _call(api, "GET", "/api/status", tray).json()
    assert "children" not in body
    # ... and it may not change the PIN nor close a parent session.
    response = _call(api, "POST", "/api/pin", tray, json={"old_pin": "1234", "pin": "0001"})
    assert response.status_code == 403 and response.json()["error"] == "parent_only"
    assert _call(api, "DELETE", "/api/session", tray).status_code == 403


def test_changing_the_pin_needs_the_old_one_and_ends_other_sessions(api: RunningApi) -> None:
    first = _parent_token(api)
    second = _login(api).json()["token"]

    response = _call(api, "POST", "/api/pin", first, json={"pin": "5678"})
    assert response.status_code == 400 and "old_pin" in response.json()["message"]
    response = _call(api, "POST", "/api/pin", first, json={"old_pin": "0000", "pin": "5678"})
    assert response.status_code == 401 and response.json()["tries_left"] == 4
    response = _call(api, "POST", "/api/pin", first, json={"old_pin": "1234", "pin": "5678"})
    assert response.status_code == 200 and response.json() == {"status": "changed"}

    assert _call(api, "GET", "/api/children", first).status_code == 200
    assert _call(api, "GET", "/api/children", second).status_code == 401
    assert _login(api, "1234").status_code == 401
    assert _login(api, "5678").status_code == 200


def test_children_usage_querylog_and_stats(api: RunningApi) -> None:
    token = _parent_token(api)
    children = _call(api, "GET", "/api/children", token).json()
    assert [(c["name"], c["usage_today_minutes"]) for c in children] == [("Minh", 42), ("Lan", 95)]

    usage = _call(api, "GET", "/api/usage/today", token).json()
    assert usage == {"date": "2025-06-01", "children": {"Minh": 42, "Lan": 95}}

    log = _call(api, "GET", "/api/querylog", token, params={"child": "Minh", "limit": 5}).json()
    assert [entry["name"] for entry in log] == ["casino.example", "wikipedia.org"]
    assert log[0] == {
        "time": "2025-06-01T09:00:05+00:00",
        "child": "Minh",
        "name": "casino.example",
        "qtype": "A",
        "decision": "blocked",
        "reason": {"kind": "category", "category": "gambling"},
        "category": "gambling",
        "client": "127.0.0.1",
        "latency_ms": 0.4,
        "count": 3,
    }
    assert [entry["count"] for entry in log] == [3, 1]
    assert ("query_log", ("Minh", 5)) in api.services.calls
    everything = _call(api, "GET", "/api/querylog", token).json()
    assert len(everything) == 3
    assert ("query_log", (None, 100)) in api.services.calls

    stats = _call(api, "GET", "/api/stats", token, params={"child": "Minh"}).json()
    assert stats == {
        "top_blocked": [["casino.example", 1]],
        "top_allowed": [["wikipedia.org", 1]],
        "by_category": {"gambling": 1},
    }


@pytest.mark.parametrize("limit", ["0", "1001", "abc", "-1", "2.5", "²", "٣", "9" * 5000])
def test_querylog_limit_is_checked(api: RunningApi, limit: str) -> None:
    token = _parent_token(api)
    response = _call(api, "GET", "/api/querylog", token, params={"limit": limit})
    assert response.status_code == 400 and "'limit'" in response.json()["message"]


def test_an_unknown_child_is_a_404(api: RunningApi) -> None:
    token = _parent_token(api)
    for path in ("/api/querylog", "/api/stats"):
        response = _call(api, "GET", path, token, params={"child": "Nobody"})
        assert response.status_code == 404 and response.json()["error"] == "unknown_child"


def test_session_body_is_checked(api: RunningApi) -> None:
    _parent_token(api)
    response = _call(api, "POST", "/api/session", json={})
    assert response.status_code == 400 and "'pin'" in response.json()["message"]
    response = _call(api, "POST", "/api/session", json={"pin": 1234})
    assert response.status_code == 400
    # Malformed bodies are not guesses: they do not count toward the lockout.
    assert _login(api, "0000").json()["tries_left"] == 4


def test_no_pin_or_token_reaches_the_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    with running_api(tmp_path) as api:
        token = _parent_token(api, "73915")
        _call(api, "GET", "/api/children", token, params={"child": "Minh"})
        _login(api, "11111")
        _call(api, "POST", "/api/pin", token, json={"old_pin": "73915", "pin": "864200"})
        tray = _tray_token(api, tmp_path)
        _call(api, "GET", "/api/status", tray)
    text = caplog.text
    assert "wrong parent PIN" in text  # the log did record the events...
    for secret in ("73915", "11111", "864200", token, tray):
        assert secret not in text  # ...but never a secret
