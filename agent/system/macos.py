"""macOS: DNS through `networksetup`, Chrome/Edge managed preferences and Firefox's
`policies.json`, and a pf anchor for the firewall.

Each enabled network service is set with `networksetup -setdnsservers`; what it had before
("There aren't any DNS Servers set on …" is `Empty`: the router's) is saved as JSON in the
data folder and given back. Chrome and Edge read their policies from
`/Library/Managed Preferences/<bundle id>.plist`; Firefox from `distribution/policies.json`
inside its app. The firewall is an anchor under `com.apple/` (the stock `/etc/pf.conf`
evaluates `anchor "com.apple/*"`), so `/etc/pf.conf` itself is not edited; pf is enabled
with a reference (`pfctl -E`), given back at removal (`pfctl -X`).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import plistlib
import re
from collections.abc import Mapping
from pathlib import Path

from agent.system.browser_policies import CHROMIUM_POLICIES, EDGE_POLICIES, FIREFOX_POLICIES
from agent.system.doh_addresses import known_doh_addresses
from agent.system.findings import Finding
from agent.system.runner import CommandRunner, run_checked
from dns_filter.fileio import atomic_write_bytes

logger = logging.getLogger(__name__)

NETWORKSETUP = "/usr/sbin/networksetup"
PFCTL = "/sbin/pfctl"
NO_SERVERS = "There aren't any DNS Servers set on"
DISABLED_NOTE = "An asterisk (*) denotes that a network service is disabled."

DEFAULT_DATA_DIR = Path("Library") / "Application Support" / "BaoAn" / "data"
SAVED_DNS_FILE = "dns-before.json"
PF_TOKEN_FILE = "pf-token"
MANAGED_PREFERENCES = Path("Library") / "Managed Preferences"
CHROMIUM_BROWSERS = {"chrome": ("com.google.Chrome", CHROMIUM_POLICIES),
                     "edge": ("com.microsoft.Edge", EDGE_POLICIES)}
FIREFOX_POLICIES_FILE = (
    Path("Applications") / "Firefox.app" / "Contents" / "Resources" / "distribution"
    / "policies.json"
)
PF_ANCHOR_NAME = "com.apple/250.BaoAn"
PF_ANCHOR_FILE = Path("etc") / "pf.anchors" / "vn.baoan"

_ACCOUNT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$")


def parse_services(text: str, *, with_disabled: bool = False) -> list[str]:
    """The enabled services in `networksetup -listallnetworkservices` output (and the
    disabled ones, their asterisk taken off, with `with_disabled`)."""
    services = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line == DISABLED_NOTE:
            continue
        if line.startswith("*"):
            if not with_disabled:
                continue
            line = line[1:]
        services.append(line)
    return services


def parse_dns_servers(text: str) -> tuple[str, ...]:
    """`networksetup -getdnsservers SERVICE` output: the servers, or none."""
    if NO_SERVERS in text:
        return ()
    servers = []
    for line in text.splitlines():
        try:
            servers.append(str(ipaddress.ip_address(line.strip())))
        except ValueError:
            continue
    return tuple(servers)


def pf_rules(child_accounts: tuple[str, ...]) -> str:
    """The anchor's rules: the children's processes reach port 53 and 853 only at the
    loopback (the agent), and never the known DoH resolvers."""
    for account in child_accounts:
        if not _ACCOUNT.match(account):
            raise ValueError(f"not an account name: {account!r}")
    users = "{ " + ", ".join(child_accounts) + " }"
    doh = ", ".join(known_doh_addresses())
    return (
        "# Bảo An: the children's accounts reach DNS only through the agent.\n"
        f"table <baoan_doh> const {{ {doh} }}\n"
        "block drop out quick inet proto { tcp, udp } from any to ! 127.0.0.0/8 "
        f"port {{ 53, 853 }} user {users}\n"
        "block drop out quick inet6 proto { tcp, udp } from any to ! ::1 "
        f"port {{ 53, 853 }} user {users}\n"
        "block drop out quick proto { tcp, udp } from any to <baoan_doh> "
        f"port {{ 443, 853 }} user {users}\n"
    )


class MacIntegration:
    """`SystemIntegration` for macOS; `root` is "/" on a Mac."""

    def __init__(self, runner: CommandRunner, root: Path, data_dir: Path | None = None) -> None:
        self._runner = runner
        self._root = root
        self._data_dir = data_dir or root / DEFAULT_DATA_DIR

    @property
    def saved_dns_path(self) -> Path:
        return self._data_dir / SAVED_DNS_FILE

    @property
    def pf_anchor_path(self) -> Path:
        return self._root / PF_ANCHOR_FILE

    # -- DNS --------------------------------------------------------------------------------

    def network_services(self, *, with_disabled: bool = False) -> list[str]:
        listing = run_checked(self._runner, (NETWORKSETUP, "-listallnetworkservices")).stdout
        return parse_services(listing, with_disabled=with_disabled)

    def dns_servers(self, service: str) -> tuple[str, ...]:
        result = run_checked(self._runner, (NETWORKSETUP, "-getdnsservers", service))
        return parse_dns_servers(result.stdout)

    def point_dns_at_agent(self, agent_addresses: tuple[str, ...]) -> None:
        saved = self._load_saved()
        for service in self.network_services():
            if service not in saved:
                servers = self.dns_servers(service)
                if set(servers) <= set(agent_addresses):
                    servers = ()  # our own addresses were not "what was there"
                saved[service] = servers
                self._save(saved)
            run_checked(self._runner, (NETWORKSETUP, "-setdnsservers", service, *agent_addresses))

    def restore_dns(self) -> None:
        saved = self._load_saved()
        # A service switched off since the install is given back too.
        present = set(self.network_services(with_disabled=True))
        for service, servers in saved.items():
            if service not in present:
                continue
            run_checked(self._runner, (
                NETWORKSETUP, "-setdnsservers", service, *(servers or ("Empty",)),
            ))
        self.saved_dns_path.unlink(missing_ok=True)

    def dns_points_at_agent(self, agent_addresses: tuple[str, ...]) -> Finding:
        services = self.network_services()
        if not services:
            return Finding("dns", False, "no enabled network service")
        wrong = []
        for service in services:
            servers = self.dns_servers(service)
            if servers != tuple(agent_addresses):
                wrong.append(f"{service} asks {', '.join(servers) or 'the router'}")
        if wrong:
            return Finding("dns", False, "; ".join(wrong))
        return Finding("dns", True, f"{len(services)} service(s) ask {', '.join(agent_addresses)}")

    def _load_saved(self) -> dict[str, tuple[str, ...]]:
        try:
            value = json.loads(self.saved_dns_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {str(name): tuple(servers) for name, servers in value["services"].items()}

    def _save(self, saved: Mapping[str, tuple[str, ...]]) -> None:
        self._data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = {"services": {name: list(servers) for name, servers in saved.items()}}
        atomic_write_bytes(self.saved_dns_path, json.dumps(body, indent=2).encode("utf-8"))

    # -- browsers ---------------------------------------------------------------------------

    def managed_preferences_path(self, bundle_id: str) -> Path:
        return self._root / MANAGED_PREFERENCES / f"{bundle_id}.plist"

    @property
    def firefox_policies_path(self) -> Path:
        return self._root / FIREFOX_POLICIES_FILE

    def install_browser_policies(self) -> None:
        for bundle_id, policies in CHROMIUM_BROWSERS.values():
            path = self.managed_preferences_path(bundle_id)
            current = self._read_plist(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, plistlib.dumps({**current, **policies}), mode=0o644)
        firefox = self.firefox_policies_path
        if firefox.parent.parent.is_dir():  # Firefox is installed
            document = self._read_json(firefox)
            found = document.get("policies")
            merged = {**(found if isinstance(found, dict) else {}), **FIREFOX_POLICIES}
            firefox.parent.mkdir(exist_ok=True)
            atomic_write_bytes(
                firefox, json.dumps({**document, "policies": merged}, indent=2).encode(),
                mode=0o644,
            )

    def remove_browser_policies(self) -> None:
        for bundle_id, chromium in CHROMIUM_BROWSERS.values():
            path = self.managed_preferences_path(bundle_id)
            rest = {k: v for k, v in self._read_plist(path).items() if k not in chromium}
            if rest:
                atomic_write_bytes(path, plistlib.dumps(rest), mode=0o644)
            else:
                path.unlink(missing_ok=True)
        firefox = self.firefox_policies_path
        document = self._read_json(firefox)
        policies = document.get("policies")
        if isinstance(policies, dict):
            rest = {k: v for k, v in policies.items() if k not in FIREFOX_POLICIES}
            if rest or len(document) > 1:
                body = json.dumps({**document, "policies": rest}, indent=2).encode()
                atomic_write_bytes(firefox, body, mode=0o644)
            else:
                firefox.unlink(missing_ok=True)

    def browser_policies_in_place(self) -> list[Finding]:
        findings = []
        for browser, (bundle_id, chromium) in CHROMIUM_BROWSERS.items():
            found = self._read_plist(self.managed_preferences_path(bundle_id))
            missing = [name for name, value in chromium.items() if found.get(name) != value]
            findings.append(self._finding(browser, missing))
        if not self.firefox_policies_path.parent.parent.is_dir():
            findings.append(Finding("browser-policy:firefox", True, "Firefox is not installed"))
        else:
            policies = self._read_json(self.firefox_policies_path).get("policies")
            found_firefox = policies if isinstance(policies, dict) else {}
            missing = [name for name, value in FIREFOX_POLICIES.items()
                       if found_firefox.get(name) != value]
            findings.append(self._finding("firefox", missing))
        return findings

    @staticmethod
    def _finding(browser: str, missing: list[str]) -> Finding:
        detail = "missing or changed: " + ", ".join(missing) if missing else "in place"
        return Finding(f"browser-policy:{browser}", not missing, detail)

    @staticmethod
    def _read_plist(path: Path) -> dict[str, object]:
        try:
            value = plistlib.loads(path.read_bytes())
        except (FileNotFoundError, plistlib.InvalidFileException):
            return {}
        return value if isinstance(value, dict) else {}

    @staticmethod
    def _read_json(path: Path) -> dict[str, object]:
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    # -- firewall ---------------------------------------------------------------------------

    def install_firewall(self, child_accounts: tuple[str, ...]) -> None:
        if not child_accounts:
            logger.warning("no child accounts: no firewall rules")
            return
        rules = pf_rules(child_accounts)
        self.pf_anchor_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.pf_anchor_path, rules.encode("utf-8"), mode=0o644)
        run_checked(self._runner, (PFCTL, "-a", PF_ANCHOR_NAME, "-f", str(self.pf_anchor_path)))
        token_path = self._data_dir / PF_TOKEN_FILE
        if not token_path.exists():
            enabled = run_checked(self._runner, (PFCTL, "-E"))
            token = re.search(r"Token\s*:\s*(\d+)", enabled.stdout + enabled.stderr)
            if token:
                self._data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
                atomic_write_bytes(token_path, token.group(1).encode("ascii"))

    def remove_firewall(self) -> None:
        self._runner.run((PFCTL, "-a", PF_ANCHOR_NAME, "-F", "all"))
        token_path = self._data_dir / PF_TOKEN_FILE
        try:
            token = token_path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            token = ""
        if token:
            self._runner.run((PFCTL, "-X", token))  # pf stays on if something else enabled it
        token_path.unlink(missing_ok=True)
        self.pf_anchor_path.unlink(missing_ok=True)

    def firewall_in_place(self) -> Finding:
        info = self._runner.run((PFCTL, "-s", "info"))
        if "Status: Enabled" not in info.stdout + info.stderr:
            return Finding("firewall", False, "pf is not enabled")
        rules = self._runner.run((PFCTL, "-a", PF_ANCHOR_NAME, "-s", "rules"))
        if not rules.ok or "block" not in rules.stdout:
            return Finding("firewall", False, f"the pf anchor {PF_ANCHOR_NAME} has no rules")
        return Finding("firewall", True, f"the pf anchor {PF_ANCHOR_NAME} is loaded")
