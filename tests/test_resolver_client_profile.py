"""The client -> profile link, against the link itself."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from dnslib import QTYPE, DNSRecord

from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.policy import FilterPolicy, Profile
from dns_filter.resolvers import FilterPolicySlot
from dns_filter.resolvers.client_profile import (
    ChildResolver,
    ClientProfileResolver,
    LinuxArpTable,
    SystemAddresses,
    profile_for_client,
)

POLICY = FilterPolicy(
    profiles={
        "an": Profile("an", "tieu-hoc"),
        "binh": Profile("binh", "thcs"),
        "chi": Profile("chi", "mam-non"),
    },
    devices={
        "192.168.1.20": "binh",
        "FD00:0:0::20": "binh",  # written by hand, not in canonical form
        "aa:bb:cc:dd:ee:01": "chi",
        "192.168.1.99": "nobody-here",  # a stale mapping must not invent a profile
    },
    default_profile="an",
)
PC_ADDRESSES = frozenset({"192.168.1.10", "fd00::10"})


def pick(client_ip: str, active: str | None = None, policy: FilterPolicy = POLICY) -> str | None:
    macs = {"192.168.1.30": "AA:BB:CC:DD:EE:01"}
    return profile_for_client(
        policy,
        client_ip,
        active_child=lambda: active,
        local_addresses=PC_ADDRESSES,
        mac_lookup=macs.get,
    )


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.53", "::1", "192.168.1.10", "fd00::10"])
def test_the_pc_itself_belongs_to_the_active_child(address: str) -> None:
    assert pick(address, active="binh") == "binh"


def test_the_pc_falls_back_to_its_default_child() -> None:
    assert pick("127.0.0.1", active=None) == "an"
    assert pick("127.0.0.1", active="a-parent-account") == "an"


def test_the_pc_without_a_default_child_is_not_filtered() -> None:
    policy = FilterPolicy(profiles=POLICY.profiles, default_profile=None)
    assert pick("127.0.0.1", active=None, policy=policy) is None


def test_lan_devices_by_ip_and_by_mac() -> None:
    assert pick("192.168.1.20", active="an") == "binh"
    assert pick("::ffff:192.168.1.20") == "binh"  # IPv4-mapped, as a dual-stack socket sees it
    assert pick("fd00::20") == "binh"
    assert pick("192.168.1.30") == "chi"


def test_a_failing_session_lookup_falls_back_to_the_default_child() -> None:
    def broken() -> str | None:
        raise OSError("no session bus")

    assert profile_for_client(POLICY, "127.0.0.1", active_child=broken) == "an"


def test_unknown_devices_and_stale_mappings_have_no_profile() -> None:
    assert pick("192.168.1.77", active="an") is None
    assert pick("192.168.1.99") is None


def test_arp_table_is_read_from_the_kernel_format(tmp_path: Path) -> None:
    arp = tmp_path / "arp"
    arp.write_text(
        "IP address       HW type     Flags       HW address            Mask     Device\n"
        "192.168.1.30     0x1         0x2         AA:BB:CC:DD:EE:01     *        eth0\n"
        "192.168.1.31     0x1         0x0         00:00:00:00:00:00     *        eth0\n"
    )
    table = LinuxArpTable(arp)
    assert table("192.168.1.30") == "aa:bb:cc:dd:ee:01"
    assert table("192.168.1.31") is None
    assert LinuxArpTable(tmp_path / "missing")("192.168.1.30") is None


def test_system_addresses_include_loopback() -> None:
    assert "127.0.0.1" in SystemAddresses()()


class Terminal(Resolver):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Query] = []

    async def resolve(self, query: Query) -> Result:
        self.seen.append(query)
        return Result(query.request.reply(), AnswerType.RESOLVED, "upstream")


def test_the_link_sets_the_profile_and_reads_each_policy_swap() -> None:
    holder = FilterPolicySlot(POLICY)
    terminal = Terminal()
    active: dict[str, str | None] = {"child": "binh"}
    link = ClientProfileResolver(
        terminal,
        ChildResolver(
            holder,
            lambda: active["child"],
            local_addresses=lambda: PC_ADDRESSES,
            mac_lookup={"192.168.1.40": "aa:bb:cc:dd:ee:02"}.get,
        ),
    )

    def ask(client_ip: str) -> Result:
        query = Query(DNSRecord.question("example.com"), "example.com", QTYPE.A, client_ip, "udp")
        return asyncio.run(link.resolve(query))

    result = ask("127.0.0.1")
    assert terminal.seen[-1].profile == "binh"
    assert result.profile == "binh"
    active["child"] = None
    ask("127.0.0.1")
    assert terminal.seen[-1].profile == "an"
    assert ask("192.168.1.20").profile == "binh"
    holder.swap(FilterPolicy(profiles=POLICY.profiles, devices={"192.168.1.20": "chi",
                                                                "AA:BB:CC:DD:EE:02": "an"}))
    assert ask("192.168.1.20").profile == "chi"
    assert ask("192.168.1.40").profile == "an"
    assert ask("192.168.1.21").profile is None
    assert terminal.seen[-1].profile is None


def test_one_resolver_gives_the_chain_and_a_direct_caller_the_same_child() -> None:
    """The agent hands this one object to the chain's first link, the server's memo key and
    the block page; a device known only by its MAC is the same child for each."""
    holder = FilterPolicySlot(POLICY)
    asked: list[str] = []

    def macs(address: str) -> str | None:
        asked.append(address)
        return {"192.168.1.30": "AA:BB:CC:DD:EE:01"}.get(address)

    resolver = ChildResolver(
        holder, lambda: "binh", local_addresses=lambda: PC_ADDRESSES, mac_lookup=macs
    )
    terminal = Terminal()
    link = ClientProfileResolver(terminal, resolver)
    query = Query(DNSRecord.question("example.com"), "example.com", QTYPE.A, "192.168.1.30", "udp")
    assert asyncio.run(link.resolve(query)).profile == "chi"
    assert resolver("192.168.1.30") == "chi"  # what the memo key and the page ask
    assert asked == ["192.168.1.30", "192.168.1.30"]
    assert resolver("127.0.0.1") == "binh"  # the PC: the active session's child
    assert resolver("192.168.1.31") is None  # unknown to the policy and the MAC table
