"""Helpers for the page and access tests: a family, a store, the access service and the
real HTTP listener with the pages and request endpoints on a random loopback port.

The ``Family`` here plays the agent runtime's part: its ``grants_changed`` recompiles the
DNS filter's policy with each child's active grants on their allow list, as the runtime
does. Not a test module of its own; the tests import from it.
"""

from __future__ import annotations

import dataclasses
import http.client
import re
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from types import MappingProxyType

import requests
from helpers_api import StaticServices, make_authenticator

from agent.access import AccessLimits, AccessService
from agent.api.app import create_server
from agent.api.requests_endpoints import register_request_endpoints
from agent.api.server import HttpServer
from agent.api.tray_routes import register_tray_routes
from agent.auth import load_or_create_tray_token
from agent.grant_expiry import GrantExpiry
from agent.pages import CsrfSigner, PageServices, register_pages
from agent.policy.compile import compile_filter_policy
from agent.policy.model import Caregiver, Child, FamilyPolicy, Language, Settings
from agent.scheduler import Scheduler
from agent.secrets import open_secret_store
from agent.store.store import Store
from agent.tray.identity import TrayUserKeys, load_tray_user_keys
from agent.tray.service import TrayService
from dns_filter.clock import ManualClock
from dns_filter.policy import FilterPolicy, ScheduleMode, ScheduleRule, TimeWindow
from dns_filter.resolvers import SuffixSet

START = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # Monday 12:00 in Hồ Chí Minh City
PIN = "2468"

AGES = {"Bi": 4, "Minh": 9, "Lan": 13, "Hoa": 16}


class ListMatcher:
    """A category list as the filter sees it; the rule names its list file, which the page
    must never show."""

    def __init__(self, list_file: str, domains: list[str]) -> None:
        self._file = list_file
        self._domains = SuffixSet(domains)

    def match(self, name: str) -> str | None:
        rule = self._domains.match(name)
        return f"{self._file}: ||{rule}^" if rule else None

    def __len__(self) -> int:
        return len(self._domains)


CATEGORIES = {
    "adult": ListMatcher("hostsVN-adult.txt", ["adult.example"]),
    "gambling": ListMatcher("ut1-gambling-domains", ["casino.example", "bet.example"]),
    "games": ListMatcher("ut1-games-domains", ["games.example"]),
}

BEDTIME = ScheduleRule(
    "*", ScheduleMode.BLOCKED_DURING, (TimeWindow(frozenset(range(7)), time(21, 30), time(6)),)
)


def make_family(
    *, language: Language = Language.VI, help_alerts: bool = True, caregivers: bool = True
) -> FamilyPolicy:
    return FamilyPolicy(
        settings=Settings(language=language, help_alerts_caregivers=help_alerts),
        children=tuple(
            Child(
                name,
                age=age,
                deny=("parentblocked.example",),
                schedules=(BEDTIME,) if name == "Minh" else (),
            )
            for name, age in AGES.items()
        ),
        default_child="Minh",
        caregivers=(Caregiver("Bà ngoại", ntfy_topic="baoan-family-alerts"),) if caregivers else (),
    )


@dataclass
class Family:
    """The runtime's part: policy, grants → recompiled DNS policy, which child is at the PC.
    As in the runtime, each compile arms the grant-expiry job at the next grant's end; the
    tests run it with `scheduler.run_pending()` on the test clock."""

    family: FamilyPolicy
    clock: ManualClock
    scheduler: Scheduler
    child_at_pc: str | None = "Minh"
    recompiles: int = 0
    filter: FilterPolicy | None = None
    access: AccessService | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def family_policy(self) -> FamilyPolicy:
        return self.family

    def filter_policy(self) -> FilterPolicy | None:
        return self.filter

    def child_for_address(self, address: str) -> str | None:
        return self.child_at_pc

    def grants_changed(self) -> None:
        with self.lock:
            self.recompiles += 1
        self.compile()

    def compile(self) -> None:
        # As the runtime does: the grants go in each profile's `granted` names.
        extra = self.access.allow_lists() if self.access is not None else {}
        compiled = compile_filter_policy(
            self.family, CATEGORIES, "127.0.0.1", "::1", now_year=self.clock.now().year
        )
        profiles = {
            name: dataclasses.replace(profile, granted=extra[name]) if extra.get(name) else profile
            for name, profile in compiled.profiles.items()
        }
        self.filter = dataclasses.replace(compiled, profiles=MappingProxyType(profiles))
        if self.access is not None:
            GrantExpiry(self.scheduler).arm(self.access.next_expiry(), self.grants_changed)


