"""The tray's service and routes over real HTTP with a real store, and the token
hand-over."""

from __future__ import annotations

import json
import os
import pwd
import stat
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from helpers_api import running_api
from helpers_tray import NOW, TrayApi, entry, running_tray_api

from agent.access import AccessService
from agent.api.tray_routes import register_tray_routes
from agent.policy.model import Child, FamilyPolicy
from agent.secrets import open_secret_store
from agent.store import Store
from agent.tray.handover import HandOverError, hand_over_tray_token
from agent.tray.identity import TrayUserKeys
from agent.tray.wiring import connect_tray
from dns_filter.clock import ManualClock


@pytest.fixture
def tray(tmp_path: Path) -> Iterator[TrayApi]:
    with running_tray_api(tmp_path) as running:
        yield running


def test_recent_blocks_of_this_child_on_this_pc_only(tray: TrayApi) -> None:
    tray.store.query_log.add(
        [
            entry("old-casino.example", seconds_ago=600),  # before the tray's first look
            entry("casino.example", seconds_ago=30),
            entry("news.example", seconds_ago=25, decision="resolved"),
            entry("lan-only.example", seconds_ago=20, child="Lan"),
            entry("phone.example", seconds_ago=15, client="192.168.1.50"),  # Minh's phone
            entry("pc-lan-address.example", seconds_ago=10, client="192.168.1.10"),
        ]
    )
    body = tray.blocked()
    assert [item["name"] for item in body["items"]] == ["casino.example", "pc-lan-address.example"]
    first = body["items"][0]
    assert first["page"] == "/__baoan/blocked?site=casino.example"
    assert first["category"] == "adult"
    # Plain words from the block page's explainer, never the list's file name.
    assert first["why"] and "hostsvn" not in first["why"]
    assert body["truncated"] is False


def test_the_cursor_gives_each_block_once_even_at_the_same_instant(tray: TrayApi) -> None:
    moment = NOW - timedelta(seconds=5)
    tray.store.query_log.add([entry("a.example", at=moment)])
    first = tray.blocked()
    assert [item["name"] for item in first["items"]] == ["a.example"]
    assert tray.blocked(first["cursor"])["items"] == []
    # Another block logged at exactly the same time, then a later one.
    tray.store.query_log.add([entry("b.example", at=moment)])
    second = tray.blocked(first["cursor"])
    assert [item["name"] for item in second["items"]] == ["b.example"]
    tray.store.query_log.add(
        [entry("c.example", seconds_ago=1), entry("ok.example", seconds_ago=1, decision="cached")]
    )
    third = tray.blocked(second["cursor"])
    assert [item["name"] for item in third["items"]] == ["c.example"]
    assert tray.blocked(third["cursor"])["items"] == []


def test_a_flood_keeps_the_newest_blocks(tray: TrayApi) -> None:
    tray.store.query_log.add(
        [entry(f"site{n}.example", at=NOW - timedelta(seconds=60 - n)) for n in range(30)]
    )
    body = tray.blocked()
    names = [item["name"] for item in body["items"]]
    assert names == [f"site{n}.example" for n in range(10, 30)]  # the newest 20
    assert body["truncated"] is True
    assert tray.blocked(body["cursor"])["items"] == []


def test_a_bad_cursor_or_limit_is_a_clear_400(tray: TrayApi) -> None:
    response = tray.call("GET", "/api/tray/blocked", params={"cursor": "yesterday"})
    assert response.status_code == 400
    assert response.json()["error"] == "bad_cursor"
    for limit in ("1000", "²", "9" * 5000):  # "²".isdigit() is true, int("²") fails
        response = tray.call("GET", "/api/tray/blocked", params={"limit": limit})
        assert response.status_code == 400, limit


