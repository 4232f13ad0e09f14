"""`baoan system`: put the PC's protection in place, or give the PC back (for installers).

    baoan system install  [--config FILE] [--data-dir DIR] [--agent-address ADDR ...]
    baoan system remove   [--config FILE] [--data-dir DIR]
    baoan system install-dns | restore-dns | install-browser-policies |
                 remove-browser-policies | install-firewall [--child-account USER ...] |
                 remove-firewall

`install` points the system's DNS at the agent (saving what was there), writes the
browsers' policies and the firewall rules for the children's accounts (from family.toml
unless `--child-account` names them); `remove` undoes all three. Run as root /
Administrator. Exit codes: 0 done; 1 a system command failed; 2 nothing to do on this OS.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from agent.commands.common import default_config_path, default_data_dir
from agent.policy.errors import InvalidPolicyError
from agent.policy.loader import load_policy
from agent.system import SystemIntegration, for_os
from agent.system.runner import CommandFailedError, SubprocessRunner

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNSUPPORTED = 2
DEFAULT_AGENT_ADDRESSES = ("127.0.0.1", "::1")

ACTIONS = {
    "install": "point DNS at the agent, write the browser policies and the firewall rules",
    "remove": "give back the DNS settings, remove the browser policies and firewall rules",
    "install-dns": "point the system's DNS at the agent (saving what was there)",
    "restore-dns": "give back the DNS settings saved at install",
    "install-browser-policies": "DNS over HTTPS off, SafeSearch and YouTube restricted",
    "remove-browser-policies": "remove the browser policies Bảo An wrote",
    "install-firewall": "the children's accounts reach DNS only through the agent",
    "remove-firewall": "remove Bảo An's firewall rules",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "system",
        help="put the PC's DNS, browser policies and firewall in place, or give them back",
        description="For installers (as root / Administrator): the system's DNS, the "
        "browsers' policies and the firewall rules that keep the children's programs on "
        "the agent.",
    )
    actions = parser.add_subparsers(dest="system_action", metavar="ACTION", required=True)
    for name, help_text in ACTIONS.items():
        action = actions.add_parser(name, help=help_text, description=help_text)
        action.add_argument("--config", type=Path, help="the agent's family.toml")
        action.add_argument("--data-dir", type=Path, help="the agent's data folder")
        if name in ("install", "install-dns"):
            action.add_argument(
                "--agent-address", action="append", metavar="ADDR",
                help="where the agent answers DNS (repeatable; default 127.0.0.1 and ::1)",
            )
        if name in ("install", "install-firewall"):
            action.add_argument(
                "--child-account", action="append", metavar="USER",
                help="a child's OS account (repeatable; default: every child's os_users)",
            )
        action.set_defaults(func=run)


def child_accounts(args: argparse.Namespace) -> tuple[str, ...]:
    if getattr(args, "child_account", None):
        return tuple(args.child_account)
    policy = load_policy(args.config or default_config_path())
    return tuple(user for child in policy.children for user in child.os_users)


def perform(system: SystemIntegration, args: argparse.Namespace) -> None:
    action: str = args.system_action
    addresses = tuple(getattr(args, "agent_address", None) or DEFAULT_AGENT_ADDRESSES)
    if action in ("install", "install-dns"):
        system.point_dns_at_agent(addresses)
    if action in ("install", "install-browser-policies"):
        system.install_browser_policies()
    if action in ("install", "install-firewall"):
        system.install_firewall(child_accounts(args))
    if action in ("remove", "restore-dns"):
        system.restore_dns()
    if action in ("remove", "remove-browser-policies"):
        system.remove_browser_policies()
    if action in ("remove", "remove-firewall"):
        system.remove_firewall()


def run(args: argparse.Namespace, system: SystemIntegration | None = None) -> int:
    if system is None:
        data_dir = args.data_dir or default_data_dir()
        system = for_os(runner=SubprocessRunner(), data_dir=data_dir)
    if system is None:
        print(f"baoan system: Bảo An chưa hỗ trợ việc này trên {sys.platform}. / "
              f"not built for {sys.platform} yet.", file=sys.stderr)
        return EXIT_UNSUPPORTED
    try:
        perform(system, args)
    except InvalidPolicyError as error:
        print(str(error), file=sys.stderr)
        return EXIT_FAILED
    except (CommandFailedError, OSError, ValueError) as error:
        print(f"baoan system {args.system_action}: {error}", file=sys.stderr)
        return EXIT_FAILED
    log.info("baoan system %s: done", args.system_action)
    return EXIT_OK
