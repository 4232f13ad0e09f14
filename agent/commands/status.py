"""`baoan status`: is the agent running, what does it filter, and (with the PIN) the children.

    baoan status [--api URL] [--json] [--pin-stdin]

The parent's PIN comes from standard input with ``--pin-stdin`` or from the ``BAOAN_PIN``
environment variable; with it the answer also has the children and today's screen time.
Exit codes: 0 the agent answered; 1 the agent does not answer or answered with an error;
3 the PIN was refused (wrong, locked, or none set yet).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from agent.api.client import (
    DEFAULT_BASE_URL,
)
from agent.api.types import Status
from agent.commands.parent_call import (
    EXIT_OK,
    PIN_ENV_VAR,
    ask_agent,
    read_pin,
)

HELP_ALERTS_UNHEARD = (
    "Cảnh báo: tin báo Trợ giúp đang bật (help_alerts_caregivers = true) nhưng chưa có người "
    "thân nào trong [[caregivers]] có ntfy_topic hoặc email, nên sẽ không ai nhận được. / "
    "Warning: help alerts are on but no caregiver could receive them; add a [[caregivers]] "
    "entry with ntfy_topic or email, or set help_alerts_caregivers = false."
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "status",
        help="health of the running agent (with the PIN: the children and today's usage)",
        description=(
            "Ask the running agent how it is: where DNS listens, the policy, the lists and "
            "their counts; with the parent's PIN also the children and today's screen time."
        ),
    )
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
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    pin = read_pin(args.pin_stdin, stdin)
    status = ask_agent(args.api, pin, lambda client: client.status())
    if isinstance(status, int):
        return status
    if args.json:
        json.dump(status.to_json(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(format_status(status, args.api, asked_with_pin=pin is not None))
    return EXIT_OK




def format_status(status: Status, api_url: str, *, asked_with_pin: bool) -> str:
    """The human-readable report: Vietnamese first, the English word after it."""
    lines = [f"Bảo An {status.version}: đang chạy (running) — {api_url}"]
    listening = ", ".join(status.dns_listening) or "không (none)"
    lines.append(f"DNS đang nghe (listening): {listening}")
    counters = status.dns_counters
    if counters is not None and (counters.log_shed or counters.rate_limited):
        lines.append(
            f"  Nhật ký bỏ bớt khi quá tải (answers shed from the log): {counters.log_shed}"
            " — thống kê vẫn đếm đủ (statistics still count them)"
        )
        lines.append(
            f"  Từ chối vì hỏi quá nhanh (rate limited, REFUSED): {counters.rate_limited}"
        )

    policy = status.policy
    loaded = (
        policy.loaded_at.isoformat(timespec="seconds") if policy.loaded_at else "chưa (not yet)"
    )
    lines.append(f"Chính sách (policy): {policy.source} — nạp lúc (loaded) {loaded}")
    if policy.error:
        lines.append(f"  Lỗi (error): {policy.error}")
    if policy.help_alerts_unheard:
        lines.append(HELP_ALERTS_UNHEARD)

    lines.append(
        f"Danh sách chặn (blocklists): {len(status.lists)}, "
        f"tổng {status.total_list_entries} tên (names)"
    )
    width = max((len(item.category) for item in status.lists), default=0)
    for item in status.lists:
        updated = item.updated_at.isoformat(timespec="seconds") if item.updated_at else "-"
        line = f"  {item.category:<{width}}  {item.count:>9} tên  {updated:<25}  {item.source}"
        if item.bad_lines:
            line += f"  ({item.bad_lines} dòng lỗi / bad lines)"
        if item.error:
            line += f"  lỗi (error): {item.error}"
        lines.append(line)

    if not status.pin_set:
        lines.append("Chưa đặt mã PIN của cha mẹ (no parent PIN set yet).")
    if status.children is not None:
        lines.append(f"Trẻ (children): {len(status.children)}")
        name_width = max((len(child.name) for child in status.children), default=0)
        for child in status.children:
            age = f"{child.age} tuổi" if child.age is not None else "? tuổi"
            lines.append(
                f"  {child.name:<{name_width}}  {age:<8}  {child.preset:<8}  "
                f"hôm nay (today) {child.usage_today_minutes} phút (min)"
            )
    elif not asked_with_pin:
        lines.append(
            f"Trẻ và thời gian hôm nay: cần PIN (--pin-stdin hoặc {PIN_ENV_VAR}). / "
            "Children and today's usage need the parent's PIN."
        )
    return "\n".join(lines) + "\n"
