"""ApiClient against the real server on a random loopback port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from helpers_api import TEST_VERSION, RunningApi, running_api

from agent.api.client import (
    AgentNotRunningError,
    ApiClient,
    ApiClientError,
    ForbiddenError,
    LockedError,
    PinNotSetError,
    ProtocolError,
    SetupCodeRequiredError,
    UnauthorizedError,
    WrongPinError,
    WrongSetupCodeError,
)
from agent.api.http import json_response
from agent.api.types import (
    ChildInfo,
    Health,
    ListInfo,
    PolicyState,
    QueryLogEntry,
    ReasonInfo,
    SessionInfo,
    ShapeError,
    Stats,
    Status,
    UsageToday,
)
from agent.auth import TRAY_TOKEN_SECRET_NAME
from agent.secrets import open_secret_store


@pytest.fixture
def api(tmp_path: Path) -> Iterator[RunningApi]:
    with running_api(tmp_path) as running:
        yield running


@pytest.fixture
def client(api: RunningApi) -> Iterator[ApiClient]:
    with ApiClient(api.url) as made:
        yield made


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_health_and_public_status(client: ApiClient) -> None:
    assert client.health() == Health("ok", TEST_VERSION)
    status = client.status()
    assert isinstance(status, Status)
    assert status.version == TEST_VERSION
    assert status.dns_listening == ("udp://127.0.0.1:5353", "tcp://127.0.0.1:5353")
    assert status.policy == PolicyState(
        "/home/family/family.toml", datetime(2025, 6, 1, 8, 30, tzinfo=UTC), None
    )
    assert status.lists[0] == ListInfo(
        "adult", "hostsVN", 54321, datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    )
    assert status.total_list_entries == 54321 + 120
    assert status.children is None
    assert status.pin_set is False and status.language == "vi"
    assert status.timezone == "Asia/Ho_Chi_Minh"


def test_full_parent_flow(api: RunningApi, client: ApiClient) -> None:
    with pytest.raises(PinNotSetError) as not_set:
        client.open_session("1234")
    assert not_set.value.status == 409

    # The first PIN needs the set-up code: access to the port is no proof of set-up.
    with pytest.raises(SetupCodeRequiredError) as no_code:
        client.set_pin("1234")
    assert no_code.value.status == 403
    with pytest.raises(WrongSetupCodeError) as wrong_code:
        client.set_pin("1234", setup_code="NOT-THE-CODE")
    assert wrong_code.value.tries_left == 4
    assert client.set_pin("1234", setup_code=api.setup_code()) == "set"
    session = client.open_session("1234")
    assert isinstance(session, SessionInfo)
    assert client.token == session.token
    assert session.token not in repr(session) and session.token not in repr(client)

    status = client.status()
    assert status.pin_set is True
    assert status.children == (
        ChildInfo("Minh", 9, "tieu-hoc", ("minh",), 42),
        ChildInfo("Lan", 13, "thcs", ("lan", "lan-school"), 95),
    )
    assert client.children() == list(status.children)
    assert client.usage_today() == UsageToday(date(2025, 6, 1), {"Minh": 42, "Lan": 95})

    log = client.query_log(child="Minh", limit=1)
    assert log == [
        QueryLogEntry(
            time=datetime(2025, 6, 1, 9, 0, 5, tzinfo=UTC),
            child="Minh",
            name="casino.example",
            qtype="A",
            decision="blocked",
            reason=ReasonInfo("category", category="gambling"),
            category="gambling",
            client="127.0.0.1",
            latency_ms=0.4,
            count=3,
        )
    ]
    assert len(client.query_log()) == 3
    assert client.stats() == Stats(
        top_blocked=(("casino.example", 1),),
        top_allowed=(("vnexpress.net", 1), ("wikipedia.org", 1)),
        by_category={"gambling": 1},
    )

    client.set_pin("5678", old_pin="1234")
    client.close_session()
    assert client.token is None
    with pytest.raises(UnauthorizedError) as refused:
        client.children()
    assert refused.value.status == 401 and refused.value.code == "auth_required"


def test_wrong_pin_and_lockout_are_their_own_exceptions(api: RunningApi, client: ApiClient) -> None:
    client.set_pin("1234", setup_code=api.setup_code())
    for expected in (4, 3, 2, 1):
        with pytest.raises(WrongPinError) as wrong:
            client.open_session("9999")
        assert wrong.value.tries_left == expected
    with pytest.raises(LockedError) as locked:
        client.open_session("9999")
    assert locked.value.retry_after == 30 and locked.value.status == 429
    assert client.token is None


def test_an_expired_token_is_unauthorized(api: RunningApi, client: ApiClient) -> None:
    client.set_pin("1234", setup_code=api.setup_code())
    client.open_session("1234")
    api.clock.advance(601)
    with pytest.raises(UnauthorizedError) as expired:
        client.usage_today()
    assert expired.value.code == "invalid_token"


def test_the_tray_token_is_forbidden_on_parent_endpoints(api: RunningApi, tmp_path: Path) -> None:
    tray = open_secret_store(tmp_path).get(TRAY_TOKEN_SECRET_NAME)
    with ApiClient(api.url, token=tray) as tray_client:
        assert tray_client.status().children is None
        with pytest.raises(ForbiddenError) as forbidden:
            tray_client.stats()
    assert forbidden.value.code == "parent_only"


def test_a_foreign_host_is_forbidden(api: RunningApi) -> None:
    # "127.1" reaches 127.0.0.1 but is a name the agent does not know: Host: 127.1:port.
    client = ApiClient(f"http://127.1:{api.port}")
    with client, pytest.raises(ForbiddenError) as forbidden:
        client.health()
    assert forbidden.value.code == "host_not_allowed" and forbidden.value.status == 403


def test_nothing_listening_is_agent_not_running() -> None:
    port = _free_port()
    client = ApiClient(f"http://127.0.0.1:{port}", timeout=2)
    with client, pytest.raises(AgentNotRunningError) as refused:
        client.health()
    assert str(port) in str(refused.value)
    assert refused.value.code == "not_running"


def test_an_answer_of_the_wrong_shape_is_a_protocol_error(api: RunningApi) -> None:
    api.server.router.add("GET", "/api/broken-health", lambda r: json_response({"status": "ok"}))
    with ApiClient(api.url) as client:
        with pytest.raises(ProtocolError, match="missing field 'version'"):
            client._parse(Health.from_json, client._request("GET", "/api/broken-health"))
        with pytest.raises(ApiClientError) as missing:
            client._request("GET", "/api/none")
    assert missing.value.status == 404 and missing.value.code == "not_found"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"status": "ok"}, "missing field 'version'"),
        ({"status": "ok", "version": 1}, "health.version: expected str"),
        ([], "expected an object"),
    ],
)
def test_shapes_are_checked_with_the_field_named(value: object, message: str) -> None:
    with pytest.raises(ShapeError, match=message):
        Health.from_json(value)


def test_types_round_trip_through_json() -> None:
    status = Status(
        version="1",
        dns_listening=("udp://[::1]:53",),
        policy=PolicyState("f.toml", None, "broken"),
        lists=(ListInfo("adult", "x", 3, None, 1, "timeout"),),
        pin_set=True,
        language="en",
        children=(ChildInfo("An", None, "mam-non", (), 0),),
    )
    assert Status.from_json(status.to_json()) == status
    # The family's time zone, and an older agent that does not say it.
    zoned = replace(status, timezone="Asia/Ho_Chi_Minh")
    assert zoned.to_json()["timezone"] == "Asia/Ho_Chi_Minh"
    assert Status.from_json(zoned.to_json()) == zoned
    assert "timezone" not in status.to_json()
    assert Status.from_json(status.to_json()).timezone is None
    with pytest.raises(ShapeError, match="timezone"):
        Status.from_json({**zoned.to_json(), "timezone": 7})
    with pytest.raises(ShapeError, match=r"status.children\[0\].usage_today_minutes"):
        broken = status.to_json()
        broken["children"][0]["usage_today_minutes"] = "many"
        Status.from_json(broken)
    with pytest.raises(ShapeError, match="no time zone"):
        QueryLogEntry.from_json(
            {
                "time": "2025-06-01T09:00:00",
                "child": None,
                "name": "a",
                "qtype": "A",
                "decision": "resolved",
            }
        )
    # A row's count: 1 from an agent that does not say it, never below 1 nor a non-number.
    query = {"time": "2025-06-01T09:00:00+00:00", "child": None, "name": "a", "qtype": "A",
             "decision": "resolved"}
    assert QueryLogEntry.from_json(query).count == 1
    assert QueryLogEntry.from_json({**query, "count": 12}).count == 12
    for wrong in (0, -3, "12", True, 1.5):
        with pytest.raises(ShapeError, match=r"query\.count"):
            QueryLogEntry.from_json({**query, "count": wrong})


def test_usage_minutes_from_the_store_are_whole_minutes(tmp_path: Path) -> None:
    # The store counts fractional minutes; the API gives whole minutes used so far.
    from helpers_api import StaticServices

    services = StaticServices(usage=UsageToday(date(2025, 6, 1), {"Minh": 42.9, "Lan": 0.5}))
    with running_api(tmp_path, services=services) as api, ApiClient(api.url) as client:
        client.set_pin("1234", setup_code=api.setup_code())
        client.open_session("1234")
        assert client.usage_today().minutes == {"Minh": 42, "Lan": 0}
        assert [c.usage_today_minutes for c in client.children()] == [42, 0]
