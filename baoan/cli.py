"""The `baoan` command: one sub-command module per job, from :mod:`agent.commands` and the
GUI's two programs (the parent's dashboard and the child's tray)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from agent.commands import (
    agent,
    caregiver,
    check,
    doctor,
    events,
    init,
    lists,
    pc,
    pin,
    policy,
    status,
    sync_test,
    system,
    try_out,
    usage,
)
from agent.version import version
from gui import cli as dashboard
from gui.tray import cli as tray

# Each module exposes `register(subparsers) -> None`; the parser it adds sets `func`.
COMMANDS = (
    init, policy, check, agent, status, pin, usage, events, try_out, lists, caregiver, sync_test,
    system, doctor, pc,
    dashboard, tray,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baoan",
        description="Bảo An: parental control for the family PC.",
    )
    parser.add_argument("--version", action="version", version=f"baoan {version()}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # The parser (every command's options, ~0.3 MB) is garbage once read: the agent and the
    # tray run for days in the frame of this function.
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # APScheduler narrates every job it adds at INFO; the agent logs its own summary.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if not getattr(args, "func", None):
        build_parser().print_help(sys.stderr)
        return 2
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
