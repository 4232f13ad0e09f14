"""macOS: DNS through networksetup and given back (an unset service back to `Empty`),
Chrome/Edge managed preferences and Firefox's policies.json, the pf anchor — against a Mac
that answers as networksetup and pfctl do."""

from __future__ import annotations

import json
import plistlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers_runner import RecordingRunner

from agent.system import for_os
from agent.system.browser_policies import CHROMIUM_POLICIES, FIREFOX_POLICIES
from agent.system.macos import (
    NETWORKSETUP,
    PF_ANCHOR_NAME,
    PFCTL,
    MacIntegration,
    parse_dns_servers,
    parse_services,
    pf_rules,
)
from agent.system.runner import CommandResult

AGENT = ("127.0.0.1", "::1")
SERVICES_TEXT = (
    "An asterisk (*) denotes that a network service is disabled.\n"
    "USB 10/100/1000 LAN\n"
    "Wi-Fi\n"
    "*Bluetooth PAN\n"
    "Thunderbolt Bridge\n"
)


@dataclass
class FakeMac:
    dns: dict[str, tuple[str, ...]] = field(default_factory=lambda: {
        "USB 10/100/1000 LAN": ("192.168.1.1", "8.8.8.8"),
        "Wi-Fi": (),
        "Bluetooth PAN": (),
        "Thunderbolt Bridge": (),
    })
    anchors: dict[str, str] = field(default_factory=dict)
    enabled_tokens: list[str] = field(default_factory=list)

    def __call__(self, argv: tuple[str, ...], _input: str | None) -> CommandResult | None:
        if argv[0] == NETWORKSETUP:
            if argv[1] == "-listallnetworkservices":
                return CommandResult(argv, 0, SERVICES_TEXT)
            service = argv[2]
            if service not in self.dns:
                return CommandResult(argv, 4, f"{service} is not a recognized network service.\n"
                                     "** Error: The parameters were not valid.\n")
            if argv[1] == "-getdnsservers":
                servers = self.dns[service]
                text = ("\n".join(servers) + "\n" if servers
                        else f"There aren't any DNS Servers set on {service}.\n")
                return CommandResult(argv, 0, text)
            if argv[1] == "-setdnsservers":
                self.dns[service] = () if argv[3:] == ("Empty",) else argv[3:]
                return CommandResult(argv, 0, "")
        if argv[0] == PFCTL:
            if argv[1:2] == ("-E",):
                self.enabled_tokens.append("13185626441284829247")
                return CommandResult(argv, 0, "", "No ALTQ support in kernel\nALTQ related "
                                     "functions disabled\npf enabled\n"
                                     "Token : 13185626441284829247\n")
            if argv[1:] == ("-s", "info"):
                status = "Enabled" if self.enabled_tokens else "Disabled"
                return CommandResult(argv, 0, f"Status: {status} for 0 days 00:01:02\n")
            if argv[3:] == ("-s", "rules"):
                rules = self.anchors.get(argv[2], "")
                lines = [line for line in rules.splitlines() if line.startswith("block")]
                return CommandResult(argv, 0, "".join(line + "\n" for line in lines))
            if argv[1:2] == ("-X",):
                self.enabled_tokens.remove(argv[2])
                return CommandResult(argv, 0, "", "pf disabled\n")
            if argv[3] == "-f":
                self.anchors[argv[2]] = Path(argv[4]).read_text(encoding="utf-8")
                return CommandResult(argv, 0)
            if argv[3] == "-F":
                self.anchors.pop(argv[2], None)
                return CommandResult(argv, 0, "", "rules cleared\n")
        return None


def mac(tmp_path: Path) -> tuple[MacIntegration, FakeMac, RecordingRunner]:
    fake = FakeMac()
    runner = RecordingRunner(fake)
    return MacIntegration(runner, tmp_path), fake, runner


def test_networksetup_output_is_parsed() -> None:
    assert parse_services(SERVICES_TEXT) == ["USB 10/100/1000 LAN", "Wi-Fi",
                                             "Thunderbolt Bridge"]
    assert parse_services(SERVICES_TEXT, with_disabled=True)[2] == "Bluetooth PAN"
    assert parse_dns_servers("There aren't any DNS Servers set on Wi-Fi.\n") == ()
    assert parse_dns_servers("192.168.1.1\n2001:db8::53\n") == ("192.168.1.1", "2001:db8::53")


def test_dns_is_set_on_every_enabled_service_and_given_back(tmp_path: Path) -> None:
    system, fake, runner = mac(tmp_path)
    before = dict(fake.dns)
    system.point_dns_at_agent(AGENT)
    for service in ("USB 10/100/1000 LAN", "Wi-Fi", "Thunderbolt Bridge"):
        assert fake.dns[service] == AGENT
    assert fake.dns["Bluetooth PAN"] == ()  # disabled: left alone
    assert system.dns_points_at_agent(AGENT).ok
    saved = json.loads(system.saved_dns_path.read_text(encoding="utf-8"))
    assert saved["services"]["USB 10/100/1000 LAN"] == ["192.168.1.1", "8.8.8.8"]
    assert saved["services"]["Wi-Fi"] == []

    system.point_dns_at_agent(AGENT)  # again: the first saved settings stay
    system.restore_dns()
    assert fake.dns == before
    assert (NETWORKSETUP, "-setdnsservers", "Wi-Fi", "Empty") in runner.commands
    assert (NETWORKSETUP, "-setdnsservers", "USB 10/100/1000 LAN", "192.168.1.1",
            "8.8.8.8") in runner.commands
    assert not system.saved_dns_path.exists()


