"""The agent's own look at the children's processes (psutil), beside the tray's heartbeat:
it sees a game that runs without focus, and an app an interpreter hosts (its command
line), and it works when no heartbeat comes.

One pass is one ``psutil.process_iter`` with the attributes it needs and ``ad_value``
(a process that is gone or denied gives None, never an exception), at the default
interval of :data:`DEFAULT_INTERVAL_SECONDS`. The command line matters only for an app an
interpreter hosts (``java … minecraft``), so it is read only for an interpreter's process:
for every other process it was a third of the pass. BENCHMARKS.md has its cost with 400
processes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from agent.usage.apps import AppClassifier
from agent.usage.model import AppIdentity, AppUse

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_SECONDS = 15.0
ATTRIBUTES = ("pid", "name", "exe", "username")
CREATE_TIME_TOLERANCE = 1.0  # seconds: the same process, not a reused pid


class ProcessInfo(Protocol):
    """What ``psutil.process_iter(attrs=...)`` yields: ``.info`` holds the attributes;
    ``cmdline()`` is read only when it matters."""

    @property
    def info(self) -> Mapping[str, object]: ...

    def cmdline(self) -> list[str]: ...


ProcessIter = Callable[..., Iterable[ProcessInfo]]


@dataclass(frozen=True)
class RunningApp:
    child: str
    pid: int
    app: AppUse
    exe_path: str


def account_name(username: str) -> str:
    """``PC\\minh`` (Windows) or ``minh``, case-folded."""
    return username.rsplit("\\", 1)[-1].casefold()


def _psutil_iter(**kwargs: object) -> Iterable[ProcessInfo]:
    import psutil

    return psutil.process_iter(**kwargs)


class ProcessSampler:
    def __init__(
        self,
        classifier: AppClassifier,
        children_by_account: Callable[[], Mapping[str, str]],
        process_iter: ProcessIter = _psutil_iter,
    ) -> None:
        self._classifier = classifier
        self._children_by_account = children_by_account
        self._process_iter = process_iter
        self.last: Mapping[str, tuple[RunningApp, ...]] = MappingProxyType({})

    def sample(self) -> Mapping[str, tuple[RunningApp, ...]]:
        """Each child's processes that belong to a catalogue service, by child."""
        accounts = {account_name(k): v for k, v in self._children_by_account().items()}
        found: dict[str, list[RunningApp]] = {}
        for process in self._process_iter(attrs=list(ATTRIBUTES), ad_value=None):
            info = process.info
            username = info.get("username")
            if not isinstance(username, str):
                continue
            child = accounts.get(account_name(username))
            if child is None:
                continue
            exe = info.get("exe") if isinstance(info.get("exe"), str) else ""
            name = info.get("name") if isinstance(info.get("name"), str) else ""
            identity = AppIdentity(exe_path=str(exe or name or ""))
            cmdline = command_line(process) if self._classifier.is_interpreter(identity) else ()
            app = self._classifier.classify(identity, cmdline=cmdline)
            if app.service is None:
                continue
            pid = info.get("pid")
            found.setdefault(child, []).append(
                RunningApp(child, pid if isinstance(pid, int) else 0, app, identity.exe_path)
            )
        self.last = MappingProxyType({child: tuple(apps) for child, apps in found.items()})
        return self.last


def command_line(process: ProcessInfo) -> tuple[str, ...]:
    """The process's command line; () when it is gone or denied."""
    try:
        return tuple(str(part) for part in process.cmdline())
    except Exception:  # psutil's NoSuchProcess, AccessDenied, ZombieProcess
        return ()


def cmdline_of(pid: int, create_time: float | None) -> tuple[str, ...]:
    """The command line of `pid` if it is still the process the tray saw (same start)."""
    try:
        import psutil

        process = psutil.Process(pid)
        if create_time is not None and abs(process.create_time() - create_time) > (
            CREATE_TIME_TOLERANCE
        ):
            return ()
        return tuple(process.cmdline())
    except Exception:
        return ()
