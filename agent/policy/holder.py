"""`PolicyHolder`: the live family policy, reloaded when the file changes.

A broken edit never takes protection down: the holder keeps the last good policy and
exposes the precise problem as `last_error` until the file is fixed. Whether a new file may
be adopted is decided by :func:`agent.policy.adoption.judge_policy_file` (a change that
protects less must come in a whole file). Every adopted file is kept as the last good copy
(`last_good_path`, written atomically), so a restart with a broken file runs on it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from agent.policy.adoption import Adoption, PolicyFile, judge_policy_file
from agent.policy.errors import InvalidPolicyError, PolicyError
from agent.policy.loader import parse_policy_bytes
from agent.policy.loosening import Loosening
from agent.policy.model import FamilyPolicy
from agent.policy.services import ServiceCatalogue
from agent.policy.this_pc import local_policy_path
from agent.policy.writer import backup_path
from agent.private_files import PRIVATE_FILE_MODE
from dns_filter.fileio import atomic_write_bytes

log = logging.getLogger(__name__)

Subscriber = Callable[[FamilyPolicy], None]


@dataclass(frozen=True)
class PolicyLoosened:
    """A new policy in force that protects less than the one before it."""

    file: str
    before: FamilyPolicy
    after: FamilyPolicy
    loosenings: tuple[Loosening, ...]
    by_baoan: bool  # the file carries Bảo An's check line; else it was edited by hand


LoosenedSubscriber = Callable[[PolicyLoosened], None]
RefusedSubscriber = Callable[[InvalidPolicyError], object]
_C = TypeVar("_C", Subscriber, LoosenedSubscriber, RefusedSubscriber)


def default_last_good_path(path: Path) -> Path:
    """Beside the file, when the holder is given no place in the agent's data folder."""
    return path.with_name(path.name + ".last-good")


def local_last_good_path(last_good_path: Path) -> Path:
    """The last good copy of this PC's own file, beside the family's last good copy."""
    return last_good_path.with_name("this-pc.last-good.toml")

