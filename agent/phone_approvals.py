"""Approvals from a caregiver's phone: signed buttons on a request's alert, and the
commands they post, applied through `AccessService.decide` at once.

A request to open a site gets "30 minutes / 1 hour / no"; a child's request for more time
gets "the minutes asked / no" (the same decision a parent takes on the PC with the PIN, so
the minutes are today's extra minutes at once, see `agent.usage.more_time`).

Each caregiver with an ntfy topic has a command topic beside it (`<topic>-cmd`, on the same
server): the alerts topic is for caregivers to read, the command topic for them to write.
The agent subscribes to each command topic in the policy. A command that is forged,
expired, replayed or about a request already decided is refused and logged, and the
caregivers get a short answer saying which (through the outbox, like any alert).
"""

from __future__ import annotations

import logging
import secrets as random_secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from agent.access import (
    ALERTS_CHANNEL,
    AccessError,
    AccessService,
    AlreadyDecidedError,
    RequestNotFoundError,
)
from agent.alert_delivery import ntfy_token_secret
from agent.policy.model import Caregiver, FamilyPolicy
from agent.secrets import SecretStore
from agent.store import Store
from dns_filter.http_client import HttpClient
from sync.commands import Command, CommandRefusedError, CommandSigner, Refusal, TopicSubscriber
from sync.delivery import Action, Alert

log = logging.getLogger(__name__)

COMMAND_KEY_SECRET = "command-key"
COMMAND_LIFETIME = timedelta(hours=24)
EVENT_PHONE_COMMAND = "phone-command"
EVENT_PHONE_ANSWER = "approval-answer"
REQUEST_KIND = "access_request"
TIME_REQUEST_KIND = "time-request"  # agent.usage.more_time.EVENT_TIME_REQUEST
Answer = tuple[str, bool, int | None]  # a button's label, allow, minutes
BUTTONS: tuple[Answer, ...] = (
    ("Cho phép 30 phút", True, 30), ("Cho phép 1 giờ", True, 60), ("Không", False, None)
)
# What a caregiver is told when a command is not applied.
REFUSAL_WORDS = {
    Refusal.MALFORMED: ("Lệnh không đọc được, Bảo An bỏ qua.", "The command is unreadable."),
    Refusal.FORGED: (
        "Lệnh không có chữ ký đúng của Bảo An, nên bị từ chối.",
        "The command is not signed by Bảo An, so it was refused.",
    ),
    Refusal.EXPIRED: (
        "Nút này đã hết hạn. Hãy trả lời trong ứng dụng Bảo An trên máy tính.",
        "This button has expired. Please answer in Bảo An on the PC.",
    ),
    Refusal.REPLAYED: ("Nút này đã được dùng rồi.", "This button was already used."),
    Refusal.ALREADY_DECIDED: (
        "Yêu cầu này đã được trả lời trước đó; câu trả lời đầu tiên được giữ.",
        "This request was already answered; the first answer stands.",
    ),
    Refusal.UNKNOWN_REQUEST: (
        "Bảo An không tìm thấy yêu cầu này.",
        "Bảo An cannot find this request.",
    ),
}


def commands_topic(alerts_topic: str) -> str:
    """The command topic beside a caregiver's alerts topic (ntfy topics: at most 64)."""
    return f"{alerts_topic[:60]}-cmd"


class KvCursor:
    """The last command-topic message handled, in the store's kv (survives restarts)."""

    def __init__(self, store: Store, key: str) -> None:
        self._store = store
        self._key = key

    def get(self) -> str | None:
        value = self._store.kv.get(self._key)
        return value if isinstance(value, str) else None

    def set(self, message_id: str) -> None:
        self._store.kv.set(self._key, message_id)