def test_a_service_changed_away_is_named(tmp_path: Path) -> None:
    system, fake, _ = mac(tmp_path)
    system.point_dns_at_agent(AGENT)
    fake.dns["Wi-Fi"] = ("1.1.1.1",)
    finding = system.dns_points_at_agent(AGENT)
    assert not finding.ok and "Wi-Fi asks 1.1.1.1" in finding.detail
    fake.dns["Wi-Fi"] = ()
    assert "Wi-Fi asks the router" in system.dns_points_at_agent(AGENT).detail


def test_chrome_and_edge_get_managed_preferences(tmp_path: Path) -> None:
    system, _, _ = mac(tmp_path)
    chrome_path = tmp_path / "Library" / "Managed Preferences" / "com.google.Chrome.plist"
    chrome_path.parent.mkdir(parents=True)
    chrome_path.write_bytes(plistlib.dumps({"HomepageLocation": "https://school.example"}))
    system.install_browser_policies()
    chrome = plistlib.loads(chrome_path.read_bytes())
    assert chrome["DnsOverHttpsMode"] == "off"
    assert chrome["ForceGoogleSafeSearch"] is True
    assert chrome["ForceYouTubeRestrict"] == CHROMIUM_POLICIES["ForceYouTubeRestrict"]
    assert chrome["HomepageLocation"] == "https://school.example"
    assert chrome_path.stat().st_mode & 0o777 == 0o644
    edge_path = chrome_path.with_name("com.microsoft.Edge.plist")
    assert plistlib.loads(edge_path.read_bytes())["InPrivateModeAvailability"] == 1
    findings = {f.key: f for f in system.browser_policies_in_place()}
    assert findings["browser-policy:chrome"].ok and findings["browser-policy:edge"].ok
    assert findings["browser-policy:firefox"].detail == "Firefox is not installed"

    system.remove_browser_policies()
    assert plistlib.loads(chrome_path.read_bytes()) == {"HomepageLocation": "https://school.example"}
    assert not edge_path.exists()


def test_firefox_gets_policies_json_in_its_distribution_folder(tmp_path: Path) -> None:
    system, _, _ = mac(tmp_path)
    resources = tmp_path / "Applications" / "Firefox.app" / "Contents" / "Resources"
    resources.mkdir(parents=True)
    system.install_browser_policies()
    document = json.loads((resources / "distribution" / "policies.json").read_text())
    assert document == {"policies": dict(FIREFOX_POLICIES)}
    assert document["policies"]["DNSOverHTTPS"] == {"Enabled": False, "Locked": True}
    assert {f.key: f.ok for f in system.browser_policies_in_place()}["browser-policy:firefox"]

    document["policies"]["DNSOverHTTPS"]["Enabled"] = True
    (resources / "distribution" / "policies.json").write_text(json.dumps(document))
    firefox = {f.key: f for f in system.browser_policies_in_place()}["browser-policy:firefox"]
    assert not firefox.ok and "DNSOverHTTPS" in firefox.detail

    system.remove_browser_policies()
    assert not (resources / "distribution" / "policies.json").exists()


def test_the_pf_anchor_blocks_the_childrens_dns_elsewhere_and_is_removed(
    tmp_path: Path,
) -> None:
    system, fake, runner = mac(tmp_path)
    system.install_firewall(("minh", "lan"))
    rules = fake.anchors[PF_ANCHOR_NAME]
    assert PF_ANCHOR_NAME.startswith("com.apple/")  # the stock pf.conf evaluates it
    assert ("block drop out quick inet proto { tcp, udp } from any to ! 127.0.0.0/8 "
            "port { 53, 853 } user { minh, lan }") in rules
    assert "inet6 proto { tcp, udp } from any to ! ::1 port { 53, 853 }" in rules
    assert "to <baoan_doh> port { 443, 853 } user { minh, lan }" in rules
    assert "1.1.1.1" in rules.split("table <baoan_doh>", 1)[1].splitlines()[0]
    assert fake.enabled_tokens == ["13185626441284829247"]
    system.install_firewall(("minh", "lan"))  # again: pf is not enabled twice
    assert len(runner.ran(PFCTL, "-E")) == 1

    assert system.firewall_in_place().ok
    system.remove_firewall()
    assert fake.anchors == {} and fake.enabled_tokens == []
    assert system.firewall_in_place().detail == "pf is not enabled"
    assert not system.pf_anchor_path.exists()


def test_an_odd_account_name_never_reaches_pf() -> None:
    with pytest.raises(ValueError):
        pf_rules(("minh }\npass out all",))


def test_for_os_gives_the_mac_integration(tmp_path: Path) -> None:
    assert isinstance(for_os("darwin", RecordingRunner(FakeMac()), tmp_path), MacIntegration)
