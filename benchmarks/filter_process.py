"""Runs the real DNS filter for the benchmark: the factory's chain (client profile, bypass
guard, rules, safe search, block, cache, upstream) over one blocklist file, served by
`DnsServer` on a loopback port, forwarding to the stand-in upstream.

Prints `ready <seconds to load the list> <list size>` once serving, and the server's
counters as JSON when stopped (SIGTERM / SIGINT) or after `--max-seconds`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
import time
from dataclasses import asdict
from pathlib import Path

from dns_filter.clock import SystemClock
from dns_filter.factory import build_chain_from_config
from dns_filter.lists.index import DomainIndex, NamedList
from dns_filter.lists.parser import ListFormat, parse_file
from dns_filter.policy import BlockMode, FilterPolicy, Profile
from dns_filter.resolvers import FilterPolicySlot
from dns_filter.resolvers.client_profile import profile_for_client
from dns_filter.server import DnsServer, LoggedAnswer, next_minute

PROFILE = "con"
CATEGORY = "benchmark"


def load_policy(list_path: Path) -> tuple[FilterPolicy, float, int]:
    started = time.perf_counter()
    parsed = parse_file(list_path, ListFormat.DOMAINS)
    index = DomainIndex.build([NamedList("benchmark", parsed)])
    seconds = time.perf_counter() - started
    profile = Profile(
        name=PROFILE,
        preset="tieu-hoc",
        blocked_categories=frozenset({CATEGORY}),
        block_mode=BlockMode.NULL,
    )
    policy = FilterPolicy(
        profiles={PROFILE: profile},
        categories={CATEGORY: index},
        default_profile=PROFILE,
    )
    return policy, seconds, len(index)


class Counter:
    """The query log of the benchmark (`DnsServer(answer_log=...)`): counts answers by
    type, one call per slice of answers as the agent's `DnsQueryLog` gets them (the
    agent's makes a row of each key and hands the slice to its writer)."""

    def __init__(self) -> None:
        self.by_type: dict[str, int] = {}

    def log_key(self, answer: LoggedAnswer) -> str:
        return str(answer.answer_type)

    def log_answers(self, keys: list[str], latencies: list[float]) -> None:
        by_type = self.by_type
        for key in keys:
            by_type[key] = by_type.get(key, 0) + 1


async def serve(args: argparse.Namespace) -> None:
    policy, load_seconds, size = load_policy(Path(args.list))
    holder = FilterPolicySlot(policy)

    def no_child() -> str | None:
        return None

    chain = build_chain_from_config(
        policy_source=holder,
        clock=SystemClock(),
        active_child=no_child,
        upstream_urls=[f"udp://127.0.0.1:{args.upstream_port}"],
        local_addresses=frozenset,
    )

    def profile_for(client_ip: str) -> str | None:
        return profile_for_client(holder.current(), client_ip, active_child=no_child)

    def policy_changes_at(wall: float) -> float | None:
        # as the agent does: the memo ends at minute boundaries only when a profile has a
        # schedule (the benchmark's has none, so answers live for their TTL)
        if any(profile.schedules for profile in holder.current().profiles.values()):
            return next_minute(wall)
        return None

    counter = Counter()
    server = DnsServer(
        chain.head,
        [("127.0.0.1", args.port)],
        answer_log=counter if args.log else None,
        profile_for=profile_for if args.profile_for else None,
        policy_changes_at=policy_changes_at,
        fastpath={"auto": None, "on": True, "off": False}[args.fastpath],
    )
    if chain.upstream_group is not None:
        chain.upstream_group.start()
    await server.start()
    print(f"ready {load_seconds:.3f} {size}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=args.max_seconds)
    await server.stop()
    if chain.upstream_group is not None:
        await chain.upstream_group.aclose()
    print(json.dumps({"stats": asdict(server.stats), "logged": counter.by_type}), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream-port", type=int, required=True)
    parser.add_argument("--list", required=True, help="blocklist file, one name a line")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument("--no-profile-for", dest="profile_for", action="store_false")
    parser.add_argument("--no-log", dest="log", action="store_false", help="no query-log callback")
    parser.add_argument("--max-seconds", type=float, default=900.0)
    parser.add_argument(
        "--fastpath",
        choices=["auto", "on", "off"],
        default="auto",
        help="the C fast path for UDP (auto: when built)",
    )
    args = parser.parse_args()
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(serve(args))
    else:
        asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
