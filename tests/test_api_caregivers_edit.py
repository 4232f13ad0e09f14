"""The caregivers edited through the API, against a real agent on random ports: one added
with an ntfy topic and Bảo An's token for the server reaches family.toml (the parent's
comment kept) and the keyring, and the test alert reaches the ntfy stand-in with that
token; an edit that leaves the secrets out keeps them; a GET never shows a secret; email
and Apprise channels; the loader's refusals as ``{path, expected, got}``; a hand edit in
between is a 412; removing; each change an event; and none of it for a child or a
stranger."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from helpers_ntfy import NtfyStandIn, ntfy_standin
from helpers_policy_agent import (
    HAND_COMMENT,
    RunningFamily,
    parent_client,
    running_family,
)

from agent.alert_delivery import apprise_secret, ntfy_token_secret, smtp_secret
from agent.api.client import (
    ApiClient,
    ApiClientError,
    PolicyConflictError,
    PolicyRefusedError,
)
from agent.api.types import (
    AppriseChannelSettings,
    CaregiverSettings,
    EmailChannelSettings,
    NtfyChannelSettings,
)
from agent.auth import load_or_create_tray_token
from agent.policy import load_policy
from agent.policy.seal import strip_seal
from agent.secrets import open_secret_store

TOPIC = "baoan-ba-0a1b2c3d4e5f6a7b"
TOKEN = "tk_grandmas_server_token"


@pytest.fixture
def ntfy() -> Iterator[NtfyStandIn]:
    with ntfy_standin() as standin:
        yield standin


@pytest.fixture
def family(tmp_path: Path, ntfy: NtfyStandIn) -> Iterator[RunningFamily]:
    # Stopped before the stand-in: the agent's subscriber holds a stream open on it.
    with running_family(tmp_path) as running:
        yield running


@pytest.fixture
def parent(family: RunningFamily) -> Iterator[ApiClient]:
    client = parent_client(family)
    yield client
    client.close()


def grandma(ntfy: NtfyStandIn, token: str | None = TOKEN) -> CaregiverSettings:
    return CaregiverSettings(
        name="Bà",
        hears=("help", "requests"),
        alerts_per_hour=4,
        ntfy=NtfyChannelSettings(server=ntfy.url, topic=TOPIC, token=token),
    )


def test_a_caregiver_added_hears_the_test_alert_with_the_token_given(
    family: RunningFamily, parent: ApiClient, ntfy: NtfyStandIn
) -> None:
    ntfy.grant(TOKEN, TOPIC, write=True)  # without Bảo An's token the server refuses
    etag, before = parent.family_caregivers()
    assert before == []
    new_etag, saved = parent.add_caregiver(etag, grandma(ntfy))
    assert new_etag != etag
    assert saved.ntfy is not None and saved.ntfy.token_set and saved.ntfy.token is None
    assert (saved.hears, saved.alerts_per_hour) == (("help", "requests"), 4)
    text = family.config.read_text(encoding="utf-8")
    assert HAND_COMMENT in text and TOPIC in text and TOKEN not in text
    [caregiver] = load_policy(family.config).caregivers
    assert (caregiver.name, caregiver.ntfy_server, caregiver.alerts_per_hour) == (
        "Bà", ntfy.url, 4)
    store = open_secret_store(family.agent.settings.data_dir)
    assert store.get(ntfy_token_secret(ntfy.url)) == TOKEN
    # The GET answer has no secret in clear, only that it is set.
    raw = requests.get(
        family.url + "/api/family/caregivers", timeout=5,
        headers={"Authorization": f"Bearer {parent.token}"},
    )
    assert TOKEN not in raw.text
    assert raw.json()["caregivers"][0]["ntfy"]["token_set"] is True
    checks = parent.send_test_alert().checks
    assert [(c.receiver, c.outcome) for c in checks] == [("ntfy:Bà", "sent")]
    assert [m["title"] for m in ntfy.on(TOPIC)] == ["Bảo An: tin thử"]
    events = [e for e in parent.events(limit=10) if e.kind == "policy-edited"]
    assert {"field": "caregiver", "change": "added", "value": "Bà"} in events[0].data["edits"]


def test_an_edit_that_leaves_the_secrets_out_keeps_them(
    family: RunningFamily, parent: ApiClient, ntfy: NtfyStandIn
) -> None:
    etag, _ = parent.family_caregivers()
    etag, _ = parent.add_caregiver(etag, grandma(ntfy))
    mail = EmailChannelSettings(
        address="ba@example.com", smtp="smtp.example.com:465", username="baoan@example.com",
        password="mail-secret",
    )
    apprise = AppriseChannelSettings(url="discord://webhook-id/webhook-token")
    etag, saved = parent.update_caregiver(etag, "Bà", CaregiverSettings(
        name="Bà", ntfy=NtfyChannelSettings(ntfy.url, TOPIC), email=mail, apprise=apprise,
    ))
    assert saved.email is not None and saved.email.password_set
    assert saved.email.username == "baoan@example.com" and saved.email.password is None
    assert saved.apprise is not None and saved.apprise.url_hint == "discord://…"
    store = open_secret_store(family.agent.settings.data_dir)
    assert store.get(ntfy_token_secret(ntfy.url)) == TOKEN  # left out: kept
    # A rename, every secret left out: each is kept (the Apprise URL moves with the name).
    etag, renamed = parent.update_caregiver(etag, "Bà", CaregiverSettings(
        name="Bà Nội", hears=("adult",), ntfy=NtfyChannelSettings(ntfy.url, TOPIC),
        email=EmailChannelSettings("ba@example.com", "smtp.example.com:465",
                                   "baoan@example.com"),
        apprise=AppriseChannelSettings(),
    ))
    assert renamed.name == "Bà Nội" and renamed.apprise is not None and renamed.apprise.url_set
    assert store.get(apprise_secret("Bà Nội")) == "discord://webhook-id/webhook-token"
    assert store.get(apprise_secret("Bà")) is None
    account = json.loads(store.get(smtp_secret("smtp.example.com:465")) or "{}")
    assert account == {"username": "baoan@example.com", "sender": "baoan@example.com",
                       "password": "mail-secret"}
    assert store.get(ntfy_token_secret(ntfy.url)) == TOKEN
    answer = requests.get(
        family.url + "/api/family/caregivers", timeout=5,
        headers={"Authorization": f"Bearer {parent.token}"},
    ).text
    for secret in ("mail-secret", "webhook-token", TOKEN):
        assert secret not in answer
    # The email channel removed: only the others stay.
    etag, fewer = parent.update_caregiver(etag, "Bà Nội", CaregiverSettings(
        name="Bà Nội", ntfy=NtfyChannelSettings(ntfy.url, TOPIC)))
    assert fewer.email is None and fewer.apprise is None
    assert store.get(apprise_secret("Bà Nội")) is None
    [caregiver] = load_policy(family.config).caregivers
    assert (caregiver.email, caregiver.apprise) == (None, False)


def test_an_empty_topic_gets_an_unguessable_one_and_a_short_one_is_refused(
    parent: ApiClient, ntfy: NtfyStandIn
) -> None:
    etag, _ = parent.family_caregivers()
    with pytest.raises(PolicyRefusedError) as refused:
        parent.add_caregiver(etag, CaregiverSettings(
            name="Cô", ntfy=NtfyChannelSettings(ntfy.url, "co")))
    [problem] = refused.value.problems
    assert problem.path == "caregivers[0].ntfy_topic" and problem.got == '"co"'
    _etag, saved = parent.add_caregiver(etag, CaregiverSettings(
        name="Cô", ntfy=NtfyChannelSettings(ntfy.url, "")))
    assert saved.ntfy is not None and saved.ntfy.topic.startswith("baoan-")
    assert len(saved.ntfy.topic) == len("baoan-") + 24


def test_the_loaders_refusals_name_each_field_and_nothing_is_kept(
    family: RunningFamily, parent: ApiClient
) -> None:
    etag, _ = parent.family_caregivers()
    before = family.config.read_bytes()
    with pytest.raises(PolicyRefusedError) as refused:
        parent.add_caregiver(etag, CaregiverSettings(
            name="Chú", hears=("help", "everything"), alerts_per_hour=0,
            email=EmailChannelSettings(
                "not-an-address", "smtp.example.com", "u", password="secret"),
        ))
    paths = {problem.path: problem for problem in refused.value.problems}
    assert {"caregivers[0].email", "caregivers[0].smtp", "caregivers[0].hears[1]",
            "caregivers[0].alerts_per_hour"} <= set(paths)
    assert paths["caregivers[0].email"].got == '"not-an-address"'
    assert "email address" in (paths["caregivers[0].email"].expected or "")
    assert family.config.read_bytes() == before
    store = open_secret_store(family.agent.settings.data_dir)
    assert store.get(smtp_secret("smtp.example.com")) is None  # refused: no secret kept
    with pytest.raises(PolicyRefusedError) as no_url:
        parent.add_caregiver(etag, CaregiverSettings(name="Chú", apprise=AppriseChannelSettings()))
    assert [p.path for p in no_url.value.problems] == ["caregivers[0].apprise"]
    with pytest.raises(PolicyRefusedError) as no_channel:
        parent.add_caregiver(etag, CaregiverSettings(name="Chú"))
    assert [p.path for p in no_channel.value.problems] == ["caregivers[0]"]


def test_a_hand_edit_in_between_is_not_overwritten_and_removing_is_an_event(
    family: RunningFamily, parent: ApiClient, ntfy: NtfyStandIn
) -> None:
    etag, _ = parent.family_caregivers()
    etag, _ = parent.add_caregiver(etag, grandma(ntfy))
    family.config.write_text(
        strip_seal(family.config.read_text(encoding="utf-8")).replace(
            HAND_COMMENT, HAND_COMMENT + "\n# a hand edit", 1),
        encoding="utf-8",
    )
    with pytest.raises(PolicyConflictError) as stale:
        parent.update_caregiver(etag, "Bà", grandma(ntfy, token="tk_other"))
    assert stale.value.current_etag and stale.value.current_etag != etag
    store = open_secret_store(family.agent.settings.data_dir)
    assert store.get(ntfy_token_secret(ntfy.url)) == TOKEN  # the stale edit kept nothing
    etag, _ = parent.family_caregivers()
    with pytest.raises(ApiClientError) as unknown:
        parent.remove_caregiver(etag, "Nobody")
    assert (unknown.value.status, unknown.value.code) == (404, "unknown_caregiver")
    with pytest.raises(ApiClientError) as taken:
        parent.add_caregiver(etag, grandma(ntfy))
    assert (taken.value.status, taken.value.code) == (409, "caregiver_exists")
    parent.remove_caregiver(etag, "Bà")
    assert load_policy(family.config).caregivers == ()
    assert "# a hand edit" in family.config.read_text(encoding="utf-8")
    edits = [e.data["edits"] for e in parent.events(limit=10) if e.kind == "policy-edited"]
    assert {"field": "caregiver", "change": "removed", "value": "Bà"} in edits[0]


ROUTES = (
    ("GET", "/api/family/caregivers"),
    ("POST", "/api/family/caregivers"),
    ("PUT", "/api/family/caregivers/Bà"),
    ("DELETE", "/api/family/caregivers/Bà"),
)


def test_a_child_or_a_stranger_can_use_none_of_it(
    family: RunningFamily, parent: ApiClient, ntfy: NtfyStandIn
) -> None:
    etag, _ = parent.family_caregivers()
    parent.add_caregiver(etag, grandma(ntfy))
    tray = load_or_create_tray_token(open_secret_store(family.agent.settings.data_dir))
    before = family.config.read_bytes()
    body = grandma(ntfy, token="tk_stolen").to_json()
    with requests.Session() as http:
        http.trust_env = False
        for method, path in ROUTES:
            sent = body if method in ("POST", "PUT") else None
            headers = {"If-Match": '"x"'}
            nobody = http.request(method, family.url + path, json=sent, headers=headers, timeout=5)
            assert nobody.status_code == 401, (method, path)
            child = http.request(
                method, family.url + path, json=sent, timeout=5,
                headers={**headers, "Authorization": f"Bearer {tray}"},
            )
            assert (child.status_code, child.json()["error"]) == (403, "parent_only"), path
            assert TOKEN not in child.text
            forged = http.request(
                method, family.url + path, json=sent, timeout=5,
                headers={**headers, "Authorization": "Bearer not-a-session"},
            )
            assert forged.status_code == 401, (method, path)
    assert family.config.read_bytes() == before
    store = open_secret_store(family.agent.settings.data_dir)
    assert store.get(ntfy_token_secret(ntfy.url)) == TOKEN