def make_access(
    tmp_path: Path,
    *,
    family: FamilyPolicy | None = None,
    limits: AccessLimits | None = None,
) -> tuple[Family, AccessService, Store]:
    clock = ManualClock(START)
    runtime = Family(family or make_family(), clock, Scheduler(clock=clock))
    store = Store(tmp_path / "baoan.sqlite3", clock=clock, synchronous="NORMAL")
    access = AccessService(
        store, runtime.family_policy, clock, runtime.grants_changed, limits=limits
    )
    runtime.access = access
    runtime.compile()
    return runtime, access, store


@dataclass
class RunningPages:
    server: HttpServer
    runtime: Family
    access: AccessService
    store: Store
    clock: ManualClock
    parent_token: str
    tray_token: str
    tray_keys: TrayUserKeys

    def tray_headers(self, os_user: str) -> dict[str, str]:
        """What a child's tray sends: the shared token and that account's own key."""
        return {
            "Authorization": f"Bearer {self.tray_token}",
            "X-Baoan-User": os_user,
            "X-Baoan-User-Key": self.tray_keys.key_for(os_user),
        }

    @property
    def port(self) -> int:
        return self.server.address[1]

    @property
    def url(self) -> str:
        return self.server.base_url


@contextmanager
def running_pages(
    tmp_path: Path,
    *,
    family: FamilyPolicy | None = None,
    limits: AccessLimits | None = None,
) -> Iterator[RunningPages]:
    runtime, access, store = make_access(tmp_path, family=family, limits=limits)
    clock = runtime.clock
    auth = make_authenticator(tmp_path, clock)
    auth.set_first_pin(PIN)
    server = create_server(StaticServices(), auth, host="127.0.0.1", port=0, version="9.8.7")
    register_request_endpoints(server.router, access)
    register_pages(
        server.router,
        PageServices(
            access=access,
            filter_policy=runtime.filter_policy,
            child_for_address=runtime.child_for_address,
            csrf=CsrfSigner(clock),
        ),
    )
    secrets = open_secret_store(tmp_path)
    tray_keys = load_tray_user_keys(secrets)
    register_tray_routes(
        server.router,
        TrayService(store.query_log, runtime.family_policy, tray_keys, access=access, clock=clock),
    )
    server.start()
    try:
        yield RunningPages(
            server,
            runtime,
            access,
            store,
            clock,
            auth.login(PIN).token,
            load_or_create_tray_token(secrets),
            tray_keys,
        )
    finally:
        server.stop()
        store.close()


# -- HTTP helpers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def raw_request(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes = b"",
) -> Answer:
    """Exactly these headers (the Host of a blocked site, say), on the agent's port."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        if body or method == "POST":
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


def page(pages: RunningPages, host: str, path: str = "/", language: str | None = None) -> Answer:
    headers = {"Host": host}
    if language:
        headers["Accept-Language"] = language
    return raw_request(pages.port, "GET", path, headers)


def form_field(html_text: str, form_action: str, name: str) -> str:
    """The value of a hidden field in the form that posts to `form_action`."""
    form = re.search(
        rf'<form method="post" action="{re.escape(form_action)}">(.*?)</form>', html_text, re.S
    )
    assert form, f"no form posting to {form_action}"
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', form.group(1))
    assert found, f"no field {name} in the form"
    return found.group(1)


def post_form(
    pages: RunningPages,
    host: str,
    path: str,
    fields: dict[str, str],
    extra_headers: dict[str, str] | None = None,
) -> Answer:
    body = urllib.parse.urlencode(fields).encode("utf-8")
    headers = {
        "Host": host,
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://{host}",
        **(extra_headers or {}),
    }
    return raw_request(pages.port, "POST", path, headers, body)


def api(pages: RunningPages) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.headers["Authorization"] = f"Bearer {pages.parent_token}"
    return session


def unescape_html(text: str) -> str:
    import html

    return html.unescape(text)
