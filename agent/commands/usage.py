"""`baoan usage`: today's screen time per child, app, service and category, and the time left.

    baoan usage [--api URL] [--child NAME] [--json] [--pin-stdin]

Needs the parent's PIN (as `baoan status` takes it). Exit codes: 0 answered; 1 the agent
does not answer; 2 no such child; 3 the PIN was refused or missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from agent.api.types import ChildUsage, UsageToday
from agent.commands.parent_call import EXIT_OK, add_parent_arguments, call_as_parent

EXIT_NO_SUCH_CHILD = 2

LIMIT_WORDS = {
    "none": "không giới hạn (no limit)",
    "always_allowed": "luôn được phép (always allowed)",
    "daily": "giới hạn ngày (daily limit)",
    "allowed_hours": "giờ được dùng (allowed hours)",
    "service": "giới hạn dịch vụ (service limit)",
    "category": "giới hạn nhóm (category limit)",
    "game": "giới hạn mỗi trò chơi (per-game limit)",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "usage",
        help="today's screen time per child, app, service and category (needs the PIN)",
        description=(
            "Today's counted screen time in seconds per child, app, service and category, "
            "and the time left with the limit that is nearest."
        ),
    )
    add_parent_arguments(parser)
    parser.add_argument("--child", metavar="NAME", help="only this child")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    answer = call_as_parent(args, stdin or sys.stdin, lambda client: client.usage_today())
    if not isinstance(answer, UsageToday):
        return answer
    details = answer.details
    if args.child:
        details = tuple(detail for detail in details if detail.child == args.child)
        if not details:
            print(f"Không có trẻ tên / no child named {args.child!r}", file=sys.stderr)
            return EXIT_NO_SUCH_CHILD
    if args.json:
        body = {"date": answer.date.isoformat(), "children": [d.to_json() for d in details]}
        json.dump(body, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(format_usage(answer, details))
    return EXIT_OK


def _duration(seconds: int) -> str:
    minutes, secs = divmod(max(0, seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def format_usage(today: UsageToday, details: tuple[ChildUsage, ...]) -> str:
    lines = [f"Thời gian dùng máy hôm nay (screen time today) {today.date.isoformat()}"]
    for detail in details:
        left = "—" if detail.seconds_left is None else _duration(detail.seconds_left)
        why = LIMIT_WORDS.get(detail.limit.kind, detail.limit.kind)
        if detail.limit.decree_147:
            why += ", Nghị định 147/2024"
        lines.append(
            f"{detail.child}: {_duration(detail.counted_seconds)} ({detail.counted_seconds} s); "
            f"còn lại (left) {left} — {why}"
        )
        if detail.extra_minutes:
            lines.append(f"  thêm hôm nay (extra today): {detail.extra_minutes} phút (min)")
        for heading, pairs in (
            ("ứng dụng (apps)", detail.apps),
            ("dịch vụ (services)", detail.services),
            ("nhóm (categories)", detail.categories),
        ):
            if pairs:
                shown = ", ".join(f"{name} {seconds} s" for name, seconds in pairs)
                lines.append(f"  {heading}: {shown}")
    return "\n".join(lines) + "\n"
