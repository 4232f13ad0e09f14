"""One call to the agent's API as a parent, the PIN taken as `baoan status` takes it
(``--pin-stdin`` or ``BAOAN_PIN``), with the same exit codes and messages."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TextIO, TypeVar

from agent.api.client import (
    DEFAULT_BASE_URL,
    AgentNotRunningError,
    ApiClient,
    ApiClientError,
    LockedError,
    PinNotSetError,
    WrongPinError,
)
from agent.commands.status import (
    EXIT_NOT_RUNNING,
    EXIT_PIN_REFUSED,
    PIN_ENV_VAR,
)
from agent.commands.status import _log_out as log_out
from agent.commands.status import _pin_refusal as pin_refusal
from agent.commands.status import _read_pin as read_pin

T = TypeVar("T")


def add_parent_arguments(parser: Any) -> None:
    parser.add_argument(
        "--api",
        default=DEFAULT_BASE_URL,
        metavar="URL",
        help=f"the agent's local API (default {DEFAULT_BASE_URL})",
    )
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    parser.add_argument(
        "--pin-stdin",
        action="store_true",
        help=f"read the parent's PIN from standard input (or set {PIN_ENV_VAR})",
    )


def call_as_parent(
    args: argparse.Namespace, stdin: TextIO, call: Callable[[ApiClient], T]
) -> T | int:
    """`call`'s answer, or an exit code (the reason already on stderr)."""
    pin = read_pin(args.pin_stdin, stdin)
    if pin is None:
        print(
            f"Cần mã PIN của cha mẹ (--pin-stdin hoặc {PIN_ENV_VAR}). / "
            "This needs the parent's PIN.",
            file=sys.stderr,
        )
        return EXIT_PIN_REFUSED
    with ApiClient(args.api) as client:
        try:
            client.open_session(pin)
            try:
                return call(client)
            finally:
                log_out(client)
        except AgentNotRunningError:
            print(
                f"Bảo An chưa chạy: không có gì trả lời ở {args.api}.\n"
                f"The Bảo An agent is not running: nothing answers at {args.api}.",
                file=sys.stderr,
            )
            return EXIT_NOT_RUNNING
        except (WrongPinError, LockedError, PinNotSetError) as error:
            print(pin_refusal(error), file=sys.stderr)
            return EXIT_PIN_REFUSED
        except ApiClientError as error:
            print(
                f"Bảo An trả lời lỗi / the agent answered with an error: {error}", file=sys.stderr
            )
            return EXIT_NOT_RUNNING