# A file modified this recently may change again within the same timestamp tick, so its
# stat alone cannot prove it unchanged: hash it again (as git does with "racy" entries).
_RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class _Seen:
    stamp: tuple[tuple[int, int] | None, ...]  # (mtime_ns, size) per file; None: absent
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
        last_good_path: str | Path | None = None,
        local_path: str | Path | None = None,
    ) -> None:
        self.path = Path(path)
        # This PC's own settings (agent.policy.this_pc), read with the family policy
        # whenever the file exists.
        self.local_path = local_policy_path(self.path) if local_path is None else Path(local_path)
        self.last_good_path = (
            default_last_good_path(self.path) if last_good_path is None else Path(last_good_path)
        )
        self.local_last_good_path = local_last_good_path(self.last_good_path)
        self._today = today
        self._catalogue = catalogue
        self._lock = threading.RLock()
        self._policy: FamilyPolicy | None = None
        # The file in force; before the first adoption, the last good copy (if any), so
        # the file found at start is judged as a change from what ran before.
        self._reference: PolicyFile | None = None
        self._saved_last_good: bytes | None = None
        self._saved_local_last_good: bytes | None = None
        self._last_error: InvalidPolicyError | None = None
        self._seen: _Seen | None = None
        self._subscribers: list[Subscriber] = []
        self._loosened_subscribers: list[LoosenedSubscriber] = []
        self._refused_subscribers: list[RefusedSubscriber] = []

    @property
    def policy(self) -> FamilyPolicy:
        """The last good policy; raises LookupError if there has never been one.

        Read without the lock: a policy is frozen and replaced whole, and a reader must
        never wait for an adoption, whose subscribers may wait for the reader (the usage
        service reads the policy under its own lock; the DNS recompile a new policy makes
        asks the usage service)."""
        policy = self._policy
        if policy is None:
            raise LookupError(f"no valid family policy has been loaded from {self.path}")
        return policy

    @property
    def has_policy(self) -> bool:
        return self._policy is not None

    @property
    def last_error(self) -> InvalidPolicyError | None:
        """Why the file on disk is not in force (None when it is)."""
        return self._last_error

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(policy)` on every new good policy; returns an unsubscribe function."""
        return self._add(self._subscribers, callback)

    def on_loosened(self, callback: LoosenedSubscriber) -> Callable[[], None]:
        """Call `callback(change)` whenever a new policy in force protects less than the one
        before (the first load included); returns an unsubscribe function."""
        return self._add(self._loosened_subscribers, callback)

    def on_refused(self, callback: RefusedSubscriber) -> Callable[[], None]:
        """Call `callback(error)` when a changed file cannot be adopted (a half-synced or
        half-written file, a broken edit), once per new problem, while the last good
        policy stays in force; returns an unsubscribe function."""
        return self._add(self._refused_subscribers, callback)

    def _add(self, subscribers: list[_C], callback: _C) -> Callable[[], None]:
        with self._lock:
            subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in subscribers:
                    subscribers.remove(callback)

        return unsubscribe

    def load(self) -> FamilyPolicy:
        """The first load, judged as a change from the last good copy. If the file cannot
        be adopted, run on the last good copy (else the writer's backup), with `last_error`
        set; raise InvalidPolicyError only if there is no good copy at all."""
        with self._lock:
            last_good = self._read_copy(self.last_good_path, self.local_last_good_path)
            if self._policy is None:
                self._reference = last_good
                self._saved_last_good = last_good.data if last_good else None
                self._saved_local_last_good = last_good.local if last_good else None
            self.check_for_changes()
            if self._policy is None:
                fallback = last_good or self._read_copy(
                    backup_path(self.path), backup_path(self.local_path)
                )
                if fallback is None:
                    problems = self._last_error.errors if self._last_error else ()
                    raise InvalidPolicyError(
                        [
                            *problems,
                            PolicyError(
                                str(self.path),
                                f"and there is no last good copy ({self.last_good_path}) "
                                "to run on: Bảo An cannot start until the file is fixed",
                            ),
                        ]
                    )
                log.warning("running on the last good copy until %s is fixed", self.path)
                self._adopt(Adoption(fallback))
                if self._last_error is not None:
                    self._tell_refused(self._last_error)
            return self.policy

    def check_for_changes(self) -> bool:
        """Re-read the files if they changed; True when a new good policy was adopted."""
        with self._lock:
            try:
                stamp = (_stamp(self.path, required=True), _stamp(self.local_path))
                if self._seen and not self._seen.racy and stamp == self._seen.stamp:
                    return False
                data = self.path.read_bytes()
                local = self.local_path.read_bytes() if stamp[1] is not None else None
            except OSError as error:
                self._fail(
                    InvalidPolicyError(
                        [PolicyError(str(self.path), f"cannot read the file: {error.strerror}")]
                    )
                )
                self._seen = None
                return False
            both = data if local is None else data + b"\0" + local
            digest = hashlib.sha256(both).digest()
            unchanged = self._seen is not None and self._seen.digest == digest
            newest = max(item[0] for item in stamp if item is not None)
            racy = time.time_ns() - newest < _RACY_NS
            self._seen = _Seen(stamp, digest, racy)
            if unchanged:
                return False
            try:
                adoption = judge_policy_file(
                    data,
                    self._reference,
                    file=str(self.path),
                    today=self._today(),
                    catalogue=self._catalogue,
                    local=local,
                    local_file=str(self.local_path),
                )
            except InvalidPolicyError as error:
                self._fail(error)
                return False
            self._last_error = None
            self._adopt(adoption)
            return True

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold off reloads while a writer replaces the family's file and this PC's one
        (so that one is never judged without the other)."""
        with self._lock:
            yield

    def _fail(self, error: InvalidPolicyError) -> None:
        fresh = self._last_error is None or str(self._last_error) != str(error)
        if fresh:
            kept = "keeping the last good policy" if self._policy else "no policy yet"
            log.error("family policy not applied (%s):\n%s", kept, error)
        self._last_error = error
        if fresh and self._policy is not None:
            self._tell_refused(error)

    def _tell_refused(self, error: InvalidPolicyError) -> None:
        for callback in list(self._refused_subscribers):
            try:
                callback(error)
            except Exception:
                log.exception("a subscriber to refused policy files failed")

    def _read_copy(self, path: Path, local_path: Path) -> PolicyFile | None:
        """A good copy kept earlier (the last good copy or the writer's backup, with this
        PC's own file's copy when there is one), if usable."""
        try:
            data = path.read_bytes()
            local = local_path.read_bytes() if local_path.exists() else None
            policy = parse_policy_bytes(
                data,
                file=str(path),
                today=self._today(),
                catalogue=self._catalogue,
                local=local,
                local_file=str(local_path),
            )
        except FileNotFoundError:
            return None
        except (OSError, InvalidPolicyError) as error:
            log.warning("the copy %s is not usable: %s", path, error)
            return None
        return PolicyFile(data, policy, local)

    def _adopt(self, adoption: Adoption) -> None:
        # At the first load the policy before is the last good copy's, if there is one.
        before = self._policy
        if before is None and self._reference is not None:
            before = self._reference.policy
        policy = adoption.file.policy
        self._policy = policy
        self._reference = adoption.file
        self._save_last_good(adoption.file.data, adoption.file.local)
        for subscriber in list(self._subscribers):
            try:
                subscriber(policy)
            except Exception:
                log.exception("a family policy subscriber failed")
        if not adoption.loosenings:
            return
        change = PolicyLoosened(
            file=str(self.path),
            before=before if before is not None else policy,
            after=policy,
            loosenings=adoption.loosenings,
            by_baoan=adoption.file.sealed,
        )
        log.warning(
            "the new family policy protects less (%s): %s",
            "written by Bảo An" if change.by_baoan else "edited by hand",
            "; ".join(item.describe() for item in change.loosenings),
        )
        for callback in list(self._loosened_subscribers):
            try:
                callback(change)
            except Exception:
                log.exception("a subscriber to policy changes failed")

    def _save_last_good(self, data: bytes, local: bytes | None) -> None:
        if local is not None and local != self._saved_local_last_good:
            try:
                atomic_write_bytes(self.local_last_good_path, local, mode=PRIVATE_FILE_MODE)
            except OSError as error:
                log.error("cannot keep the last good copy %s: %s", self.local_last_good_path,
                          error)
            else:
                self._saved_local_last_good = local
        elif local is None and self._saved_local_last_good is not None:
            self.local_last_good_path.unlink(missing_ok=True)
            self._saved_local_last_good = None
        if data == self._saved_last_good:
            return
        try:
            atomic_write_bytes(self.last_good_path, data, mode=PRIVATE_FILE_MODE)
        except OSError as error:
            log.error("cannot keep the last good copy %s: %s", self.last_good_path, error)
            return
        self._saved_last_good = data


def _stamp(path: Path, *, required: bool = False) -> tuple[int, int] | None:
    """(mtime_ns, size) of `path`; None when it does not exist and is not `required`."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        if required:
            raise
        return None
    return status.st_mtime_ns, status.st_size
