"""Who is asking: each child's OS account has its own tray user key.

The tray token is one secret for every child's tray, so on its own it cannot tell Minh's
tray from Lan's. Each child's OS account therefore also gets a *user key*:
``HMAC-SHA256(agent secret, os_user)``, where the agent secret (``tray-user-key``) never
leaves the agent's secret store. The tray sends both ``X-Baoan-User`` and
``X-Baoan-User-Key``; a sibling who reads the shared token still cannot read another
child's blocked sites, because each user key sits in a file only that account can read.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

TRAY_USER_KEY_SECRET_NAME = "tray-user-key"
USER_HEADER = "x-baoan-user"
USER_KEY_HEADER = "x-baoan-user-key"


class TrayUserKeys:
    """Per-account keys derived from the agent's own secret (which never leaves it)."""

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the tray user-key secret is too short")
        self._secret = secret.encode("utf-8")

    def __repr__(self) -> str:
        return "TrayUserKeys(<secret>)"

    def key_for(self, os_user: str) -> str:
        digest = hmac.new(
            self._secret, b"baoan-tray-user\0" + os_user.casefold().encode("utf-8"), "sha256"
        ).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def verify(self, os_user: str, key: str) -> bool:
        return hmac.compare_digest(self.key_for(os_user).encode(), key.encode("utf-8", "replace"))


class SecretSource(Protocol):
    def get_or_create(self, name: str, make: Callable[[], str]) -> str: ...


def load_tray_user_keys(secret_store: SecretSource) -> TrayUserKeys:
    """The user keys over ``tray-user-key`` in the agent's secret store (made once)."""
    return TrayUserKeys(
        secret_store.get_or_create(TRAY_USER_KEY_SECRET_NAME, lambda: secrets.token_urlsafe(32))
    )


@dataclass(frozen=True)
class TrayIdentity:
    """Whose tray this is: a verified OS account and the child it belongs to (or None)."""

    os_user: str | None
    child: str | None


class TrayIdentityError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
