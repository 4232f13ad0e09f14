"""Every child-side action names the child through that child's own key, and alerts cannot
be flooded: a sibling's key, the shared tray token alone, a name in a body or a fresh
loopback source address buy nothing (docs/api.md, "Child-side actions and their limits")."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from helpers_pages import form_field, make_access, make_family, page, post_form, running_pages
from helpers_tray import TrayApi, running_tray_api
from test_agent_composition import (
    MINH_AND_HIS_TABLET,
    TABLET_MAC,
    FakeMacLookup,
    http_from,
    lan_address,
    write_family,
)
from test_upstreams_standin import StandInDns

from agent.access import AccessLimits, RateLimitedError
from agent.pages.strings import COMMON
from agent.runtime import Agent, AgentSettings

SITE = "casino.example"
HELP_PRESSES = 250


@pytest.fixture
def tray(tmp_path: Path) -> Iterator[TrayApi]:
    with running_tray_api(tmp_path) as running:
        yield running


def tray_post(
    tray: TrayApi,
    path: str,
    body: dict[str, object],
    *,
    source: str = "127.0.0.1",
    user: str | None = "minh",
    key: str | None = None,
) -> tuple[int, dict[str, object]]:
    """A POST from `source` (any address of 127.0.0.0/8), as a tray would send it."""
    host, port = tray.api.server.address[:2]
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Authorization": f"Bearer {tray.tray_token}",
        "Content-Type": "application/json",
    }
    if user is not None:
        headers["X-Baoan-User"] = user
        headers["X-Baoan-User-Key"] = key if key is not None else tray.keys.key_for(user)
    payload = json.dumps(body).encode()
    connection = http.client.HTTPConnection(host, port, timeout=5, source_address=(source, 0))
    try:
        connection.request("POST", path, payload, headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


# -- names come from keys, never from bodies ------------------------------------------------------


def test_the_shared_token_endpoints_that_took_a_name_are_gone(tmp_path: Path) -> None:
    with running_pages(tmp_path) as pages:
        with requests.Session() as session:
            session.trust_env = False
            session.headers["Authorization"] = f"Bearer {pages.tray_token}"
            for path, body in (
                ("/api/help", {"child": "Lan"}),
                ("/api/watch/acknowledgement", {"child": "Lan", "language": "vi"}),
            ):
                answer = session.post(pages.url + path, json=body, timeout=5)
                assert answer.status_code == 404 and answer.json()["error"] == "not_found"
        assert pages.store.events.recent() == []


def test_a_siblings_key_cannot_act_for_the_other_child(tray: TrayApi) -> None:
    minh_key = tray.keys.key_for("minh")
    status, answer = tray_post(
        tray, "/api/tray/watch", {"language": "vi"}, user="lan", key=minh_key
    )
    assert status == 403 and answer["error"] == "bad_user_key"
    status, answer = tray_post(
        tray, "/api/tray/ask", {"site": SITE, "reason": "x"}, user="lan", key=minh_key
    )
    assert status == 403 and answer["error"] == "bad_user_key"
    # Help is answered (the tray shows 111 anyway), but no one is alerted in Lan's name.
    status, answer = tray_post(tray, "/api/tray/help", {}, user="lan", key=minh_key)
    assert status == 200 and answer["alerted"] is False and answer["child"] is None
    # A name in the body changes nothing: Minh's own key acts for Minh only.
    status, answer = tray_post(tray, "/api/tray/watch", {"language": "vi", "child": "Lan"})
    assert status == 200 and answer["child"] == "Minh"
    status, answer = tray_post(tray, "/api/tray/ask", {"site": SITE, "child": "Lan"})
    assert status == 200 and answer["child"] == "Minh"
    assert answer["page"] == f"/__baoan/request/{answer['id']}"
    assert tray.store.events.recent(kind="help") == []
    assert [event.child for event in tray.store.events.recent(kind="watch_acknowledged")] == [
        "Minh"
    ]
    assert [request.child for request in tray.store.requests.recent()] == ["Minh"]
    assert tray.access.watch_acknowledgement("Lan") is None


def test_the_shared_tray_token_alone_acts_for_no_one(tray: TrayApi) -> None:
    for path, body in (
        ("/api/tray/watch", {"language": "vi"}),
        ("/api/tray/ask", {"site": SITE, "reason": ""}),
    ):
        status, answer = tray_post(tray, path, body, user=None)
        assert status == 401 and answer["error"] == "user_key_required"
    status, answer = tray_post(tray, "/api/tray/help", {"child": "Lan"}, user=None)
    assert status == 200 and answer == {"child": None, "alerted": False, "alerts_enabled": True}
    assert tray.store.events.recent() == []
    assert tray.store.requests.recent() == []
    assert tray.store.outbox.pending_count() == 0


def test_each_child_asks_a_parent_with_their_own_key(tray: TrayApi) -> None:
    status, answer = tray_post(
        tray, "/api/tray/ask", {"site": "https://Casino.example/x"}, user="lan"
    )
    assert status == 200, answer
    assert answer["child"] == "Lan" and answer["target"] == SITE and answer["state"] == "pending"
    status, answer = tray_post(tray, "/api/tray/ask", {"site": "not a site"}, user="lan")
    assert status == 400
    status, answer = tray_post(tray, "/api/tray/ask", {"reason": "no site"}, user="lan")
    assert status == 400


# -- alerts cannot be flooded -------------------------------------------------------------------


def test_help_from_no_known_child_alerts_no_one_from_any_address(tmp_path: Path) -> None:
    # As reproduced: 250 presses naming no child, each from its own loopback address,
    # made 250 urgent alerts.
    _, access, store = make_access(tmp_path)
    for number in range(HELP_PRESSES):
        result = access.help_pressed("nobody", f"127.0.11.{number % 254 + 1}")
        assert result.alerted is False and result.child is None
        result = access.help_pressed(None, f"127.0.12.{number % 254 + 1}")
        assert result.alerted is False
    assert store.events.recent(kind="help") == []
    assert store.outbox.pending_count() == 0


def test_250_help_presses_from_many_loopback_addresses_make_one_alert_per_child(
    tray: TrayApi,
) -> None:
    answers = []
    for number in range(HELP_PRESSES):
        user = ("minh", "lan", None)[number % 3]
        status, answer = tray_post(
            tray, "/api/tray/help", {}, source=f"127.0.11.{number % 254 + 1}", user=user
        )
        assert status == 200
        answers.append((user, answer))
    helps = tray.store.events.recent(kind="help", limit=1000)
    assert sorted(event.child or "" for event in helps) == ["Lan", "Minh"]
    assert tray.store.outbox.pending_count() == 2
    # Every later press of a known child says the parents were already told.
    later = [answer for user, answer in answers[3:] if user is not None]
    assert later and all(a["alerted"] is True and a["already_told"] is True for a in later)
    assert "already_told" not in answers[0][1]


def test_help_alerts_are_capped_for_the_whole_pc(tmp_path: Path) -> None:
    limits = AccessLimits(help_alerts_per_pc=3, help_alerts_per_pc_seconds=3600)
    runtime, access, store = make_access(tmp_path, limits=limits)
    sent = [access.help_pressed(name, "127.0.0.1").alerted for name in ("Bi", "Minh", "Lan", "Hoa")]
    assert sent == [True, True, True, False]
    runtime.clock.advance(timedelta(minutes=6))
    assert access.help_pressed("Bi", "127.0.0.1").alerted is False  # the hour is not over
    runtime.clock.advance(timedelta(hours=1))
    assert access.help_pressed("Hoa", "127.0.0.1").alerted is True
    assert len(store.events.recent(kind="help")) == 4


def test_every_loopback_address_is_one_device_for_asking(tmp_path: Path) -> None:
    limits = AccessLimits(requests_per_address=2, requests_per_child=100)
    _, access, _ = make_access(tmp_path, limits=limits)
    access.request_access("Minh", "a.example", "", "127.0.0.1")
    access.request_access("Lan", "b.example", "", "127.0.11.2")
    with pytest.raises(RateLimitedError):
        access.request_access("Hoa", "c.example", "", "::1")
    with pytest.raises(RateLimitedError):
        access.request_access("Hoa", "c.example", "", "127.0.11.3")
    # A LAN device still has its own limit.
    access.request_access("Hoa", "c.example", "", "192.168.1.20")


def test_requests_are_capped_for_the_whole_pc(tmp_path: Path) -> None:
    limits = AccessLimits(requests_per_pc=3, requests_per_address=100)
    _, access, _ = make_access(tmp_path, limits=limits)
    for number, child in enumerate(("Bi", "Minh", "Lan")):
        access.request_access(child, f"s{number}.example", "", f"192.168.1.{number + 1}")
    with pytest.raises(RateLimitedError):
        access.request_access("Hoa", "s9.example", "", "192.168.1.50")


def test_the_block_page_says_the_parents_were_already_told(tmp_path: Path) -> None:
    with running_pages(tmp_path, family=make_family()) as pages:
        token = form_field(page(pages, SITE).text, "/__baoan/help", "csrf")
        first = post_form(pages, SITE, "/__baoan/help", {"csrf": token, "lang": "en"})
        again = post_form(pages, SITE, "/__baoan/help", {"csrf": token, "lang": "en"})
        assert first.status == again.status == 200
        already = COMMON["en"]["help_alert_already"]
        assert already not in first.text.replace("&#x27;", "'")
        assert already in again.text.replace("&#x27;", "'")
        assert 'href="tel:111"' in again.text
        assert len(pages.store.events.recent(kind="help")) == 1


# -- the block page for a device known only by its MAC ----------------------------------------


def test_the_block_page_asks_and_alerts_for_a_mac_only_devices_child(
    tmp_path: Path, upstream: StandInDns
) -> None:
    tablet = lan_address()
    if tablet is None:
        pytest.skip("this machine has no non-loopback IPv4 address to play the tablet")
    site = "www.example.test"
    agent = Agent(
        AgentSettings(
            config_path=write_family(tmp_path, upstream.udp_url, MINH_AND_HIS_TABLET),
            data_dir=tmp_path / "data",
            dns_listen=(("127.0.0.1", 0),),
            http_listen=(tablet, 0),
            refresh_lists_at_start=False,
        ),
        session_user=lambda: "an",
        local_addresses=frozenset,
        mac_lookup=FakeMacLookup({tablet: TABLET_MAC}),
    )
    agent.start()
    try:
        assert agent.http_server is not None and agent.access is not None
        port = agent.http_server.address[1]
        block = http_from(tablet, tablet, port, "GET", "/", {"Host": site})
        form = {"Host": site, "Content-Type": "application/x-www-form-urlencoded"}
        body = urllib.parse.urlencode(
            {"csrf": form_field(block.text, "/__baoan/ask", "csrf"), "site": site}
        ).encode()
        asked = http_from(tablet, tablet, port, "POST", "/__baoan/ask", form, body)
        assert asked.status == 303, asked.text
        assert [request.child for request in agent.access.requests()] == ["Minh"]
        body = urllib.parse.urlencode(
            {"csrf": form_field(block.text, "/__baoan/help", "csrf")}
        ).encode()
        helped = http_from(tablet, tablet, port, "POST", "/__baoan/help", form, body)
        assert helped.status == 200 and 'href="tel:111"' in helped.text
        assert agent.store is not None
        assert [event.child for event in agent.store.events.recent(kind="help")] == ["Minh"]
    finally:
        agent.stop()