@pytest.mark.parametrize(
    "path, method",
    [("/api/tray/me", "GET"), ("/api/tray/blocked", "GET"), ("/api/tray/help", "POST")],
)
def test_child_token_needed_and_parent_token_refused(tray: TrayApi, path: str, method: str) -> None:
    kwargs: dict[str, Any] = {"json": {}} if method == "POST" else {}
    no_token = tray.call(method, path, token=None, **kwargs)
    assert no_token.status_code == 401
    assert no_token.json()["error"] == "auth_required"
    parent = tray.call(method, path, token="parent", **kwargs)
    assert parent.status_code == 403
    assert parent.json()["error"] == "child_only"
    forged = tray.call(method, path, token="not-a-token", **kwargs)
    assert forged.status_code == 401
    assert tray.call(method, path, **kwargs).status_code == 200


def test_the_user_key_ties_a_tray_to_one_account(tray: TrayApi) -> None:
    tray.store.query_log.add([entry("lan-secret.example", child="Lan")])
    missing = tray.call("GET", "/api/tray/blocked", user=None)
    assert missing.status_code == 401
    assert missing.json()["error"] == "user_key_required"
    # Minh's tray cannot read Lan's blocks with its own key.
    stolen = tray.call("GET", "/api/tray/blocked", user="lan", key=tray.keys.key_for("minh"))
    assert stolen.status_code == 403
    assert stolen.json()["error"] == "bad_user_key"
    # Lan's second account is Lan.
    own = tray.blocked(user="lan-school")
    assert [item["name"] for item in own["items"]] == ["lan-secret.example"]


def test_me_speaks_for_the_childs_age_and_language(tray: TrayApi) -> None:
    minh = tray.call("GET", "/api/tray/me").json()
    assert minh["child"] == "Minh"
    assert minh["age_band"] == "6-10"
    assert minh["language"] == "vi"
    assert minh["watch"]["acknowledged"] is False
    notice = minh["watch"]["notice"]
    assert notice["title"] == "Bảo An ghi lại những gì?"
    assert any("camera" in line for line in notice["not_recorded"])
    lan = tray.call("GET", "/api/tray/me", user="lan", params={"lang": "en"}).json()
    assert lan["age_band"] == "15-17"
    assert lan["language"] == "en"
    assert lan["watch"]["notice"]["title"] == "What does Bảo An record?"
    assert lan["watch"]["notice"]["recorded"] != notice["recorded"]
    assert tray.call("GET", "/api/tray/me", params={"lang": "fr"}).status_code == 400


def test_the_acknowledgement_is_recorded_for_the_verified_child(tray: TrayApi) -> None:
    response = tray.call("POST", "/api/tray/watch", json={"language": "vi"})
    assert response.status_code == 200, response.text
    assert response.json()["child"] == "Minh"
    assert tray.call("GET", "/api/tray/me").json()["watch"]["acknowledged"] is True
    assert tray.call("GET", "/api/tray/me", user="lan").json()["watch"]["acknowledged"] is False
    events = tray.store.events.recent(kind="watch_acknowledged")
    assert [event.child for event in events] == ["Minh"]
    assert tray.call("POST", "/api/tray/watch", json={"language": "fr"}).status_code == 400
    parent = tray.call("POST", "/api/tray/watch", token="parent", json={"language": "vi"})
    assert parent.status_code == 403


def test_help_alerts_the_caregivers_and_works_without_an_identity(tray: TrayApi) -> None:
    response = tray.call("POST", "/api/tray/help", json={})
    assert response.status_code == 200
    assert response.json() == {
        "child": "Minh",
        "alerted": True,
        "alerts_enabled": True,
        "receivers": 1,  # queued for the family's one caregiver
    }
    assert [event.child for event in tray.store.events.recent(kind="help")] == ["Minh"]
    assert tray.store.outbox.pending_count() == 1
    anonymous = tray.call("POST", "/api/tray/help", user=None, json={})
    assert anonymous.status_code == 200
    assert anonymous.json()["child"] is None


