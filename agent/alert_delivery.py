"""Who hears an alert and through what: the agent's side of `sync.delivery`.

The family policy names the caregivers and their channels; the keyring holds what must not
be in family.toml (ntfy access tokens, the SMTP account). An alert fans out to one receiver
per caregiver and channel ("ntfy:Mẹ", "email:Bà"), looked up again when each copy is sent.
A copy a receiver refused for good is an event for the dashboard, so the parent sees it.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.alert_receivers import pc_name
from agent.policy.model import DEFAULT_ALERTS_PER_HOUR, Caregiver, FamilyPolicy
from agent.secrets import SecretStore
from agent.store import Store
from dns_filter.http_client import HttpClient
from sync.apprise_channel import AppriseChannel
from sync.deadman import DeadManSignal, Support, cancel, probe, sequence_for
from sync.delivery import Action, Alert, Channel, DeliveryService, Receiver
from sync.mail import EmailChannel, SmtpSettings
from sync.ntfy import NtfyChannel, NtfyTopic
from sync.outbox import PermanentDeliveryError

log = logging.getLogger(__name__)

EVENT_ALERT_UNDELIVERABLE = "alert-undeliverable"
Buttons = Callable[[Caregiver], Callable[[Alert], tuple[Action, ...]]]
"""Per caregiver: the buttons an alert gets on their phone (signed approval commands)."""
NTFY = "ntfy"
EMAIL = "email"
APPRISE = "apprise"
# Which choice in a caregiver's `hears` each alert kind belongs to; a kind not listed is
# heard by everyone (a new kind must never go unheard by default).
TOPIC_OF_KIND = {
    "help": "help",
    "access_request": "requests",
    "time-request": "requests",
    "approval-answer": "requests",
    "adult-attempt": "adult",
    "policy-loosened": "tamper",
    "policy-not-applied": "tamper",
    "tamper": "tamper",
    "system-tampered": "tamper",
    "new-account": "tamper",
    "limit-reached": "limit",
    "protection-paused": "paused",
}
NEVER_HELD = frozenset({"help"})  # Help reaches everyone who hears it, quiet hours or not


def hears(caregiver: Caregiver, kind: str) -> bool:
    topic = TOPIC_OF_KIND.get(kind)
    if topic is None or topic == "help" or not caregiver.hears:
        return True
    return topic in caregiver.hears


def quiet_until(caregiver: Caregiver, moment: datetime, zone: ZoneInfo) -> datetime | None:
    """The end of the caregiver's quiet hours when `moment` falls inside them, else None."""
    start, end = caregiver.quiet_start, caregiver.quiet_end
    if start is None or end is None or start == end:
        return None
    local = moment.astimezone(zone)
    now = local.time().replace(tzinfo=None)
    inside = start <= now < end if start < end else (now >= start or now < end)
    if not inside:
        return None
    day = local.date() if now < end else local.date() + timedelta(days=1)
    return datetime.combine(day, time(end.hour, end.minute), tzinfo=zone)


def ntfy_token_secret(server: str) -> str:
    """The keyring name of the access token Bảo An publishes to `server` with."""
    return f"ntfy-token:{server.rstrip('/')}"


def apprise_secret(caregiver: str) -> str:
    """The keyring name of a caregiver's Apprise URL."""
    return f"apprise:{caregiver.casefold()}"


def smtp_secret(server: str) -> str:
    """The keyring name of the SMTP account (JSON: username, password, sender)."""
    return f"smtp:{server}"


def receivers_of(caregiver: Caregiver) -> list[str]:
    found = []
    if caregiver.ntfy_topic:
        found.append(f"{NTFY}:{caregiver.name}")
    if caregiver.email:
        found.append(f"{EMAIL}:{caregiver.name}")
    if caregiver.apprise:
        found.append(f"{APPRISE}:{caregiver.name}")
    return found


