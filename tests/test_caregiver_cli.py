"""`baoan caregiver add|list|remove` edit family.toml through the policy writer, and
`baoan sync test` sends a test alert to every channel and says how each went."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from helpers_ntfy import NtfyStandIn, ntfy_standin
from helpers_policy_files import init_file

from agent.alert_delivery import ntfy_token_secret
from agent.policy.loader import load_policy
from agent.policy.seal import seal, strip_seal
from agent.secrets import file_secret_store
from baoan.cli import main


@pytest.fixture
def ntfy() -> Iterator[NtfyStandIn]:
    with ntfy_standin() as standin:
        yield standin


def run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_add_an_ntfy_caregiver_with_an_unguessable_topic_and_the_access_rules(
    tmp_path: Path, ntfy: NtfyStandIn, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = init_file(tmp_path)
    data = tmp_path / "data"
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO("tk_baoan_secret\n"))
    code, out, err = run("caregiver", "add", "Mẹ", "--ntfy", ntfy.url, "--token-stdin",
                         "--config", str(config), "--data-dir", str(data), capsys=capsys)
    assert code == 0, err
    [mum] = load_policy(config).caregivers
    assert mum.name == "Mẹ" and mum.ntfy_server == ntfy.url
    topic = mum.ntfy_topic
    assert topic is not None and topic.startswith("baoan-") and len(topic) >= 30
    assert f"{topic}-cmd" in out and "read-only" in out and "write-only" in out
    text = config.read_text(encoding="utf-8")
    assert text == seal(strip_seal(text))  # written by the writer: sealed
    assert "tk_baoan_secret" not in text  # the token is in the keyring, not the file
    assert file_secret_store(data).get(ntfy_token_secret(ntfy.url)) == "tk_baoan_secret"

    code, out, _ = run("caregiver", "list", "--config", str(config), capsys=capsys)
    assert code == 0 and f"Mẹ: ntfy {ntfy.url}/{topic}" in out

    ntfy.grant("tk_baoan_secret", topic, write=True)
    code, out, err = run("sync", "test", "--config", str(config), "--data-dir", str(data),
                         capsys=capsys)
    assert code == 0, out + err
    assert "ntfy:Mẹ: đã gửi (sent)" in out
    [message] = ntfy.on(topic)
    assert message["title"] == "Bảo An: tin thử"

    code, out, _ = run("caregiver", "remove", "Mẹ", "--config", str(config), capsys=capsys)
    assert code == 0 and load_policy(config).caregivers == ()


def test_a_short_topic_is_refused_and_sync_test_says_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = init_file(tmp_path)
    data = tmp_path / "data"
    code, _, err = run("caregiver", "add", "Bố", "--ntfy", "baoan-bo", "--config", str(config),
                       capsys=capsys)
    assert code == 1 and "guess" in err
    code, out, err = run("caregiver", "add", "Bà", "--email", "ba@example.com",
                         "--config", str(config), "--data-dir", str(data), capsys=capsys)
    assert code == 0, err
    assert "--smtp" in out
    code, _, err = run("caregiver", "add", "bà", "--email", "b@example.com",
                       "--config", str(config), capsys=capsys)
    assert code == 1 and "already" in err
    code, out, _ = run("sync", "test", "--config", str(config), "--data-dir", str(data),
                       capsys=capsys)
    assert code == 1 and "email:Bà: chưa đủ thiết lập" in out


class Webhook(BaseHTTPRequestHandler):
    bodies: ClassVar[list[dict[str, object]]] = []
    status: ClassVar[int] = 200

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        Webhook.bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(Webhook.status)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_an_apprise_channel_keeps_its_url_in_the_keyring_and_takes_alerts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = init_file(tmp_path)
        data = tmp_path / "data"
        url = f"json://127.0.0.1:{server.server_address[1]}/hook"
        code, _, err = run("caregiver", "add", "Cô", "--apprise", url, "--config", str(config),
                           "--data-dir", str(data), capsys=capsys)
        assert code == 0, err
        assert url not in config.read_text(encoding="utf-8")
        [aunt] = load_policy(config).caregivers
        assert aunt.apprise
        code, out, err = run("sync", "test", "--config", str(config), "--data-dir", str(data),
                             capsys=capsys)
        assert code == 0, out + err
        assert "apprise:Cô: đã gửi (sent)" in out
        assert Webhook.bodies[-1]["title"] == "Bảo An: tin thử"
        Webhook.status = 500
        code, out, _ = run("sync", "test", "--config", str(config), "--data-dir", str(data),
                           capsys=capsys)
        assert code == 1 and "sẽ thử lại" in out  # a failure Apprise reports is retried
    finally:
        Webhook.status = 200
        server.shutdown()
        server.server_close()
