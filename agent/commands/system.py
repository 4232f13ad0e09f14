"""`baoan system`: the changes to the PC that protection depends on, one command each.

    baoan system install-dns [--agent-address ADDR ...]   # the system's DNS → the agent
    baoan system restore-dns                               # the saved settings back
    baoan system install-policies | remove-policies        # the browsers' policies
    baoan system install-firewall [--child-account U ...]  # other resolvers off for children
    baoan system remove-firewall

The package's maintainer scripts (and the agent's tamper watch, through the same
`agent.system` classes) make these changes, so each has one implementation. Root only.
`--root DIR` (default: `$DPKG_ROOT`, else `/`) works on the files under another root;
the running PC's services are then left alone (the firewall still acts on the network
namespace the command runs in).

Exit codes: 0 done; 1 the change failed (the message says why); 4 not root.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from agent.policy.errors import InvalidPolicyError
from agent.policy.loader import load_policy
from agent.system import SystemIntegration, SystemSetupError, UnsupportedSystemError, for_os
from agent.system.runner import SubprocessRunner

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_NOT_ROOT = 4

DEFAULT_AGENT_ADDRESSES = ("127.0.0.1",)  # where the installed agent answers DNS
CONFIG_UNDER_ROOT = "etc/baoan/family.toml"

ACTIONS = (
    ("install-dns", "point the system's DNS at the agent, saving the previous settings"),
    ("restore-dns", "give back the DNS settings saved by install-dns"),
    ("install-policies", "put the browsers' policies in place (DoH off, SafeSearch)"),
    ("remove-policies", "take the browsers' policies out again"),
    ("install-firewall", "keep the children's accounts away from other resolvers"),
    ("remove-firewall", "remove the firewall rules"),
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "system",
        help="set up or give back the PC's DNS, browser policies and firewall (as root)",
        description="Thay đổi cài đặt hệ thống mà Bảo An cần (chạy với quyền root). "
        "Set up or give back the system settings Bảo An depends on (run as root).",
    )
    parser.add_argument(
        "--root", type=Path, default=None, metavar="DIR",
        help="work on the files under DIR (default: $DPKG_ROOT, else /)",
    )
    actions = parser.add_subparsers(dest="system_action", metavar="ACTION", required=True)
    for name, help_text in ACTIONS:
        action = actions.add_parser(name, help=help_text, description=help_text)
        if name == "install-dns":
            action.add_argument(
                "--agent-address", action="append", default=[], metavar="ADDR",
                help="an address the agent answers DNS on (default: 127.0.0.1)",
            )
        if name == "install-firewall":
            action.add_argument(
                "--child-account", action="append", default=[], metavar="USER",
                help="a child's account on this PC (default: every child's os_users "
                "in family.toml)",
            )
            action.add_argument(
                "--config", type=Path, metavar="FILE",
                help="family.toml to read the children's accounts from "
                "(default: ROOT/etc/baoan/family.toml)",
            )
        action.set_defaults(func=run)


def system_root(args: argparse.Namespace) -> Path:
    if args.root is not None:
        return Path(args.root)
    return Path(os.environ.get("DPKG_ROOT") or "/")


def build_integration(root: Path) -> SystemIntegration:
    return for_os(SubprocessRunner(), root)


def children_accounts(config: Path) -> tuple[str, ...]:
    family = load_policy(config)
    return tuple(user for child in family.children for user in child.os_users)


def run(args: argparse.Namespace, integration: SystemIntegration | None = None) -> int:
    action: str = args.system_action
    if integration is None and hasattr(os, "geteuid") and os.geteuid() != 0:
        print(
            f"baoan system {action}: chạy với quyền root (sudo). / run this as root (sudo): "
            "it changes the PC's own settings.",
            file=sys.stderr,
        )
        return EXIT_NOT_ROOT
    root = system_root(args)
    try:
        system = integration or build_integration(root)
        _perform(action, args, system, root)
    except UnsupportedSystemError as error:
        print(f"baoan system {action}: {error}", file=sys.stderr)
        return EXIT_FAILED
    except InvalidPolicyError as error:
        print(f"baoan system {action}: the children's accounts are not known:\n{error}",
              file=sys.stderr)
        return EXIT_FAILED
    except (SystemSetupError, OSError, ValueError) as error:
        print(f"baoan system {action}: không thực hiện được / failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _perform(action: str, args: argparse.Namespace, system: SystemIntegration,
             root: Path) -> None:
    if action == "install-dns":
        addresses = tuple(args.agent_address) or DEFAULT_AGENT_ADDRESSES
        system.point_dns_at_agent(addresses)
        print(f"DNS → Bảo An ({', '.join(addresses)})", file=sys.stderr)
    elif action == "restore-dns":
        system.restore_dns()
        print("DNS: đã trả lại cài đặt cũ / the previous settings are back", file=sys.stderr)
    elif action == "install-policies":
        system.install_browser_policies()
        print("Trình duyệt / browsers: policies in place", file=sys.stderr)
    elif action == "remove-policies":
        system.remove_browser_policies()
        print("Trình duyệt / browsers: policies removed", file=sys.stderr)
    elif action == "install-firewall":
        accounts = tuple(args.child_account) or children_accounts(
            args.config or root / CONFIG_UNDER_ROOT
        )
        system.install_firewall(accounts)
        shown = ", ".join(accounts) or "none"
        print(f"Tường lửa / firewall: children's accounts {shown}", file=sys.stderr)
    elif action == "remove-firewall":
        system.remove_firewall()
        print("Tường lửa / firewall: rules removed", file=sys.stderr)
    else:  # argparse allows only the actions above
        raise ValueError(f"unknown action {action!r}")
