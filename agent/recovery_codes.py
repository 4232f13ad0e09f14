"""The parent's recovery code: a one-time code that resets a forgotten PIN.

The agent makes one when the first PIN is set (and a fresh one at each reset); the
dashboard shows it once, for the parent to write down. Only its salted scrypt hash is
kept, in the secret store under ``pin-recovery-code``, as the PIN's is; wrong codes lock
as wrong PINs do (the count and the deadline are kept with the hash, so a restart does not
reset them). Using it to set a new PIN uses it up.

16 characters from the set-up code's alphabet (80 random bits), in four groups:
``7KQ2-M9XD-4HTR-WB3C``; case, spaces and dashes do not matter.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import math
import secrets
import threading
from dataclasses import dataclass

from agent.auth import (
    DEFAULT_SCRYPT,
    LockedOutError,
    LockoutPolicy,
    ScryptParams,
    WrongRecoveryCodeError,
    hash_pin,
)
from agent.pin_setup import CODE_ALPHABET, normalise_code
from agent.secrets import SecretStore
from dns_filter.clock import Clock, SystemClock

log = logging.getLogger(__name__)

RECOVERY_SECRET_NAME = "pin-recovery-code"
RECOVERY_GROUPS = 4
RECOVERY_GROUP_LENGTH = 4
RECOVERY_CODE_LENGTH = RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH


def new_recovery_code() -> str:
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(RECOVERY_GROUP_LENGTH))
        for _ in range(RECOVERY_GROUPS)
    )
    return "-".join(groups)


@dataclass(frozen=True)
class _Record:
    params: ScryptParams
    salt: bytes
    digest: bytes
    failures: int = 0
    locked_until: float = 0.0  # wall-clock seconds

    def to_json(self) -> str:
        return json.dumps(
            {
                "scheme": "scrypt",
                "n": self.params.n,
                "r": self.params.r,
                "p": self.params.p,
                "salt": base64.b64encode(self.salt).decode("ascii"),
                "hash": base64.b64encode(self.digest).decode("ascii"),
                "failures": self.failures,
                "locked_until": self.locked_until,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> _Record | None:
        try:
            raw = json.loads(text)
            digest = base64.b64decode(raw["hash"], validate=True)
            return cls(
                ScryptParams(n=int(raw["n"]), r=int(raw["r"]), p=int(raw["p"]), dklen=len(digest)),
                base64.b64decode(raw["salt"], validate=True),
                digest,
                int(raw.get("failures", 0)),
                float(raw.get("locked_until", 0.0)),
            )
        except (ValueError, KeyError, TypeError):
            return None


class RecoveryCodes:
    """Issues and checks the one recovery code of an agent (thread-safe)."""

    def __init__(
        self,
        store: SecretStore,
        *,
        clock: Clock | None = None,
        lockout: LockoutPolicy | None = None,
        params: ScryptParams = DEFAULT_SCRYPT,
    ) -> None:
        self._store = store
        self._clock = clock or SystemClock()
        self._lockout = lockout or LockoutPolicy()
        self._params = params
        self._lock = threading.Lock()
        self._locked_until_monotonic = 0.0

    def exists(self) -> bool:
        return self._store.get(RECOVERY_SECRET_NAME) is not None

    def issue(self) -> str:
        """A fresh code in place of any earlier one; only its hash is kept."""
        code = new_recovery_code()
        salt = secrets.token_bytes(self._params.salt_bytes)
        record = _Record(self._params, salt, hash_pin(normalise_code(code), salt, self._params))
        with self._lock:
            self._store.set(RECOVERY_SECRET_NAME, record.to_json())
            self._locked_until_monotonic = 0.0
        log.info("a new parent recovery code was made")
        return code

    def use(self, candidate: str) -> None:
        """Return when `candidate` is the code (it is then used up); else raise
        WrongRecoveryCodeError (counted) or LockedOutError. With no code every
        candidate is wrong."""
        with self._lock:
            text = self._store.get(RECOVERY_SECRET_NAME)
            record = None if text is None else _Record.from_json(text)
            if text is not None and record is None:
                log.warning("the stored recovery code is damaged; it cannot be used")
            if record is None:
                raise WrongRecoveryCodeError(0)
            remaining = self._remaining(record)
            if remaining > 0:
                raise LockedOutError(remaining)
            given = hash_pin(normalise_code(candidate), record.salt, record.params)
            if hmac.compare_digest(given, record.digest):
                self._store.delete(RECOVERY_SECRET_NAME)
                return
            failures = record.failures + 1
            lock_seconds = self._lockout.lock_seconds(failures)
            until = self._clock.now().timestamp() + lock_seconds if lock_seconds else 0.0
            self._store.set(
                RECOVERY_SECRET_NAME,
                _Record(record.params, record.salt, record.digest, failures, until).to_json(),
            )
            if lock_seconds:
                self._locked_until_monotonic = self._clock.monotonic() + lock_seconds
                log.warning("recovery code locked for %d s after %d wrong codes",
                            lock_seconds, failures)
                raise LockedOutError(math.ceil(lock_seconds))
            raise WrongRecoveryCodeError(self._lockout.max_tries - failures)

    def _remaining(self, record: _Record) -> int:
        by_wall = record.locked_until - self._clock.now().timestamp()
        by_monotonic = (
            self._locked_until_monotonic - self._clock.monotonic() if record.locked_until else 0.0
        )
        remaining = min(max(by_wall, by_monotonic), self._lockout.max_seconds)
        return math.ceil(remaining) if remaining > 0 else 0
