"""`baoan agent`: run the agent in the foreground until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import gc
import logging
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.commands.common import default_config_path, default_data_dir, report_policy_error
from agent.policy.errors import InvalidPolicyError
from agent.runtime import DEFAULT_DNS_PORT, DEFAULT_HTTP_PORT, Agent, AgentSettings, parse_listen
from dns_filter.collector import QuietCollector
from dns_filter.heap import return_freed_heap

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "agent",
        help="run the agent (DNS filter, local API, scheduler) in the foreground",
        description="Run the agent in the foreground until SIGINT/SIGTERM; logs go to stderr.",
    )
    parser.add_argument("--config", type=Path, help="family.toml (default: the OS's place)")
    parser.add_argument("--data-dir", type=Path, help="data folder (default: the OS's place)")
    parser.add_argument(
        "--dns-listen", action="append", metavar="HOST:PORT",
        help=f"DNS listen address, repeatable (default 127.0.0.1:{DEFAULT_DNS_PORT})",
    )
    parser.add_argument(
        "--http-listen", metavar="HOST:PORT",
        help=f"local API and block page (default 127.0.0.1:{DEFAULT_HTTP_PORT})",
    )
    parser.add_argument(
        "--block-page-listen", default="127.0.0.1:80", metavar="HOST:PORT",
        help="where browsers reach the block page for blocked names (default 127.0.0.1:80; "
        "'none' to serve it only on the HTTP listener)",
    )
    parser.add_argument(
        "--no-list-refresh", action="store_true",
        help="do not download blocklists at start (the scheduled refresh still runs)",
    )
    parser.add_argument(
        "--watch-system", action="store_true",
        help="put the system's DNS and the browsers' policies back when changed, with an "
        "alert (the installed service; never for a try-out)",
    )
    parser.set_defaults(func=run)


def settings_from_args(args: argparse.Namespace) -> AgentSettings:
    dns = tuple(
        parse_listen(value, DEFAULT_DNS_PORT) for value in (args.dns_listen or ["127.0.0.1"])
    )
    http = parse_listen(args.http_listen or "127.0.0.1", DEFAULT_HTTP_PORT)
    block_page = (
        None if args.block_page_listen.lower() == "none"
        else parse_listen(args.block_page_listen, 80)
    )
    return AgentSettings(
        config_path=args.config or default_config_path(),
        data_dir=args.data_dir or default_data_dir(),
        dns_listen=dns,
        http_listen=http,
        block_page_listen=block_page,
        refresh_lists_at_start=not args.no_list_refresh,
        watch_system=args.watch_system,
    )


def run_until_signalled(agent: Agent, on_started: Callable[[], None] | None = None) -> int:
    """Start `agent`, wait for SIGINT/SIGTERM, stop it cleanly."""
    stop_requested = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        log.info("signal %s received: stopping", signal.Signals(signum).name)
        stop_requested.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    # Full collections at quiet moments: each one stops the DNS thread (dns_filter/collector.py).
    collector = QuietCollector(lambda: dns_queries(agent))
    try:
        agent.start()
        settle_garbage_collector()
        collector.start()
        if on_started is not None:
            on_started()
        while not stop_requested.wait(0.5):
            pass
    finally:
        collector.stop()
        agent.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def settle_garbage_collector() -> None:
    """What the start built (modules, the policy, the services) lives as long as the agent:
    move it out of the cyclic collector's sight, so that a full collection, which stops
    every thread, walks only the objects made since (DNS answers, requests)."""
    gc.collect()
    gc.freeze()
    return_freed_heap()  # what the start built and dropped: ~1 MB of RSS for days


def dns_queries(agent: Agent) -> int:
    """The DNS server's query count: the full collections wait until it stands still."""
    server = agent.dns_server
    return 0 if server is None else server.stats.queries


def run(args: argparse.Namespace) -> int:
    try:
        settings = settings_from_args(args)
    except ValueError as error:
        print(f"baoan agent: {error}", file=sys.stderr)
        return 2
    try:
        return run_until_signalled(Agent(settings))
    except InvalidPolicyError as error:
        return report_policy_error(error)
    except OSError as error:
        print(f"baoan agent: cannot start: {error}", file=sys.stderr)
        return 1
