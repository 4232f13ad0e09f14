"""Every system command the integration runs goes through one small interface.

On a PC it is `SubprocessRunner`; tests hand in a runner that records each command and
answers as the real tool would, so the code that runs `netsh`, `networksetup`, `nft` or
`resolvectl` is tested without changing the machine.
"""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class CommandFailedError(RuntimeError):
    def __init__(self, result: CommandResult) -> None:
        detail = (result.stderr or result.stdout).strip()[:500]
        super().__init__(f"{' '.join(result.argv)} exited {result.returncode}: {detail}")
        self.result = result


class CommandRunner(Protocol):
    def run(self, argv: tuple[str, ...], *, input_text: str | None = None) -> CommandResult:
        ...


class SubprocessRunner:
    """Runs commands for real, with a time limit, never through a shell."""

    def __init__(self, timeout_seconds: float = 30.0) -> None:
        self._timeout_seconds = timeout_seconds

    def run(self, argv: tuple[str, ...], *, input_text: str | None = None) -> CommandResult:
        try:
            done = subprocess.run(
                list(argv), input=input_text, capture_output=True, text=True,
                timeout=self._timeout_seconds, check=False,
            )
        except FileNotFoundError:
            return CommandResult(argv, 127, "", f"{argv[0]}: not found")
        except subprocess.TimeoutExpired:
            return CommandResult(argv, 124, "", f"{argv[0]}: timed out")
        if done.returncode != 0:
            logger.debug("%s exited %d", argv[0], done.returncode)
        return CommandResult(argv, done.returncode, done.stdout, done.stderr)


def run_checked(runner: CommandRunner, argv: tuple[str, ...], *,
                input_text: str | None = None) -> CommandResult:
    result = runner.run(argv, input_text=input_text)
    if not result.ok:
        raise CommandFailedError(result)
    return result
