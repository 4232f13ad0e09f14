"""One call to the agent's API as a parent, the PIN taken as `baoan status` takes it
(``--pin-stdin`` or ``BAOAN_PIN``), with the same exit codes and messages."""

from __future__ import annotations

import argparse
import contextlib
import os
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

T = TypeVar("T")

PIN_ENV_VAR = "BAOAN_PIN"
EXIT_OK = 0
EXIT_NOT_RUNNING = 1
EXIT_PIN_REFUSED = 3


def log_out(client: ApiClient) -> None:
    if client.token is None:
        return
    # The session ends by itself when unused, and the status already came back.
    with contextlib.suppress(ApiClientError):
        client.close_session()


def read_pin(from_stdin: bool, stdin: TextIO) -> str | None:
    if from_stdin:
        line = stdin.readline()
        return line.strip() or None
    value = os.environ.get(PIN_ENV_VAR, "").strip()
    return value or None


def pin_refusal(error: ApiClientError) -> str:
    if isinstance(error, WrongPinError):
        tries = error.tries_left
        return (
            f"Mã PIN sai (còn {tries} lần thử). / Wrong PIN ({tries} tries left)."
            if tries is not None
            else "Mã PIN sai. / Wrong PIN."
        )
    if isinstance(error, LockedError):
        seconds = error.retry_after
        return (
            f"Đã khóa vì nhập sai PIN quá nhiều lần; thử lại sau {seconds} giây. / "
            f"Locked after too many wrong PINs; try again in {seconds} s."
        )
    return (
        "Chưa đặt mã PIN của cha mẹ; hãy chạy `sudo baoan pin set` (hoặc dùng mã cài đặt "
        "trong bảng điều khiển). / No parent PIN is set yet; run `sudo baoan pin set` (or "
        "use the set-up code in the dashboard)."
    )



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
    return ask_agent(args.api, pin, call)


def ask_agent(api: str, pin: str | None, call: Callable[[ApiClient], T]) -> T | int:
    """`call`'s answer over a session opened with `pin` (none without one), or an exit
    code with the reason on stderr."""
    with ApiClient(api) as client:
        try:
            if pin is not None:
                client.open_session(pin)
            try:
                return call(client)
            finally:
                log_out(client)
        except AgentNotRunningError:
            print(
                f"Bảo An chưa chạy: không có gì trả lời ở {api}.\n"
                f"The Bảo An agent is not running: nothing answers at {api}.",
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
