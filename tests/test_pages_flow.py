"""The whole request flow over real HTTP on a random loopback port: the child asks on the
block page, a parent lists and decides through the API, the DNS policy opens the site at
once and closes it when the time is up; CSRF, rate limits, escaping and help alerts."""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from helpers_pages import (
    RunningPages,
    api,
    form_field,
    make_family,
    page,
    post_form,
    raw_request,
    running_pages,
)

from agent.access import ALERTS_CHANNEL, AccessLimits
from agent.pages.strings import COMMON
from agent.policy.model import FamilyPolicy
from dns_filter.verdict import verdict

SITE = "casino.example"


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[RunningPages]:
    with running_pages(tmp_path) as running:
        yield running


def ask(pages: RunningPages, reason: str, host: str = SITE) -> tuple[str, str]:
    """Ask on the block page like a browser; returns (request id, the status page)."""
    block = page(pages, host).text
    token = form_field(block, "/__baoan/ask", "csrf")
    site = html.unescape(form_field(block, "/__baoan/ask", "site"))
    answer = post_form(
        pages, host, "/__baoan/ask", {"csrf": token, "site": site, "reason": reason, "lang": "vi"}
    )
    assert answer.status == 303, answer.text
    location = answer.headers["location"]
    found = re.fullmatch(r"/__baoan/request/([A-Za-z0-9_-]+)\?lang=vi", location)
    assert found, location
    status_page = page(pages, host, location)
    assert status_page.status == 200
    return found.group(1), status_page.text


def state_of(pages: RunningPages, request_id: str, host: str = SITE) -> str:
    body = page(pages, host, f"/__baoan/request/{request_id}").text
    found = re.search(r'data-state="([a-z]+)"', body)
    assert found
    return found.group(1)


def is_blocked(pages: RunningPages, child: str, name: str) -> bool:
    policy = pages.runtime.filter
    assert policy is not None
    return verdict(policy, child, name, "A", pages.clock.now()).decision == "blocked"


def test_ask_approve_open_at_once_and_expire(pages: RunningPages) -> None:
    assert is_blocked(pages, "Minh", SITE)
    request_id, waiting = ask(pages, "Con cần xem luật chơi cho bài thuyết trình")
    assert 'data-state="pending"' in waiting
    assert COMMON["vi"]["state_pending"] in html.unescape(waiting)
    assert '<meta http-equiv="refresh" content="10">' in waiting

    # The request, its event and the caregivers' alert are stored.
    stored = pages.store.requests.get(request_id)
    assert stored is not None and stored.status == "pending" and stored.child == "Minh"
    assert stored.target == SITE
    events = pages.store.events.recent(kind="access_request")
    assert [event.data["request_id"] for event in events] == [request_id]
    alerts = pages.store.outbox.due(channel=ALERTS_CHANNEL, now=pages.clock.now())
    assert [item.payload["request_id"] for item in alerts] == [request_id]
    assert alerts[0].payload["site"] == SITE

    # The parent lists and approves for 60 minutes.
    with api(pages) as session:
        listed = session.get(f"{pages.url}/api/requests?status=pending", timeout=5)
        assert listed.status_code == 200
        assert [item["id"] for item in listed.json()] == [request_id]
        assert listed.json()[0]["reason"] == "Con cần xem luật chơi cho bài thuyết trình"
        before = pages.runtime.recompiles
        decided = session.post(
            f"{pages.url}/api/requests/{request_id}/decision",
            json={"allow": True, "minutes": 60},
            timeout=5,
        )
        assert decided.status_code == 200, decided.text
        assert decided.json()["status"] == "allowed"
        # The first decision stands.
        again = session.post(
            f"{pages.url}/api/requests/{request_id}/decision", json={"allow": False}, timeout=5
        )
        assert again.status_code == 409
        grants = session.get(f"{pages.url}/api/grants?child=Minh", timeout=5).json()
    assert pages.runtime.recompiles == before + 1
    assert [grant["site"] for grant in grants] == [SITE]
    assert pages.access.active_grants("Minh") == (SITE,)  # what the runtime allows
    assert [grant.site for grant in pages.access.grants("Minh")] == [SITE]
    # At once, with no restart: the recompiled DNS policy lets the site through.
    assert not is_blocked(pages, "Minh", SITE)
    assert is_blocked(pages, "Lan", SITE)  # only for the child who asked

    allowed = html.unescape(page(pages, SITE, f"/__baoan/request/{request_id}").text)
    assert 'data-state="allowed"' in allowed
    assert "Bố mẹ đã cho phép đến 13:00." in allowed  # 12:00 + 60 min, Hồ Chí Minh time
    assert 'href="http://casino.example/"' in allowed
    assert "http-equiv" not in allowed

    # Time runs out: the grant ends by itself and the policy is recompiled.
    pages.clock.advance(timedelta(minutes=61))
    assert pages.access.active_grants("Minh") == ()
    assert pages.runtime.scheduler.run_pending(pages.clock.now()) == ["grant-expiry"]
    assert pages.runtime.recompiles == before + 2
    assert is_blocked(pages, "Minh", SITE)
    expired = html.unescape(page(pages, SITE, f"/__baoan/request/{request_id}").text)
    assert 'data-state="expired"' in expired
    assert "đã hết lúc 13:00" in expired


