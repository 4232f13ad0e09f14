"""Windows: DNS on every active adapter and given back exactly, the browsers' registry
policies, the firewall rules for the children's accounts — against a PC that answers as
PowerShell, reg.exe and netsh do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_runner import RecordingRunner
from helpers_windows import FakeWindows, NetAdapter, ps_json

from agent.system import for_os
from agent.system.browser_policies import CHROMIUM_POLICIES
from agent.system.doh_addresses import known_doh_addresses
from agent.system.runner import CommandFailedError, CommandResult
from agent.system.windows import (
    CHROME_KEY,
    FIREFOX_KEY,
    WindowsIntegration,
    _json_rows,
    parse_reg_value,
    parse_reg_values,
)

AGENT = ("127.0.0.1", "::1")
ETHERNET = "{5F8E2A77-0B6A-4C3B-9E8D-7B1C2D3E4F50}"
WIFI = "{A1B2C3D4-1111-2222-3333-444455556666}"


def family_pc() -> FakeWindows:
    """Ethernet typed by hand for IPv4 (two servers), automatic for IPv6; Wi-Fi automatic,
    without IPv6; a disconnected adapter that must be left alone."""
    return FakeWindows(
        adapters=[
            NetAdapter(12, "Ethernet", ETHERNET),
            NetAdapter(7, "Wi-Fi", WIFI, ipv6=False),
            NetAdapter(20, "Bluetooth Network Connection", "{B7}", status="Disconnected"),
        ],
        static={(ETHERNET, 4): ("8.8.8.8", "8.8.4.4")},
        dhcp={(ETHERNET, 6): ("fe80::1",), (WIFI, 4): ("192.168.1.1",)},
        sids={"minh": "S-1-5-21-3623811015-3361044348-30300820-1001",
              "lan": "S-1-5-21-3623811015-3361044348-30300820-1002"},
    )


def integration(pc: FakeWindows, tmp_path: Path) -> tuple[WindowsIntegration, RecordingRunner]:
    runner = RecordingRunner(pc)
    return WindowsIntegration(runner, tmp_path), runner


def test_powershell_json_is_read_whether_one_object_or_many() -> None:
    one = ps_json([{"ifIndex": 3, "Name": "Ethernet"}])
    assert one.lstrip().startswith("{")
    assert _json_rows(one) == [{"ifIndex": 3, "Name": "Ethernet"}]
    assert len(_json_rows(ps_json([{"a": 1}, {"a": 2}]))) == 2
    assert _json_rows("") == [] and _json_rows("\r\n") == []


def test_reg_query_output_is_parsed() -> None:
    text = ("\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome\r\n"
            "    DnsOverHttpsMode    REG_SZ    off\r\n"
            "    ForceGoogleSafeSearch    REG_DWORD    0x1\r\n"
            "    Empty    REG_SZ    \r\n\r\n")
    assert parse_reg_values(text) == {
        "DnsOverHttpsMode": ("REG_SZ", "off"),
        "ForceGoogleSafeSearch": ("REG_DWORD", "0x1"),
        "Empty": ("REG_SZ", ""),
    }
    assert parse_reg_value(text, "dnsoverhttpsmode") == "off"
    assert parse_reg_value(text, "Empty") == ""
    assert parse_reg_value(text, "Nothing") is None


def test_dns_is_pointed_at_the_agent_on_every_active_adapter_for_both_families(
    tmp_path: Path,
) -> None:
    pc = family_pc()
    system, runner = integration(pc, tmp_path)
    system.point_dns_at_agent(AGENT)
    assert pc.asks(12, 4) == ("127.0.0.1",)
    assert pc.asks(12, 6) == ("::1",)
    assert pc.asks(7, 4) == ("127.0.0.1",)
    assert (WIFI, 6) not in pc.static  # no IPv6 on the Wi-Fi: nothing tried there
    assert not any("name=20" in argv for argv in runner.commands)  # the disconnected one
    assert ("netsh.exe", "interface", "ipv6", "set", "dnsservers", "name=12", "source=static",
            "address=::1", "register=primary", "validate=no") in runner.commands
    assert system.dns_points_at_agent(AGENT).ok


def test_what_was_there_is_saved_before_the_change_and_given_back_exactly(
    tmp_path: Path,
) -> None:
    pc = family_pc()
    before = {key: pc.asks(*key) for key in ((12, 4), (12, 6), (7, 4))}
    static_before = dict(pc.static)
    system, runner = integration(pc, tmp_path)
    system.point_dns_at_agent(AGENT)
    saved = json.loads(system.saved_dns_path.read_text(encoding="utf-8"))
    ethernet = next(item for item in saved["adapters"] if item["guid"] == ETHERNET)
    assert ethernet["ipv4"] == ["8.8.8.8", "8.8.4.4"] and ethernet["ipv6"] == []
    assert system.saved_dns_path.parent == tmp_path / "ProgramData" / "BaoAn" / "data"

    system.restore_dns()
    assert pc.static == static_before  # typed servers typed again, in order; DHCP is DHCP
    assert {key: pc.asks(*key) for key in before} == before
    assert ("netsh.exe", "interface", "ipv4", "add", "dnsservers", "name=12",
            "address=8.8.4.4", "index=2", "validate=no") in runner.commands
    assert ("netsh.exe", "interface", "ipv4", "set", "dnsservers", "name=7",
            "source=dhcp") in runner.commands
    assert not system.saved_dns_path.exists()
    assert not system.dns_points_at_agent(AGENT).ok


def test_an_adapter_disconnected_at_removal_is_given_back_too(tmp_path: Path) -> None:
    pc = family_pc()
    system, _ = integration(pc, tmp_path)
    system.point_dns_at_agent(AGENT)
    pc.adapter(7).status = "Disconnected"  # the laptop's Wi-Fi, off when Bảo An is removed
    system.restore_dns()
    assert (WIFI, 4) not in pc.static
    assert pc.static == {(ETHERNET, 4): ("8.8.8.8", "8.8.4.4")}


def test_running_the_install_twice_keeps_the_first_saved_settings(tmp_path: Path) -> None:
    pc = family_pc()
    system, _ = integration(pc, tmp_path)
    system.point_dns_at_agent(AGENT)
    system.point_dns_at_agent(AGENT)  # an installer run again, or the tamper watch
    system.restore_dns()
    assert pc.static == {(ETHERNET, 4): ("8.8.8.8", "8.8.4.4")}


def test_an_adapter_already_pointed_at_the_agent_is_given_back_as_automatic(
    tmp_path: Path,
) -> None:
    pc = family_pc()
    pc.static[(WIFI, 4)] = ("127.0.0.1",)  # left by an earlier install without its file
    system, _ = integration(pc, tmp_path)
    system.point_dns_at_agent(AGENT)
    system.restore_dns()
    assert (WIFI, 4) not in pc.static


def test_a_changed_adapter_is_named_in_the_finding(tmp_path: Path) -> None:
    pc = family_pc()
    system, _ = integration(pc, tmp_path)
    system.point_dns_at_agent(AGENT)
    pc.static[(WIFI, 4)] = ("1.1.1.1",)  # a child typed another server
    finding = system.dns_points_at_agent(AGENT)
    assert finding.key == "dns" and not finding.ok
    assert "Wi-Fi (IPv4) asks 1.1.1.1" in finding.detail


def test_a_failing_netsh_is_raised_not_hidden(tmp_path: Path) -> None:
    pc = family_pc()

    def refuse(argv: tuple[str, ...], _input: str | None) -> CommandResult | None:
        if argv[0] == "netsh.exe":
            return CommandResult(argv, 1, "The requested operation requires elevation "
                                 "(Run as administrator).\r\n")
        return None

    runner = RecordingRunner(refuse, pc)
    with pytest.raises(CommandFailedError, match="elevation"):
        WindowsIntegration(runner, tmp_path).point_dns_at_agent(AGENT)


def test_browser_policies_are_written_to_the_registry_and_found_in_place(
    tmp_path: Path,
) -> None:
    pc = family_pc()
    pc.registry[CHROME_KEY] = {"HomepageLocation": ("REG_SZ", "https://school.example")}
    system, runner = integration(pc, tmp_path)
    assert not any(finding.ok for finding in system.browser_policies_in_place())
    system.install_browser_policies()
    chrome = pc.registry[CHROME_KEY]
    assert chrome["DnsOverHttpsMode"] == ("REG_SZ", "off")
    assert chrome["ForceGoogleSafeSearch"] == ("REG_DWORD", "1")
    assert chrome["BuiltInDnsClientEnabled"] == ("REG_DWORD", "0")
    youtube = str(CHROMIUM_POLICIES["ForceYouTubeRestrict"])
    assert chrome["ForceYouTubeRestrict"] == ("REG_DWORD", youtube)
    edge = pc.registry["HKLM\\SOFTWARE\\Policies\\Microsoft\\Edge"]
    assert edge["InPrivateModeAvailability"] == ("REG_DWORD", "1")
    assert pc.registry[FIREFOX_KEY + "\\DNSOverHTTPS"] == {
        "Enabled": ("REG_DWORD", "0"), "Locked": ("REG_DWORD", "1")}
    assert pc.registry[FIREFOX_KEY]["DisablePrivateBrowsing"] == ("REG_DWORD", "1")
    assert all(argv[-1] == "/reg:64" for argv in runner.ran("reg.exe", "add"))
    findings = {finding.key: finding for finding in system.browser_policies_in_place()}
    assert set(findings) == {"browser-policy:chrome", "browser-policy:edge",
                             "browser-policy:firefox"}
    assert all(finding.ok for finding in findings.values())

    pc.registry[FIREFOX_KEY + "\\DNSOverHTTPS"]["Enabled"] = ("REG_DWORD", "1")
    firefox = {f.key: f for f in system.browser_policies_in_place()}["browser-policy:firefox"]
    assert not firefox.ok and "Enabled" in firefox.detail

    system.remove_browser_policies()
    assert pc.registry[CHROME_KEY] == {"HomepageLocation": ("REG_SZ", "https://school.example")}
    assert pc.registry[FIREFOX_KEY] == {}


def test_firewall_rules_block_the_childrens_accounts_only(tmp_path: Path) -> None:
    pc = family_pc()
    system, runner = integration(pc, tmp_path)
    system.install_firewall(("minh", "lan"))
    assert len(pc.firewall_scripts) == 4
    sddl = ("'O:LSD:(A;;CC;;;S-1-5-21-3623811015-3361044348-30300820-1001)"
            "(A;;CC;;;S-1-5-21-3623811015-3361044348-30300820-1002)'")
    for script in pc.firewall_scripts:
        assert script.startswith("New-NetFirewallRule -Name 'BaoAn-")
        assert "-Direction Outbound -Action Block" in script
        assert f"-LocalUser {sddl}" in script
        assert "-Group 'BaoAn'" in script
    dns = next(s for s in pc.firewall_scripts if "'BaoAn-DNS-UDP'" in s)
    assert "-RemotePort 53,853" in dns
    # Every address but the loopback, where the agent answers.
    assert "-RemoteAddress 0.0.0.0-126.255.255.255,128.0.0.0-255.255.255.255,::2-ffff:" in dns
    doh = next(s for s in pc.firewall_scripts if "'BaoAn-DoH-TCP'" in s)
    assert "-RemotePort 443,853" in doh
    addresses = doh.split("-RemoteAddress ", 1)[1].split(" ", 1)[0].split(",")
    assert addresses == list(known_doh_addresses())
    assert {"1.1.1.1", "8.8.8.8", "2606:4700:4700::1111", "9.9.9.9"} <= set(addresses)
    # Rules of an earlier install go first: running it again leaves one set.
    system.install_firewall(("minh",))
    assert len(pc.firewall_scripts) == 4
    assert system.firewall_in_place().ok
    pc.firewall_scripts.pop()  # a rule deleted by hand
    finding = system.firewall_in_place()
    assert not finding.ok and "BaoAn-DoH-TCP" in finding.detail
    system.remove_firewall()
    assert pc.firewall_scripts == []
    assert not system.firewall_in_place().ok
    assert any(argv[-1].startswith("Remove-NetFirewallRule -Group 'BaoAn'")
               for argv in runner.ran("powershell.exe"))


def test_an_unknown_child_account_stops_the_firewall_before_any_rule(tmp_path: Path) -> None:
    pc = family_pc()
    system, _ = integration(pc, tmp_path)
    with pytest.raises(CommandFailedError, match="could not be translated"):
        system.install_firewall(("minh", "nobody"))
    assert pc.firewall_scripts == []
    with pytest.raises(ValueError):
        system.account_sid("x'; Remove-Item C:\\")


def test_for_os_gives_the_windows_integration(tmp_path: Path) -> None:
    system = for_os("win32", RecordingRunner(family_pc()), tmp_path)
    assert isinstance(system, WindowsIntegration)