class PhoneApprovals:
    """Signs the buttons, subscribes to the command topics and applies what comes in."""

    def __init__(
        self,
        store: Store,
        access: AccessService,
        secrets: SecretStore,
        now: Callable[[], datetime],
        session: HttpClient | None = None,
    ) -> None:
        self._store = store
        self._access = access
        self._secrets = secrets
        self._now = now
        self._session = session or HttpClient()
        key = secrets.get_or_create(COMMAND_KEY_SECRET, lambda: random_secrets.token_hex(32))
        self._signer = CommandSigner(bytes.fromhex(key))
        self._subscribers: dict[str, TopicSubscriber] = {}
        self._lock = threading.Lock()

    # -- the buttons ------------------------------------------------------------------------

    def buttons(self, caregiver: Caregiver) -> Callable[[Alert], tuple[Action, ...]]:
        """For this caregiver's channel: a request's answers, each a signed command."""

        def make(alert: Alert) -> tuple[Action, ...]:
            if not alert.request_id or not caregiver.ntfy_topic:
                return alert.actions
            if alert.kind == REQUEST_KIND:
                answers = BUTTONS
            elif alert.kind == TIME_REQUEST_KIND:
                answers = self._time_buttons(alert.request_id)
            else:
                return alert.actions
            url = f"{caregiver.ntfy_server.rstrip('/')}/{commands_topic(caregiver.ntfy_topic)}"
            expires = self._now() + COMMAND_LIFETIME
            return tuple(
                Action(label, url, self._signer.sign(alert.request_id, allow, minutes, expires))
                for label, allow, minutes in answers
            )

        return make

    def _time_buttons(self, request_id: str) -> tuple[Answer, ...]:
        """A request for more time: the minutes the child asked for, or no."""
        request = self._store.requests.get(request_id)
        if request is None or request.kind != "time" or not request.target.isdigit():
            return ()
        minutes = int(request.target)
        return ((f"Cho thêm {minutes} phút", True, minutes), ("Không", False, None))

    # -- the command topics -----------------------------------------------------------------

    def follow(self, family: FamilyPolicy) -> None:
        """Subscribe to the command topic of each caregiver in `family` (and no other)."""
        wanted: dict[str, tuple[str, str | None]] = {}
        for caregiver in family.caregivers:
            if caregiver.ntfy_topic:
                server = caregiver.ntfy_server.rstrip("/")
                url = f"{server}/{commands_topic(caregiver.ntfy_topic)}"
                wanted[url] = (url, self._secrets.get(ntfy_token_secret(server)))
        with self._lock:
            for url in set(self._subscribers) - set(wanted):
                self._subscribers.pop(url).stop(timeout=0)
            for url, (topic_url, token) in wanted.items():
                if url in self._subscribers:
                    continue
                cursor = KvCursor(self._store, f"command_topic_since:{url}")
                if cursor.get() is None:
                    # A topic never read before: what is posted from now on, also while
                    # the agent is stopped before it handles its first command.
                    cursor.set(str(int(self._now().timestamp())))
                subscriber = TopicSubscriber(
                    topic_url, self.handle, cursor, session=self._session, token=token
                )
                self._subscribers[url] = subscriber
                subscriber.start()

    def subscribers(self) -> tuple[TopicSubscriber, ...]:
        with self._lock:
            return tuple(self._subscribers.values())

    def stop(self) -> None:
        with self._lock:
            subscribers, self._subscribers = list(self._subscribers.values()), {}
        for subscriber in subscribers:
            subscriber.stop(timeout=2)

    # -- applying a command -----------------------------------------------------------------

    def handle(self, text: str) -> Refusal | None:
        """Apply one command's text; None when applied, else why not (answered and logged)."""
        now = self._now()
        command: Command | None = None
        try:
            command = self._signer.verify(text, now)
            if not self._store.used_commands.use(command.nonce, command.expires, now):
                raise CommandRefusedError(Refusal.REPLAYED)
            self._access.decide(
                command.request_id, command.allow, command.minutes, by="caregiver-phone"
            )
        except CommandRefusedError as error:
            return self._refused(error.refusal, str(error), command)
        except AlreadyDecidedError:
            return self._refused(Refusal.ALREADY_DECIDED, "already decided", command)
        except RequestNotFoundError:
            return self._refused(Refusal.UNKNOWN_REQUEST, "no such request", command)
        except AccessError as error:
            return self._refused(Refusal.MALFORMED, str(error), command)
        self._applied(command)
        return None

    def _applied(self, command: Command) -> None:
        request = self._store.requests.get(command.request_id)
        child = request.child if request is not None else None
        site = request.target if request is not None else command.request_id
        if request is not None and request.kind == "time":
            if command.allow:
                title = f"Đã cho {child} thêm {command.minutes} phút hôm nay"
                title_en = f"{child} has {command.minutes} more minutes today"
            else:
                title = f"Đã không cho {child} thêm thời gian"
                title_en = f"{child} gets no more time"
        elif command.allow:
            hours = f"{command.minutes} phút" if command.minutes != 60 else "1 giờ"
            title = f"Đã cho phép {child} mở {site} trong {hours}"
            title_en = f"{child} may open {site} for {command.minutes} minutes"
        else:
            title = f"Đã không cho phép {child} mở {site}"
            title_en = f"{child} may not open {site}"
        log.info("a caregiver's phone answered request %s: %s", command.request_id, title_en)
        self._answer(child, title, title_en, "", "", {"request_id": command.request_id})

    def _refused(self, refusal: Refusal, detail: str, command: Command | None) -> Refusal:
        log.warning("a command from the command topic was refused (%s)", detail)
        data: dict[str, Any] = {"refusal": refusal.value}
        if command is not None:
            data["request_id"] = command.request_id
        self._store.events.add(
            EVENT_PHONE_COMMAND,
            f"a command from a phone was refused: {refusal.value}",
            severity="warning",
            data=data,
            at=self._now(),
        )
        message, message_en = REFUSAL_WORDS[refusal]
        self._answer(None, "Bảo An không làm theo lệnh này", "Bảo An did not apply this command",
                     message, message_en, data)
        return refusal

    def _answer(
        self, child: str | None, title: str, title_en: str, message: str, message_en: str,
        data: dict[str, Any],
    ) -> None:
        self._store.outbox.enqueue(
            ALERTS_CHANNEL,
            {
                "kind": EVENT_PHONE_ANSWER,
                "severity": "info",
                "child": child,
                "title": title,
                "title_en": title_en,
                "message": message,
                "message_en": message_en,
                **data,
            },
            now=self._now(),
        )
