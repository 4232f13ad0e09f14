"""Alert delivery end to end over real HTTP and SMTP: the outbox fans an alert out to each
caregiver's channel, ntfy (a stand-in on loopback) and mail (aiosmtpd on loopback);
a 5xx is retried, a 4xx is recorded for the parent, and the alert's id travels with it."""

from __future__ import annotations

import signal
import ssl
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from helpers_ntfy import NtfyStandIn, ntfy_standin
from helpers_ports import free_ports, start_on_free_ports
from test_agent_end_to_end import family_text, wait_for

from agent.alert_delivery import build_delivery, ntfy_token_secret, smtp_secret
from agent.policy.model import Caregiver, FamilyPolicy
from agent.secrets import file_secret_store
from agent.store import Store
from sync.delivery import ALERTS_CHANNEL

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HELP = {
    "kind": "help",
    "severity": "urgent",
    "child": "An",
    "title": "An vừa bấm nút Trợ giúp / 111",
    "title_en": "An pressed Help / 111",
    "message": "Hãy hỏi thăm con ngay.",
    "message_en": "Please check on your child now.",
}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def ntfy() -> Iterator[NtfyStandIn]:
    with ntfy_standin() as standin:
        yield standin


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "baoan.sqlite3") as opened:
        yield opened


def family(*caregivers: Caregiver) -> FamilyPolicy:
    return FamilyPolicy(caregivers=caregivers)


def test_an_alert_reaches_the_caregivers_topic_with_its_id(
    tmp_path: Path, store: Store, ntfy: NtfyStandIn
) -> None:
    mum = Caregiver("Mẹ", ntfy_topic="baoan-me-4f9c1a", ntfy_server=ntfy.url)
    clock = Clock()
    service = build_delivery(store, lambda: family(mum), file_secret_store(tmp_path), clock)
    item = store.outbox.enqueue(ALERTS_CHANNEL, HELP, now=T0)
    result = service.run_once()
    assert item.key in result.delivered
    [message] = ntfy.on("baoan-me-4f9c1a")
    assert message["title"] == "An vừa bấm nút Trợ giúp / 111"
    assert "Hãy hỏi thăm con ngay." in message["message"]
    assert "An pressed Help / 111" in message["message"]
    assert message["priority"] == 5
    assert "baoan-help" in message["tags"]
    assert message["sequence_id"] == item.key  # the receiver's key to drop a duplicate
    assert store.outbox.pending_count() == 0
    assert service.run_once().delivered == ()  # nothing is sent twice once accepted


def test_a_5xx_is_retried_later_with_jitter_and_then_delivered(
    tmp_path: Path, store: Store, ntfy: NtfyStandIn
) -> None:
    mum = Caregiver("Mẹ", ntfy_topic="baoan-me-4f9c1a", ntfy_server=ntfy.url)
    clock = Clock()
    service = build_delivery(store, lambda: family(mum), file_secret_store(tmp_path), clock)
    ntfy.failures.extend([503, 502])
    store.outbox.enqueue(ALERTS_CHANNEL, HELP, now=T0)
    first = service.run_once()
    [(_, retry_at)] = first.retries
    assert T0 + timedelta(seconds=12) <= retry_at <= T0 + timedelta(seconds=18)  # 15 s ± 20 %
    assert store.outbox.pending_count() == 1 and ntfy.on("baoan-me-4f9c1a") == []
    clock.now = T0 + timedelta(seconds=20)
    second = service.run_once()
    assert len(second.retries) == 1
    clock.now = T0 + timedelta(minutes=5)
    assert len(service.run_once().delivered) == 1
    assert len(ntfy.on("baoan-me-4f9c1a")) == 1
    assert store.outbox.pending_count() == 0


def test_a_4xx_is_a_failure_for_good_shown_to_the_parent(
    tmp_path: Path, store: Store, ntfy: NtfyStandIn
) -> None:
    ntfy.grant("tk_right", "baoan-me-4f9c1a", write=True)
    secrets = file_secret_store(tmp_path)
    secrets.set(ntfy_token_secret(ntfy.url), "tk_wrong")
    mum = Caregiver("Mẹ", ntfy_topic="baoan-me-4f9c1a", ntfy_server=ntfy.url)
    clock = Clock()
    service = build_delivery(store, lambda: family(mum), secrets, clock)
    store.outbox.enqueue(ALERTS_CHANNEL, HELP, now=T0)
    result = service.run_once()
    assert len(result.undeliverable) == 1 and result.retries == ()
    [refused] = store.outbox.undeliverable()
    assert "403" in (refused.last_error or "")
    clock.now = T0 + timedelta(days=1)
    assert service.run_once() == type(result)()  # never tried again
    events = store.events.recent(kind="alert-undeliverable")
    assert len(events) == 1 and events[0].severity == "alert"
    # With the right token the next alert goes through.
    secrets.set(ntfy_token_secret(ntfy.url), "tk_right")
    store.outbox.enqueue(ALERTS_CHANNEL, HELP, now=clock.now)
    assert len(service.run_once().delivered) == 2
    assert len(ntfy.on("baoan-me-4f9c1a")) == 1


# -- email ------------------------------------------------------------------------------------


class Mailbox:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], bytes]] = []

    # aiosmtpd calls the handler's hooks by these names.
    async def handle_DATA(  # noqa: N802
        self, server: object, session: object, envelope: Any
    ) -> str:
        self.mails.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


