"""`baoan pin`: the parent PIN set by the account that owns the agent's data (root on an
installed PC) — the proof of set-up that the HTTP API cannot give.

    baoan pin set --config FILE [--data-dir DIR] [--only-if-unset] [--pin-file FILE]
    baoan pin reset-code --config FILE [--data-dir DIR] [--only-if-unset]  # a fresh code
    baoan pin verify [--data-dir DIR] [--pin-file FILE]  # is this the parent PIN?

``set`` reads the PIN from standard input: twice from a terminal (without echo), one line
from a pipe (or the first line of ``--pin-file``, for an installer's own PIN page). It
sets the first PIN or replaces a forgotten one, and removes any set-up code.
``reset-code`` writes a fresh one-time set-up code (for the dashboard's "forgot the PIN"
or first-run screen) and prints it. Both work whether the agent runs or not: they
write the secret store and the code file that the agent reads at every check. Any other
account is refused before anything is read or written.

``verify`` checks a PIN (one line on standard input, or the first line of ``--pin-file``)
against the one set, with the same lockout as the dashboard: an uninstaller runs it so that
only a parent removes Bảo An.

Exit codes: 0 done (``verify``: the PIN is right); 1 the secret store could not be read or
written; 2 a bad PIN (or the two differ); 3 ``verify``: wrong, locked, or no PIN set; 4 not
the account that owns the agent's data.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from agent.auth import (
    InvalidPinError,
    LockedOutError,
    PinManager,
    PinNotSetError,
    WrongPinError,
    check_pin_format,
)
from agent.commands.common import default_config_path, default_data_dir
from agent.pin_setup import SetupCodes, setup_code_path
from agent.private_files import PRIVATE_DIR_MODE
from agent.secrets import SECRETS_FILE_NAME, SecretStoreError, open_secret_store

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_STORE_FAILED = 1
EXIT_BAD_PIN = 2
EXIT_PIN_REFUSED = 3
EXIT_NOT_OWNER = 4


class NotOwnerError(PermissionError):
    """The caller is not the account that owns the agent's data."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pin",
        help="set the parent PIN, or make a one-time set-up code (as the agent's own user)",
        description="Set the parent PIN or make a one-time set-up code for the dashboard. "
        "Only the account that owns the agent's data folder may (root on an installed PC).",
    )
    actions = parser.add_subparsers(dest="pin_action", metavar="ACTION", required=True)
    for name, help_text, func in (
        ("set", "set the parent PIN (read from standard input)", run_set),
        ("reset-code", "write and print a fresh one-time set-up code", run_reset_code),
        ("verify", "check the parent PIN (for an uninstaller)", run_verify),
    ):
        action = actions.add_parser(name, help=help_text, description=help_text)
        action.add_argument("--config", type=Path, help="the agent's family.toml")
        action.add_argument(
            "--data-dir", type=Path, help="the agent's data folder (default: the OS's place)"
        )
        if name in ("set", "reset-code"):
            action.add_argument(
                "--only-if-unset",
                action="store_true",
                help="do nothing when a PIN is already set (for installers run again)",
            )
        if name in ("set", "verify"):
            action.add_argument(
                "--pin-file", type=Path, metavar="FILE",
                help="read the PIN from the first line of FILE instead of standard input",
            )
        action.set_defaults(func=func)


# -- the pieces (also used by `baoan try`) ------------------------------------------------------


def ownership_problem(data_dir: Path) -> str | None:
    """Why this account may not touch the agent's secrets in `data_dir`, or None."""
    if not hasattr(os, "geteuid"):
        return None  # Windows: the folder's ACL decides who can write it
    me = os.geteuid()
    for path in (data_dir, data_dir / SECRETS_FILE_NAME):
        try:
            owner = path.stat().st_uid
        except FileNotFoundError:
            continue
        except PermissionError:
            return f"{path} cannot be read by this account; run this as the agent's account"
        if owner != me:
            return (
                f"{path} belongs to another account (uid {owner}); run this as that account "
                "(on an installed PC: sudo)"
            )
    return None


def _checked_data_dir(data_dir: Path) -> Path:
    problem = ownership_problem(data_dir)
    if problem is not None:
        raise NotOwnerError(problem)
    data_dir.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    return data_dir


def pin_is_set(data_dir: Path) -> bool:
    return PinManager(open_secret_store(_checked_data_dir(data_dir))).is_set()


def set_parent_pin(data_dir: Path, pin: str) -> None:
    """Set the PIN in the agent's secret store (first or replacing), and use up any set-up
    code. Raises NotOwnerError, InvalidPinError or SecretStoreError."""
    check_pin_format(pin)
    folder = _checked_data_dir(data_dir)
    store = open_secret_store(folder)
    PinManager(store).replace(pin)
    SetupCodes(setup_code_path(folder), store).consume()


def issue_setup_code(data_dir: Path) -> tuple[Path, str]:
    """Write a fresh set-up code: its file and the code."""
    folder = _checked_data_dir(data_dir)
    codes = SetupCodes(setup_code_path(folder), open_secret_store(folder))
    return codes.path, codes.issue()