def test_ask_and_deny(pages: RunningPages) -> None:
    request_id, _ = ask(pages, "cho con xem với")
    with api(pages) as session:
        denied = session.post(
            f"{pages.url}/api/requests/{request_id}/decision", json={"allow": False}, timeout=5
        )
    assert denied.status_code == 200
    assert denied.json()["status"] == "denied"
    assert pages.runtime.recompiles == 0
    assert is_blocked(pages, "Minh", SITE)
    body = html.unescape(page(pages, SITE, f"/__baoan/request/{request_id}?lang=en").text)
    assert 'data-state="denied"' in body
    assert COMMON["en"]["state_denied"] in body


def test_asking_twice_keeps_one_request_and_one_alert(pages: RunningPages) -> None:
    first, _ = ask(pages, "lần một")
    second, _ = ask(pages, "lần hai")
    assert first == second
    assert len(pages.store.outbox.due(channel=ALERTS_CHANNEL, now=pages.clock.now())) == 1
    stored = pages.store.requests.get(first)
    assert stored is not None and stored.reason == "lần hai"


def test_decision_api_checks_who_and_what(pages: RunningPages) -> None:
    request_id, _ = ask(pages, "")
    url = f"{pages.url}/api/requests/{request_id}/decision"
    with api(pages) as session:
        for body in (
            {"allow": True},
            {"allow": True, "minutes": 0},
            {"allow": True, "minutes": 100000},
            {"allow": "yes"},
            {"allow": True, "minutes": "60"},
        ):
            answer = session.post(url, json=body, timeout=5)
            assert answer.status_code == 400, body
        missing = session.post(
            f"{pages.url}/api/requests/nope/decision", json={"allow": False}, timeout=5
        )
        assert missing.status_code == 404
        session.headers["Authorization"] = f"Bearer {pages.tray_token}"
        assert session.post(url, json={"allow": True, "minutes": 5}, timeout=5).status_code == 403
        assert session.get(f"{pages.url}/api/requests", timeout=5).status_code == 403
        del session.headers["Authorization"]
        assert session.get(f"{pages.url}/api/requests", timeout=5).status_code == 401
    assert pages.store.requests.get(request_id).status == "pending"  # type: ignore[union-attr]


# -- CSRF -------------------------------------------------------------------------------------


