"""`baoan policy validate FILE`: check a family policy and say precisely what is wrong."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from agent.policy.compile import resolve_child
from agent.policy.errors import InvalidPolicyError
from agent.policy.loader import load_policy
from agent.policy.model import FamilyPolicy


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "policy",
        help="work with the family policy file",
        description="Chính sách gia đình / the family policy (family.toml).",
    )
    actions = parser.add_subparsers(dest="policy_command", metavar="ACTION")
    validate = actions.add_parser(
        "validate",
        help="check a family.toml; exit 0 if valid, 1 with each error otherwise",
    )
    validate.add_argument("file", type=Path, metavar="FILE")
    validate.set_defaults(func=run_validate)
    parser.set_defaults(func=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def run_validate(args: argparse.Namespace) -> int:
    try:
        policy = load_policy(args.file)
    except InvalidPolicyError as error:
        for problem in error.errors:
            print(problem, file=sys.stderr)
        count = len(error.errors)
        print(
            f"{args.file}: không hợp lệ / not valid ({count} "
            f"{'error' if count == 1 else 'errors'})",
            file=sys.stderr,
        )
        return 1
    print(summarise(args.file, policy))
    return 0


def summarise(path: Path, policy: FamilyPolicy) -> str:
    year = date.today().year
    lines = [f"{path}: hợp lệ / valid (schema_version {policy.schema_version})"]
    for child in policy.children:
        resolved = resolve_child(child, year)
        preset_id = resolved.preset.preset_id
        lines.append(
            f"  trẻ / child: {child.name}, {resolved.age} tuổi / years → {preset_id}"
            f", {len(resolved.blocked_categories)} nhóm chặn / blocked categories"
            f", {len(resolved.blocked_services)} dịch vụ chặn / blocked services"
        )
    default = policy.pc_default_child()
    if default:
        lines.append(f"  trẻ mặc định của máy / PC's default child: {default}")
    settings = policy.settings
    lines.append(
        f"  {len(settings.upstreams)} upstream, {len(policy.devices)} thiết bị / devices, "
        f"{len(policy.caregivers)} người thân / caregivers, "
        f"ngôn ngữ / language {settings.language.value}, {settings.timezone}"
    )
    return "\n".join(lines)
