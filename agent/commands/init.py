"""`baoan init`: write a new, valid, commented `family.toml` with a first child."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from agent.alert_receivers import help_alerts_unheard
from agent.policy.errors import InvalidPolicyError
from agent.policy.loader import UPSTREAM_EXAMPLES
from agent.policy.model import MAX_CHILD_AGE
from agent.policy.presets import preset_for_age
from agent.policy.template import render_initial_policy
from agent.policy.writer import backup_path, write_policy_text
from dns_filter.upstreams import UpstreamConfigError, parse_upstream_url

HELP_ALERTS_UNHEARD_AT_INIT = (
    "Lưu ý: tin báo Trợ giúp đang bật nhưng chưa có người thân nào để nhận. Khi con chọn báo "
    "cho gia đình trong Trợ giúp / 111, Bảo An sẽ nói thật với con là chưa ai được báo. "
    "Hãy thêm một [[caregivers]] (ntfy_topic hoặc email) vào tệp, hoặc đặt "
    "help_alerts_caregivers = false.\n"
    "Note: help alerts are on but no caregiver is set up to receive them; add a "
    "[[caregivers]] entry (ntfy_topic or email), or set help_alerts_caregivers = false."
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "init",
        help="write a new family.toml with a first child",
        description="Viết tệp family.toml mới cho một trẻ, theo gói tuổi. "
        "Write a new family.toml with one child on the preset for their age.",
    )
    parser.add_argument("--config", required=True, type=Path, metavar="FILE", help="family.toml")
    parser.add_argument("--child", required=True, metavar="NAME", help="the child's name")
    parser.add_argument(
        "--age", required=True, type=int, metavar="N", help=f"the child's age (0–{MAX_CHILD_AGE})"
    )
    parser.add_argument(
        "--os-user",
        action="append",
        default=[],
        metavar="USER",
        help="the child's account on this PC (repeat for several)",
    )
    parser.add_argument(
        "--upstream",
        action="append",
        default=[],
        metavar="URL",
        help=f"an upstream DNS server, e.g. {UPSTREAM_EXAMPLES} (repeat for several)",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace an existing file (it is kept as FILE.bak)"
    )
    parser.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"baoan init: {message}", file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    path: Path = args.config
    name = args.child.strip()
    if not name:
        return _fail("--child: expected the child's name, a non-empty string")
    if not 0 <= args.age <= MAX_CHILD_AGE:
        return _fail(
            f"--age: expected a whole number from 0 to {MAX_CHILD_AGE}, got {args.age} "
            "(Bảo An is for children / Bảo An dành cho trẻ em)"
        )
    for url in args.upstream:
        try:
            parse_upstream_url(url)
        except UpstreamConfigError as error:
            return _fail(
                f'--upstream "{url}": expected a DNS server URL such as {UPSTREAM_EXAMPLES} '
                f"({error.reason})"
            )
    if path.exists() and not args.force:
        return _fail(
            f"{path} already exists; nothing was changed. Use --force to replace it "
            f"(the old file is kept as {backup_path(path)} if it was valid). / "
            "Tệp đã tồn tại; dùng --force để thay thế."
        )
    if not path.parent.is_dir():
        return _fail(f"the folder {path.parent} does not exist")

    text = render_initial_policy(name, args.age, args.os_user, args.upstream)
    try:
        written = write_policy_text(path, text)
    except InvalidPolicyError as error:
        return _fail(f"the new policy is not valid:\n{error}")
    except OSError as error:
        return _fail(f"cannot write {path}: {error.strerror or error}")

    preset = preset_for_age(args.age)
    print(f"Đã tạo / created {path}")
    print(f"  {name}, {args.age} tuổi / years old → {preset.preset_id} ({preset.name_vi})")
    print(f"Kiểm tra / check:  baoan policy validate {path}")
    if help_alerts_unheard(written):
        print(HELP_ALERTS_UNHEARD_AT_INIT)
    return 0
