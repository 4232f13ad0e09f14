"""The family's set-up and the Settings page through the API, against a real agent on
random ports: the presets and the PC's accounts; a child added, renamed and removed in
family.toml (comments kept); the recovery code; pausing protection lets a blocked name
through and ends by itself; a child's data copied and deleted; "update now" with its
progress; and none of it for a child or a stranger."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from dnslib import QTYPE, DNSRecord
from helpers_policy_agent import (
    HAND_COMMENT,
    PARENT_PIN,
    RunningFamily,
    family_text,
    parent_client,
    running_family,
    with_local_lists,
)

from agent.api.client import ApiClient, ApiClientError, WrongRecoveryCodeError
from agent.api.types import ChildSettings, DeviceInfo, OsAccountInfo
from agent.auth import load_or_create_tray_token
from agent.pin_setup import setup_code_path
from agent.policy import load_policy
from agent.policy.seal import strip_seal
from agent.recovery_codes import RECOVERY_SECRET_NAME
from agent.secrets import open_secret_store

ACCOUNTS = frozenset({"binh", "an"})
BLOCKED = "www.example.test"


@pytest.fixture
def family(tmp_path: Path) -> Iterator[RunningFamily]:
    list_file = tmp_path / "gambling.txt"
    list_file.write_text("casino.example\n", encoding="utf-8")

    def with_deny(upstream_url: str) -> str:
        text = family_text(upstream_url)
        text = text.replace('deny = ["a.example"]', f'deny = ["a.example", "{BLOCKED}"]', 1)
        return with_local_lists(text, {"gambling": list_file})

    with running_family(
        tmp_path, os_accounts=lambda: ACCOUNTS, pause_minute_seconds=1.0, text=with_deny
    ) as running:
        yield running


@pytest.fixture
def parent(family: RunningFamily) -> Iterator[ApiClient]:
    client = parent_client(family)
    yield client
    client.close()


def ask(family: RunningFamily, name: str) -> list[str]:
    server = family.agent.dns_server
    assert server is not None
    query = DNSRecord.question(name, "A")
    reply = DNSRecord.parse(query.send("127.0.0.1", server.addresses[0].port, timeout=5))
    return [str(rr.rdata) for rr in reply.rr if rr.rtype == QTYPE.A]


def test_the_presets_say_what_each_age_blocks_and_limits(parent: ApiClient) -> None:
    presets = {preset.id: preset for preset in parent.presets()}
    assert list(presets) == ["mam-non", "tieu-hoc", "thcs", "thpt"]
    primary = presets["tieu-hoc"]
    assert (primary.min_age, primary.max_age) == (6, 10)
    assert "gambling" in primary.blocked_categories and "tiktok" in primary.blocked_services
    assert primary.daily_minutes == (60, 60, 60, 60, 60, 120, 120)
    assert primary.category_minutes["games"] == 180 and primary.per_game_minutes == 60
    assert primary.allowed_hours[0].start == "06:00"


def test_the_pcs_accounts_are_listed(parent: ApiClient) -> None:
    assert parent.os_accounts() == [OsAccountInfo("an"), OsAccountInfo("binh")]


def test_a_child_added_renamed_and_removed_reaches_the_file(
    family: RunningFamily, parent: ApiClient
) -> None:
    etag, children, default = parent.family_children()
    assert [child.name for child in children] == ["An"] and default == "An"
    assert children[0].os_users == ("an",) and children[0].preset_in_force == "tieu-hoc"

    binh = ChildSettings(
        name="Bình",
        birth_year=time.gmtime().tm_year - 13,
        os_users=("binh",),
        devices=(DeviceInfo(ip="192.168.1.23", name="Máy tính bảng"),),
    )
    etag, added = parent.add_child(etag, binh)
    assert added.preset_in_force == "thcs" and added.devices == binh.devices
    text = family.config.read_text(encoding="utf-8")
    assert HAND_COMMENT in text  # the parent's own note stays
    policy = load_policy(family.config)
    assert [child.name for child in policy.children] == ["An", "Bình"]
    assert policy.devices[0].child == "Bình" and policy.devices[0].ip == "192.168.1.23"

    with pytest.raises(ApiClientError) as taken:
        parent.add_child(etag, ChildSettings(name="bình", age=9))
    assert taken.value.code == "child_exists"

    renamed = ChildSettings(name="Bình An", age=12, os_users=("binh",), devices=binh.devices)
    etag, saved = parent.update_child(etag, "Bình", renamed)
    assert saved.name == "Bình An" and saved.age == 12 and saved.birth_year is None
    policy = load_policy(family.config)
    assert policy.devices[0].child == "Bình An"

    etag = parent.remove_child(etag, "Bình An")
    policy = load_policy(family.config)
    assert [child.name for child in policy.children] == ["An"] and policy.devices == ()
    with pytest.raises(ApiClientError) as last:
        parent.remove_child(etag, "An")  # a family with no child is not a policy
    assert last.value.status == 422
    events = [event.message for event in parent.events(limit=20)]
    assert any("added child Bình" in message for message in events)


def test_a_hand_edit_in_between_is_not_overwritten(
    family: RunningFamily, parent: ApiClient
) -> None:
    etag, _children, _default = parent.family_children()
    family.config.write_text(
        strip_seal(family.config.read_text(encoding="utf-8")) + "\n# hand edit\n",
        encoding="utf-8",
    )
    with pytest.raises(ApiClientError) as stale:
        parent.add_child(etag, ChildSettings(name="Cúc", age=5))
    assert stale.value.status == 412
    assert "Cúc" not in family.config.read_text(encoding="utf-8")


def test_the_first_pin_gives_a_recovery_code_that_resets_it_once(family: RunningFamily) -> None:
    code = setup_code_path(family.agent.settings.data_dir).read_text(encoding="ascii").strip()
    with ApiClient(family.url) as client:
        answer = client.create_pin(PARENT_PIN, code)
        assert answer.status == "set" and answer.recovery_code is not None
        recovery = answer.recovery_code
        assert len(recovery.replace("-", "")) == 16
        stored = open_secret_store(family.agent.settings.data_dir).get(RECOVERY_SECRET_NAME)
        assert stored is not None and recovery not in stored and "scrypt" in stored
        with pytest.raises(WrongRecoveryCodeError) as wrong:
            client.reset_pin_with_recovery_code("1357", "2222-3333-4444-5555")
        assert wrong.value.tries_left == 4
        reset = client.reset_pin_with_recovery_code("1357", recovery.lower().replace("-", " "))
        assert reset.status == "reset" and reset.recovery_code not in (None, recovery)
        client.open_session("1357")
        with pytest.raises(WrongRecoveryCodeError):
            client.reset_pin_with_recovery_code("8642", recovery)  # used once


def test_a_pause_lets_a_blocked_name_through_and_ends_by_itself(
    family: RunningFamily, parent: ApiClient
) -> None:
    block_page = family.agent.block_page_ipv4()
    assert ask(family, BLOCKED) == [block_page]
    assert parent.check_site(BLOCKED, "An").decision == "blocked"

    state = parent.pause_protection(3)  # three "minutes" of a second each in this agent
    assert state.paused and state.paused_until is not None
    assert ask(family, BLOCKED) == ["192.0.2.10"]
    assert parent.check_site(BLOCKED, "An").decision == "allowed"
    kinds = [event.kind for event in parent.events(limit=10)]
    assert "protection-paused" in kinds

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and ask(family, BLOCKED) != [block_page]:
        time.sleep(0.2)
    assert ask(family, BLOCKED) == [block_page]
    assert not parent.protection_pause().paused
    assert "protection-resumed" in [event.kind for event in parent.events(limit=10)]


def test_a_parent_ends_a_pause_early(family: RunningFamily, parent: ApiClient) -> None:
    parent.pause_protection(600)
    assert ask(family, BLOCKED) == ["192.0.2.10"]
    assert not parent.resume_protection().paused
    assert ask(family, BLOCKED) == [family.agent.block_page_ipv4()]


def test_a_childs_data_is_exported_and_deleted_alone(
    family: RunningFamily, parent: ApiClient
) -> None:
    store = family.agent.store
    assert store is not None
    store.events.add("tray-missing", "An's tray is gone", child="An")
    store.events.add("tray-missing", "Bình's tray is gone", child="Bình")
    ask(family, BLOCKED)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not parent.query_log("An"):
        time.sleep(0.1)  # the query log is written in batches
    copy = parent.export_child_data("An")
    assert copy.child == "An"
    events = copy.tables["events"]
    assert [row["message"] for row in events] == ["An's tray is gone"]
    assert BLOCKED in [row["name"] for row in copy.tables["query_log"]]
    assert all(row["child"] == "An" for rows in copy.tables.values() for row in rows)
    json.dumps(copy.to_json())  # plain JSON all the way

    deleted = parent.delete_child_data("An")
    assert deleted.removed["events"] == 1
    again = parent.export_child_data("An")
    assert all(not rows for rows in again.tables.values())
    bình = parent.export_child_data("Bình")
    assert [row["message"] for row in bình.tables["events"]] == ["Bình's tray is gone"]


def test_update_now_reports_its_progress(family: RunningFamily, parent: ApiClient) -> None:
    started = parent.start_list_update()
    assert started.state in ("running", "done")
    assert family.agent.list_updates is not None
    assert family.agent.list_updates.wait(60)
    done = parent.list_update()
    assert done.state == "done" and done.done == done.total == 1
    assert done.updated == 1 and done.finished_at is not None


PARENT_ROUTES = (
    ("GET", "/api/presets"),
    ("GET", "/api/os-accounts"),
    ("GET", "/api/family/children"),
    ("POST", "/api/family/children"),
    ("PUT", "/api/family/children/An"),
    ("DELETE", "/api/family/children/An"),
    ("GET", "/api/protection/pause"),
    ("POST", "/api/protection/pause"),
    ("DELETE", "/api/protection/pause"),
    ("GET", "/api/lists/update"),
    ("POST", "/api/lists/update"),
    ("DELETE", "/api/lists/update"),
    ("GET", "/api/children/An/data"),
    ("DELETE", "/api/children/An/data"),
    ("POST", "/api/pin/recovery-code"),
)


def test_a_child_or_a_stranger_can_use_none_of_it(family: RunningFamily) -> None:
    parent_client(family).close()  # a PIN is set: only a session opens these
    tray = load_or_create_tray_token(open_secret_store(family.agent.settings.data_dir))
    before = family.config.read_bytes()
    with requests.Session() as http:
        http.trust_env = False
        for method, path in PARENT_ROUTES:
            body = {"minutes": 5, "name": "X", "age": 5} if method in ("POST", "PUT") else None
            headers = {"If-Match": '"x"'}
            nobody = http.request(method, family.url + path, json=body, headers=headers, timeout=5)
            assert nobody.status_code == 401, (method, path)
            child = http.request(
                method, family.url + path, json=body, timeout=5,
                headers={**headers, "Authorization": f"Bearer {tray}"},
            )
            assert (child.status_code, child.json()["error"]) == (403, "parent_only"), path
            forged = http.request(
                method, family.url + path, json=body, timeout=5,
                headers={**headers, "Authorization": "Bearer not-a-session"},
            )
            assert forged.status_code == 401, (method, path)
    assert family.config.read_bytes() == before
    with ApiClient(family.url, token=tray) as child_client:
        assert not child_client.status().children  # the public status only


def test_a_childs_export_comes_in_pages_and_never_reaches_a_sibling(
    family: RunningFamily, parent: ApiClient
) -> None:
    from datetime import UTC, datetime, timedelta

    from helpers_usage import tray_headers

    from agent.child_data import EXPORT_PAGE_MAX
    from agent.store.models import QueryLogEntry

    store = family.agent.store
    assert store is not None
    for number in range(7):
        store.events.add("tray-missing", f"An {number}", child="An")
    for number in range(3):
        store.events.add("tray-missing", f"Bình {number}", child="Bình")
    # More of An's query log than one page holds, and some of Bình's among them.
    start = datetime.now(UTC) - timedelta(days=1)
    store.query_log.add([
        QueryLogEntry(time=start + timedelta(seconds=i), client="127.0.0.1",
                      name=f"site{i}.example", qtype="A", decision="allowed",
                      child="Bình" if i % 50 == 0 else "An")
        for i in range(EXPORT_PAGE_MAX + 200)
    ])
    bình_rows = len(range(0, EXPORT_PAGE_MAX + 200, 50))
    token = parent.token
    assert token is not None
    headers = {"Authorization": f"Bearer {token}"}

    def get(path: str, **params: str) -> requests.Response:
        with requests.Session() as http:
            http.trust_env = False
            return http.get(family.url + path, params=params, headers=headers, timeout=30)

    # Small pages: every row once, in order, and only An's.
    pages, cursor = [], None
    while True:
        answer = get("/api/children/An/data", limit="3", **({"cursor": cursor} if cursor else {}))
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert sum(len(rows) for rows in page["tables"].values()) <= 3
        assert set(page["tables"]) == {"query_log", "usage_intervals", "events",
                                       "access_requests"}
        pages.append(page)
        cursor = page["next_cursor"]
        if cursor is None or len(pages) > 3:
            break
    assert pages[0]["totals"]["events"] == 7 and pages[1]["totals"] is None
    assert pages[0]["totals"]["query_log"] == EXPORT_PAGE_MAX + 200 - bình_rows
    # The parent's client reads it whole, page after page.
    whole = parent.export_child_data("An")
    assert whole.next_cursor is not None  # more than one page: the default is the most
    assert len(whole.tables["query_log"]) == EXPORT_PAGE_MAX
    rest = parent.export_child_data("An", whole.next_cursor)
    names = [row["name"] for row in (*whole.tables["query_log"], *rest.tables["query_log"])]
    assert len(names) == len(set(names)) == EXPORT_PAGE_MAX + 200 - bình_rows
    assert [row["message"] for row in rest.tables["events"]] == [f"An {n}" for n in range(7)]
    assert rest.next_cursor is None
    assert all(row["child"] == "An" for rows in (*whole.tables.values(), *rest.tables.values())
               for row in rows)
    assert get("/api/children/An/data", limit=str(EXPORT_PAGE_MAX + 1)).status_code == 400

    # An's cursor never reads Bình's rows: not on Bình's path, not as a forged one.
    sibling = get("/api/children/Bình/data", cursor=whole.next_cursor)
    assert (sibling.status_code, sibling.json()["error"]) == (400, "bad_cursor")
    forged = whole.next_cursor.rsplit(".", 1)[0] + ".0000000000000000"
    assert get("/api/children/An/data", cursor=forged).status_code == 400
    assert get("/api/children/An/data", cursor="v1.9.0.x").status_code == 400
    # A child's own token (the tray's, with An's account key) pages into no one's export.
    with requests.Session() as http:
        http.trust_env = False
        for path in ("/api/children/Bình/data", "/api/children/An/data"):
            child = http.get(family.url + path, params={"cursor": whole.next_cursor},
                             headers=tray_headers(family.agent), timeout=10)
            assert (child.status_code, child.json()["error"]) == (403, "parent_only")

    # Bình's own export: Bình's rows alone, a small one in one page as it always was.
    bình = parent.export_child_data("Bình")
    assert bình.next_cursor is None
    assert [row["message"] for row in bình.tables["events"]] == [f"Bình {n}" for n in range(3)]
    assert len(bình.tables["query_log"]) == bình_rows
