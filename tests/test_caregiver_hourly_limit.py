"""Each caregiver's own hourly limit (`alerts_per_hour` in family.toml): validated by the
loader, 10 by default, and what the delivery service holds back for a digest; Help is
never counted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers_ntfy import NtfyStandIn, ntfy_standin

from agent.alert_delivery import build_delivery
from agent.policy.editing import error_fields
from agent.policy.errors import InvalidPolicyError
from agent.policy.loader import parse_policy
from agent.secrets import file_secret_store
from agent.store import Store
from sync.delivery import ALERTS_CHANNEL

MUM = "baoan-me-7a7a7a7a7a7a"
GRANDPA = "baoan-ong-8b8b8b8b8b8b"
T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def family_text(server: str, mum_limit: str = "", grandpa_limit: str = "") -> str:
    return (
        "schema_version = 1\n"
        '[[children]]\nname = "An"\nage = 9\n'
        f'[[caregivers]]\nname = "Mẹ"\nntfy_topic = "{MUM}"\nntfy_server = "{server}"\n'
        + mum_limit
        + f'[[caregivers]]\nname = "Ông"\nntfy_topic = "{GRANDPA}"\nntfy_server = "{server}"\n'
        + grandpa_limit
    )


@pytest.fixture
def ntfy() -> Iterator[NtfyStandIn]:
    with ntfy_standin() as standin:
        yield standin


def test_the_limit_defaults_to_ten_and_is_read_per_caregiver() -> None:
    family = parse_policy(family_text("https://ntfy.example.org", "alerts_per_hour = 3\n"))
    mum, grandpa = family.caregivers
    assert (mum.alerts_per_hour, grandpa.alerts_per_hour) == (3, 10)


@pytest.mark.parametrize("value, shown", [("0", "0"), ('"many"', '"many"'), ("true", "true"),
                                          ("1001", "1001")])
def test_a_wrong_limit_is_an_error_at_its_line(value: str, shown: str) -> None:
    text = family_text("https://ntfy.example.org", f"alerts_per_hour = {value}\n")
    with pytest.raises(InvalidPolicyError) as raised:
        parse_policy(text)
    [error] = raised.value.errors
    assert error.key_path == ("caregivers", 0, "alerts_per_hour")
    assert str(error) == (
        "family.toml:9: caregivers[0].alerts_per_hour: expected a whole number from 1 to "
        f"1000, got {shown}"
    )
    fields = error_fields(error)  # as the policy API and the dashboard show it
    assert (fields["path"], fields["expected"], fields["got"]) == (
        "caregivers[0].alerts_per_hour", "a whole number from 1 to 1000", shown)


def test_each_caregiver_gets_at_most_their_own_number_an_hour_and_help_is_never_held(
    tmp_path: Path, ntfy: NtfyStandIn
) -> None:
    family = parse_policy(family_text(ntfy.url, "alerts_per_hour = 2\n",
                                      "alerts_per_hour = 4\n"))
    with Store(tmp_path / "baoan.sqlite3") as store:
        service = build_delivery(store, lambda: family, file_secret_store(tmp_path),
                                 lambda: T0)
        for index in range(6):
            store.outbox.enqueue(ALERTS_CHANNEL, {"kind": "access_request",
                                                  "title": f"An xin mở {index}"}, now=T0)
        store.outbox.enqueue(ALERTS_CHANNEL, {"kind": "help", "severity": "urgent",
                                              "title": "An bấm Cứu giúp"}, now=T0)
        service.run_once()
        mum = [m["title"] for m in ntfy.on(MUM)]
        grandpa = [m["title"] for m in ntfy.on(GRANDPA)]
        assert len(mum) == 3 and "An bấm Cứu giúp" in mum  # two, and Help on top
        assert len(grandpa) == 5 and "An bấm Cứu giúp" in grandpa
        assert store.outbox.pending_count() == 4 + 2  # held for each one's digest
