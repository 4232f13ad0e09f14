"""Who may call the agent: the parent (PIN, then a session token) and the child's tray (token).

The parent PIN
    Kept only as a salted scrypt hash, in the secret store under ``parent-pin`` together with
    the count of wrong tries and the lockout deadline, so that restarting the agent resets
    nothing. Scrypt parameters: N=2**15, r=8, p=1 (32 MiB, about 0.1 s here). That is the
    cost OWASP gives as the floor for interactive logins; a higher N would make the
    dashboard's PIN prompt sluggish on a family's old PC and buys little for a short PIN,
    whose real guard is the lockout below. The parameters are stored with each hash, so
    they can be raised later without locking anyone out.

Lockout
    Five wrong PINs in a row lock logins for 30 s; every further wrong PIN (the count is
    only reset by a right one) locks again for twice as long, up to one hour. While locked,
    no PIN is even checked. The deadline is kept in wall-clock time (to survive a restart)
    and, within one run, also in monotonic time, so moving the PC's clock forward does not
    shorten it.

Sessions
    Random 256-bit tokens, kept only as SHA-256 digests in memory (a restart logs the parent
    out). A session ends after 20 minutes without use or 8 hours after it opened, whichever
    comes first.

The first PIN, and a forgotten one
    Set only with proof of set-up: ``baoan pin set`` run as the account that owns the
    agent's data (it writes the secret store directly), or over HTTP with the one-time
    set-up code only that account can read (:mod:`agent.pin_setup`). Access to the
    agent's port alone never sets a PIN.

The tray token
    Random, made by the agent on first start, kept in the secret store as ``tray-token``.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import logging
import math
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from agent.secrets import SecretStore, SecretStoreError
from dns_filter.clock import Clock, SystemClock

log = logging.getLogger(__name__)

PIN_SECRET_NAME = "parent-pin"
TRAY_TOKEN_SECRET_NAME = "tray-token"
PIN_MIN_LENGTH = 4
PIN_MAX_LENGTH = 12


class Role(enum.Enum):
    PARENT = "parent"
    CHILD = "child"


# -- errors -------------------------------------------------------------------------------


class AuthError(Exception):
    """Base of every refusal; `code` is the API's error code."""

    code = "auth_error"


class InvalidPinError(AuthError):
    code = "invalid_pin"


class PinNotSetError(AuthError):
    code = "pin_not_set"


class PinAlreadySetError(AuthError):
    code = "pin_already_set"


class WrongPinError(AuthError):
    code = "wrong_pin"

    def __init__(self, tries_left: int) -> None:
        super().__init__(f"wrong PIN, {tries_left} tries left before a lockout")
        self.tries_left = tries_left


class SetupCodeRequiredError(AuthError):
    code = "setup_code_required"


class WrongSetupCodeError(AuthError):
    code = "wrong_setup_code"

    def __init__(self, tries_left: int) -> None:
        super().__init__(f"wrong set-up code, {tries_left} tries left before a lockout")
        self.tries_left = tries_left


class WrongRecoveryCodeError(AuthError):
    code = "wrong_recovery_code"

    def __init__(self, tries_left: int) -> None:
        super().__init__(f"wrong recovery code, {tries_left} tries left before a lockout")
        self.tries_left = tries_left


class LockedOutError(AuthError):
    code = "locked"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many wrong PINs; try again in {retry_after} s")
        self.retry_after = retry_after


# -- the PIN --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScryptParams:
    n: int = 2**15
    r: int = 8
    p: int = 1
    dklen: int = 32
    salt_bytes: int = 16

    @property
    def maxmem(self) -> int:
        # scrypt needs 128*n*r bytes; OpenSSL's default cap (32 MiB) is just below that.
        return 128 * self.n * self.r * self.p + 16 * 1024 * 1024


DEFAULT_SCRYPT = ScryptParams()


@dataclass(frozen=True)
class LockoutPolicy:
    max_tries: int = 5
    base_seconds: float = 30.0
    max_seconds: float = 3600.0

    def lock_seconds(self, failures_in_a_row: int) -> float:
        """How long to lock after this many wrong tries in a row (0 when not yet)."""
        if failures_in_a_row < self.max_tries:
            return 0.0
        doublings = min(failures_in_a_row - self.max_tries, 30)
        return min(self.base_seconds * 2**doublings, self.max_seconds)


