"""The API client's request methods against the agent's real HTTP server, with the real
access service, store and authenticator behind it (tests/helpers_pages.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from helpers_pages import RunningPages, running_pages

from agent.api.client import (
    AlreadyDecidedError,
    ApiClient,
    ApiClientError,
    ForbiddenError,
    UnauthorizedError,
)
from agent.api.types import AccessRequestInfo, GrantInfo, ShapeError


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[RunningPages]:
    with running_pages(tmp_path) as running:
        yield running


@pytest.fixture
def parent(pages: RunningPages) -> Iterator[ApiClient]:
    with ApiClient(pages.url, token=pages.parent_token, timeout=5) as client:
        yield client


def ask(pages: RunningPages, site: str, reason: str, child: str = "Minh") -> str:
    """The child asks, as the block page does, through the access service."""
    return pages.access.request_access(child, site, reason, "127.0.0.1").id


def test_list_pending_and_filter(pages: RunningPages, parent: ApiClient) -> None:
    first = ask(pages, "casino.example", "Con cần xem luật chơi")
    pages.clock.advance(timedelta(minutes=1))
    second = ask(pages, "games.example", "", child="Lan")

    listed = parent.requests(status="pending")
    assert [item.id for item in listed] == [second, first]  # newest first
    item = listed[1]
    assert isinstance(item, AccessRequestInfo)
    assert (item.child, item.target, item.kind, item.status) == (
        "Minh",
        "casino.example",
        "site",
        "pending",
    )
    assert item.reason == "Con cần xem luật chơi"
    assert item.created_at == pages.clock.now() - timedelta(minutes=1)
    assert item.decided_at is None and item.allowed_until is None
    assert (item.state, item.revoked_at) == ("pending", None)
    assert [item.id for item in parent.requests(child="Lan")] == [second]
    assert parent.requests(status="denied") == []
    assert len(parent.requests(limit=1)) == 1


def test_allow_opens_the_site_at_once(pages: RunningPages, parent: ApiClient) -> None:
    request_id = ask(pages, "casino.example", "bài tập")
    assert parent.grants() == []
    decided = parent.decide_request(request_id, True, 60)
    assert decided.id == request_id and decided.status == "allowed"
    assert decided.decided_at == pages.clock.now()
    assert decided.allowed_until == pages.clock.now() + timedelta(minutes=60)
    assert (decided.state, decided.revoked_at) == ("allowed", None)
    grants = parent.grants()
    assert grants == [
        GrantInfo(request_id, "Minh", "casino.example", ("casino.example",), decided.allowed_until)
    ]
    assert parent.grants(child="Lan") == []
    assert pages.access.active_grants("Minh") == ("casino.example",)

    # The first decision stands.
    with pytest.raises(AlreadyDecidedError) as refused:
        parent.decide_request(request_id, False)
    assert refused.value.status == 409 and refused.value.code == "already_decided"

    # Revoking ends the grant now.
    pages.clock.advance(timedelta(minutes=5, seconds=7))
    revoked = parent.revoke_request(request_id)
    assert revoked.status == "allowed" and revoked.allowed_until == pages.clock.now()
    assert (revoked.state, revoked.revoked_at) == ("revoked", pages.clock.now())
    assert parent.grants() == []
    assert pages.access.active_grants("Minh") == ()


def test_deny(pages: RunningPages, parent: ApiClient) -> None:
    request_id = ask(pages, "bet.example", "xin mà")
    decided = parent.decide_request(request_id, False)
    assert decided.status == "denied" and decided.allowed_until is None
    assert decided.state == "denied"
    assert parent.grants() == []
    assert [item.id for item in parent.requests(status="denied")] == [request_id]
    assert pages.access.request_state(request_id).state == "denied"


def test_refusals_carry_the_api_codes(pages: RunningPages, parent: ApiClient) -> None:
    request_id = ask(pages, "casino.example", "")
    with pytest.raises(ApiClientError) as unknown:
        parent.decide_request("no-such-request", True, 30)
    assert unknown.value.status == 404 and unknown.value.code == "not_found"
    with pytest.raises(ApiClientError) as too_long:
        parent.decide_request(request_id, True, 24 * 60 + 1)
    assert too_long.value.status == 400 and too_long.value.code == "bad_request"
    with pytest.raises(ValueError, match="minutes"):
        parent.decide_request(request_id, True)
    # An id is one path segment, whatever it holds.
    with pytest.raises(ApiClientError) as odd:
        parent.revoke_request("../../session")
    assert odd.value.code == "not_found"
    assert pages.store.requests.get(request_id).status == "pending"  # type: ignore[union-attr]

    with ApiClient(pages.url, token=pages.tray_token) as tray:
        with pytest.raises(ForbiddenError) as child_role:
            tray.requests()
        assert child_role.value.code == "parent_only"
    with ApiClient(pages.url) as anonymous, pytest.raises(UnauthorizedError):
        anonymous.decide_request(request_id, True, 30)
    pages.clock.advance(timedelta(minutes=11))  # the parent session ran out (10 minutes idle here)
    with pytest.raises(UnauthorizedError):
        parent.grants()


def test_types_round_trip_and_refuse_bad_shapes() -> None:
    value = {
        "id": "abc",
        "child": "Minh",
        "kind": "site",
        "target": "casino.example",
        "reason": "<b>x</b>",
        "status": "allowed",
        "created_at": "2026-03-02T05:00:00+00:00",
        "decided_at": "2026-03-02T05:01:00+00:00",
        "decided_by": "parent",
        "allowed_until": "2026-03-02T06:01:00+00:00",
        "state": "revoked",
        "revoked_at": "2026-03-02T05:31:07+00:00",
    }
    assert AccessRequestInfo.from_json(value).to_json() == value
    # An older agent says neither what the request is now nor when it was revoked.
    older = {k: v for k, v in value.items() if k not in ("state", "revoked_at")}
    parsed = AccessRequestInfo.from_json(older)
    assert parsed.state is None and parsed.revoked_at is None
    with pytest.raises(ShapeError, match="state"):
        AccessRequestInfo.from_json({**value, "state": 3})
    grant = {"request_id": "abc", "child": "Minh", "site": "a.vn", "names": ["a.vn"], "until": None}
    assert GrantInfo.from_json(grant).to_json() == grant
    with pytest.raises(ShapeError, match="created_at"):
        AccessRequestInfo.from_json({**value, "created_at": "yesterday"})
    with pytest.raises(ShapeError, match="'id'"):
        AccessRequestInfo.from_json({k: v for k, v in value.items() if k != "id"})
    with pytest.raises(ShapeError, match="names"):
        GrantInfo.from_json({**grant, "names": "a.vn"})


def test_each_request_says_whether_it_is_in_force_ran_out_or_was_revoked(
    pages: RunningPages, parent: ApiClient
) -> None:
    ran_out = ask(pages, "casino.example", "")
    taken_back = ask(pages, "games.example", "")
    in_force = ask(pages, "bet.example", "")
    parent.decide_request(ran_out, True, 1)
    parent.decide_request(taken_back, True, 60)
    parent.decide_request(in_force, True, 120)
    pages.clock.advance(timedelta(seconds=30))
    parent.revoke_request(taken_back)
    pages.clock.advance(timedelta(minutes=1))
    states = {item.id: item.state for item in parent.requests()}
    assert states == {ran_out: "expired", taken_back: "revoked", in_force: "allowed"}
    # Revoking a grant that already ran out leaves it "expired".
    assert parent.revoke_request(ran_out).state == "expired"
    # The child's page says that the time ended, either way.
    assert pages.access.request_state(taken_back).state == "expired"
    assert pages.access.request_state(in_force).state == "allowed"
