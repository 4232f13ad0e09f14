"""The one-time set-up code: the proof of set-up that setting the first parent PIN (or
resetting a forgotten one) over HTTP needs, beyond access to the agent's port.

The agent writes a fresh code to ``<data dir>/pin-setup-code`` at every start while no PIN
is set, and ``baoan pin reset-code`` writes one on request. The file is 0600 and belongs to
the agent's own account (root on an installed PC), so only that account can read it; a
child's account on the same PC cannot. The code is read from the file at every check (the
command line may write a new one while the agent runs), compared in constant time and
used once: the file goes as soon as a PIN is set with it. Wrong codes lock like wrong
PINs (:class:`agent.auth.LockoutPolicy`); the count and the deadline are kept in the
secret store under ``pin-setup-lockout``, so a restart does not reset them.

12 characters from a 32-letter alphabet: 60 random bits, against five tries before a lock
that doubles up to an hour.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import math
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from agent.auth import LockedOutError, LockoutPolicy, WrongSetupCodeError
from agent.private_files import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE
from agent.secrets import SecretStore
from dns_filter.clock import Clock, SystemClock
from dns_filter.fileio import atomic_write_bytes

log = logging.getLogger(__name__)

SETUP_CODE_FILE_NAME = "pin-setup-code"
SETUP_LOCKOUT_SECRET_NAME = "pin-setup-lockout"
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to mix up
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4


def new_setup_code() -> str:
    """A fresh code such as ``7KQ2-M9XD-4HTR``."""
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    )
    return "-".join(groups)


def normalise_code(text: str) -> str:
    """What a person typed, as the code is compared: capitals, no spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch not in " -\t\r\n")


def setup_code_path(data_dir: Path) -> Path:
    return Path(data_dir) / SETUP_CODE_FILE_NAME


@dataclass(frozen=True)
class _Lockout:
    failures: int = 0
    locked_until: float = 0.0  # wall-clock seconds


class SetupCodes:
    """Issues, checks and uses up the set-up code of one agent (thread-safe)."""

    def __init__(
        self,
        path: Path,
        store: SecretStore,
        *,
        clock: Clock | None = None,
        lockout: LockoutPolicy | None = None,
    ) -> None:
        self.path = Path(path)
        self._store = store
        self._clock = clock or SystemClock()
        self._lockout = lockout or LockoutPolicy()
        self._lock = threading.Lock()
        self._locked_until_monotonic = 0.0

    def __repr__(self) -> str:
        return f"SetupCodes({self.path})"

    def issue(self) -> str:
        """Write a fresh code (0600) in place of any earlier one, and return it."""
        code = new_setup_code()
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
            atomic_write_bytes(self.path, f"{code}\n".encode("ascii"), mode=PRIVATE_FILE_MODE)
            # The earlier tries were against a code that is gone.
            self._clear_lockout()
        log.info("a new parent PIN set-up code is in %s", self.path)
        return code

    def exists(self) -> bool:
        return self._read() is not None

    def verify(self, candidate: str) -> None:
        """Return when `candidate` is the code on file; else raise WrongSetupCodeError
        (counted) or LockedOutError. With no code on file every candidate is wrong."""
        with self._lock:
            state = self._load_lockout()
            remaining = self._remaining(state)
            if remaining > 0:
                raise LockedOutError(remaining)
            expected = self._read()
            given = normalise_code(candidate).encode("utf-8")
            wanted = normalise_code(expected or "").encode("utf-8")
            right = hmac.compare_digest(given, wanted) and expected is not None
            if right:
                return
            failures = state.failures + 1
            lock_seconds = self._lockout.lock_seconds(failures)
            if lock_seconds > 0:
                until = self._clock.now().timestamp() + lock_seconds
                self._save_lockout(_Lockout(failures, until))
                self._locked_until_monotonic = self._clock.monotonic() + lock_seconds
                log.warning(
                    "PIN set-up locked for %d s after %d wrong codes", lock_seconds, failures
                )
                raise LockedOutError(math.ceil(lock_seconds))
            self._save_lockout(_Lockout(failures, 0.0))
            log.info("wrong PIN set-up code (%d in a row)", failures)
            raise WrongSetupCodeError(self._lockout.max_tries - failures)

    def consume(self) -> None:
        """The code did its job (or a PIN was set another way): remove it."""
        with self._lock:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            self._clear_lockout()

    # -- inside the lock --------------------------------------------------------------------

    def _read(self) -> str | None:
        try:
            text = self.path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            log.warning("cannot read the PIN set-up code %s: %s", self.path, error)
            return None
        return text or None

    def _remaining(self, state: _Lockout) -> int:
        by_wall = state.locked_until - self._clock.now().timestamp()
        by_monotonic = (
            self._locked_until_monotonic - self._clock.monotonic() if state.locked_until else 0.0
        )
        remaining = min(max(by_wall, by_monotonic), self._lockout.max_seconds)
        return math.ceil(remaining) if remaining > 0 else 0

    def _load_lockout(self) -> _Lockout:
        text = self._store.get(SETUP_LOCKOUT_SECRET_NAME)
        if text is None:
            return _Lockout()
        try:
            raw = json.loads(text)
            return _Lockout(int(raw["failures"]), float(raw["locked_until"]))
        except (ValueError, KeyError, TypeError):
            # A damaged count must not unlock: treat it as a fresh lock.
            log.warning("the stored PIN set-up lockout is damaged; locking")
            base = self._lockout.base_seconds
            return _Lockout(self._lockout.max_tries, self._clock.now().timestamp() + base)

    def _save_lockout(self, state: _Lockout) -> None:
        self._store.set(
            SETUP_LOCKOUT_SECRET_NAME,
            json.dumps({"failures": state.failures, "locked_until": state.locked_until}),
        )

    def _clear_lockout(self) -> None:
        self._store.delete(SETUP_LOCKOUT_SECRET_NAME)
        self._locked_until_monotonic = 0.0