def _authenticator(
    server: object, session: object, envelope: object, mechanism: str, auth_data: object
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"app-password"
    return AuthResult(success=ok)


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_an_alert_is_mailed_through_smtp_with_the_password_from_the_keyring(
    tmp_path: Path, store: Store, certificate: tuple[Path, Path], security: str
) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox = Mailbox()
    [port] = free_ports(1)
    # Over implicit TLS the whole session is encrypted (aiosmtpd only knows STARTTLS's).
    options: dict[str, Any] = {"authenticator": _authenticator,
                               "auth_require_tls": security == "starttls"}
    if security == "tls":
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, ssl_context=context,
                                **options)
    else:
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, tls_context=context,
                                require_starttls=True, **options)
    controller.start()
    try:
        server = f"127.0.0.1:{port}"
        secrets = file_secret_store(tmp_path)
        secrets.set(smtp_secret(server), (
            '{"username": "baoan@example.com", "password": "app-password",'
            f' "security": "{security}", "cafile": "{cert}"}}'
        ))
        grandma = Caregiver("Bà", email="ba@example.com", smtp=server)
        service = build_delivery(store, lambda: family(grandma), secrets, Clock())
        item = store.outbox.enqueue(ALERTS_CHANNEL, HELP, now=T0)
        assert len(service.run_once().delivered) == 2  # the alert, and Bà's copy
    finally:
        controller.stop()
    [(to, raw)] = mailbox.mails
    assert to == ["ba@example.com"]
    mail = message_from_bytes(raw)
    assert mail["Message-ID"] == f"<{item.key}@baoan>"
    assert "Trợ giúp" in str(make_header(decode_header(mail["Subject"])))
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes) and "Hãy hỏi thăm con ngay." in body.decode()


class Refusing(Mailbox):
    async def handle_RCPT(  # noqa: N802
        self, server: object, session: object, envelope: object, address: str, options: object
    ) -> str:
        return "550 no such user"


@pytest.mark.parametrize("tls", [True, False])
def test_a_refused_mailbox_or_a_server_without_starttls_is_a_failure_for_good(
    tmp_path: Path, store: Store, certificate: tuple[Path, Path], tls: bool
) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    [port] = free_ports(1)
    if tls:
        controller = Controller(Refusing(), hostname="127.0.0.1", port=port, ssl_context=context)
    else:  # a plain server: Bảo An will not send a password or an alert in clear
        controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        server = f"127.0.0.1:{port}"
        secrets = file_secret_store(tmp_path)
        secrets.set(smtp_secret(server), (
            f'{{"security": "{"tls" if tls else "starttls"}", "cafile": "{cert}"}}'
        ))
        grandma = Caregiver("Bà", email="nobody@example.com", smtp=server)
        service = build_delivery(store, lambda: family(grandma), secrets, Clock())
        store.outbox.enqueue(ALERTS_CHANNEL, HELP, now=T0)
        result = service.run_once()
    finally:
        controller.stop()
    assert len(result.undeliverable) == 1 and result.retries == ()
    [refused] = store.outbox.undeliverable()
    assert ("refused nobody@example.com" if tls else "STARTTLS") in (refused.last_error or "")


# -- a real agent killed mid-delivery ----------------------------------------------------------


def test_the_outbox_survives_sigkill_during_delivery(tmp_path: Path, ntfy: NtfyStandIn) -> None:
    topic = "baoan-me-8e1d2b"
    config = tmp_path / "family.toml"
    config.write_text(
        family_text("udp://127.0.0.1:9")
        + f'\n[[caregivers]]\nname = "Mẹ"\nntfy_topic = "{topic}"\nntfy_server = "{ntfy.url}"\n',
        encoding="utf-8",
    )
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    with Store(data / "baoan.sqlite3") as store:
        alert = store.outbox.enqueue(ALERTS_CHANNEL, HELP)
    ntfy.holding = True  # the server takes the message, the agent never hears back

    def start() -> subprocess.Popen[str]:
        process, _dns, _http = start_on_free_ports(
            lambda dns, http: [
                "agent", "--config", str(config), "--data-dir", str(data),
                "--dns-listen", f"127.0.0.1:{dns}", "--http-listen", f"127.0.0.1:{http}",
                "--no-list-refresh",
            ],
            settle_seconds=1.0,
        )
        return process

    process = start()
    try:
        wait_for(lambda: ntfy.held, timeout=30)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    ntfy.holding = False
    process = start()

    def titles() -> list[str]:
        return [str(message.get("title", "")) for message in ntfy.on(topic)]

    try:
        # The Help alert again, and the restarted agent telling the family it was killed.
        wait_for(
            lambda: any(m["sequence_id"] == alert.key for m in ntfy.on(topic))
            and any("chạy lại" in title for title in titles()),
            timeout=30,
        )
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    received = ntfy.held + ntfy.on(topic)
    help_copies = [message for message in received if message["sequence_id"] == alert.key]
    assert len(help_copies) >= 2  # before the kill and after it: at least once, never lost
    others = [message for message in received if message["sequence_id"] != alert.key]
    assert others and all("chạy lại" in str(message.get("title")) for message in others)
    with Store(data / "baoan.sqlite3") as store:
        assert store.outbox.pending_count() == 0