def test_ask_without_or_with_a_wrong_token_is_refused(pages: RunningPages) -> None:
    block = page(pages, SITE).text
    token = form_field(block, "/__baoan/ask", "csrf")
    other_token = form_field(page(pages, "bet.example").text, "/__baoan/ask", "csrf")
    attempts = [
        ({"site": SITE, "reason": "x"}, {}),
        ({"csrf": "", "site": SITE, "reason": "x"}, {}),
        ({"csrf": "1.forged", "site": SITE, "reason": "x"}, {}),
        ({"csrf": other_token, "site": SITE, "reason": "x"}, {}),  # another site's token
        ({"csrf": token, "site": SITE, "reason": "x"}, {"Origin": "http://evil.example"}),
        ({"csrf": token, "site": SITE, "reason": "x"}, {"Origin": "null"}),
        ({"csrf": token, "site": SITE, "reason": "x"}, {"Sec-Fetch-Site": "cross-site"}),
    ]
    for fields, headers in attempts:
        answer = post_form(pages, SITE, "/__baoan/ask", fields, headers)
        assert answer.status == 403, (fields, headers)
        assert COMMON["vi"]["error_csrf"] in html.unescape(answer.text)
        assert 'href="tel:111"' in answer.text
    # A token from the block page of one host does not work under another host.
    answer = post_form(pages, "bet.example", "/__baoan/ask", {"csrf": token, "site": SITE})
    assert answer.status == 403
    assert pages.store.requests.recent() == []
    # Expired tokens fail too.
    pages.clock.advance(timedelta(hours=5))
    answer = post_form(pages, SITE, "/__baoan/ask", {"csrf": token, "site": SITE, "reason": "x"})
    assert answer.status == 403
    assert pages.store.requests.recent() == []


def test_help_post_without_token_sends_nothing_but_still_shows_111(pages: RunningPages) -> None:
    answer = post_form(pages, SITE, "/__baoan/help", {"lang": "vi"})
    assert answer.status == 403
    assert 'href="tel:111"' in answer.text
    assert pages.store.events.recent(kind="help") == []


# -- rate limits ------------------------------------------------------------------------------


def test_asking_too_often_from_one_device_is_limited(tmp_path: Path) -> None:
    limits = AccessLimits(requests_per_address=2, requests_per_address_seconds=600)
    with running_pages(tmp_path, limits=limits) as pages:
        ask(pages, "1", host="casino.example")
        ask(pages, "2", host="bet.example")
        block = page(pages, "adult.example").text
        token = form_field(block, "/__baoan/ask", "csrf")
        fields = {"csrf": token, "site": "adult.example", "reason": "3"}
        answer = post_form(pages, "adult.example", "/__baoan/ask", fields)
        assert answer.status == 429
        assert int(answer.headers["retry-after"]) > 0
        assert COMMON["vi"]["error_rate"] in html.unescape(answer.text)
        assert len(pages.store.requests.recent()) == 2
        pages.clock.advance(timedelta(minutes=11))
        assert post_form(pages, "adult.example", "/__baoan/ask", fields).status == 303


# -- escaping ---------------------------------------------------------------------------------

HOSTILE_REASONS = [
    '<script>alert("x")</script>',
    "\"'><img src=x onerror=alert(1)>",
    "</textarea><script>document.location='http://evil.example'</script>",
    "a" * 20_000,
    "\u202eRTL override\u0000 and NUL",
]


@pytest.mark.parametrize("reason", HOSTILE_REASONS)
def test_hostile_reasons_are_escaped(pages: RunningPages, reason: str) -> None:
    request_id, body = ask(pages, reason)
    assert "<script" not in body
    assert "<img" not in body
    assert "onerror=alert(1)>" not in body
    stored = pages.store.requests.get(request_id)
    assert stored is not None
    assert len(stored.reason) <= 500
    assert "\u202e" not in stored.reason and "\x00" not in stored.reason
    with api(pages) as session:
        listed = session.get(f"{pages.url}/api/requests", timeout=5).json()
    assert listed[0]["reason"] == stored.reason


