"""`PolicyHolder`: the live family policy, reloaded when the file changes.

A broken edit never takes protection down: the holder keeps the last good policy and
exposes the precise problem as `last_error` until the file is fixed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from agent.policy.errors import InvalidPolicyError, PolicyError
from agent.policy.loader import parse_policy_bytes
from agent.policy.model import FamilyPolicy
from agent.policy.services import ServiceCatalogue
from agent.policy.writer import backup_path

log = logging.getLogger(__name__)

Subscriber = Callable[[FamilyPolicy], None]


# A file modified this recently may change again within the same timestamp tick, so its
# stat alone cannot prove it unchanged: hash it again (as git does with "racy" entries).
_RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class _Seen:
    mtime_ns: int
    size: int
    digest: bytes
    racy: bool


class PolicyHolder:
    """Holds the current good policy of one file; call `check_for_changes()` on a timer."""

    def __init__(
        self,
        path: str | Path,
        *,
        today: Callable[[], date] = date.today,
        catalogue: ServiceCatalogue | None = None,
    ) -> None:
        self.path = Path(path)
        self._today = today
        self._catalogue = catalogue
        self._lock = threading.RLock()
        self._policy: FamilyPolicy | None = None
        self._last_error: InvalidPolicyError | None = None
        self._seen: _Seen | None = None
        self._subscribers: list[Subscriber] = []

    @property
    def policy(self) -> FamilyPolicy:
        """The last good policy; raises LookupError if there has never been one."""
        with self._lock:
            if self._policy is None:
                raise LookupError(f"no valid family policy has been loaded from {self.path}")
            return self._policy

    @property
    def has_policy(self) -> bool:
        return self._policy is not None

    @property
    def last_error(self) -> InvalidPolicyError | None:
        """Why the file on disk is not in force (None when it is)."""
        return self._last_error

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(policy)` on every new good policy; returns an unsubscribe function."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def load(self) -> FamilyPolicy:
        """The first load. If the file is broken, fall back to the backup of the last good
        file (with `last_error` set); raise InvalidPolicyError if neither is usable."""
        with self._lock:
            self.check_for_changes()
            if self._policy is None:
                error = self._last_error
                fallback = self._load_backup()
                if fallback is None:
                    raise error or InvalidPolicyError(
                        [PolicyError(str(self.path), "no valid policy")]
                    )
                self._adopt(fallback)
            return self.policy

    def check_for_changes(self) -> bool:
        """Re-read the file if it changed; True when a new good policy was adopted."""
        with self._lock:
            try:
                status = os.stat(self.path)
                if (
                    self._seen
                    and not self._seen.racy
                    and (status.st_mtime_ns, status.st_size)
                    == (self._seen.mtime_ns, self._seen.size)
                ):
                    return False
                data = self.path.read_bytes()
            except OSError as error:
                self._fail(
                    InvalidPolicyError(
                        [PolicyError(str(self.path), f"cannot read the file: {error.strerror}")]
                    )
                )
                self._seen = None
                return False
            digest = hashlib.sha256(data).digest()
            unchanged = self._seen is not None and self._seen.digest == digest
            racy = time.time_ns() - status.st_mtime_ns < _RACY_NS
            self._seen = _Seen(status.st_mtime_ns, status.st_size, digest, racy)
            if unchanged:
                return False
            try:
                policy = parse_policy_bytes(
                    data, file=str(self.path), today=self._today(), catalogue=self._catalogue
                )
            except InvalidPolicyError as error:
                self._fail(error)
                return False
            self._last_error = None
            self._adopt(policy)
            return True

    def _fail(self, error: InvalidPolicyError) -> None:
        if self._last_error is None or str(self._last_error) != str(error):
            kept = "keeping the last good policy" if self._policy else "no policy yet"
            log.error("family policy not applied (%s):\n%s", kept, error)
        self._last_error = error

    def _load_backup(self) -> FamilyPolicy | None:
        backup = backup_path(self.path)
        try:
            data = backup.read_bytes()
            policy = parse_policy_bytes(
                data, file=str(backup), today=self._today(), catalogue=self._catalogue
            )
        except (OSError, InvalidPolicyError):
            return None
        log.warning("using the backup %s until %s is fixed", backup, self.path)
        return policy

    def _adopt(self, policy: FamilyPolicy) -> None:
        self._policy = policy
        for subscriber in list(self._subscribers):
            try:
                subscriber(policy)
            except Exception:
                log.exception("a family policy subscriber failed")
