"""Linux system integration against a temporary root and a recording runner."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers_runner import RecordingRunner

from agent.system import SystemSetupError, for_os
from agent.system.browser_policies import CHROMIUM_POLICIES, FIREFOX_POLICIES
from agent.system.doh_addresses import KNOWN_DOH_ADDRESSES, known_doh_addresses
from agent.system.linux import (
    MANAGER_NETWORK_MANAGER,
    MANAGER_RESOLV_CONF,
    MANAGER_RESOLVED,
    LinuxIntegration,
    nameservers,
    nftables_ruleset,
)
from agent.system.runner import CommandResult

AGENT = ("127.0.0.1", "::1")
OLD_RESOLV = b"# from the DHCP client\nnameserver 192.0.2.1\nsearch home.example\n"


def tree(root: Path) -> dict[str, tuple[str, bytes | str]]:
    """Every file, link and folder under root (the state folder aside), as it is."""
    found: dict[str, tuple[str, bytes | str]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            relative = str(path.relative_to(root))
            if relative == "var" or relative.startswith("var/"):
                continue
            if path.is_symlink():
                found[relative] = ("link", os.readlink(path))
            elif path.is_dir():
                found[relative] = ("dir", oct(path.stat().st_mode & 0o7777))
            else:
                found[relative] = (oct(path.stat().st_mode & 0o7777), path.read_bytes())
    return found


def write(root: Path, relative: str, data: bytes, mode: int = 0o644) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(mode)
    return path


def make_resolved(root: Path) -> None:
    write(root, "run/systemd/resolve/stub-resolv.conf", b"nameserver 127.0.0.53\noptions edns0\n")
    (root / "etc").mkdir(parents=True, exist_ok=True)
    (root / "etc/resolv.conf").symlink_to("../run/systemd/resolve/stub-resolv.conf")
    write(root, "etc/systemd/resolved.conf", b"[Resolve]\n#DNS=\n")


def make_network_manager(root: Path) -> None:
    write(root, "etc/NetworkManager/NetworkManager.conf", b"[main]\nplugins=ifupdown,keyfile\n")
    write(root, "run/NetworkManager/resolv.conf", OLD_RESOLV)
    (root / "etc/resolv.conf").symlink_to("/run/NetworkManager/resolv.conf")


def make_plain(root: Path) -> None:
    write(root, "etc/resolv.conf", OLD_RESOLV, 0o640)


SETUPS = {
    MANAGER_RESOLVED: make_resolved,
    MANAGER_NETWORK_MANAGER: make_network_manager,
    MANAGER_RESOLV_CONF: make_plain,
}


@pytest.mark.parametrize("manager", list(SETUPS))
def test_the_dns_manager_is_found_from_the_files(tmp_path: Path, manager: str) -> None:
    SETUPS[manager](tmp_path)
    runner = RecordingRunner(lambda argv, _: CommandResult(argv, 3))  # no service is running
    assert LinuxIntegration(runner, tmp_path).dns_manager() == manager


def test_a_running_resolved_counts_even_when_resolv_conf_is_a_file(tmp_path: Path) -> None:
    write(tmp_path, "etc/resolv.conf", b"nameserver 127.0.0.53\n")
    (tmp_path / "etc/systemd").mkdir()

    def active(argv: tuple[str, ...], _input: str | None) -> CommandResult:
        up = argv[-1] == "systemd-resolved"
        return CommandResult(argv, 0 if up else 3)

    assert LinuxIntegration(RecordingRunner(active), tmp_path).dns_manager() == MANAGER_RESOLVED


@pytest.mark.parametrize("manager", list(SETUPS))
def test_dns_points_at_the_agent_and_comes_back_byte_for_byte(
    tmp_path: Path, manager: str
) -> None:
    SETUPS[manager](tmp_path)
    before = tree(tmp_path)
    runner = RecordingRunner(
        lambda argv, _: CommandResult(argv, 3) if "is-active" in argv else None
    )
    system = LinuxIntegration(runner, tmp_path)
    assert not system.dns_points_at_agent(AGENT).ok

    system.point_dns_at_agent(AGENT)
    system.point_dns_at_agent(AGENT)  # again (an upgrade): the first saved copy is kept

    finding = system.dns_points_at_agent(AGENT)
    assert finding.ok, finding.detail
    if manager == MANAGER_RESOLVED:
        drop_in = (tmp_path / "etc/systemd/resolved.conf.d/baoan.conf").read_text()
        assert "DNS=127.0.0.1 ::1\n" in drop_in and "Domains=~.\n" in drop_in
        assert (tmp_path / "etc/resolv.conf").is_symlink()  # programs still ask the stub
        assert runner.ran("systemctl", "try-restart", "systemd-resolved.service")
    else:
        resolv = tmp_path / "etc/resolv.conf"
        assert not resolv.is_symlink()
        assert nameservers(resolv.read_text()) == AGENT
    if manager == MANAGER_NETWORK_MANAGER:
        conf = (tmp_path / "etc/NetworkManager/conf.d/baoan.conf").read_text()
        assert "dns=none\n" in conf
        assert runner.ran("systemctl", "try-reload-or-restart", "NetworkManager.service")
    saved = tmp_path / "var/lib/baoan/system/dns.json"
    assert saved.stat().st_mode & 0o777 == 0o600

    system.restore_dns()
    assert tree(tmp_path) == before
    assert not saved.exists()
    system.restore_dns()  # nothing saved: nothing to do
    assert tree(tmp_path) == before


def test_with_resolved_and_network_manager_both_are_told(tmp_path: Path) -> None:
    make_resolved(tmp_path)
    write(tmp_path, "etc/NetworkManager/NetworkManager.conf", b"[main]\ndns=systemd-resolved\n")
    before = tree(tmp_path)
    runner = RecordingRunner()
    system = LinuxIntegration(runner, tmp_path)
    assert system.dns_manager() == MANAGER_RESOLVED
    system.point_dns_at_agent(AGENT)
    conf = (tmp_path / "etc/NetworkManager/conf.d/baoan.conf").read_text()
    assert "dns=none\n" in conf and "rc-manager=unmanaged\n" in conf
    assert (tmp_path / "etc/resolv.conf").is_symlink()  # still resolved's stub
    assert system.dns_points_at_agent(AGENT).ok
    assert runner.ran("systemctl", "try-reload-or-restart", "NetworkManager.service")
    assert runner.ran("systemctl", "try-restart", "systemd-resolved.service")
    (tmp_path / "etc/NetworkManager/conf.d/baoan.conf").unlink()
    assert not system.dns_points_at_agent(AGENT).ok
    system.point_dns_at_agent(AGENT)
    system.restore_dns()
    assert tree(tmp_path) == before


def test_a_file_needed_later_is_saved_before_it_is_written(tmp_path: Path) -> None:
    make_resolved(tmp_path)
    before = tree(tmp_path)
    system = LinuxIntegration(RecordingRunner(), tmp_path, manage_services=False)
    system.point_dns_at_agent(AGENT)
    # NetworkManager installed since, with a drop-in of its own name already there.
    write(tmp_path, "etc/NetworkManager/NetworkManager.conf", b"[main]\n")
    write(tmp_path, "etc/NetworkManager/conf.d/baoan.conf", b"# someone's\n")
    expected = {
        path: entry for path, entry in tree(tmp_path).items()
        if not path.startswith("etc/systemd/resolved.conf.d")  # ours, from the first time
    }
    assert not system.dns_points_at_agent(AGENT).ok
    system.point_dns_at_agent(AGENT)  # what the tamper watch does
    assert system.dns_points_at_agent(AGENT).ok
    system.restore_dns()
    assert tree(tmp_path) == expected  # the someone's drop-in is back too
    assert before.items() <= expected.items()


def test_a_resolv_conf_changed_away_is_seen(tmp_path: Path) -> None:
    make_plain(tmp_path)
    system = LinuxIntegration(RecordingRunner(), tmp_path, manage_services=False)
    system.point_dns_at_agent(AGENT)
    write(tmp_path, "etc/resolv.conf", b"nameserver 8.8.8.8\n")
    finding = system.dns_points_at_agent(AGENT)
    assert (finding.key, finding.ok) == ("dns", False)
    assert "8.8.8.8" in finding.detail
    system.point_dns_at_agent(AGENT)  # the watch puts it back
    assert system.dns_points_at_agent(AGENT).ok
    system.restore_dns()
    assert (tmp_path / "etc/resolv.conf").read_bytes() == OLD_RESOLV  # the first copy


def test_with_resolved_a_resolv_conf_naming_another_server_is_seen(tmp_path: Path) -> None:
    make_resolved(tmp_path)
    system = LinuxIntegration(RecordingRunner(), tmp_path, manage_services=False)
    system.point_dns_at_agent(AGENT)
    (tmp_path / "etc/resolv.conf").unlink()
    write(tmp_path, "etc/resolv.conf", b"nameserver 1.1.1.1\n")
    assert not system.dns_points_at_agent(AGENT).ok


def test_services_are_left_alone_for_a_root_that_is_not_this_pcs(tmp_path: Path) -> None:
    make_resolved(tmp_path)
    runner = RecordingRunner()
    system = LinuxIntegration(runner, tmp_path, manage_services=False)
    system.point_dns_at_agent(AGENT)
    system.restore_dns()
    assert runner.commands == []


# ---------------------------------------------------------------------- browsers


def test_chromium_and_chrome_get_their_managed_policy_files(tmp_path: Path) -> None:
    before = tree(tmp_path)
    system = LinuxIntegration(RecordingRunner(), tmp_path)
    system.install_browser_policies()
    for path in ("etc/chromium/policies/managed/baoan.json",
                 "etc/opt/chrome/policies/managed/baoan.json"):
        file = tmp_path / path
        assert json.loads(file.read_text()) == dict(CHROMIUM_POLICIES)
        assert file.stat().st_mode & 0o777 == 0o644
    assert all(finding.ok for finding in system.browser_policies_in_place())
    system.remove_browser_policies()
    assert tree(tmp_path) == before  # the folders made for them are gone too


def test_firefox_policies_are_merged_into_an_existing_file_and_given_back(
    tmp_path: Path,
) -> None:
    original = json.dumps(
        {"policies": {"DisableTelemetry": True, "DNSOverHTTPS": {"Enabled": True}}}, indent=4
    ).encode()
    write(tmp_path, "etc/firefox/policies/policies.json", original)
    (tmp_path / "usr/lib/firefox-esr").mkdir(parents=True)
    before = tree(tmp_path)
    system = LinuxIntegration(RecordingRunner(), tmp_path)

    system.install_browser_policies()
    system.install_browser_policies()  # again: what was there before us is still known

    merged = json.loads((tmp_path / "etc/firefox/policies/policies.json").read_text())
    assert merged["policies"]["DisableTelemetry"] is True  # the family's own policy stays
    for key, value in FIREFOX_POLICIES.items():
        assert merged["policies"][key] == value
    distribution = tmp_path / "usr/lib/firefox-esr/distribution/policies.json"
    assert json.loads(distribution.read_text())["policies"] == dict(FIREFOX_POLICIES)
    findings = {finding.key: finding for finding in system.browser_policies_in_place()}
    assert findings["browser-policy:firefox"].ok
    assert findings["browser-policy:firefox:/usr/lib/firefox-esr"].ok

    system.remove_browser_policies()
    assert tree(tmp_path) == before


def test_a_firefox_file_changed_since_keeps_the_change_and_loses_only_ours(
    tmp_path: Path,
) -> None:
    write(tmp_path, "etc/firefox/policies/policies.json",
          b'{"policies": {"DNSOverHTTPS": {"Enabled": true}}}')
    system = LinuxIntegration(RecordingRunner(), tmp_path)
    system.install_browser_policies()
    path = tmp_path / "etc/firefox/policies/policies.json"
    document = json.loads(path.read_text())
    document["policies"]["BlockAboutConfig"] = True  # a parent adds one
    path.write_text(json.dumps(document))

    system.remove_browser_policies()

    assert json.loads(path.read_text())["policies"] == {
        "DNSOverHTTPS": {"Enabled": True}, "BlockAboutConfig": True,
    }


def test_a_removed_policy_is_found_missing(tmp_path: Path) -> None:
    system = LinuxIntegration(RecordingRunner(), tmp_path)
    system.install_browser_policies()
    (tmp_path / "etc/opt/chrome/policies/managed/baoan.json").unlink()
    path = tmp_path / "etc/firefox/policies/policies.json"
    path.write_text('{"policies": {"DNSOverHTTPS": {"Enabled": true}}}')
    bad = {finding.key for finding in system.browser_policies_in_place() if not finding.ok}
    assert bad == {"browser-policy:chrome", "browser-policy:firefox"}
    system.install_browser_policies()
    assert all(finding.ok for finding in system.browser_policies_in_place())


# ---------------------------------------------------------------------- firewall


def test_the_ruleset_names_the_children_and_every_known_doh_address() -> None:
    rules = nftables_ruleset([1002, 1001, 1002])
    assert rules.startswith("table inet baoan\ndelete table inet baoan\n")
    assert "meta skuid { 1001, 1002 } jump child" in rules
    assert "ip daddr { 127.0.0.1, 127.0.0.53, 127.0.0.54 } accept" in rules
    assert "ip6 daddr { ::1 } accept" in rules
    assert "th dport { 53, 853 } drop" in rules
    assert "ip daddr @doh_ipv4 meta l4proto { tcp, udp } th dport 443 drop" in rules
    ipv4, ipv6 = known_doh_addresses(4), known_doh_addresses(6)
    assert len(ipv4) + len(ipv6) == len(KNOWN_DOH_ADDRESSES)
    assert "8.8.8.8" in ipv4 and "2606:4700:4700::1111" in ipv6 and "45.90.28.0" in ipv4
    for address in (*ipv4, *ipv6):
        assert address in rules
    with pytest.raises(ValueError):
        nftables_ruleset([])


def test_the_firewall_is_loaded_for_the_children_s_uids(tmp_path: Path) -> None:
    write(tmp_path, "etc/passwd",
          b"root:x:0:0::/root:/bin/sh\nan:x:1001:1001::/home/an:/bin/bash\n")
    runner = RecordingRunner()
    system = LinuxIntegration(runner, tmp_path)
    system.install_firewall(("an", "1234", "nobody-here", "root"))
    assert runner.commands == [("nft", "-f", "-")]
    loaded = runner.inputs[0]
    assert loaded is not None and "meta skuid { 1001, 1234 } jump child" in loaded
    system.remove_firewall()
    assert runner.inputs[1] == "table inet baoan\ndelete table inet baoan\n"


def test_no_child_account_means_no_table(tmp_path: Path) -> None:
    runner = RecordingRunner()
    LinuxIntegration(runner, tmp_path).install_firewall(("nobody-here",))
    assert runner.inputs == ["table inet baoan\ndelete table inet baoan\n"]


def test_a_failing_nft_is_a_clear_error(tmp_path: Path) -> None:
    runner = RecordingRunner(lambda argv, _: CommandResult(argv, 127, "", "nft: not found"))
    system = LinuxIntegration(runner, tmp_path)
    with pytest.raises(SystemSetupError, match=r"could not be loaded.*nft: not found"):
        system.install_firewall(("1001",))
    assert not system.firewall_in_place().ok


def test_for_os_builds_the_linux_integration_and_none_for_an_unknown_os(tmp_path: Path) -> None:
    assert isinstance(for_os("linux", RecordingRunner(), tmp_path), LinuxIntegration)
    assert for_os("plan9", RecordingRunner(), tmp_path) is None
    with pytest.raises(SystemSetupError):
        LinuxIntegration(
            RecordingRunner(lambda argv, _: CommandResult(argv, 1, "", "Operation not permitted")),
            tmp_path,
        ).remove_firewall()
