"""`baoan pc init`: this PC's own settings out of family.toml, into this-pc.toml beside it.

    baoan pc init [--config FILE] [--name NAME]

A family that keeps family.toml in step between its PCs (Syncthing, docs/syncthing.md)
must keep what belongs to one PC out of the shared file: its name in alerts, its default
child, each child's OS accounts on it, its LAN devices. This command moves those keys
from family.toml into a new this-pc.toml (agent.policy.this_pc): both files are checked
as one policy first (the PC's rules stay exactly as they were), written by the policy
writer under the folder's lock (atomic, sealed, the old family.toml kept as its backup),
and family.toml keeps its comments and layout (tomlkit). The agent adopts the pair within
two seconds and keeps both as its last good copies.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from agent.alert_receivers import pc_name
from agent.commands.common import default_config_path, report_policy_error
from agent.policy.editing import PolicyTextError, apply_policy_json, policy_json
from agent.policy.errors import InvalidPolicyError
from agent.policy.folder_lock import PolicyLockTimeoutError, policy_folder_lock
from agent.policy.loader import load_policy
from agent.policy.this_pc import local_policy_path, split_policy_json
from agent.policy.writer import write_policy_pair

LOCAL_HEADER = (
    "# this-pc.toml: what belongs to this PC only; never synced (docs/syncthing.md).\n"
    "# The family's rules are in family.toml beside it.\n"
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pc",
        help="this PC's own settings (this-pc.toml), for a family.toml shared by several PCs",
        description="Cài đặt riêng của máy này (this-pc.toml) khi nhiều máy dùng chung "
        "family.toml. This PC's own settings, for a family.toml shared by several PCs.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init",
        help="move this PC's name, accounts, devices and default child into this-pc.toml",
    )
    init.add_argument("--config", type=Path, default=None, help="family.toml")
    init.add_argument("--name", default=None,
                      help="this PC's name in alerts (default: its host name)")
    parser.set_defaults(func=run)


def local_text(own: dict[str, object]) -> str:
    """This PC's file for `own` (its name first), with a word on what it is."""
    import tomlkit  # here: every command module is imported when the agent starts

    document = tomlkit.parse(LOCAL_HEADER)
    keys = ("name", "default_child", "children", "devices")
    ordered: dict[str, object] = {key: own[key] for key in keys if key in own}
    return apply_policy_json(tomlkit.dumps(document), ordered)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    config: Path = args.config or default_config_path()
    local = local_policy_path(config)
    try:
        if not config.exists():
            raise FileNotFoundError(config)
        with policy_folder_lock(config):
            if local.exists():
                print(f"{local} đã có (already exists): sửa tệp đó, hoặc xóa nó rồi chạy lại "
                      "(edit it, or delete it and run this again).", file=sys.stderr)
                return 1
            text = config.read_text(encoding="utf-8")
            before = load_policy(config)
            shared, own = split_policy_json(policy_json(text), {})
            own = {"name": (args.name or pc_name(before)).strip(), **own}
            after = write_policy_pair(config, apply_policy_json(text, shared), local,
                                      local_text(own))
    except FileNotFoundError:
        print(f"{config} does not exist: create it with `baoan init`", file=sys.stderr)
        return 1
    except InvalidPolicyError as error:
        return report_policy_error(error)
    except (PolicyTextError, PolicyLockTimeoutError, OSError) as error:
        print(str(error), file=sys.stderr)
        return 1
    accounts = sum(len(child.os_users) for child in after.children)
    out.write(
        f"Đã tạo {local} cho máy {after.pc_name}: {accounts} tài khoản, "
        f"{len(after.devices)} thiết bị, trẻ mặc định {after.default_child or '—'}.\n"
        f"(Created {local} for {after.pc_name}: {accounts} account(s), "
        f"{len(after.devices)} device(s); family.toml no longer holds them.)\n"
    )
    if not accounts:
        out.write(
            "Chưa có tài khoản của trẻ nào trên máy này: thêm os_users cho từng trẻ trong "
            f"{local.name}. (No child's account on this PC yet: add each child's os_users "
            f"in {local.name}.)\n"
        )
    out.write("Bỏ qua this-pc.toml khi đồng bộ (.stignore): docs/syncthing.md\n")
    return 0
