"""The tray's heartbeat: every few seconds one sample of the session, sent to the agent
with this account's own key; queued (bounded, oldest dropped first) while the agent does
not answer, and sent oldest first when it does.

Times: ``monotonic`` is a clock that goes on while the PC sleeps (CLOCK_BOOTTIME on Linux,
where CLOCK_MONOTONIC stops), so the agent sees a sleep as a gap; ``wall`` and the UTC
offset let it notice a change of the PC's clock or time zone. The tray's own windows
(Help / 111, "what is watched") are reported as ``baoan-tray``: never counted, never
closed.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Generic, TypeVar

from gui.tray.backend import AgentUnreachableError, TrayBackendError
from gui.tray.watchers.base import ForegroundWindow, Sample, Watcher

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_SECONDS = 5.0
QUEUE_LIMIT = 3 * 3600 // 5  # three hours of heartbeats at the default interval
BATCH_LIMIT = 100  # the agent takes at most 100 in one request
TRAY_APP_NAME = "baoan-tray"

Answer = TypeVar("Answer")


def boot_clock() -> float:
    """Seconds that go on while the PC sleeps (see the module's docstring)."""
    if sys.platform.startswith("linux"):
        return time.clock_gettime(time.CLOCK_BOOTTIME)
    return time.monotonic()


def utc_offset_minutes() -> int:
    offset = datetime.now().astimezone().utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


@dataclass(frozen=True)
class QueuedBeat:
    tray_instance: str
    monotonic: float
    wall: datetime
    sample: Sample
    utc_offset_minutes: int


class HeartbeatSender(Generic[Answer]):
    """Samples `watcher` every `interval` seconds on its own thread and hands the queue to
    `send` (which raises :class:`AgentUnreachableError` when the agent does not answer);
    each answer goes to `on_answer` (the warnings and the action at zero use it)."""

    def __init__(
        self,
        watcher: Watcher,
        send: Callable[[float, Sequence[QueuedBeat]], Answer],
        *,
        on_answer: Callable[[Answer], None] | None = None,
        interval: float = DEFAULT_INTERVAL_SECONDS,
        monotonic: Callable[[], float] = boot_clock,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
        offset: Callable[[], int] = utc_offset_minutes,
        own_pid: int | None = None,
        queue_limit: int = QUEUE_LIMIT,
    ) -> None:
        self.watcher = watcher
        self._send = send
        self._on_answer = on_answer
        self._interval = interval
        self._monotonic = monotonic
        self._wall = wall
        self._offset = offset
        self._own_pid = own_pid if own_pid is not None else os.getpid()
        self.tray_instance = uuid.uuid4().hex
        self._queue: deque[QueuedBeat] = deque(maxlen=queue_limit)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.dropped = 0
        self.last_sample: Sample | None = None  # what the enforcement acts on

    @property
    def queued(self) -> int:
        return len(self._queue)

    def beat(self) -> None:
        """One sample into the queue, then try to send the queue (oldest first)."""
        try:
            sample = self.watcher.sample()
        except Exception:
            log.exception("the session watcher failed; this heartbeat says nothing")
            sample = Sample()
        if sample.app is not None and sample.app.pid == self._own_pid:
            sample = replace(sample, app=ForegroundWindow(original_name=TRAY_APP_NAME))
        self.last_sample = sample
        if len(self._queue) == self._queue.maxlen:
            self.dropped += 1
        self._queue.append(
            QueuedBeat(self.tray_instance, self._monotonic(), self._wall(), sample, self._offset())
        )
        self.flush()

    def flush(self) -> bool:
        """Send what is queued; False while the agent does not answer (the queue stays)."""
        while self._queue:
            batch = [self._queue[i] for i in range(min(BATCH_LIMIT, len(self._queue)))]
            try:
                answer = self._send(self._monotonic(), batch)
            except AgentUnreachableError:
                return False
            except TrayBackendError as error:
                # Refused (a bad key, an agent that does not know heartbeats): sending it
                # again would be refused again, and the queue would never drain.
                log.warning("the agent refused %d heartbeats: %s", len(batch), error)
                answer = None
            for _ in batch:
                self._queue.popleft()
            if answer is not None and self._on_answer is not None:
                self._on_answer(answer)
        return True

    # -- the thread -------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="baoan-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.watcher.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.beat()
            except Exception:
                log.exception("a heartbeat failed")
            self._stop.wait(self._interval)
