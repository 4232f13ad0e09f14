""""Báo điều xấu" tells a caregiver honestly: when the child chooses to, the caregivers get an
alert of its own kind (``report``), never the Help / 111 alert; it is named by the child's
own tray key or the device, never by a name in the body; it carries no browsing history;
pressing it again and again makes at most one alert per child in the window; and the child
is told what truly happened, in both languages."""

from __future__ import annotations

import dataclasses
import html
import urllib.parse
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from helpers_pages import (
    RunningPages,
    form_field,
    make_access,
    make_family,
    page,
    post_form,
    running_pages,
)
from helpers_tray import FAMILY, TrayApi, running_tray_api
from test_agent_composition import (
    MINH_AND_HIS_TABLET,
    TABLET_MAC,
    FakeMacLookup,
    http_from,
    lan_address,
    write_family,
)
from test_upstreams_standin import StandInDns

from agent.access import ALERTS_CHANNEL, AccessLimits
from agent.pages.strings import COMMON
from agent.runtime import Agent, AgentSettings

SITE = "casino.example"


@pytest.fixture
def tray(tmp_path: Path) -> Iterator[TrayApi]:
    with running_tray_api(tmp_path) as running:
        yield running


def outbox_kinds(store_owner: TrayApi | RunningPages) -> list[tuple[str, str]]:
    store = store_owner.store
    items = store.outbox.due(channel=ALERTS_CHANNEL, now=store_owner.access.now() + timedelta(1))
    return [(item.payload["kind"], item.payload["child"]) for item in items]


# -- the tray's route ---------------------------------------------------------------------------


def test_the_caregivers_outbox_row_says_report_not_help(tray: TrayApi) -> None:
    response = tray.call("POST", "/api/tray/report", user="lan", json={})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "child": "Lan", "alerted": True, "receivers": 1, "already_told": False
    }
    [item] = tray.store.outbox.due(channel=ALERTS_CHANNEL, now=tray.access.now())
    payload = item.payload
    assert payload["kind"] == "report" and payload["child"] == "Lan"
    assert payload["severity"] == "alert"  # important, not Help's "urgent"
    # Words for the caregivers in both languages, and none of them Help's.
    assert payload["title"] == "Lan muốn báo một điều xấu gặp trên mạng"
    assert payload["title_en"] == "Lan wants to report something bad they met online"
    assert "người thân" in payload["message"] and "vn-cop.vn" in payload["message_en"]
    for words in (payload["title"], payload["title_en"], payload["message"], payload["message_en"]):
        assert "Trợ giúp" not in words and "Help" not in words
    # No browsing history: no site, no reason, no query log in the alert.
    assert not {"site", "sites", "reason", "history", "request_id"} & set(payload)
    assert [event.child for event in tray.store.events.recent(kind="report")] == ["Lan"]
    event = tray.store.events.recent(kind="report")[0]
    assert event.severity == "alert" and not event.data
    assert tray.store.events.recent(kind="help") == []


def test_a_siblings_key_cannot_report_for_the_other_child(tray: TrayApi) -> None:
    # Minh's key under Lan's account name is refused.
    stolen = tray.call("POST", "/api/tray/report", user="lan", key=tray.keys.key_for("minh"))
    assert stolen.status_code == 403 and stolen.json()["error"] == "bad_user_key"
    # A name in the body is never read: Minh's key reports for Minh.
    own = tray.call("POST", "/api/tray/report", json={"child": "Lan", "user": "lan"})
    assert own.status_code == 200 and own.json()["child"] == "Minh"
    assert [event.child for event in tray.store.events.recent(kind="report")] == ["Minh"]
    assert outbox_kinds(tray) == [("report", "Minh")]


def test_the_shared_token_alone_reports_for_no_one(tray: TrayApi) -> None:
    anonymous = tray.call("POST", "/api/tray/report", user=None, json={"child": "Lan"})
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "user_key_required"
    parent = tray.call("POST", "/api/tray/report", token="parent", user=None, json={})
    assert parent.status_code == 403
    nobody = tray.call("POST", "/api/tray/report", token=None, user=None, json={})
    assert nobody.status_code == 401
    assert tray.store.events.recent(kind="report") == []
    assert tray.store.outbox.pending_count() == 0


