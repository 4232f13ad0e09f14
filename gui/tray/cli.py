"""`baoan tray`: the child's tray, in the child's own desktop session.

    baoan tray [--api URL] [--token-file PATH] [--lang vi|en]

It reads the tray token the agent handed over (docs/tray.md) and runs until the session
ends. Without a token file it still runs, so that Help / 111 is always there.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

DEFAULT_API_URL = "http://127.0.0.1:8053"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "tray",
        help="the child's tray: Help / 111, blocked-site notices, what Bảo An watches",
        description=(
            "Run the child's tray in this desktop session: Help / 111, a notice for each "
            "blocked site, and what Bảo An watches."
        ),
    )
    parser.add_argument(
        "--api",
        metavar="URL",
        help=f"the agent's local API (default: the token file's, else {DEFAULT_API_URL})",
    )
    parser.add_argument(
        "--token-file",
        metavar="PATH",
        help="the tray token file (default: this account's file from the agent at --api, "
        "else from the installed service, among the agents' token folders)",
    )
    parser.add_argument("--lang", choices=("vi", "en"), help="the tray's language")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from gui.tray.app import run_tray  # Qt loads only when the tray really runs

    return run_tray(args.api, [sys.argv[0]], token_file=args.token_file, language=args.lang)
