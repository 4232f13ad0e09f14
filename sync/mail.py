"""Email through SMTP: implicit TLS (port 465) or STARTTLS (587), a one-way channel.

The alert's id is the mail's Message-ID, so a mail delivered twice is one thread and a
mail client or filter can drop the copy. SMTP's own codes decide what a failure means: a
5xx reply (an unknown mailbox, a refused sender) is permanent, a 4xx or a network error is
tried again.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate

from sync.delivery import Alert
from sync.outbox import PermanentDeliveryError

logger = logging.getLogger(__name__)

SECURITY_CHOICES = ("tls", "starttls")
TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class SmtpSettings:
    """A mail server and the account Bảo An sends from (the password from the keyring)."""

    host: str
    port: int = 465
    security: str = "tls"  # "tls": implicit TLS; "starttls": plain, then STARTTLS
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "baoan@localhost"
    cafile: str | None = None  # a private CA (a family's own server); None: the system's

    def __post_init__(self) -> None:
        if self.security not in SECURITY_CHOICES:
            raise ValueError(f"SMTP security must be one of {', '.join(SECURITY_CHOICES)}")
        if not 0 < self.port < 65536:
            raise ValueError("an SMTP port is 1-65535")


def alert_mail(alert: Alert, sender: str, to: str) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = alert.title
    mail["From"] = sender
    mail["To"] = to
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = f"<{alert.alert_id}@baoan>"
    mail["X-BaoAn-Alert-ID"] = alert.alert_id
    lines = [alert.title, "", alert.message] if alert.message else [alert.title]
    if alert.title_en or alert.message_en:
        lines += ["", "—", alert.title_en, alert.message_en]
    if alert.pc:
        lines += ["", f"Máy / PC: {alert.pc}"]
    mail.set_content("\n".join(line for line in lines if line is not None).strip() + "\n")
    return mail


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


class EmailChannel:
    """One caregiver's mailbox."""

    def __init__(self, settings: SmtpSettings, to: str) -> None:
        self._settings = settings
        self._to = to

    def __repr__(self) -> str:
        return f"EmailChannel({self._to!r} via {self._settings.host}:{self._settings.port})"

    def send(self, alert: Alert) -> None:
        settings = self._settings
        mail = alert_mail(alert, settings.sender, self._to)
        context = ssl.create_default_context(cafile=settings.cafile)
        try:
            if settings.security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=TIMEOUT_SECONDS, context=context
                )
            else:
                client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
            with client:
                if settings.security == "starttls":
                    client.starttls(context=context)
                if settings.username:
                    client.login(settings.username, settings.password or "")
                client.send_message(mail)
        except smtplib.SMTPNotSupportedError as error:
            # No STARTTLS or no AUTH: sending anyway would put the password in clear.
            raise PermanentDeliveryError(
                f"the mail server {settings.host}:{settings.port} cannot do this safely: {error}"
            ) from error
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentDeliveryError(f"the mail server refused {self._to}") from error
            raise
        except smtplib.SMTPResponseException as error:
            if error.smtp_code >= 500:
                raise PermanentDeliveryError(
                    f"the mail server refused the alert: {error.smtp_code} "
                    f"{_text(error.smtp_error)[:200]}"
                ) from error
            raise
        logger.info("alert %s mailed to %s", alert.alert_id, self._to)
