"""Helpers for the tray tests: a family, a real store, the real API with the tray's
endpoints on a random loopback port. Not a test module of its own."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from helpers_api import RunningApi, running_api

from agent.access import AccessService
from agent.api.tray_routes import register_tray_routes
from agent.auth import TRAY_TOKEN_SECRET_NAME
from agent.policy.model import Caregiver, Child, FamilyPolicy, Settings
from agent.secrets import open_secret_store
from agent.store import QueryLogEntry, Store
from agent.tray.identity import TrayUserKeys, load_tray_user_keys
from agent.tray.service import TrayService
from dns_filter.clock import ManualClock

NOW = datetime(2025, 6, 1, 9, 0, 0, tzinfo=UTC)
FAMILY = FamilyPolicy(
    settings=Settings(help_alerts_caregivers=True),
    children=(
        Child("Minh", age=9, os_users=("minh",)),
        Child("Lan", age=16, os_users=("lan", "lan-school")),
    ),
    caregivers=(Caregiver("Bà ngoại", ntfy_topic="baoan-test-topic"),),
)


@dataclass
class TrayApi:
    data_dir: Path
    api: RunningApi
    store: Store
    access: AccessService
    keys: TrayUserKeys
    tray_token: str
    parent_token: str

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = "tray",
        user: str | None = "minh",
        key: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        headers: dict[str, str] = {}
        if token == "tray":
            headers["Authorization"] = f"Bearer {self.tray_token}"
        elif token == "parent":
            headers["Authorization"] = f"Bearer {self.parent_token}"
        elif token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if user is not None:
            headers["X-Baoan-User"] = user
            headers["X-Baoan-User-Key"] = key if key is not None else self.keys.key_for(user)
        with requests.Session() as session:
            session.trust_env = False
            return session.request(
                method, self.api.url + path, headers=headers, timeout=5, **kwargs
            )

    def blocked(self, cursor: str | None = None, **kwargs: Any) -> dict[str, Any]:
        params = {"cursor": cursor} if cursor else {}
        response = self.call("GET", "/api/tray/blocked", params=params, **kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


ADULT_REASON: Mapping[str, object] = {
    "kind": "category", "category": "adult", "rule": "hostsvn-adult.txt: ||adult.example^"
}


def entry(
    name: str,
    *,
    seconds_ago: float = 10,
    child: str | None = "Minh",
    decision: str = "blocked",
    client: str = "127.0.0.1",
    reason: Mapping[str, object] = ADULT_REASON,
    at: datetime | None = None,
) -> QueryLogEntry:
    return QueryLogEntry(
        time=at or NOW - timedelta(seconds=seconds_ago),
        client=client,
        name=name,
        qtype="A",
        decision=decision,
        reason=reason if decision == "blocked" else {"kind": "upstream"},
        child=child,
        category="adult" if decision == "blocked" else None,
    )


@contextmanager
def running_tray_api(
    tmp_path: Path, clock: Any = None, family: FamilyPolicy | None = None
) -> Iterator[TrayApi]:
    policy = family or FAMILY
    tmp_path.mkdir(parents=True, exist_ok=True)
    store = Store(tmp_path / "baoan.sqlite3")
    access = AccessService(store, lambda: policy, ManualClock(NOW), lambda: None)
    secrets = open_secret_store(tmp_path)
    keys = load_tray_user_keys(secrets)
    service = TrayService(
        store.query_log,
        lambda: policy,
        keys,
        access=access,
        local_addresses=lambda: frozenset({"192.168.1.10"}),
        clock=clock or ManualClock(NOW),
    )
    with running_api(tmp_path) as api:
        register_tray_routes(api.server.router, service)
        api.auth.set_first_pin("1234")
        parent_token = api.auth.login("1234").token
        tray_token = secrets.get(TRAY_TOKEN_SECRET_NAME)
        assert tray_token
        yield TrayApi(tmp_path, api, store, access, keys, tray_token, parent_token)
    store.close()
