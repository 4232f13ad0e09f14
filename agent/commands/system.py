"""`baoan system`: put the PC's protection in place, or give the PC back (for installers).

    baoan system [--root DIR] install  [--config FILE] [--data-dir DIR] [--agent-address ADDR ...]
    baoan system [--root DIR] remove   [--config FILE] [--data-dir DIR]
    baoan system [--root DIR] install-dns | restore-dns | install-policies |
                 remove-policies | install-firewall [--child-account USER ...] |
                 remove-firewall

`install` points the system's DNS at the agent (saving what was there), writes the
browsers' policies and the firewall rules for the children's accounts (from family.toml
unless `--child-account` names them); `remove` undoes all three. The Linux package's
maintainer scripts run each step alone, so each change has one implementation, shared
with the agent's tamper watch. Run as root / Administrator.

`--root DIR` (Linux; default `$DPKG_ROOT`, else `/`: `/etc/baoan/family.toml` and
`/var/lib/baoan`, the package's places) works on the files under another
root, as `dpkg --root` installs there: the policy is `DIR/etc/baoan/family.toml`, the
saved settings under `DIR/var/lib/baoan`, and the running PC's services are left alone
(the firewall still acts on the network namespace the command runs in).

Exit codes: 0 done; 1 a change failed (the message says why); 2 nothing to do on this
OS; 4 not root.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from agent.alert_delivery import cancel_pc_signals
from agent.commands.common import default_config_path, default_data_dir
from agent.policy.errors import InvalidPolicyError
from agent.policy.loader import load_policy
from agent.secrets import open_secret_store
from agent.system import SystemIntegration, SystemSetupError, default_agent_addresses, for_os
from agent.system.runner import CommandFailedError, SubprocessRunner

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNSUPPORTED = 2
EXIT_NOT_ROOT = 4

CONFIG_UNDER_ROOT = "etc/baoan/family.toml"
DATA_UNDER_ROOT = "var/lib/baoan"

ACTIONS = {
    "install": "point DNS at the agent, write the browser policies and the firewall rules",
    "remove": "give back the DNS settings, remove the browser policies and firewall rules",
    "install-dns": "point the system's DNS at the agent (saving what was there)",
    "restore-dns": "give back the DNS settings saved at install",
    "install-policies": "DNS over HTTPS off, SafeSearch and YouTube restricted",
    "remove-policies": "remove the browser policies Bảo An wrote",
    "install-firewall": "the children's accounts reach DNS only through the agent",
    "remove-firewall": "remove Bảo An's firewall rules",
}
# Earlier names of two actions, still understood.
ALIASES = {
    "install-policies": ["install-browser-policies"],
    "remove-policies": ["remove-browser-policies"],
}
CANONICAL = {alias: name for name, aliases in ALIASES.items() for alias in aliases}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "system",
        help="put the PC's DNS, browser policies and firewall in place, or give them back",
        description="Cho trình cài đặt (quyền root / Administrator). For installers (as "
        "root / Administrator): the system's DNS, the browsers' policies and the firewall "
        "rules that keep the children's programs on the agent.",
    )
    parser.add_argument(
        "--root", type=Path, default=None, metavar="DIR",
        help="work on the files under DIR (default: $DPKG_ROOT, else /)",
    )
    actions = parser.add_subparsers(dest="system_action", metavar="ACTION", required=True)
    for name, help_text in ACTIONS.items():
        action = actions.add_parser(
            name, help=help_text, description=help_text, aliases=ALIASES.get(name, [])
        )
        action.add_argument("--config", type=Path, help="the agent's family.toml")
        action.add_argument("--data-dir", type=Path, help="the agent's data folder")
        if name in ("install", "install-dns"):
            action.add_argument(
                "--agent-address", action="append", metavar="ADDR",
                help="where the agent answers DNS (repeatable; default 127.0.0.1, and ::1 "
                "outside Linux)",
            )
        if name in ("install", "install-firewall"):
            action.add_argument(
                "--child-account", action="append", metavar="USER",
                help="a child's OS account (repeatable; default: every child's os_users)",
            )
        action.set_defaults(func=run)


def system_root(args: argparse.Namespace) -> Path | None:
    """The root the command works under; None: the PC's own, where the OS module knows
    its places (on Linux the package's: "/", so /etc/baoan and /var/lib/baoan)."""
    root = getattr(args, "root", None)
    if root is not None:
        return Path(root)
    from_dpkg = os.environ.get("DPKG_ROOT")
    if from_dpkg:
        return Path(from_dpkg)
    return Path("/") if sys.platform.startswith("linux") else None


def config_path(args: argparse.Namespace) -> Path:
    if args.config is not None:
        return Path(args.config)
    root = system_root(args)
    return root / CONFIG_UNDER_ROOT if root is not None else default_config_path()


def data_dir(args: argparse.Namespace) -> Path:
    if args.data_dir is not None:
        return Path(args.data_dir)
    root = system_root(args)
    return root / DATA_UNDER_ROOT if root is not None else default_data_dir()


def child_accounts(args: argparse.Namespace) -> tuple[str, ...]:
    if getattr(args, "child_account", None):
        return tuple(args.child_account)
    policy = load_policy(config_path(args))
    return tuple(user for child in policy.children for user in child.os_users)


def action_of(args: argparse.Namespace) -> str:
    action: str = args.system_action
    return CANONICAL.get(action, action)


def perform(system: SystemIntegration, args: argparse.Namespace) -> None:
    action = action_of(args)
    addresses = tuple(getattr(args, "agent_address", None) or default_agent_addresses())
    if action in ("install", "install-dns"):
        system.point_dns_at_agent(addresses)
    if action in ("install", "install-policies"):
        system.install_browser_policies()
    if action in ("install", "install-firewall"):
        system.install_firewall(child_accounts(args))
    if action in ("remove", "restore-dns"):
        system.restore_dns()
    if action in ("remove", "remove-policies"):
        system.remove_browser_policies()
    if action in ("remove", "remove-firewall"):
        system.remove_firewall()


def run(args: argparse.Namespace, system: SystemIntegration | None = None) -> int:
    action = action_of(args)
    if system is None and hasattr(os, "geteuid") and os.geteuid() != 0:
        print(
            f"baoan system {action}: chạy với quyền root (sudo). / run this as root (sudo): "
            "it changes the PC's own settings.",
            file=sys.stderr,
        )
        return EXIT_NOT_ROOT
    if system is None:
        system = for_os(runner=SubprocessRunner(), root=system_root(args), data_dir=data_dir(args))
    if system is None:
        print(f"baoan system: Bảo An chưa hỗ trợ việc này trên {sys.platform}. / "
              f"not built for {sys.platform} yet.", file=sys.stderr)
        return EXIT_UNSUPPORTED
    try:
        perform(system, args)
    except InvalidPolicyError as error:
        print(f"baoan system {action}: the children's accounts are not known:\n{error}",
              file=sys.stderr)
        return EXIT_FAILED
    except (SystemSetupError, CommandFailedError, OSError, ValueError) as error:
        print(f"baoan system {action}: không thực hiện được / failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    if action == "remove":
        cancel_dead_man_signal(args)
    print(f"baoan system {action}: xong / done", file=sys.stderr)
    return EXIT_OK


def cancel_dead_man_signal(args: argparse.Namespace) -> None:
    """A parent removing Bảo An stops protection on purpose: cancel this PC's pending
    "stopped" message so the caregivers get no alarm 30 minutes later. Never in the way
    of the removal (a crash or a kill cancels nothing: then the alarm must come)."""
    try:
        family = load_policy(config_path(args))
    except (OSError, InvalidPolicyError):
        return
    if not any(caregiver.ntfy_topic for caregiver in family.caregivers):
        return
    folder = data_dir(args)
    try:
        cancel_pc_signals(folder, family, open_secret_store(folder))
    except Exception as error:
        log.warning("the dead-man signal was not cancelled: %s", error)
