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


def run(args: argparse.Namespace) -> int:
    from gui.app import run_dashboard  # Qt loads only when the dashboard really opens

    return run_dashboard(args.api, [sys.argv[0]])
