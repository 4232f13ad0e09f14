"""A command runner for tests: records every command and answers from a script."""

from __future__ import annotations

from collections.abc import Callable

from agent.system.runner import CommandResult

Responder = Callable[[tuple[str, ...], str | None], CommandResult | None]


class RecordingRunner:
    """Answers each command with the first responder that knows it, else success."""

    def __init__(self, *responders: Responder) -> None:
        self.commands: list[tuple[str, ...]] = []
        self.inputs: list[str | None] = []
        self._responders = list(responders)

    def add(self, responder: Responder) -> None:
        self._responders.append(responder)

    def run(self, argv: tuple[str, ...], *, input_text: str | None = None) -> CommandResult:
        self.commands.append(argv)
        self.inputs.append(input_text)
        for responder in self._responders:
            answer = responder(argv, input_text)
            if answer is not None:
                return answer
        return CommandResult(argv, 0)

    def ran(self, *prefix: str) -> list[tuple[str, ...]]:
        """The commands that began with `prefix`."""
        return [argv for argv in self.commands if argv[: len(prefix)] == prefix]