def test_pressing_it_fifty_times_makes_one_alert(tray: TrayApi) -> None:
    answers = [tray.call("POST", "/api/tray/report", json={}).json() for _ in range(50)]
    assert answers[0]["already_told"] is False and answers[0]["alerted"] is True
    # Every later press says truly that the family was told a few minutes ago.
    assert all(answer["already_told"] and answer["receivers"] == 1 for answer in answers[1:])
    assert outbox_kinds(tray) == [("report", "Minh")]
    assert len(tray.store.events.recent(kind="report", limit=100)) == 1
    # Lan has her own allowance.
    assert tray.call("POST", "/api/tray/report", user="lan", json={}).json()["alerted"] is True
    assert sorted(outbox_kinds(tray)) == [("report", "Lan"), ("report", "Minh")]


def test_the_profile_says_how_many_a_report_would_reach(tmp_path: Path) -> None:
    with running_tray_api(tmp_path / "one") as one:
        assert one.call("GET", "/api/tray/me").json()["report_receivers"] == 1
    # Help alerts off: a report is still the child's own message, as a request is.
    quiet = dataclasses.replace(
        FAMILY, settings=dataclasses.replace(FAMILY.settings, help_alerts_caregivers=False)
    )
    with running_tray_api(tmp_path / "quiet", family=quiet) as agent:
        me = agent.call("GET", "/api/tray/me").json()
        assert me["help_receivers"] == 0 and me["report_receivers"] == 1
        answer = agent.call("POST", "/api/tray/report", json={}).json()
        assert answer["alerted"] is True
        assert outbox_kinds(agent) == [("report", "Minh")]
    lonely = dataclasses.replace(FAMILY, caregivers=())
    with running_tray_api(tmp_path / "lonely", family=lonely) as agent:
        assert agent.call("GET", "/api/tray/me").json()["report_receivers"] == 0
        answer = agent.call("POST", "/api/tray/report", json={}).json()
        assert answer == {"child": "Minh", "alerted": False, "receivers": 0, "already_told": False}
        assert agent.store.outbox.pending_count() == 0


# -- the limits, on the access service ----------------------------------------------------------


def test_one_report_alert_per_child_per_window_and_a_few_per_pc(tmp_path: Path) -> None:
    limits = AccessLimits(report_alerts_per_pc=2)
    runtime, access, store = make_access(tmp_path, limits=limits)
    assert access.report_pressed("Minh", "127.0.0.1").alerted
    # Another loopback address is the same PC and the same child: no new alert.
    again = access.report_pressed("Minh", "127.0.11.7")
    assert again.already_told and again.alerted
    assert access.report_pressed("Lan", "127.0.0.1").alerted
    busy = access.report_pressed("Hoa", "::1")  # the PC's hourly cap
    assert not busy.alerted and not busy.already_told and busy.receivers == 1
    assert len(store.events.recent(kind="report")) == 2
    # Reports never spend Help's allowance.
    assert access.help_pressed("Hoa", "127.0.0.1").alerted
    # After the child's window, a new press is a new alert (the PC's hour is not over).
    runtime.clock.advance(timedelta(seconds=limits.report_alert_every_seconds + 1))
    assert not access.report_pressed("Minh", "127.0.0.1").alerted
    runtime.clock.advance(timedelta(hours=1))
    assert access.report_pressed("Minh", "127.0.0.1").alerted
    assert len(store.events.recent(kind="report")) == 3


def test_a_press_by_no_known_child_alerts_no_one(tmp_path: Path) -> None:
    _, access, store = make_access(tmp_path)
    for number in range(20):
        assert access.report_pressed("nobody", f"127.0.11.{number + 1}").child is None
        assert access.report_pressed(None, f"127.0.12.{number + 1}").alerted is False
    assert store.events.recent(kind="report") == []
    assert store.outbox.pending_count() == 0


