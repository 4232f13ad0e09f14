"""`baoan try`: the agent in a try-out mode, with a sample family and the dashboard.

Unprivileged ports (DNS on 127.0.0.1:5353, the API and block page on 127.0.0.1:8053), data
under the user's home, a sample family; prints what to try next and opens the dashboard
when a display is there. Ctrl-C stops everything cleanly.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Protocol

from agent.commands.agent import run_until_signalled
from agent.commands.common import report_policy_error
from agent.commands.pin import NotOwnerError, pin_is_set, set_parent_pin
from agent.policy.errors import InvalidPolicyError
from agent.runtime import Agent, AgentSettings, parse_listen
from agent.secrets import SecretStoreError

log = logging.getLogger(__name__)

TRY_DNS = "127.0.0.1:5353"
TRY_HTTP = "127.0.0.1:8053"
TRY_PIN = "1234"
SAMPLE_CHILD = "Minh"
SAMPLE_AGE = 9


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "try",
        help="try Bảo An: the agent on unprivileged ports with a sample family, and the dashboard",
        description="Run the agent in a try-out mode (DNS on 127.0.0.1:5353) with a sample "
        "family, and open the dashboard when a display is there. Ctrl-C stops everything.",
    )
    parser.add_argument("--data-dir", type=Path, help="where the try-out keeps its files")
    parser.add_argument("--dns-listen", default=TRY_DNS, metavar="HOST:PORT")
    parser.add_argument("--http-listen", default=TRY_HTTP, metavar="HOST:PORT")
    parser.add_argument("--no-dashboard", action="store_true", help="do not open the dashboard")
    parser.set_defaults(func=run)


def try_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("baoan")) / "try"


def write_sample_family(config: Path) -> None:
    """A family with one child of 9 (primary school preset) who uses this PC's account."""
    from agent.policy.template import render_initial_policy
    from agent.policy.writer import write_policy_text
    from agent.private_files import make_private_dir

    make_private_dir(config.parent)  # the try-out's family.toml sits in its data folder
    write_policy_text(config, render_initial_policy(SAMPLE_CHILD, SAMPLE_AGE, [getpass.getuser()]))


def has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def baoan_command() -> str:
    """`baoan` when that is on PATH, else the full path of this one (e.g. `.venv/bin/baoan`),
    so that the printed lines work when copied."""
    import shutil

    installed = Path(sys.executable).parent / "baoan"
    on_path = shutil.which("baoan")
    if on_path and (not installed.exists() or Path(on_path).resolve() == installed.resolve()):
        return "baoan"
    return str(installed) if installed.exists() else "baoan"


def next_steps(agent: Agent, config: Path, dns: tuple[str, int]) -> str:
    host, port = dns
    url = agent.http_url()
    baoan = baoan_command()
    from agent.tray.handover import token_dir_for

    tray_file = token_dir_for(agent.settings.data_dir) / f"{getpass.getuser()}.json"
    return f"""
Bảo An đang chạy thử / Bảo An is running in try-out mode.

  Chính sách / policy:      {config}
  DNS:                      {", ".join(agent.dns_listening())}
  API + trang chặn / page:  {url}
  PIN của cha mẹ / parent PIN (try-out only): {TRY_PIN}

Thử / Try:
  dig @{host} -p {port} pornhub.com        # bị chặn: trỏ về trang chặn / blocked
  dig @{host} -p {port} www.google.com.vn  # SafeSearch: forcesafesearch.google.com
  dig @{host} -p {port} use-application-dns.net  # chống vượt rào / anti-bypass
  curl -H 'Host: pornhub.com' {url}/      # trang chặn cho trẻ / the child's block page
  {baoan} check tiktok.com --config {config} --data-dir {agent.settings.data_dir}
  {baoan} status --api {url}
  {baoan} tray --api {url} --token-file {tray_file}
                                           # khay của trẻ, nút 111 / the child's tray, 111 button
  {baoan} lists update --config {config} --data-dir {agent.settings.data_dir}
                                           # tải danh sách chặn đầy đủ / download full lists

Sửa {config.name} để đổi quy tắc; Bảo An tự nạp lại. Edit it; the agent reloads it.
Ctrl-C để dừng / to stop.
"""


