"""Help alerts that nobody would receive are said out loud: `baoan init` and `baoan status`
warn, and the policy state the agent serves carries it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_api import RunningApi, running_api

from agent.alert_receivers import alert_receivers, help_alerts_unheard
from agent.api.types import PolicyState
from agent.policy.model import Caregiver, Child, FamilyPolicy, Settings
from baoan.cli import main


def family(*caregivers: Caregiver, help_alerts: bool = True) -> FamilyPolicy:
    return FamilyPolicy(
        settings=Settings(help_alerts_caregivers=help_alerts),
        children=(Child("Minh", age=9),),
        caregivers=caregivers,
    )


def test_who_an_alert_can_reach() -> None:
    grandma = Caregiver("Bà ngoại", ntfy_topic="baoan-family")
    aunt = Caregiver("Cô Hà", email="ha@example.com")
    assert alert_receivers(family(grandma, aunt)) == (grandma, aunt)
    assert help_alerts_unheard(family())
    assert not help_alerts_unheard(family(grandma))
    assert not help_alerts_unheard(family(help_alerts=False))


def test_init_warns_that_nobody_would_receive_help_alerts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "family.toml"
    assert main(["init", "--config", str(path), "--child", "Minh", "--age", "9"]) == 0
    out = capsys.readouterr().out
    assert "tin báo Trợ giúp đang bật nhưng chưa có người thân nào để nhận" in out
    assert "help alerts are on but no caregiver is set up to receive them" in out


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningApi]:
    monkeypatch.delenv("BAOAN_PIN", raising=False)
    with running_api(tmp_path) as running:
        yield running


@pytest.mark.parametrize("unheard", [True, False])
def test_status_warns_when_help_alerts_reach_nobody(
    api: RunningApi, capsys: pytest.CaptureFixture[str], unheard: bool
) -> None:
    api.services.policy = dataclasses.replace(api.services.policy, help_alerts_unheard=unheard)
    assert main(["status", "--api", api.url]) == 0
    out = capsys.readouterr().out
    assert ("Cảnh báo: tin báo Trợ giúp đang bật" in out) is unheard
    assert ("Warning: help alerts are on but no caregiver could receive them" in out) is unheard


def test_the_policy_state_carries_it_both_ways() -> None:
    state = PolicyState("/etc/baoan/family.toml", help_alerts_unheard=True)
    assert PolicyState.from_json(state.to_json()) == state
    assert not PolicyState.from_json({"source": "x"}).help_alerts_unheard


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_help_page_says_how_many_caregivers_the_alert_went_to(
    tmp_path: Path, language: str
) -> None:
    import html

    from helpers_pages import form_field, make_family, page, post_form, running_pages

    from agent.pages.strings import COMMON

    two = dataclasses.replace(
        make_family(),
        caregivers=(
            Caregiver("Bà ngoại", ntfy_topic="baoan-family"),
            Caregiver("Cô Hà", email="ha@example.com"),
        ),
    )
    site = "casino.example"
    with running_pages(tmp_path, family=two) as pages:
        token = form_field(page(pages, site).text, "/__baoan/help", "csrf")
        answer = post_form(pages, site, "/__baoan/help", {"csrf": token, "lang": language})
        assert COMMON[language]["help_alert_sent"].format(count=2) in html.unescape(answer.text)
        assert pages.store.outbox.pending_count() == 1  # one alert; the sync layer fans out