def check_pin_format(pin: object) -> str:
    """The PIN if it is 4–12 digits, else InvalidPinError saying what is wrong."""
    if not isinstance(pin, str):
        raise InvalidPinError("the PIN must be a string of digits")
    if not (pin.isascii() and pin.isdigit()):
        raise InvalidPinError("the PIN must contain digits only")
    if not PIN_MIN_LENGTH <= len(pin) <= PIN_MAX_LENGTH:
        raise InvalidPinError(
            f"the PIN must have {PIN_MIN_LENGTH} to {PIN_MAX_LENGTH} digits, not {len(pin)}"
        )
    return pin


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str, salt: bytes, params: ScryptParams) -> bytes:
    return hashlib.scrypt(
        pin.encode("utf-8"),
        salt=salt,
        n=params.n,
        r=params.r,
        p=params.p,
        dklen=params.dklen,
        maxmem=params.maxmem,
    )


@dataclass(frozen=True)
class _PinRecord:
    """What is persisted: the hash, its parameters and the lockout state."""

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
                "salt": _b64(self.salt),
                "hash": _b64(self.digest),
                "failures": self.failures,
                "locked_until": self.locked_until,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> _PinRecord:
        try:
            raw: dict[str, Any] = json.loads(text)
            if raw.get("scheme") != "scrypt":
                raise ValueError(f"unknown scheme {raw.get('scheme')!r}")
            digest = base64.b64decode(raw["hash"], validate=True)
            params = ScryptParams(
                n=int(raw["n"]), r=int(raw["r"]), p=int(raw["p"]), dklen=len(digest)
            )
            return cls(
                params=params,
                salt=base64.b64decode(raw["salt"], validate=True),
                digest=digest,
                failures=int(raw.get("failures", 0)),
                locked_until=float(raw.get("locked_until", 0.0)),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise SecretStoreError(f"the stored parent PIN record is damaged: {exc}") from exc

    def with_state(self, failures: int, locked_until: float) -> _PinRecord:
        return _PinRecord(self.params, self.salt, self.digest, failures, locked_until)


class PinManager:
    """Sets, changes and checks the parent PIN, with the persisted lockout."""

    def __init__(
        self,
        store: SecretStore,
        *,
        clock: Clock | None = None,
        params: ScryptParams = DEFAULT_SCRYPT,
        lockout: LockoutPolicy | None = None,
        on_lockout: Callable[[float], None] | None = None,
    ) -> None:
        self._store = store
        self._clock = clock or SystemClock()
        self._params = params
        self._lockout = lockout or LockoutPolicy()
        self._on_lockout = on_lockout
        # One check at a time: the count of wrong tries must not race, and parallel
        # guesses gain nothing.
        self._lock = threading.Lock()
        self._locked_until_monotonic = 0.0

    @property
    def lockout_policy(self) -> LockoutPolicy:
        return self._lockout

    def is_set(self) -> bool:
        return self._store.get(PIN_SECRET_NAME) is not None

    def set_first(self, pin: str) -> None:
        check_pin_format(pin)
        with self._lock:
            if self._load() is not None:
                raise PinAlreadySetError("a parent PIN is already set; change it with the old one")
            self._save(self._new_record(pin))
        log.info("parent PIN set")

    def replace(self, pin: str) -> None:
        """Set `pin` whether or not one is set, and clear the lockout: for a caller that
        proved set-up (the data's owner, or the set-up code), never for a guess."""
        check_pin_format(pin)
        with self._lock:
            self._save(self._new_record(pin))
            self._locked_until_monotonic = 0.0
        log.info("parent PIN set with proof of set-up")

    def change(self, old_pin: str, new_pin: str) -> None:
        check_pin_format(new_pin)
        with self._lock:
            self._verify_locked(old_pin)
            self._save(self._new_record(new_pin))
        log.info("parent PIN changed")

    def verify(self, pin: str) -> None:
        """Return when `pin` is right; raise WrongPinError, LockedOutError or PinNotSetError."""
        with self._lock:
            self._verify_locked(pin)

    def retry_after(self) -> int:
        """Seconds until a PIN may be tried again (0 when not locked)."""
        with self._lock:
            record = self._load()
            return 0 if record is None else self._remaining_lock(record)

    # -- inside the lock --------------------------------------------------------------------

    def _verify_locked(self, pin: str) -> None:
        record = self._load()
        if record is None:
            raise PinNotSetError("no parent PIN is set yet")
        remaining = self._remaining_lock(record)
        if remaining > 0:
            raise LockedOutError(remaining)
        candidate = hash_pin(pin, record.salt, record.params) if isinstance(pin, str) else b""
        if hmac.compare_digest(candidate, record.digest):
            if record.failures or record.locked_until:
                self._save(record.with_state(0, 0.0))
            self._locked_until_monotonic = 0.0
            return
        failures = record.failures + 1
        lock_seconds = self._lockout.lock_seconds(failures)
        if lock_seconds > 0:
            self._save(record.with_state(failures, self._clock.now().timestamp() + lock_seconds))
            self._locked_until_monotonic = self._clock.monotonic() + lock_seconds
            log.warning("parent PIN locked for %d s after %d wrong tries", lock_seconds, failures)
            if self._on_lockout is not None:
                self._on_lockout(lock_seconds)
            raise LockedOutError(math.ceil(lock_seconds))
        self._save(record.with_state(failures, 0.0))
        log.info("wrong parent PIN (%d in a row)", failures)
        raise WrongPinError(self._lockout.max_tries - failures)

    def _remaining_lock(self, record: _PinRecord) -> int:
        by_wall = record.locked_until - self._clock.now().timestamp()
        # A PIN set with proof of set-up (by another process too) clears the lock.
        by_monotonic = (
            self._locked_until_monotonic - self._clock.monotonic() if record.locked_until else 0.0
        )
        remaining = max(by_wall, by_monotonic)
        # A clock set far back must not lock the parent out for longer than the policy.
        remaining = min(remaining, self._lockout.max_seconds)
        return math.ceil(remaining) if remaining > 0 else 0

    def _new_record(self, pin: str) -> _PinRecord:
        salt = secrets.token_bytes(self._params.salt_bytes)
        return _PinRecord(self._params, salt, hash_pin(pin, salt, self._params))

    def _load(self) -> _PinRecord | None:
        text = self._store.get(PIN_SECRET_NAME)
        return None if text is None else _PinRecord.from_json(text)

    def _save(self, record: _PinRecord) -> None:
        self._store.set(PIN_SECRET_NAME, record.to_json())


# -- sessions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    token: str = field(repr=False)  # a bearer secret: never in logs or tracebacks
    expires_at: datetime


@dataclass
class _SessionState:
    opened: float  # monotonic
    last_used: float  # monotonic


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SessionManager:
    """Parent sessions in memory, by the SHA-256 of their token."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        idle_seconds: float = 20 * 60,
        max_age_seconds: float = 8 * 3600,
        max_sessions: int = 32,
    ) -> None:
        self._clock = clock or SystemClock()
        self._idle = idle_seconds
        self._max_age = max_age_seconds
        self._max_sessions = max_sessions
        self._sessions: dict[str, _SessionState] = {}
        self._lock = threading.Lock()

    def open(self) -> Session:
        token = secrets.token_urlsafe(32)
        now = self._clock.monotonic()
        with self._lock:
            self._drop_expired(now)
            while len(self._sessions) >= self._max_sessions:
                oldest = min(self._sessions, key=lambda key: self._sessions[key].last_used)
                del self._sessions[oldest]
            self._sessions[_digest(token)] = _SessionState(opened=now, last_used=now)
        return Session(token=token, expires_at=self._expires_at(now, now))

    def touch(self, token: str) -> Session | None:
        """The session for `token`, its idle timer restarted; None when unknown or expired."""
        key = _digest(token)
        now = self._clock.monotonic()
        with self._lock:
            state = self._sessions.get(key)
            if state is None:
                return None
            if self._expired(state, now):
                del self._sessions[key]
                return None
            state.last_used = now
            return Session(token=token, expires_at=self._expires_at(state.opened, now))

    def close(self, token: str) -> bool:
        with self._lock:
            return self._sessions.pop(_digest(token), None) is not None

    def close_all(self, keep_token: str | None = None) -> None:
        keep = None if keep_token is None else _digest(keep_token)
        with self._lock:
            for key in [key for key in self._sessions if key != keep]:
                del self._sessions[key]

    def __len__(self) -> int:
        with self._lock:
            self._drop_expired(self._clock.monotonic())
            return len(self._sessions)

    def _expired(self, state: _SessionState, now: float) -> bool:
        return now - state.last_used >= self._idle or now - state.opened >= self._max_age

    def _drop_expired(self, now: float) -> None:
        for key in [key for key, state in self._sessions.items() if self._expired(state, now)]:
            del self._sessions[key]

    def _expires_at(self, opened: float, now: float) -> datetime:
        seconds_left = min(self._idle, opened + self._max_age - now)
        return self._clock.now() + timedelta(seconds=seconds_left)


# -- everything together ----------------------------------------------------------------------


def load_or_create_tray_token(store: SecretStore) -> str:
    return store.get_or_create(TRAY_TOKEN_SECRET_NAME, lambda: secrets.token_urlsafe(32))


class SetupCodeCheck(Protocol):
    """The one-time set-up code (:class:`agent.pin_setup.SetupCodes`)."""

    def verify(self, candidate: str) -> None: ...

    def consume(self) -> None: ...


class RecoveryCodeCheck(Protocol):
    """The parent's recovery code (:class:`agent.recovery_codes.RecoveryCodes`)."""

    def issue(self) -> str: ...

    def use(self, candidate: str) -> None: ...


class Authenticator:
    """Answers "who is this token?" and runs the PIN and session flows for the API."""

    def __init__(
        self,
        pins: PinManager,
        sessions: SessionManager,
        tray_token: str,
        setup_codes: SetupCodeCheck | None = None,
        recovery_codes: RecoveryCodeCheck | None = None,
    ) -> None:
        self.pins = pins
        self.sessions = sessions
        self._tray_token = tray_token
        self.setup_codes = setup_codes
        self.recovery_codes = recovery_codes

    @classmethod
    def create(
        cls,
        store: SecretStore,
        *,
        clock: Clock | None = None,
        scrypt: ScryptParams = DEFAULT_SCRYPT,
        lockout: LockoutPolicy | None = None,
        on_lockout: Callable[[float], None] | None = None,
        session_idle_seconds: float = 20 * 60,
        session_max_age_seconds: float = 8 * 3600,
        setup_codes: SetupCodeCheck | None = None,
        recovery_codes: RecoveryCodeCheck | None = None,
    ) -> Authenticator:
        clock = clock or SystemClock()
        return cls(
            PinManager(store, clock=clock, params=scrypt, lockout=lockout, on_lockout=on_lockout),
            SessionManager(
                clock=clock,
                idle_seconds=session_idle_seconds,
                max_age_seconds=session_max_age_seconds,
            ),
            load_or_create_tray_token(store),
            setup_codes,
            recovery_codes,
        )

    def role_for(self, token: str) -> Role | None:
        """The role a bearer token gives, or None for an unknown or expired one."""
        if hmac.compare_digest(token.encode("utf-8"), self._tray_token.encode("utf-8")):
            return Role.CHILD
        if self.sessions.touch(token) is not None:
            return Role.PARENT
        return None

    def login(self, pin: str) -> Session:
        self.pins.verify(pin)
        return self.sessions.open()

    def logout(self, token: str) -> bool:
        return self.sessions.close(token)

    def set_first_pin(self, pin: str) -> None:
        """Set the first PIN in-process (the agent's own code and tests; the API never calls
        this without a set-up code)."""
        self.pins.set_first(pin)

    def set_pin_with_setup_code(self, code: str, pin: str) -> bool:
        """Set the PIN (the first, or in place of a forgotten one) with the one-time set-up
        code; every parent session ends. True when it was the first PIN. Raises
        InvalidPinError (nothing counted), WrongSetupCodeError or LockedOutError."""
        check_pin_format(pin)
        codes = self.setup_codes
        if codes is None:
            raise WrongSetupCodeError(0)
        codes.verify(code)
        first = not self.pins.is_set()
        self.pins.replace(pin)
        codes.consume()
        self.sessions.close_all()
        log.info("parent PIN %s with the set-up code", "set" if first else "reset")
        return first

    def issue_recovery_code(self) -> str | None:
        """A fresh recovery code in place of any earlier one (None: this agent keeps none).
        Only its hash is kept: the parent sees it once."""
        return None if self.recovery_codes is None else self.recovery_codes.issue()

    def reset_pin_with_recovery_code(self, code: str, pin: str) -> str | None:
        """Set `pin` in place of a forgotten one with the recovery code, which is used up;
        every parent session ends. Returns the next recovery code. Raises InvalidPinError
        (nothing counted), WrongRecoveryCodeError or LockedOutError."""
        check_pin_format(pin)
        codes = self.recovery_codes
        if codes is None:
            raise WrongRecoveryCodeError(0)
        codes.use(code)
        self.pins.replace(pin)
        self.sessions.close_all()
        log.info("parent PIN reset with the recovery code")
        return codes.issue()

    def change_pin(self, old_pin: str, new_pin: str, keep_token: str | None) -> None:
        """Change the PIN and end every other parent session."""
        self.pins.change(old_pin, new_pin)
        self.sessions.close_all(keep_token=keep_token)