class AlertRouting:
    """`sync.delivery.Routing` over the policy in force and the keyring."""

    def __init__(
        self,
        family: Callable[[], FamilyPolicy],
        secrets: SecretStore,
        session: HttpClient | None = None,
        buttons: Buttons | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._family = family
        self._secrets = secrets
        self._session = session or HttpClient()
        self._buttons = buttons
        self._now = now

    def receivers(self, alert: Mapping[str, Any]) -> Sequence[Receiver]:
        """Each caregiver's channels that hear this kind; outside Help, a copy for someone
        in their quiet hours waits until the quiet hours end."""
        family = self._family()
        kind = str(alert.get("kind", ""))
        try:
            zone = ZoneInfo(family.settings.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        found: list[Receiver] = []
        for caregiver in family.caregivers:
            if not hears(caregiver, kind):
                continue
            hold = None
            if self._now is not None and kind not in NEVER_HELD:
                hold = quiet_until(caregiver, self._now(), zone)
            found.extend(Receiver(name, hold) for name in receivers_of(caregiver))
        return found

    def _caregiver(self, receiver: str) -> tuple[str, Caregiver | None]:
        kind, _, name = receiver.partition(":")
        wanted = name.casefold()
        caregiver = next(
            (c for c in self._family().caregivers if c.name.casefold() == wanted), None
        )
        return kind, caregiver

    def hourly_limit(self, receiver: str) -> int | None:
        """At most how many alerts an hour reach `receiver` (its caregiver's
        `alerts_per_hour`); a receiver no longer in the policy keeps the default."""
        _kind, caregiver = self._caregiver(receiver)
        return DEFAULT_ALERTS_PER_HOUR if caregiver is None else caregiver.alerts_per_hour

    def channel(self, receiver: str) -> Channel | None:
        kind, caregiver = self._caregiver(receiver)
        if caregiver is None:
            return None
        if kind == NTFY and caregiver.ntfy_topic:
            token = self._secrets.get(ntfy_token_secret(caregiver.ntfy_server))
            return NtfyChannel(
                NtfyTopic(caregiver.ntfy_server, caregiver.ntfy_topic, token),
                self._session,
                None if self._buttons is None else self._buttons(caregiver),
            )
        if kind == EMAIL and caregiver.email:
            settings = self.smtp_settings(caregiver)
            return None if settings is None else EmailChannel(settings, caregiver.email)
        if kind == APPRISE and caregiver.apprise:
            url = self._secrets.get(apprise_secret(caregiver.name))
            return None if not url else AppriseChannel(url)
        return None

    def smtp_settings(self, caregiver: Caregiver) -> SmtpSettings | None:
        if not caregiver.smtp:
            log.warning("caregiver %s has an email address but no smtp server", caregiver.name)
            return None
        host, _, port = caregiver.smtp.rpartition(":")
        account: dict[str, Any] = {}
        raw = self._secrets.get(smtp_secret(caregiver.smtp))
        if raw:
            try:
                loaded = json.loads(raw)
            except ValueError:
                log.error("the SMTP account for %s in the keyring is unreadable", caregiver.smtp)
            else:
                account = loaded if isinstance(loaded, dict) else {}
        security = str(account.get("security") or ("tls" if port == "465" else "starttls"))
        username = account.get("username")
        return SmtpSettings(
            host=host,
            port=int(port),
            security=security,
            username=str(username) if username else None,
            password=str(account.get("password") or "") or None,
            sender=str(account.get("sender") or username or "baoan@localhost"),
            cafile=str(account["cafile"]) if account.get("cafile") else None,
        )


def build_delivery(
    store: Store,
    family: Callable[[], FamilyPolicy],
    secrets: SecretStore,
    now: Callable[[], datetime],
    *,
    interval: float = 30.0,
    buttons: Buttons | None = None,
    pc: str | Callable[[], str] | None = None,
    session: HttpClient | None = None,
) -> DeliveryService:
    """The delivery service over the store's outbox, woken by each new item."""

    def undeliverable(key: str, why: str) -> None:
        store.events.add(
            EVENT_ALERT_UNDELIVERABLE,
            f"an alert could not be delivered and will not be retried: {why}",
            severity="alert",
            data={"outbox_key": key, "error": why},
            at=now(),
        )

    routing = AlertRouting(family, secrets, session, buttons=buttons, now=now)
    service = DeliveryService(
        queue=store.outbox,
        routing=routing,
        now=now,
        interval=interval,
        on_undeliverable=undeliverable,
        pc=pc or (lambda: pc_name(family())),
        ledger=store.kv,  # the hourly count and the held copies survive a restart
        per_hour=routing.hourly_limit,  # each caregiver's own `alerts_per_hour`
    )
    store.outbox.on_enqueued(service.wake)
    return service


class DeadManPublisher:
    """Every ten minutes (a scheduler job): this PC's dead-man signal on each alerts topic
    whose server replaces scheduled messages; a server that does not is told once in the
    log and in `baoan sync test`, and gets no signal (it would be a false alarm).

    Each signal it schedules is noted in the store (`deadman_published`) before it is
    sent, so that one no longer wanted — the PC renamed, a caregiver or a topic gone from
    the policy, even while the agent was stopped — is cancelled on the server at the next
    beat (`stale`: at once when the agent sees such a policy), never left to fire."""

    def __init__(
        self,
        family: Callable[[], FamilyPolicy],
        secrets: SecretStore,
        store: Store,
        pc: str | None = None,
        session: HttpClient | None = None,
    ) -> None:
        self._family = family
        self._secrets = secrets
        self._store = store
        self._pc = pc
        self._session = session or HttpClient()
        self._beating = threading.Lock()  # the timer's beat and a policy change's

    def topics(self, family: FamilyPolicy | None = None) -> list[NtfyTopic]:
        found: dict[str, NtfyTopic] = {}
        for caregiver in (family or self._family()).caregivers:
            if caregiver.ntfy_topic:
                token = self._secrets.get(ntfy_token_secret(caregiver.ntfy_server))
                where = NtfyTopic(caregiver.ntfy_server, caregiver.ntfy_topic, token)
                found.setdefault(where.url, where)
        return list(found.values())

    def support(self, where: NtfyTopic) -> Support:
        """Whether `where`'s server carries the signal (kept once known)."""
        key = deadman_support_key(where)
        known = self._store.kv.get(key)
        if known in (Support.REPLACES.value, Support.KEEPS_EVERY_COPY.value):
            return Support(known)
        found = probe(self._session, where)
        if found is not Support.UNKNOWN:
            self._store.kv.set(key, found.value)
        if found is Support.KEEPS_EVERY_COPY:
            log.error(
                "the ntfy server %s is older than 2.16: it cannot carry the signal that "
                "tells caregivers this PC stopped reporting",
                where.server,
            )
        return found

    def wanted(self, family: FamilyPolicy | None = None) -> set[PublishedSignal]:
        """The signals this PC keeps with the policy `family` (default: in force)."""
        family = family or self._family()
        sequence = sequence_for(self._pc or pc_name(family))
        return {PublishedSignal(where.server, where.topic, sequence)
                for where in self.topics(family)}

    def stale(self, family: FamilyPolicy | None = None) -> bool:
        """Is a signal scheduled earlier no longer wanted (a beat now would cancel it)?"""
        return bool(published_signals(self._store) - self.wanted(family))

    def __call__(self) -> None:
        with self._beating:
            family = self._family()
            wanted = self.wanted(family)
            retire_signals(self._store, self._secrets, self._session,
                           published_signals(self._store) - wanted)
            sequence = sequence_for(self._pc or pc_name(family))
            for where in self.topics(family):
                try:
                    support = self.support(where)
                    if support is Support.REPLACES:
                        note_published(self._store,
                                       PublishedSignal(where.server, where.topic, sequence))
                        DeadManSignal(where, self._pc or pc_name(family)).publish(
                            self._session
                        )
                except Exception as error:
                    log.warning("the dead-man signal to %s failed: %s", where.url, error)
                    self._record(where, error=f"{type(error).__name__}: {error}")
                else:
                    self._record(where, published=support is Support.REPLACES)

    def _record(self, where: NtfyTopic, *, published: bool = False, error: str = "") -> None:
        """What the dashboard shows (`dead_man_state`): the last publish, the last error."""
        key = deadman_state_key(where)
        try:
            state = self._store.kv.get(key)
            saved = dict(state) if isinstance(state, dict) else {}
            if published:
                saved["last_published"] = datetime.now(UTC).isoformat()
                saved["last_error"] = None
            if error:
                saved["last_error"] = error[:500]
            self._store.kv.set(key, saved)
        except Exception:
            log.exception("cannot keep the state of the dead-man signal to %s", where.url)


PUBLISHED_SIGNALS_KEY = "deadman_published"


@dataclass(frozen=True)
class PublishedSignal:
    """A dead-man signal this PC scheduled: where, and under which sequence id."""

    server: str
    topic: str
    sequence: str

    def to_json(self) -> dict[str, str]:
        return {"server": self.server, "topic": self.topic, "sequence": self.sequence}


def published_signals(store: Store) -> set[PublishedSignal]:
    """The signals this PC has scheduled and not cancelled (kept in the store)."""
    saved = store.kv.get(PUBLISHED_SIGNALS_KEY)
    found: set[PublishedSignal] = set()
    for item in saved if isinstance(saved, list) else []:
        if isinstance(item, dict) and all(
            isinstance(item.get(name), str) for name in ("server", "topic", "sequence")
        ):
            found.add(PublishedSignal(item["server"], item["topic"], item["sequence"]))
    return found


def _keep_published(store: Store, signals: set[PublishedSignal]) -> None:
    ordered = sorted(signals, key=lambda s: (s.server, s.topic, s.sequence))
    store.kv.set(PUBLISHED_SIGNALS_KEY, [signal.to_json() for signal in ordered])


def note_published(store: Store, signal: PublishedSignal) -> None:
    """Noted before it is sent: a crash between the two still knows of it."""
    known = published_signals(store)
    if signal not in known:
        _keep_published(store, known | {signal})


def retire_signals(
    store: Store,
    secrets: SecretStore,
    session: HttpClient,
    signals: set[PublishedSignal],
) -> set[PublishedSignal]:
    """Cancel each of `signals` on its server and forget it; one the server could not be
    asked about now (offline, a 5xx) is kept for the next beat, well inside the 30
    minutes. Returns those cancelled (or refused for good: nothing to cancel there)."""
    retired: set[PublishedSignal] = set()
    for signal in signals:
        where = NtfyTopic(signal.server, signal.topic,
                          secrets.get(ntfy_token_secret(signal.server)))
        try:
            cancel(session, where, signal.sequence)
        except PermanentDeliveryError as error:
            log.warning("the dead-man signal %s cannot be cancelled: %s", signal.sequence, error)
        except Exception as error:
            log.warning("the dead-man signal %s on %s is not cancelled yet: %s",
                        signal.sequence, where.url, error)
            continue
        retired.add(signal)
    if retired:
        _keep_published(store, published_signals(store) - retired)
    return retired


def retire_all_signals(
    store: Store,
    secrets: SecretStore,
    session: HttpClient | None = None,
    *,
    where: Callable[[PublishedSignal], bool] | None = None,
) -> set[PublishedSignal]:
    """Cancel this PC's pending signals (those `where` picks; default: all): for a parent's
    clean stop of protection, and `baoan caregiver remove`. Never on a crash or a kill."""
    chosen = {s for s in published_signals(store) if where is None or where(s)}
    return retire_signals(store, secrets, session or HttpClient(), chosen)


STORE_NAME = "baoan.sqlite3"  # the agent's store in its data folder


def cancel_pc_signals(
    data_dir: Path,
    family: FamilyPolicy,
    secrets: SecretStore,
    *,
    topics: Collection[tuple[str, str]] | None = None,
    session: HttpClient | None = None,
) -> int:
    """For a command (`baoan caregiver remove`, `baoan system remove`): cancel this PC's
    pending dead-man signals on `topics` ((server, topic) pairs; default: every one).
    Those the agent noted in its store, and the one of this PC's present name; returns
    how many were cancelled."""
    session = session or HttpClient()

    def chosen(signal: PublishedSignal) -> bool:
        return topics is None or (signal.server, signal.topic) in topics

    sequence = sequence_for(pc_name(family))
    present = {
        PublishedSignal(c.ntfy_server, c.ntfy_topic, sequence)
        for c in family.caregivers if c.ntfy_topic
    }
    if topics is not None:
        present |= {PublishedSignal(server, topic, sequence) for server, topic in topics}
    database = data_dir / STORE_NAME
    if not database.exists():
        done = 0
        for signal in {s for s in present if chosen(s)}:
            where = NtfyTopic(signal.server, signal.topic,
                              secrets.get(ntfy_token_secret(signal.server)))
            try:
                cancel(session, where, signal.sequence)
                done += 1
            except Exception as error:
                log.warning("cannot cancel the dead-man signal on %s: %s", where.url, error)
        return done
    with Store(database) as store:
        for signal in present:
            if chosen(signal):
                note_published(store, signal)
        return len(retire_all_signals(store, secrets, session, where=chosen))


def deadman_state_key(where: NtfyTopic) -> str:
    return f"deadman_state:{where.url}"


def deadman_support_key(where: NtfyTopic) -> str:
    return f"deadman_support:{where.url}"


@dataclass(frozen=True)
class DeadManState:
    """This PC's dead-man signal on one topic, as kept by `DeadManPublisher`."""

    support: Support
    last_published: datetime | None
    last_error: str | None


def dead_man_state(store: Store, where: NtfyTopic) -> DeadManState:
    known = store.kv.get(deadman_support_key(where))
    support = Support(known) if known in {item.value for item in Support} else Support.UNKNOWN
    state = store.kv.get(deadman_state_key(where))
    saved = state if isinstance(state, dict) else {}
    published = saved.get("last_published")
    try:
        last = datetime.fromisoformat(published) if isinstance(published, str) else None
    except ValueError:
        last = None
    error = saved.get("last_error")
    return DeadManState(support, last, error if isinstance(error, str) else None)


class ChannelOutcome(StrEnum):
    """What one channel answered to a test alert."""

    SENT = "sent"
    REFUSED = "refused"  # for good: a wrong token, an unknown address
    RETRY = "retry"  # not now: offline, a 5xx; the outbox would try again
    NOT_SET_UP = "not_set_up"  # an email with no mail server, a missing Apprise URL


@dataclass(frozen=True)
class ChannelResult:
    receiver: str
    outcome: ChannelOutcome
    detail: str = ""


def trial_alert(pc: str) -> Alert:
    """The alert `baoan sync test` and the dashboard's button send."""
    return Alert(
        alert_id=str(uuid.uuid4()),
        kind="test",
        severity="info",
        title="Bảo An: tin thử",
        message=f"Đây là tin thử từ Bảo An trên máy {pc}. Cảnh báo của Bảo An đã đến được với bạn.",
        title_en="Bảo An: test alert",
        message_en=f"A test from Bảo An on {pc}: alerts reach you.",
        pc=pc,
    )


def send_test_alert(routing: AlertRouting, pc: str) -> list[ChannelResult]:
    """A test alert straight to every caregiver's channel (not through the outbox: the
    point is to see now whether each works), and what each answered."""
    alert = trial_alert(pc)
    results: list[ChannelResult] = []
    for receiver in [receiver.name for receiver in routing.receivers({"kind": "test"})]:
        channel = routing.channel(receiver)
        if channel is None:
            results.append(ChannelResult(receiver, ChannelOutcome.NOT_SET_UP))
            continue
        try:
            channel.send(alert)
        except PermanentDeliveryError as error:
            results.append(ChannelResult(receiver, ChannelOutcome.REFUSED, str(error)))
        except Exception as error:
            results.append(
                ChannelResult(receiver, ChannelOutcome.RETRY, f"{type(error).__name__}: {error}")
            )
        else:
            results.append(ChannelResult(receiver, ChannelOutcome.SENT))
    return results