# -- the pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_pages_report_form_sends_a_report_and_says_so(tmp_path: Path, language: str) -> None:
    with running_pages(tmp_path) as pages:
        pages.runtime.child_at_pc = "Lan"  # 13: vn-cop.vn and "Báo điều xấu" are shown
        block = page(pages, SITE, f"/?lang={language}").text
        assert COMMON[language]["report_tell_button"] in html.unescape(block)
        token = form_field(block, "/__baoan/report", "csrf")
        # Opening the page, or vn-cop.vn, tells nobody.
        assert pages.store.outbox.pending_count() == 0
        fields = {"csrf": token, "lang": language, "child": "Hoa"}  # the name is ignored
        answer = post_form(pages, SITE, "/__baoan/report", fields)
        assert answer.status == 200
        words = html.unescape(answer.text).replace("&#x27;", "'")
        assert COMMON[language]["report_sent"].format(count=1) in words
        assert "sẽ đến" not in words and 'href="tel:111"' in answer.text
        assert 'href="https://vn-cop.vn/"' in answer.text
        assert outbox_kinds(pages) == [("report", "Lan")]
        assert pages.store.events.recent(kind="help") == []
        again = post_form(pages, SITE, "/__baoan/report", fields)
        assert COMMON[language]["report_already"] in html.unescape(again.text).replace(
            "&#x27;", "'"
        )
        assert len(pages.store.events.recent(kind="report")) == 1


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_pages_say_when_nobody_could_be_told(tmp_path: Path, language: str) -> None:
    with running_pages(tmp_path, family=make_family(caregivers=False)) as pages:
        pages.runtime.child_at_pc = "Hoa"
        block = html.unescape(page(pages, SITE, f"/?lang={language}").text)
        nobody = COMMON[language]["report_nobody"]
        assert nobody in block
        assert COMMON[language]["report_tell_button"] not in block
        assert "111" in nobody
        assert pages.store.outbox.pending_count() == 0


def test_the_pages_report_needs_its_token_and_is_not_for_the_young(tmp_path: Path) -> None:
    with running_pages(tmp_path) as pages:
        pages.runtime.child_at_pc = "Lan"
        forged = post_form(pages, SITE, "/__baoan/report", {"csrf": "forged", "lang": "vi"})
        assert forged.status == 403 and 'href="tel:111"' in forged.text
        help_token = form_field(page(pages, SITE).text, "/__baoan/help", "csrf")
        other = post_form(pages, SITE, "/__baoan/report", {"csrf": help_token, "lang": "vi"})
        assert other.status == 403  # the Help form's token is not the report's
        assert pages.store.events.recent(kind="report") == []
        pages.runtime.child_at_pc = "Minh"  # 9: 111 only, no report form
        assert "/__baoan/report" not in page(pages, SITE).text


# -- the pages for a LAN device known only by its MAC -------------------------------------------


def test_the_pages_report_names_a_mac_only_devices_child(
    tmp_path: Path, upstream: StandInDns
) -> None:
    tablet = lan_address()
    if tablet is None:
        pytest.skip("this machine has no non-loopback IPv4 address to play the tablet")
    site = "www.example.test"
    family = MINH_AND_HIS_TABLET + (
        '\n[[caregivers]]\nname = "Bà ngoại"\nntfy_topic = "baoan-report-test"\n'
        'ntfy_server = "http://127.0.0.1:9"\n'  # nothing listens: no alert leaves the test
    )
    agent = Agent(
        AgentSettings(
            config_path=write_family(tmp_path, upstream.udp_url, family),
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
        assert agent.http_server is not None and agent.store is not None
        port = agent.http_server.address[1]
        block = http_from(tablet, tablet, port, "GET", "/", {"Host": site})
        form = {
            "Host": site,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://{site}",
        }
        # Minh (12) is the tablet's child, whatever the form says.
        body = urllib.parse.urlencode(
            {"csrf": form_field(block.text, "/__baoan/report", "csrf"), "child": "An"}
        ).encode()
        told = http_from(tablet, tablet, port, "POST", "/__baoan/report", form, body)
        assert told.status == 200, told.text
        assert [event.child for event in agent.store.events.recent(kind="report")] == ["Minh"]
        assert agent.store.events.recent(kind="help") == []
        # Queued, whether or not the agent's delivery has fanned it out to the caregiver
        # since (and tried the closed port): the alert item is there either way.
        (event,) = agent.store.events.recent(kind="report")
        queued = agent.store.outbox.for_event(event.id)
        alerts = [item for item in queued if item.channel == "alerts"]
        assert [item.payload["kind"] for item in alerts] == ["report"]
    finally:
        agent.stop()