def run(args: argparse.Namespace) -> int:
    data_dir = args.data_dir or try_data_dir()
    config = data_dir / "family.toml"
    try:
        dns = parse_listen(args.dns_listen, 5353)
        http = parse_listen(args.http_listen, 8053)
    except ValueError as error:
        print(f"baoan try: {error}", file=sys.stderr)
        return 2
    if not config.exists():
        write_sample_family(config)
    try:
        # The try-out's PIN is set as any PIN is, by the data's owner (`baoan pin set`).
        if not pin_is_set(data_dir):
            set_parent_pin(data_dir, TRY_PIN)
    except (NotOwnerError, SecretStoreError) as error:
        print(f"baoan try: cannot set the try-out PIN: {error}", file=sys.stderr)
        return 1
    settings = AgentSettings(
        config_path=config, data_dir=data_dir, dns_listen=(dns,), http_listen=http,
        try_mode=True, refresh_lists_at_start=False, extra_tray_users=(getpass.getuser(),),
    )
    agent = Agent(settings)
    if args.no_dashboard or not has_display():
        return _run_headless(agent, config, dns)
    return _run_with_dashboard(agent, config, dns)


def _run_headless(agent: Agent, config: Path, dns: tuple[str, int]) -> int:
    try:
        return run_until_signalled(agent, on_started=lambda: _after_start(agent, config, dns))
    except InvalidPolicyError as error:
        return report_policy_error(error)
    except OSError as error:
        print(f"baoan try: cannot start: {error}", file=sys.stderr)
        return 1


def _after_start(agent: Agent, config: Path, dns: tuple[str, int]) -> None:
    print(next_steps(agent, config, dns), flush=True)


def _run_with_dashboard(agent: Agent, config: Path, dns: tuple[str, int]) -> int:
    """The dashboard runs as its own process: a client of the agent like any other, and a
    display problem there cannot take the agent down with it."""
    dashboard: subprocess.Popen[bytes] | None = None
    stopping = threading.Event()  # set before the stop closes the dashboard: not a failure

    def open_dashboard() -> None:
        nonlocal dashboard
        _after_start(agent, config, dns)
        dashboard = subprocess.Popen(
            [sys.executable, "-m", "baoan", "dashboard", "--api", agent.http_url()]
        )
        threading.Thread(
            target=report_dashboard_exit,
            args=(dashboard, agent.http_url(), stopping),
            daemon=True,
        ).start()

    try:
        return run_until_signalled(agent, on_started=open_dashboard)
    except InvalidPolicyError as error:
        return report_policy_error(error)
    except OSError as error:
        print(f"baoan try: cannot start: {error}", file=sys.stderr)
        return 1
    finally:
        stopping.set()
        if dashboard is not None and dashboard.poll() is None:
            dashboard.terminate()
            try:
                dashboard.wait(timeout=5)
            except subprocess.TimeoutExpired:
                dashboard.kill()


# `baoan dashboard` exits with this when Qt cannot be loaded; it has said why already.
DASHBOARD_QT_MISSING_EXIT = 3


class _Waitable(Protocol):
    def wait(self, timeout: float | None = None) -> int: ...


def report_dashboard_exit(
    dashboard: _Waitable, api_url: str, stopping: threading.Event
) -> None:
    """Say how the dashboard ended: nothing when the try-out's own stop closed it."""
    code = dashboard.wait()
    if stopping.is_set():
        return
    if code == 0:
        log.info("the dashboard was closed; the agent keeps running until Ctrl-C")
    elif code == DASHBOARD_QT_MISSING_EXIT:
        log.warning(
            "the dashboard could not start (see above); the agent keeps running — after "
            "the fix, open it with `baoan dashboard --api %s`", api_url,
        )
    elif code == -signal.SIGABRT:
        log.warning(
            "the dashboard could not open a window (Qt stopped: exit %s). Qt's message above "
            "names what is missing; on Debian or Ubuntu `sudo apt install libxcb-cursor0 "
            "libxkbcommon-x11-0 libegl1` usually fixes it. The agent keeps running — open "
            "the dashboard again with `baoan dashboard --api %s`", code, api_url,
        )
    else:
        log.warning(
            "the dashboard could not run (exit %s); the agent keeps running — open it again "
            "with `baoan dashboard --api %s`", code, api_url,
        )
