"""`baoan events`: the newest alerts, tamper and clock events.

    baoan events [--api URL] [--json] [--pin-stdin] [--limit N]

Needs the parent's PIN (as `baoan status` takes it); exit codes as `baoan usage`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from agent.commands.parent_call import EXIT_OK, add_parent_arguments, call_as_parent


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "events",
        help="the newest alerts, tamper and clock events (needs the PIN)",
        description="The newest alerts, tamper and clock events, newest first.",
    )
    add_parent_arguments(parser)
    parser.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (50)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    limit = min(max(1, args.limit), 500)
    answer = call_as_parent(args, stdin or sys.stdin, lambda client: client.events(limit))
    if isinstance(answer, int):
        return answer
    if args.json:
        json.dump([event.to_json() for event in answer], out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    if not answer:
        out.write("Chưa có sự kiện nào (no events yet).\n")
    for event in answer:
        child = f" [{event.child}]" if event.child else ""
        out.write(
            f"{event.time.isoformat(timespec='seconds')}  {event.severity:<7}  "
            f"{event.kind}{child}: {event.message}\n"
        )
    return EXIT_OK
