"""`baoan doctor`: is this PC protected, and how to fix what is not.

    baoan doctor [--api URL] [--config FILE] [--data-dir DIR] [--json] [--pin-stdin]

Looks at the running agent (its status; with the parent's PIN also the tray's own events),
the system's DNS and the browsers' policies (through the OS integration), each child's
session and its tray, the time zone, the blocklists' age, whether the caregivers' alert
servers answer, and the free disk. Each problem comes with its fix, in Vietnamese and
English. Run it as root / Administrator to see everything.

Exit codes: 0 all is well; 1 at least one problem; 2 no problem found, but something could
not be checked (not built for this OS yet, no PIN, ...).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from agent.commands.common import default_config_path, default_data_dir
from agent.commands.parent_call import add_parent_arguments, read_pin
from agent.doctor.probe import PcProbe, SystemProbe
from agent.doctor.run import DoctorInputs, examine
from agent.system import SystemIntegration, for_os


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check that this PC is protected, and say how to fix what is not",
        description="Kiểm tra máy có đang được Bảo An bảo vệ không và cách sửa. / Check "
        "the running system (service, DNS, browsers, trays, time zone, lists, caregivers, "
        "disk) and say how to fix each problem.",
    )
    add_parent_arguments(parser)
    parser.add_argument("--config", type=Path, help="the agent's family.toml")
    parser.add_argument("--data-dir", type=Path, help="the agent's data folder")
    parser.set_defaults(func=run)


def run(
    args: argparse.Namespace,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    *,
    integration: SystemIntegration | None = None,
    probe: PcProbe | None = None,
    platform_name: str | None = None,
) -> int:
    """`integration`, `probe` and `platform_name` are this PC's unless given."""
    platform_name = platform_name or sys.platform
    data_dir: Path = args.data_dir or default_data_dir()
    inputs = DoctorInputs(
        api_url=args.api,
        pin=read_pin(args.pin_stdin, stdin or sys.stdin),
        config=args.config or default_config_path(),
        data_dir=data_dir,
        platform_name=platform_name,
    )
    if integration is None:
        integration = for_os(platform_name, data_dir=data_dir)
    report = examine(inputs, integration, probe or SystemProbe(), datetime.now(UTC))
    out = out or sys.stdout
    if args.json:
        json.dump(report.to_json(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(report.as_text())
    return report.exit_code
