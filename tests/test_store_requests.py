"""Access requests: a child's request, the first decision standing, revokes and grants."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from helpers_store import T0

from agent.store import (
    AccessRequestNotFoundError,
    AlreadyDecidedError,
    Store,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "baoan.sqlite3") as opened:
        yield opened


def test_access_request_flow(store: Store) -> None:
    request = store.requests.create("An", "site", " wikipedia.org ", "bài tập", now=T0)
    assert request.status == "pending" and request.target == "wikipedia.org"
    assert len(request.id) >= 20  # unguessable: it is shown in the block page's URL
    # Pressing again does not create a second request; the newer reason is kept.
    again = store.requests.create("An", "site", "wikipedia.org", "bài tập về nhà", now=T0)
    assert again.id == request.id and again.reason == "bài tập về nhà"
    other = store.requests.create("An", "time", "30", "xem nốt phim", now=T0)
    assert other.id != request.id
    assert {r.id for r in store.requests.recent(status="pending")} == {request.id, other.id}

    until = T0 + timedelta(hours=1)
    allowed = store.requests.decide(
        request.id, True, until=until, by="mẹ", now=T0 + timedelta(minutes=2)
    )
    assert (allowed.status, allowed.allowed_until, allowed.decided_by) == ("allowed", until, "mẹ")
    assert allowed.is_active(T0 + timedelta(minutes=30))
    assert not allowed.is_active(until)
    assert store.requests.get(request.id) == allowed
    # The first decision stands.
    with pytest.raises(AlreadyDecidedError, match="already allowed"):
        store.requests.decide(request.id, False, now=T0 + timedelta(minutes=3))
    denied = store.requests.decide(other.id, False, now=T0 + timedelta(minutes=3))
    assert denied.status == "denied" and denied.allowed_until is None

    assert [
        r.id for r in store.requests.active_allowances("An", now=T0 + timedelta(minutes=5))
    ] == [request.id]
    assert store.requests.active_allowances("An", now=until + timedelta(seconds=1)) == []
    assert store.requests.recent(child="An", status="pending") == []
    # A new request for the same site once the first was decided is a new request.
    third = store.requests.create("An", "site", "wikipedia.org", now=T0 + timedelta(hours=2))
    assert third.id != request.id


def test_access_request_errors_and_revocation(store: Store) -> None:
    with pytest.raises(ValueError, match="kind"):
        store.requests.create("An", "everything", "x")
    with pytest.raises(ValueError, match="target"):
        store.requests.create("An", "site", "   ")
    with pytest.raises(AccessRequestNotFoundError):
        store.requests.decide("no-such-id", True)
    request = store.requests.create("An", "site", "khanacademy.org", now=T0)
    with pytest.raises(ValueError, match="future"):
        store.requests.decide(request.id, True, until=T0 - timedelta(minutes=1), now=T0)
    assert store.requests.get(request.id).status == "pending"  # type: ignore[union-attr]
    forever = store.requests.decide(request.id, True, now=T0)
    assert forever.allowed_until is None and forever.is_active(T0 + timedelta(days=365))
    revoked = store.requests.revoke(request.id, now=T0 + timedelta(hours=1))
    assert not revoked.is_active(T0 + timedelta(hours=1))
    assert store.requests.active_allowances(now=T0 + timedelta(hours=2)) == []


def test_a_revoke_is_told_apart_from_a_grant_that_ran_out(store: Store) -> None:
    first = store.requests.create("An", "site", "khanacademy.org", now=T0)
    second = store.requests.create("An", "site", "wikipedia.org", now=T0)
    waiting = store.requests.create("An", "site", "vnexpress.net", now=T0)
    until = T0 + timedelta(minutes=30)
    for request in (first, second):
        granted = store.requests.decide(request.id, True, until=until, now=T0)
        assert granted.state(T0 + timedelta(minutes=1)) == "allowed"
    revoke_at = T0 + timedelta(minutes=10, seconds=7)
    revoked = store.requests.revoke(first.id, now=revoke_at)
    assert (revoked.revoked_at, revoked.allowed_until) == (revoke_at, revoke_at)
    assert revoked.state(revoke_at) == "revoked"
    assert store.requests.get(first.id) == revoked
    # The other grant runs out by itself: expired, never revoked, and revoking it after its
    # end changes nothing.
    after = until + timedelta(minutes=1)
    assert store.requests.revoke(second.id, now=after).revoked_at is None
    ran_out = store.requests.get(second.id)
    assert ran_out is not None and ran_out.state(after) == "expired"
    # Revoking a request that was never allowed changes nothing either.
    assert store.requests.revoke(waiting.id, now=after).state(after) == "pending"
    denied = store.requests.decide(waiting.id, False, now=after)
    assert denied.state(after) == "denied" and denied.revoked_at is None
