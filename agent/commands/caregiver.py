"""`baoan caregiver add|list|remove`: who hears Bảo An's alerts, edited in family.toml.

    baoan caregiver add NAME (--ntfy [URL/]TOPIC | --email ADDRESS [--smtp HOST:PORT] |
                             --apprise URL)
                        [--config FILE] [--data-dir DIR] [--token-stdin | --smtp-user USER
                        --password-stdin]
    baoan caregiver list [--config FILE]
    baoan caregiver remove NAME [--config FILE]

The file is edited through the policy writer (validated, sealed, the old one kept as the
backup); secrets (an ntfy access token, the SMTP password) go to the keyring, never to the
file. `add --ntfy` prints the topics and the ntfy access rules a family should set.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from agent.alert_delivery import (
    apprise_secret,
    cancel_pc_signals,
    ntfy_token_secret,
    smtp_secret,
)
from agent.caregiver_editor import MIN_TOPIC_CHARS, new_topic
from agent.commands.common import default_config_path, default_data_dir, report_policy_error
from agent.phone_approvals import commands_topic
from agent.policy.editing import PolicyTextError, apply_policy_json, policy_json
from agent.policy.errors import InvalidPolicyError
from agent.policy.folder_lock import PolicyLockTimeoutError, policy_folder_lock
from agent.policy.loader import load_policy
from agent.policy.model import DEFAULT_NTFY_SERVER, FamilyPolicy
from agent.policy.writer import write_policy_text
from agent.secrets import open_secret_store
from sync.deadman import probe_topic


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "caregiver",
        help="add, list or remove who hears the alerts (family.toml)",
        description="Who hears Bảo An's alerts: the caregivers in family.toml.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a caregiver with an ntfy topic or an email")
    add.add_argument("name")
    channel = add.add_mutually_exclusive_group(required=True)
    channel.add_argument(
        "--ntfy",
        metavar="[URL/]TOPIC",
        help="an ntfy server and/or topic; a server alone gets an unguessable new topic",
    )
    channel.add_argument("--email", metavar="ADDRESS")
    channel.add_argument("--apprise", metavar="URL",
                         help="an Apprise URL (kept in the keyring: it may hold a token)")
    add.add_argument("--smtp", metavar="HOST:PORT",
                     help="the mail server (port 465: TLS, else STARTTLS)")
    add.add_argument("--smtp-user", metavar="USER", help="the mail account Bảo An sends from")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the mail account's password from standard input")
    add.add_argument("--token-stdin", action="store_true",
                     help="read the ntfy access token Bảo An uses from standard input")
    listing = actions.add_parser("list", help="the caregivers and their channels")
    remove = actions.add_parser("remove", help="remove a caregiver")
    remove.add_argument("name")
    for sub in (add, listing, remove):
        sub.add_argument("--config", type=Path, default=None, help="family.toml")
        sub.add_argument("--data-dir", type=Path, default=None,
                         help="the agent's data folder (where its keyring file is)")
    parser.set_defaults(func=run)


def split_ntfy(value: str) -> tuple[str, str]:
    """`https://host/topic`, `https://host` or `topic` -> (server, topic or "")."""
    if "://" not in value:
        return DEFAULT_NTFY_SERVER, value.strip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an ntfy server URL")
    server = f"{parts.scheme}://{parts.netloc}"
    return server, parts.path.strip("/")


def run(args: argparse.Namespace, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    config: Path = args.config or default_config_path()
    try:
        if args.action == "list":
            return _list(config, out)
        if not config.exists():
            raise FileNotFoundError(config)
        # From the read to the write: the agent's policy API (another process) waits, so
        # neither edit is lost.
        with policy_folder_lock(config):
            text = config.read_text(encoding="utf-8")
            plain = policy_json(text)
            listed = plain.get("caregivers")
            caregivers = (
                [c for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []
            )
            if args.action == "remove":
                before = _remove(args, config, text, plain, caregivers, out)
                if before is None:
                    return 1
            elif any(str(c.get("name", "")).casefold() == args.name.casefold()
                     for c in caregivers):
                print(f"{args.name} đã có trong family.toml (already a caregiver).",
                      file=sys.stderr)
                return 1
            else:
                return _add(args, config, text, plain, caregivers, stdin or sys.stdin, out)
        # Outside the lock: the server's round trip does not hold up the agent's edits.
        _cancel_signals_of_removed(args, config, before)
        return 0
    except FileNotFoundError:
        print(f"{config} does not exist: create it with `baoan init`", file=sys.stderr)
        return 1
    except InvalidPolicyError as error:
        return report_policy_error(error)
    except (PolicyTextError, ValueError, PolicyLockTimeoutError) as error:
        print(str(error), file=sys.stderr)
        return 1


def _remove(
    args: argparse.Namespace,
    config: Path,
    text: str,
    plain: dict[str, object],
    caregivers: list[dict[str, Any]],
    out: TextIO,
) -> FamilyPolicy | None:
    """Write the file without `args.name`; the policy before, or None: no such caregiver."""
    kept = [c for c in caregivers if str(c.get("name", "")).casefold() != args.name.casefold()]
    if len(kept) == len(caregivers):
        print(f"Không có người thân tên {args.name} (no such caregiver).", file=sys.stderr)
        return None
    plain["caregivers"] = kept
    before = load_policy(config)
    write_policy_text(config, apply_policy_json(text, plain))
    out.write(f"Đã bỏ {args.name} khỏi danh sách người thân nhận cảnh báo.\n")
    return before


def _add(
    args: argparse.Namespace,
    config: Path,
    text: str,
    plain: dict[str, object],
    caregivers: list[dict[str, Any]],
    stdin: TextIO,
    out: TextIO,
) -> int:
    entry: dict[str, object] = {"name": args.name}
    store = open_secret_store(args.data_dir or default_data_dir())
    server = topic = ""
    if args.ntfy is not None:
        server, topic = split_ntfy(args.ntfy)
        if not topic:
            topic = new_topic()
        elif len(topic) < MIN_TOPIC_CHARS:
            raise ValueError(
                f"the topic {topic!r} is short enough to guess; leave it out and Bảo An "
                "makes an unguessable one"
            )
        entry["ntfy_topic"] = topic
        if server != DEFAULT_NTFY_SERVER:
            entry["ntfy_server"] = server
        if args.token_stdin:
            store.set(ntfy_token_secret(server), stdin.readline().strip())
    elif args.apprise is not None:
        entry["apprise"] = True
        store.set(apprise_secret(args.name), args.apprise)
    else:
        entry["email"] = args.email
        if args.smtp:
            entry["smtp"] = args.smtp
            account: dict[str, str] = {}
            if args.smtp_user:
                account["username"] = args.smtp_user
                account["sender"] = args.smtp_user
            if args.password_stdin:
                account["password"] = stdin.readline().rstrip("\n")
            if account:
                store.set(smtp_secret(args.smtp), json.dumps(account))
    plain["caregivers"] = [*caregivers, entry]
    write_policy_text(config, apply_policy_json(text, plain))
    out.write(f"Đã thêm {args.name} vào danh sách người thân nhận cảnh báo.\n")
    if topic:
        out.write(_ntfy_rules(args.name, server, topic))
    elif args.email is not None and not args.smtp:
        out.write("Chưa có máy chủ thư: thêm --smtp HOST:PORT để Bảo An gửi được email.\n")
    return 0


def _cancel_signals_of_removed(
    args: argparse.Namespace, config: Path, before: FamilyPolicy
) -> None:
    """The removed caregiver's topic, when nobody left uses it, loses this PC's pending
    dead-man signal at once: it would otherwise reach them 30 minutes later as a false
    "Bảo An stopped"."""
    after = load_policy(config)
    kept = {(c.ntfy_server, c.ntfy_topic) for c in after.caregivers if c.ntfy_topic}
    gone = {
        (c.ntfy_server, c.ntfy_topic)
        for c in before.caregivers
        if c.ntfy_topic and c.name.casefold() == args.name.casefold()
    } - kept
    if not gone:
        return
    data_dir = args.data_dir or default_data_dir()
    try:
        cancel_pc_signals(data_dir, before, open_secret_store(data_dir),
                          topics={(server, str(topic)) for server, topic in gone})
    except Exception as error:  # the removal itself is done; the agent retries the rest
        logging.getLogger(__name__).warning("the dead-man signal was not cancelled: %s", error)


def _ntfy_rules(name: str, server: str, topic: str) -> str:
    command = commands_topic(topic)
    return (
        f"\nntfy: {server}\n"
        f"  Kênh cảnh báo (alerts topic):  {topic}\n"
        f"  Kênh lệnh (commands topic):   {command}\n"
        f"\n{name} đăng ký kênh cảnh báo trong ứng dụng ntfy ({server}/{topic}).\n"
        "Quy tắc truy cập nên đặt trên máy chủ ntfy (ntfy access rules):\n"
        f"  ntfy access everyone '{topic}*' deny\n"
        f"  ntfy access <người thân> {topic} read-only\n"
        f"  ntfy access <người thân> {command} write-only\n"
        f"  ntfy access <bảo an> {topic} write-only\n"
        f"  ntfy access <bảo an> {command} read-only\n"
        f"  ntfy access <bảo an> {probe_topic(topic)} read-write\n"
        "Mã truy cập của Bảo An (access token): baoan caregiver add ... --token-stdin\n"
    )


def _list(config: Path, out: TextIO) -> int:
    family = load_policy(config)
    if not family.caregivers:
        out.write("Chưa có người thân nào nhận cảnh báo (no caregivers yet).\n")
    for caregiver in family.caregivers:
        ways = []
        if caregiver.ntfy_topic:
            ways.append(f"ntfy {caregiver.ntfy_server}/{caregiver.ntfy_topic}")
        if caregiver.email:
            ways.append(f"email {caregiver.email}" + (f" via {caregiver.smtp}"
                                                       if caregiver.smtp else ""))
        if caregiver.apprise:
            ways.append("Apprise")
        out.write(f"{caregiver.name}: {'; '.join(ways)}\n")
    return 0