def read_new_pin(stdin: TextIO) -> str:
    """The PIN: twice without echo from a terminal (they must match), else one line."""
    if stdin.isatty():
        first = getpass.getpass("PIN mới của cha mẹ / new parent PIN (4–12 chữ số / digits): ")
        second = getpass.getpass("Nhập lại / again: ")
        if first != second:
            raise InvalidPinError("the two PINs differ")
        return first
    return stdin.readline().strip()


# -- the commands ---------------------------------------------------------------------------------


def _data_dir(args: argparse.Namespace) -> Path:
    data_dir: Path = args.data_dir or default_data_dir()
    return data_dir


def run_set(args: argparse.Namespace, stdin: TextIO | None = None) -> int:
    data_dir = _data_dir(args)
    problem = ownership_problem(data_dir)
    if problem is not None:
        return _not_owner(problem)
    try:
        if getattr(args, "only_if_unset", False) and pin_is_set(data_dir):
            print("Mã PIN đã được đặt. / A parent PIN is already set.", file=sys.stderr)
            return EXIT_OK
        if getattr(args, "pin_file", None) is not None:
            pin = _first_line(args.pin_file)
        else:
            pin = read_new_pin(stdin or sys.stdin)
        set_parent_pin(data_dir, pin)
    except NotOwnerError as error:
        return _not_owner(str(error))
    except InvalidPinError as error:
        print(f"baoan pin set: mã PIN không hợp lệ / invalid PIN: {error}", file=sys.stderr)
        return EXIT_BAD_PIN
    except (SecretStoreError, OSError) as error:
        print(f"baoan pin set: {error}", file=sys.stderr)
        return EXIT_STORE_FAILED
    config = args.config or default_config_path()
    print(
        f"Đã đặt mã PIN của cha mẹ cho Bảo An ({config}). / The parent PIN is set ({data_dir}).",
        file=sys.stderr,
    )
    return EXIT_OK


def run_reset_code(args: argparse.Namespace, out: TextIO | None = None) -> int:
    data_dir = _data_dir(args)
    try:
        if getattr(args, "only_if_unset", False) and pin_is_set(data_dir):
            print("Mã PIN đã được đặt. / A parent PIN is already set.", file=sys.stderr)
            return EXIT_OK
        path, code = issue_setup_code(data_dir)
    except NotOwnerError as error:
        return _not_owner(str(error))
    except (SecretStoreError, OSError) as error:
        print(f"baoan pin reset-code: {error}", file=sys.stderr)
        return EXIT_STORE_FAILED
    print(code, file=out or sys.stdout)
    print(
        "Nhập mã cài đặt này vào bảng điều khiển để đặt mã PIN mới (dùng được một lần). / "
        f"Enter this one-time set-up code in the dashboard to set a new PIN ({path}).",
        file=sys.stderr,
    )
    return EXIT_OK


def _first_line(path: Path) -> str:
    lines = path.read_text(encoding="utf-8-sig").splitlines()  # Notepad's BOM too
    return lines[0].strip() if lines else ""


def run_verify(args: argparse.Namespace, stdin: TextIO | None = None) -> int:
    data_dir = _data_dir(args)
    problem = ownership_problem(data_dir)
    if problem is not None:
        return _not_owner(problem)
    try:
        if args.pin_file is not None:
            pin = _first_line(args.pin_file)
        else:
            pin = (stdin or sys.stdin).readline().strip()
        PinManager(open_secret_store(_checked_data_dir(data_dir))).verify(pin)
    except NotOwnerError as error:
        return _not_owner(str(error))
    except WrongPinError as error:
        print(f"Mã PIN sai (còn {error.tries_left} lần thử). / Wrong PIN "
              f"({error.tries_left} tries left).", file=sys.stderr)
        return EXIT_PIN_REFUSED
    except LockedOutError as error:
        print(f"Đã khóa vì nhập sai PIN quá nhiều lần; thử lại sau {error.retry_after} giây. / "
              f"Locked after too many wrong PINs; try again in {error.retry_after} s.",
              file=sys.stderr)
        return EXIT_PIN_REFUSED
    except PinNotSetError:
        print("Chưa đặt mã PIN của cha mẹ. / No parent PIN is set.", file=sys.stderr)
        return EXIT_PIN_REFUSED
    except (SecretStoreError, OSError) as error:
        print(f"baoan pin verify: {error}", file=sys.stderr)
        return EXIT_STORE_FAILED
    print("Mã PIN đúng. / The PIN is right.", file=sys.stderr)
    return EXIT_OK


def _not_owner(problem: str) -> int:
    print(
        "baoan pin: chỉ tài khoản sở hữu dữ liệu của Bảo An mới được đặt mã PIN. / "
        f"only the account that owns Bảo An's data may set the PIN: {problem}",
        file=sys.stderr,
    )
    return EXIT_NOT_OWNER