# -- the hand-over ------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_hand_over_writes_private_files_for_the_children(tmp_path: Path) -> None:
    keys = TrayUserKeys("x" * 32)
    directory = tmp_path / "tray"
    me = pwd.getpwuid(os.geteuid()).pw_name
    stale = directory / "old-child.json"  # this agent's, for an account no longer listed
    foreign = directory / "other.json"  # not made by this agent: never removed
    directory.mkdir()
    stale.write_text('{"token": "old", "user": "old-child", "agent": "baoan-1"}')
    foreign.write_text("{}")
    result = hand_over_tray_token(
        "tray-token-value",
        keys,
        [me, "nobody", "no-such-account-here", "../etc"],
        directory,
        api_url="http://127.0.0.1:9999",
        agent="baoan-1",
    )
    mine = directory / f"{me}.json"
    assert mine in result.written
    assert _mode(mine) == 0o600
    assert mine.stat().st_uid == os.geteuid()
    content = json.loads(mine.read_text())
    assert content == {
        "token": "tray-token-value",
        "user": me,
        "user_key": keys.key_for(me),
        "api_url": "http://127.0.0.1:9999",
        "agent": "baoan-1",
    }
    skipped = dict(result.skipped)
    assert "no-such-account-here" in skipped
    assert "../etc" in skipped
    assert not (tmp_path / "etc.json").exists()
    assert stale in result.removed and not stale.exists()
    assert foreign.exists() and foreign not in result.removed
    nobody = directory / "nobody.json"
    if os.geteuid() == 0:
        # Root hands each child a file only that child can read; others cannot list names.
        assert _mode(directory) == 0o711
        assert nobody.stat().st_uid == pwd.getpwnam("nobody").pw_uid
        assert _mode(nobody) == 0o600
    else:
        assert "nobody" in skipped and not nobody.exists()
    assert not [path for path in directory.iterdir() if path.name.endswith(".tmp")]


def test_hand_over_refuses_a_folder_that_is_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere"
    real.mkdir()
    link = tmp_path / "tray"
    link.symlink_to(real)
    with pytest.raises(HandOverError):
        hand_over_tray_token("t", TrayUserKeys("y" * 32), ["nobody"], link)
    assert list(real.iterdir()) == []


class _Holder:
    def __init__(self, policy: FamilyPolicy) -> None:
        self.policy = policy
        self.subscribers: list[Callable[[FamilyPolicy], None]] = []

    def subscribe(self, callback: Callable[[FamilyPolicy], None]) -> Callable[[], None]:
        self.subscribers.append(callback)
        return lambda: None


def test_connect_tray_serves_the_tray_and_hands_over_on_each_policy(tmp_path: Path) -> None:
    me = pwd.getpwuid(os.geteuid()).pw_name
    family = FamilyPolicy(children=(Child("Minh", age=9, os_users=(me,)),))
    store = Store(tmp_path / "baoan.sqlite3")
    holder = _Holder(family)
    access = AccessService(store, lambda: holder.policy, ManualClock(NOW), lambda: None)
    secret_store = open_secret_store(tmp_path)
    with running_api(tmp_path) as api:
        token_dir = tmp_path / "tray"
        service = connect_tray(
            query_log=store.query_log,
            family=holder,
            access=access,
            secret_store=secret_store,
            api_url=lambda: api.server.base_url,
            data_dir=tmp_path,
            local_addresses=frozenset,
            token_dir=token_dir,
        )
        register_tray_routes(api.server.router, service)
        handed = json.loads((token_dir / f"{me}.json").read_text())
        assert handed["api_url"] == api.url
        # What was handed over is exactly what the tray needs to be let in as Minh.
        with requests.Session() as session:
            session.trust_env = False
            answer = session.get(
                api.url + "/api/tray/me",
                headers={
                    "Authorization": f"Bearer {handed['token']}",
                    "X-Baoan-User": handed["user"],
                    "X-Baoan-User-Key": handed["user_key"],
                },
                timeout=5,
            )
        assert answer.status_code == 200
        assert answer.json()["child"] == "Minh"
        # A new family.toml without that account takes its file away.
        holder.policy = FamilyPolicy(children=(Child("Minh", age=9),))
        for callback in holder.subscribers:
            callback(holder.policy)
        assert not (token_dir / f"{me}.json").exists()
    store.close()
