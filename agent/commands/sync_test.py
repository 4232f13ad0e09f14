"""`baoan sync test`: a test alert to every caregiver's channel, each result in plain words.

    baoan sync test [--config FILE] [--data-dir DIR]

Sent at once, not through the outbox: the point is to see now whether each channel works.
Exit status 0 when every channel took it, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from agent.alert_delivery import (
    AlertRouting,
    ChannelOutcome,
    ntfy_token_secret,
    pc_name,
    send_test_alert,
)
from agent.commands.common import default_config_path, default_data_dir, report_policy_error
from agent.policy.errors import InvalidPolicyError
from agent.policy.loader import load_policy
from agent.secrets import open_secret_store
from dns_filter.http_client import HttpClient
from sync.deadman import Support, probe
from sync.ntfy import NtfyTopic

DEAD_MAN_WORDS = {
    Support.REPLACES: (
        "ntfy 2.16 trở lên: máy chủ thay được tin hẹn giờ, nên có tín hiệu báo máy ngừng — "
        "nếu máy {pc} tắt, mất mạng hay Bảo An bị dừng, người thân được báo trong 30 phút. "
        "(ntfy 2.16 or later: scheduled messages are replaced, so the dead-man signal works: "
        "if {pc} is off, offline or Bảo An is stopped, caregivers hear it within 30 minutes.)"
    ),
    Support.KEEPS_EVERY_COPY: (
        "máy chủ ntfy cũ hơn 2.16: không thay được tin hẹn giờ, nên KHÔNG có tín hiệu báo máy "
        "ngừng — người thân sẽ không được báo khi máy {pc} tắt hay Bảo An bị dừng. Hãy nâng "
        "máy chủ lên ntfy 2.16 trở lên. (Older than 2.16: scheduled messages are not "
        "replaced, so there is NO dead-man signal; caregivers are not told when {pc} stops. "
        "Upgrade the server to ntfy 2.16 or later.)"
    ),
    Support.UNKNOWN: (
        "chưa biết máy chủ có thay được tin hẹn giờ không (không hỏi được máy chủ, hoặc thiếu "
        "quyền trên chủ đề -probe): chưa chắc có tín hiệu báo máy ngừng. (Cannot tell whether "
        "the server replaces scheduled messages: the dead-man signal is not confirmed.)"
    ),
}
RESULT_WORDS = {
    ChannelOutcome.SENT: "đã gửi (sent)",
    ChannelOutcome.REFUSED: "bị từ chối, sẽ không thử lại (refused): {detail}",
    ChannelOutcome.RETRY: "chưa gửi được, Bảo An sẽ thử lại sau (will retry): {detail}",
    ChannelOutcome.NOT_SET_UP: "chưa đủ thiết lập (not set up: an email needs --smtp)",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("sync", help="check the caregivers' alert channels")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    test = actions.add_parser("test", help="send a test alert to every caregiver's channel")
    test.add_argument("--config", type=Path, default=None, help="family.toml")
    test.add_argument("--data-dir", type=Path, default=None,
                      help="the agent's data folder (where its keyring file is)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    config: Path = args.config or default_config_path()
    try:
        family = load_policy(config)
    except FileNotFoundError:
        print(f"{config} does not exist: create it with `baoan init`", file=sys.stderr)
        return 1
    except InvalidPolicyError as error:
        return report_policy_error(error)
    secrets = open_secret_store(args.data_dir or default_data_dir())
    http = HttpClient()
    routing = AlertRouting(lambda: family, secrets, http)
    pc = pc_name(family)
    results = send_test_alert(routing, pc)
    if not results:
        out.write("Chưa có người thân nào nhận cảnh báo: thêm bằng `baoan caregiver add`.\n")
        return 1
    for result in results:
        words = RESULT_WORDS[result.outcome].format(detail=result.detail)
        out.write(f"{result.receiver}: {words}\n")
    servers = {c.ntfy_server: c.ntfy_topic for c in family.caregivers if c.ntfy_topic}
    for server, topic in servers.items():
        assert topic is not None
        where = NtfyTopic(server, topic, secrets.get(ntfy_token_secret(server)))
        out.write(f"{server}: {DEAD_MAN_WORDS[probe(http, where)].format(pc=pc)}\n")
    failed = [result for result in results if result.outcome is not ChannelOutcome.SENT]
    return 0 if not failed else 1
