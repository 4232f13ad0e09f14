"""`baoan dashboard`: the parent's dashboard, a client of the running agent.

    baoan dashboard [--api URL] [--screenshots DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
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
    parser.add_argument(
        "--screenshots", metavar="DIR", type=Path,
        help="render every page in Vietnamese and English to PNG files in DIR, offscreen, "
        "and exit (the parent's tabs need the PIN in BAOAN_PIN)",
    )
    parser.set_defaults(func=run)


# The exit code when Qt cannot be loaded (`baoan try` knows it: it has been said already).
QT_MISSING_EXIT = 3


def run(args: argparse.Namespace) -> int:
    screenshots: Path | None = getattr(args, "screenshots", None)
    if screenshots is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from gui.app import run_dashboard  # Qt loads only when the dashboard really opens
    except ImportError as error:
        print(qt_missing_message(error), file=sys.stderr)
        return QT_MISSING_EXIT
    if screenshots is not None:
        return _screenshots(args.api, screenshots)
    return run_dashboard(args.api, [sys.argv[0]])


def _screenshots(api_url: str, directory: Path) -> int:
    from PySide6.QtWidgets import QApplication

    from gui.api_backend import ApiBackend
    from gui.screenshots import take_screenshots

    application = QApplication.instance() or QApplication([sys.argv[0]])
    backend = ApiBackend(api_url)
    try:
        written = take_screenshots(
            backend, directory, agent_address=api_url, pin=os.environ.get("BAOAN_PIN") or None
        )
    finally:
        backend.close()
    del application
    for path in written:
        print(path)
    return 0 if written else 1


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
