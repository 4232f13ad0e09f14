"""CSRF protection for the pages' forms: signed tokens bound to host, client and purpose.

The pages answer under whatever Host the browser asked for (a blocked site's name points
at the agent), so a cookie would belong to that foreign site's origin, and a double-submit
cookie could be planted by any page served under that name. A signed token needs no
cookie: ``<issued>.<HMAC-SHA256(key, purpose | host | client address | issued)>`` with a
random key that lives only in the agent's memory. A form on another site cannot read it
(the same-origin policy), and a token copied from one host, device or form does not verify
for another. Tokens last a few hours; a restart makes new ones (the page simply asks the
child to press send again).

On top of the token, a POST whose ``Origin`` (or, without it, ``Referer``) names a host
other than the request's own Host, or whose ``Sec-Fetch-Site`` says ``cross-site``, is
refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import urllib.parse
from collections.abc import Mapping

from dns_filter.clock import Clock

DEFAULT_MAX_AGE_SECONDS = 4 * 3600


class CsrfSigner:
    def __init__(
        self,
        clock: Clock,
        key: bytes | None = None,
        max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
    ) -> None:
        self._key = key if key is not None else secrets.token_bytes(32)
        self._clock = clock
        self._max_age = max_age_seconds

    def _mac(self, purpose: str, host: str, client: str, issued: int) -> str:
        message = "\x1f".join((purpose, host.lower(), client, str(issued))).encode(
            "utf-8", "surrogateescape"
        )
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def token(self, purpose: str, host: str, client: str) -> str:
        issued = int(self._clock.now().timestamp())
        return f"{issued}.{self._mac(purpose, host, client, issued)}"

    def verify(self, token: str | None, purpose: str, host: str, client: str) -> bool:
        if not token or len(token) > 200 or "." not in token:
            return False
        issued_text, _, mac = token.partition(".")
        if not (issued_text.isascii() and issued_text.isdigit() and len(issued_text) <= 12):
            return False
        issued = int(issued_text)
        age = self._clock.now().timestamp() - issued
        if age < -60 or age > self._max_age:
            return False
        return hmac.compare_digest(mac, self._mac(purpose, host, client, issued))


def same_origin(headers: Mapping[str, str], host_header: str) -> bool:
    """False when the browser says the POST came from another site."""
    fetch_site = headers.get("sec-fetch-site", "").strip().lower()
    if fetch_site == "cross-site":
        return False
    source = headers.get("origin") or headers.get("referer")
    if source is None:
        return True  # old browsers, curl: the token still guards
    if source.strip() == "null":
        return False
    netloc = urllib.parse.urlsplit(source.strip()).netloc.lower()
    return bool(netloc) and netloc == host_header.strip().lower()
