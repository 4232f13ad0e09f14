"""`baoan check NAME`: the verdict the policy gives for a domain name, with no server."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from agent.commands.common import default_config_path, default_data_dir, report_policy_error
from agent.policy.errors import InvalidPolicyError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="show whether the policy allows, blocks or rewrites a domain name",
        description="The verdict the family policy gives for NAME, with no server running.",
    )
    parser.add_argument("name", metavar="NAME", help="a domain name, e.g. tiktok.com")
    parser.add_argument("--config", type=Path, help="family.toml (default: the OS's place)")
    parser.add_argument("--data-dir", type=Path, help="where downloaded lists are kept")
    parser.add_argument("--child", help="whose rules (default: the PC's default child)")
    parser.add_argument("--type", default="A", dest="qtype", help="query type (default A)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.lists_service import load_list_matchers
    from agent.policy import load_policy
    from agent.policy.compile import compile_filter_policy
    from dns_filter.verdict import verdict

    config = args.config or default_config_path()
    try:
        family = load_policy(config)
    except InvalidPolicyError as error:
        return report_policy_error(error)
    except OSError as error:
        print(f"baoan check: cannot read {config}: {error.strerror}", file=sys.stderr)
        return 1
    data_dir = args.data_dir or default_data_dir()
    categories = load_list_matchers(family.settings.lists, data_dir)
    policy = compile_filter_policy(family, categories, "127.0.0.1", "::1")
    try:
        found = verdict(policy, args.child, args.name, args.qtype)
    except ValueError as error:
        print(f"baoan check: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({
            "name": args.name,
            "child": found.profile,
            "decision": found.decision,
            "reason": found.reason.to_json(),
            "answer_type": str(found.answer_type) if found.answer_type else None,
        }, ensure_ascii=False))
    else:
        from agent.pages.explain import reason_in_words
        from agent.policy.services import load_catalogue

        words = reason_in_words(found.reason, str(family.settings.language), load_catalogue())
        print(f"{args.name}: {found.decision} — {words} (child: {found.profile or '-'})")
    return 0