@pytest.mark.parametrize(
    "host",
    [
        "<script>alert(1)</script>.example",
        '"onmouseover="alert(1).example',
        "x" * 3000 + ".example",
        "casino.example:99999",
        "a..b",
        "[::1",
    ],
)
def test_hostile_host_names_are_never_echoed(pages: RunningPages, host: str) -> None:
    answer = page(pages, host)
    assert answer.status == 403
    assert "<script>alert" not in answer.text
    assert "onmouseover" not in answer.text
    assert "x" * 100 not in answer.text
    # No name to show, and no form asking for a name that is not one; 111 still there.
    assert 'id="site"' not in answer.text
    assert 'action="/__baoan/ask"' not in answer.text
    assert 'href="tel:111"' in answer.text


def test_non_utf8_bytes_in_host_and_form_do_no_harm(pages: RunningPages) -> None:
    # A Latin-1 byte in the Host: read as text, turned into punycode, shown decoded.
    answer = raw_request(pages.port, "GET", "/", {"Host": "caf\xe9.example"})
    assert answer.status == 403
    assert "café.example" in answer.text
    block = page(pages, SITE).text
    token = form_field(block, "/__baoan/ask", "csrf")
    body = b"csrf=" + token.encode() + b"&site=casino.example&reason=%FF%FE\xff\xfe%3Cb%3E"
    answer = raw_request(
        pages.port,
        "POST",
        "/__baoan/ask",
        {
            "Host": SITE,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://{SITE}",
        },
        body,
    )
    assert answer.status == 303
    request_id = answer.headers["location"].split("/")[-1].split("?")[0]
    stored = pages.store.requests.get(request_id)
    assert stored is not None and "\ufffd" in stored.reason and "<b>" in stored.reason
    shown = page(pages, SITE, answer.headers["location"]).text
    assert "&lt;b&gt;" in shown and "<b>" not in shown


# -- help -------------------------------------------------------------------------------------


def test_help_button_alerts_caregivers_and_shows_111(pages: RunningPages) -> None:
    block = page(pages, SITE).text
    token = form_field(block, "/__baoan/help", "csrf")
    answer = post_form(pages, SITE, "/__baoan/help", {"csrf": token, "lang": "vi"})
    assert answer.status == 200
    words = html.unescape(answer.text)
    assert 'href="tel:111"' in answer.text
    # The truth: queued for the family's one caregiver.
    assert COMMON["vi"]["help_alert_sent"].format(count=1) in words
    assert "sẽ đến" not in words
    events = pages.store.events.recent(kind="help")
    assert len(events) == 1 and events[0].severity == "urgent" and events[0].child == "Minh"
    alerts = [
        item
        for item in pages.store.outbox.due(channel=ALERTS_CHANNEL, now=pages.clock.now())
        if item.payload["kind"] == "help"
    ]
    assert len(alerts) == 1 and alerts[0].payload["severity"] == "urgent"
    # Pressing again at once does not flood the caregivers, and still says they know.
    again = post_form(pages, SITE, "/__baoan/help", {"csrf": token, "lang": "vi"})
    assert COMMON["vi"]["help_alert_already"] in html.unescape(again.text)
    assert len(pages.store.events.recent(kind="help")) == 1


@pytest.mark.parametrize("language", ["vi", "en"])
def test_help_alerts_with_nobody_to_receive_them_say_so(tmp_path: Path, language: str) -> None:
    with running_pages(tmp_path, family=make_family(caregivers=False)) as pages:
        block = html.unescape(page(pages, SITE, f"/?lang={language}").text)
        # The page does not offer to tell the parents: nobody would be told.
        assert COMMON[language]["help_alert_button"] not in block
        help_page = html.unescape(page(pages, "127.0.0.1", f"/__baoan/help?lang={language}").text)
        assert COMMON[language]["help_alert_nobody"] in help_page
        token = form_field(page(pages, SITE).text, "/__baoan/help", "csrf")
        answer = post_form(pages, SITE, "/__baoan/help", {"csrf": token, "lang": language})
        words = html.unescape(answer.text)
        assert COMMON[language]["help_alert_nobody"] in words
        assert "111" in COMMON[language]["help_alert_nobody"]
        assert pages.store.outbox.pending_count() == 0


