"""`baoan dashboard`: the parent's dashboard, a client of the running agent.

    baoan dashboard [--api URL]
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

DEFAULT_API_URL = "http://127.0.0.1:8053"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "dashboard",
        help="the parent's dashboard (asks for the parent PIN)",
        description="Open the parent's dashboard on the running agent's local API.",
    )
    parser.add_argument("--api", metavar="URL", default=DEFAULT_API_URL,
                        help=f"the agent's local API (default {DEFAULT_API_URL})")
    parser.set_defaults(func=run)


# The exit code when Qt cannot be loaded (`baoan try` knows it: it has been said already).
QT_MISSING_EXIT = 3


def run(args: argparse.Namespace) -> int:
    try:
        from gui.app import run_dashboard  # Qt loads only when the dashboard really opens
    except ImportError as error:
        print(qt_missing_message(error), file=sys.stderr)
        return QT_MISSING_EXIT
    return run_dashboard(args.api, [sys.argv[0]])


def qt_missing_message(error: ImportError) -> str:
    """Why the dashboard cannot start without Qt, and how to fix it, in both languages."""
    return (
        f"baoan dashboard: không mở được bảng điều khiển vì thiếu thư viện Qt ({error}).\n"
        "  Cách sửa: cài lại Bảo An (`pip install --force-reinstall baoan`), và trên Debian"
        " hoặc Ubuntu cài thêm: sudo apt install libegl1 libxkbcommon0 libgl1 libfontconfig1\n"
        f"baoan dashboard: the dashboard cannot start: a Qt library is missing ({error}).\n"
        "  To fix it: reinstall Bảo An (`pip install --force-reinstall baoan`), and on Debian"
        " or Ubuntu also: sudo apt install libegl1 libxkbcommon0 libgl1 libfontconfig1"
    )
