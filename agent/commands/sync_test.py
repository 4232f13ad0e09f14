"""`baoan sync test`: a test alert to every caregiver's channel, each result in plain words.

    baoan sync test [--config FILE] [--data-dir DIR]

Sent at once, not through the outbox: the point is to see now whether each channel works.
Exit status 0 when every channel took it, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import Any, TextIO

import requests

from agent.alert_delivery import AlertRouting, ntfy_token_secret, pc_name
from agent.commands.common import default_config_path, default_data_dir, report_policy_error
from agent.policy.errors import InvalidPolicyError
from agent.policy.loader import load_policy
from agent.secrets import open_secret_store
from sync.deadman import Support, probe
from sync.delivery import Alert
from sync.ntfy import NtfyTopic
from sync.outbox import PermanentDeliveryError

DEAD_MAN_WORDS = {
    Support.REPLACES: "báo được khi máy ngừng báo tin (dead-man signal works)",
    Support.KEEPS_EVERY_COPY: (
        "máy chủ ntfy cũ hơn 2.16: người thân sẽ KHÔNG được báo khi máy tắt hay Bảo An bị "
        "dừng (the server is older than 2.16: no dead-man signal)"
    ),
    Support.UNKNOWN: (
        "chưa kiểm tra được tín hiệu khi máy ngừng báo tin (cannot check the dead-man signal)"
    ),
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("sync", help="check the caregivers' alert channels")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    test = actions.add_parser("test", help="send a test alert to every caregiver's channel")
    test.add_argument("--config", type=Path, default=None, help="family.toml")
    test.add_argument("--data-dir", type=Path, default=None,
                      help="the agent's data folder (where its keyring file is)")
    parser.set_defaults(func=run)


def test_alert() -> Alert:
    pc = pc_name()
    return Alert(
        alert_id=str(uuid.uuid4()),
        kind="test",
        severity="info",
        title="Bảo An: tin thử",
        message=f"Đây là tin thử từ Bảo An trên máy {pc}. Cảnh báo của Bảo An đã đến được với bạn.",
        title_en="Bảo An: test alert",
        message_en=f"A test from Bảo An on {pc}: alerts reach you.",
        pc=pc,
    )


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
    routing = AlertRouting(lambda: family, secrets)
    receivers = [receiver.name for receiver in routing.receivers({"kind": "test"})]
    if not receivers:
        out.write("Chưa có người thân nào nhận cảnh báo: thêm bằng `baoan caregiver add`.\n")
        return 1
    alert = test_alert()
    failed = 0
    for receiver in receivers:
        channel = routing.channel(receiver)
        if channel is None:
            out.write(f"{receiver}: chưa đủ thiết lập (not set up: an email needs --smtp)\n")
            failed += 1
            continue
        try:
            channel.send(alert)
        except PermanentDeliveryError as error:
            out.write(f"{receiver}: bị từ chối, sẽ không thử lại (refused): {error}\n")
            failed += 1
        except Exception as error:
            out.write(f"{receiver}: chưa gửi được, Bảo An sẽ thử lại sau (will retry): "
                      f"{type(error).__name__}: {error}\n")
            failed += 1
        else:
            out.write(f"{receiver}: đã gửi (sent)\n")
    session = requests.Session()
    servers = {c.ntfy_server: c.ntfy_topic for c in family.caregivers if c.ntfy_topic}
    for server, topic in servers.items():
        assert topic is not None
        where = NtfyTopic(server, topic, secrets.get(ntfy_token_secret(server)))
        out.write(f"{server}: {DEAD_MAN_WORDS[probe(session, where)]}\n")
    return 0 if failed == 0 else 1