def test_help_alert_off_in_family_toml_sends_nothing(tmp_path: Path) -> None:
    with running_pages(tmp_path, family=make_family(help_alerts=False)) as pages:
        help_page = page(pages, "127.0.0.1", "/__baoan/help").text
        assert 'href="tel:111"' in help_page
        token = form_field(page(pages, SITE).text, "/__baoan/help", "csrf")
        answer = post_form(pages, SITE, "/__baoan/help", {"csrf": token})
        assert answer.status == 200
        assert 'href="tel:111"' in answer.text
        assert COMMON["vi"]["help_alert_sent"].format(count=1) not in html.unescape(answer.text)
        assert pages.store.events.recent(kind="help") == []
        assert pages.store.outbox.pending_count() == 0


def test_help_page_needs_no_pin_and_no_token(pages: RunningPages) -> None:
    for child, vncop in (("Minh", False), ("Lan", True)):
        pages.runtime.child_at_pc = child
        for host in ("127.0.0.1", "localhost", SITE, "anything.example"):
            answer = page(pages, host, "/__baoan/help")
            assert answer.status == 200
            assert 'id="call-111" href="tel:111"' in answer.text
            assert "https://tongdai111.vn/" in answer.text
            # vn-cop.vn, to report harm online, from 11 (Minh is 9, Lan 13).
            assert ("https://vn-cop.vn/" in answer.text) is vncop


def with_accounts(family: FamilyPolicy) -> FamilyPolicy:
    """The family with each child's own OS account (the name in lower case)."""
    children = tuple(
        dataclasses.replace(child, os_users=(child.name.lower(),)) for child in family.children
    )
    return dataclasses.replace(family, children=children)


def test_tray_help_endpoint(tmp_path: Path) -> None:
    with running_pages(tmp_path, family=with_accounts(make_family())) as pages:
        with api(pages) as session:
            session.headers.update(pages.tray_headers("lan"))
            answer = session.post(f"{pages.url}/api/tray/help", json={}, timeout=5)
        assert answer.status_code == 200
        assert answer.json()["alerted"] is True and answer.json()["child"] == "Lan"
        assert [event.child for event in pages.store.events.recent(kind="help")] == ["Lan"]


# -- what Bảo An watches ----------------------------------------------------------------------


def test_watch_acknowledgement_by_the_tray_is_readable_by_the_parent(tmp_path: Path) -> None:
    with running_pages(tmp_path, family=with_accounts(make_family())) as pages:
        url = f"{pages.url}/api/tray/watch"
        with api(pages) as session:
            session.headers.update(pages.tray_headers("lan"))
            stored = session.post(url, json={"language": "en"}, timeout=5)
            assert stored.status_code == 200, stored.text
            assert stored.json()["child"] == "Lan" and stored.json()["current"] is True
            session.headers["X-Baoan-User-Key"] = pages.tray_keys.key_for("minh")
            forged = session.post(url, json={"language": "en"}, timeout=5)
            assert forged.status_code == 403
            session.headers["Authorization"] = f"Bearer {pages.parent_token}"
            listed = session.get(f"{pages.url}/api/watch/acknowledgements", timeout=5).json()
            del session.headers["Authorization"]
            assert session.post(url, json={"language": "en"}, timeout=5).status_code == 401
        events = pages.store.events.recent(kind="watch_acknowledged")
    by_child = {item["child"]: item["acknowledgement"] for item in listed}
    assert by_child["Minh"] is None
    assert by_child["Lan"]["language"] == "en"
    assert by_child["Lan"]["acknowledged_at"].startswith("2026-03-02T05:00")
    assert [event.child for event in events] == ["Lan"]


@pytest.mark.parametrize("limit", ["0", "abc", "²", "9" * 5000])
def test_a_bad_requests_limit_is_a_clear_400(pages: RunningPages, limit: str) -> None:
    with api(pages) as session:
        response = session.get(f"{pages.url}/api/requests", params={"limit": limit}, timeout=5)
    assert response.status_code == 400
    assert "'limit'" in response.json()["message"]
