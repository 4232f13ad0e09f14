"""Windows: DNS on every active adapter, the browsers' registry policies, Windows Firewall.

Reading goes through PowerShell with `ConvertTo-Json` (the same on every display
language) and `reg query`; writing through `netsh interface ipv4|ipv6 set dnsservers`
(its arguments are not translated) and `reg add`/`reg delete`. What each adapter had is
read from its registry key first: `NameServer` set means servers typed by hand, empty or
absent means "obtain automatically" (DHCP or router advertisements), and that is what
`restore_dns` gives back, per adapter and address family.

The firewall rules (New-NetFirewallRule, group `BaoAn`) are scoped to the children's
accounts by their SIDs (`-LocalUser`, an SDDL that names them), so the agent, which runs
as LocalSystem, still reaches the resolvers it asks.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from agent.system.browser_policies import CHROMIUM_POLICIES, EDGE_POLICIES, FIREFOX_POLICIES
from agent.system.doh_addresses import known_doh_addresses
from agent.system.findings import Finding
from agent.system.runner import CommandResult, CommandRunner, run_checked
from dns_filter.fileio import atomic_write_bytes

logger = logging.getLogger(__name__)

POWERSHELL = ("powershell.exe", "-NoProfile", "-NonInteractive", "-Command")
REG = "reg.exe"
NETSH = "netsh.exe"

ADAPTERS_SCRIPT = (
    "Get-NetAdapter | Where-Object Status -eq 'Up' | "
    "Select-Object Name,InterfaceDescription,ifIndex,Status,InterfaceGuid | ConvertTo-Json"
)
# Every adapter, connected or not: a laptop's Wi-Fi may be off when Bảo An is removed.
ALL_ADAPTERS_SCRIPT = (
    "Get-NetAdapter | "
    "Select-Object Name,InterfaceDescription,ifIndex,Status,InterfaceGuid | ConvertTo-Json"
)
DNS_SCRIPT = (
    "Get-DnsClientServerAddress | "
    "Select-Object InterfaceAlias,InterfaceIndex,AddressFamily,ServerAddresses | ConvertTo-Json"
)
# The AddressFamily enum as ConvertTo-Json writes it.
AF_INET = 2
AF_INET6 = 23

TCPIP_KEYS = {
    4: r"HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces",
    6: r"HKLM\SYSTEM\CurrentControlSet\Services\Tcpip6\Parameters\Interfaces",
}
CHROME_KEY = r"HKLM\SOFTWARE\Policies\Google\Chrome"
EDGE_KEY = r"HKLM\SOFTWARE\Policies\Microsoft\Edge"
FIREFOX_KEY = r"HKLM\SOFTWARE\Policies\Mozilla\Firefox"

FIREWALL_GROUP = "BaoAn"
FIREWALL_RULES = ("BaoAn-DNS-UDP", "BaoAn-DoH-UDP", "BaoAn-DNS-TCP", "BaoAn-DoH-TCP")
FIREWALL_SCRIPT = (
    f"Get-NetFirewallRule -Group '{FIREWALL_GROUP}' -ErrorAction SilentlyContinue | "
    "Where-Object Enabled -eq 'True' | Select-Object -ExpandProperty Name"
)
SAVED_DNS_FILE = "dns-before.json"
DEFAULT_DATA_DIR = Path("ProgramData") / "BaoAn" / "data"

_SID = re.compile(r"^S-1-[0-9-]+$")
_ACCOUNT = re.compile(r"^[^\"'`$;|&<>\r\n]{1,104}$")


@dataclass(frozen=True)
class Adapter:
    index: int
    name: str
    guid: str


@dataclass(frozen=True)
class SavedFamily:
    """What one address family of an adapter had: servers typed by hand, or none
    (automatic)."""

    static: tuple[str, ...]


@dataclass(frozen=True)
class SavedAdapter:
    guid: str
    name: str
    families: Mapping[int, SavedFamily]

    def to_json(self) -> dict[str, object]:
        return {
            "guid": self.guid,
            "name": self.name,
            **{f"ipv{family}": list(saved.static) for family, saved in self.families.items()},
        }

    @classmethod
    def from_json(cls, value: Mapping[str, object]) -> SavedAdapter:
        families = {}
        for family in (4, 6):
            servers = value.get(f"ipv{family}")
            if isinstance(servers, list):
                families[family] = SavedFamily(tuple(str(item) for item in servers))
        return cls(str(value["guid"]), str(value.get("name", "")), families)


def _json_rows(text: str) -> list[Mapping[str, object]]:
    """ConvertTo-Json's answer as a list: it writes one object bare, and nothing for none."""
    text = text.strip()
    if not text:
        return []
    value = json.loads(text)
    rows = value if isinstance(value, list) else [value]
    return [row for row in rows if isinstance(row, dict)]


def _servers(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list):
        return tuple(str(item) for item in value if item)
    return ()


def parse_reg_value(text: str, name: str) -> str | None:
    """The data of value `name` in `reg query` output (None when it is not listed)."""
    for line in text.splitlines():
        parts = line.strip().split(None, 2)
        named = len(parts) >= 2 and parts[0].casefold() == name.casefold()
        if named and parts[1].startswith("REG_"):
            return parts[2].strip() if len(parts) == 3 else ""
    return None


def parse_reg_values(text: str) -> dict[str, tuple[str, str]]:
    """Every value of one key in `reg query KEY` output: name → (type, data)."""
    values: dict[str, tuple[str, str]] = {}
    for line in text.splitlines():
        if not line.startswith(" "):
            continue  # the key's own name, or a blank line
        parts = line.strip().split(None, 2)
        if len(parts) >= 2 and parts[1].startswith("REG_"):
            values[parts[0]] = (parts[1], parts[2].strip() if len(parts) == 3 else "")
    return values


def _family_of(address: str) -> int:
    return ipaddress.ip_address(address).version


def reg_data(value: object) -> tuple[str, str]:
    """A policy value as `reg add` takes it: (type, data)."""
    if isinstance(value, bool):
        return "REG_DWORD", "1" if value else "0"
    if isinstance(value, int):
        return "REG_DWORD", str(value)
    return "REG_SZ", str(value)


def _same_reg_data(expected: tuple[str, str], found: tuple[str, str]) -> bool:
    kind, data = expected
    found_kind, found_data = found
    if kind != found_kind:
        return False
    if kind == "REG_DWORD":  # `reg query` shows a DWORD in hex: 0x1
        try:
            return int(found_data, 0) == int(data)
        except ValueError:
            return False
    return found_data == data


def _registry_policies() -> dict[str, dict[str, tuple[str, str]]]:
    """Each registry key Bảo An writes, with its values."""
    firefox: dict[str, tuple[str, str]] = {}
    nested: dict[str, dict[str, tuple[str, str]]] = {}
    for name, value in FIREFOX_POLICIES.items():
        if isinstance(value, Mapping):  # Firefox's ADMX: a policy object is a subkey
            nested[f"{FIREFOX_KEY}\\{name}"] = {
                key: reg_data(item) for key, item in value.items()
            }
        else:
            firefox[name] = reg_data(value)
    return {
        CHROME_KEY: {name: reg_data(value) for name, value in CHROMIUM_POLICIES.items()},
        EDGE_KEY: {name: reg_data(value) for name, value in EDGE_POLICIES.items()},
        FIREFOX_KEY: firefox,
        **nested,
    }


BROWSER_KEYS = {"chrome": CHROME_KEY, "edge": EDGE_KEY, "firefox": FIREFOX_KEY}


def ps_quote(text: str) -> str:
    """A PowerShell single-quoted string."""
    return "'" + text.replace("'", "''") + "'"


def everything_but_loopback(family: int) -> tuple[str, ...]:
    """Every address of `family` as ranges, leaving out the loopback (where the agent is)."""
    if family == 4:
        return ("0.0.0.0-126.255.255.255", "128.0.0.0-255.255.255.255")
    return ("::2-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",)  # all but :: and ::1


class WindowsIntegration:
    """`SystemIntegration` for Windows; `root` is the system drive ("C:\\" on a PC)."""

    def __init__(self, runner: CommandRunner, root: Path, data_dir: Path | None = None) -> None:
        self._runner = runner
        self._root = root
        self._data_dir = data_dir or root / DEFAULT_DATA_DIR

    @property
    def saved_dns_path(self) -> Path:
        return self._data_dir / SAVED_DNS_FILE

    # -- reading ----------------------------------------------------------------------------

    def _powershell(self, script: str) -> CommandResult:
        return run_checked(self._runner, (*POWERSHELL, script))

    def active_adapters(self) -> list[Adapter]:
        return self._adapters(ADAPTERS_SCRIPT, active_only=True)

    def all_adapters(self) -> list[Adapter]:
        return self._adapters(ALL_ADAPTERS_SCRIPT, active_only=False)

    def _adapters(self, script: str, *, active_only: bool) -> list[Adapter]:
        adapters = []
        for row in _json_rows(self._powershell(script).stdout):
            if active_only and str(row.get("Status", "Up")) != "Up":
                continue
            index = row.get("ifIndex")
            if not isinstance(index, int):
                continue
            adapters.append(Adapter(index, str(row.get("Name", "")),
                                    str(row.get("InterfaceGuid", ""))))
        return adapters

    def dns_servers(self) -> dict[tuple[int, int], tuple[str, ...]]:
        """What each interface asks now: (ifIndex, 4|6) → servers, for every interface."""
        found: dict[tuple[int, int], tuple[str, ...]] = {}
        for row in _json_rows(self._powershell(DNS_SCRIPT).stdout):
            index = row.get("InterfaceIndex")
            family = {AF_INET: 4, AF_INET6: 6}.get(row.get("AddressFamily"))  # type: ignore[call-overload]
            if isinstance(index, int) and family is not None:
                found[(index, family)] = _servers(row.get("ServerAddresses"))
        return found

    def static_servers(self, adapter: Adapter, family: int) -> tuple[str, ...]:
        """The servers typed by hand for `adapter` (none: it obtains them automatically)."""
        key = f"{TCPIP_KEYS[family]}\\{adapter.guid}"
        result = self._runner.run((REG, "query", key, "/v", "NameServer", "/reg:64"))
        if not result.ok:
            return ()  # no such value: automatic
        data = parse_reg_value(result.stdout, "NameServer") or ""
        return tuple(item for item in re.split(r"[,\s]+", data) if item)

    # -- DNS --------------------------------------------------------------------------------

    def point_dns_at_agent(self, agent_addresses: tuple[str, ...]) -> None:
        wanted = self._by_family(agent_addresses)
        adapters = self.active_adapters()
        current = self.dns_servers()
        saved = {adapter.guid: adapter for adapter in self._load_saved()}
        for adapter in adapters:
            families = [family for family in (4, 6) if (adapter.index, family) in current]
            if adapter.guid not in saved:
                before: dict[int, SavedFamily] = {}
                for family in families:
                    static = self.static_servers(adapter, family)
                    # Our own addresses are not "what was there": that is automatic.
                    if set(static) <= set(wanted.get(family, ())):
                        static = ()
                    before[family] = SavedFamily(static)
                saved[adapter.guid] = SavedAdapter(adapter.guid, adapter.name, before)
                self._save(saved.values())  # before any change, so a failure can be undone
            for family in families:
                servers = wanted.get(family)
                if servers:
                    self._set_static(adapter.index, family, servers)
        logger.info("DNS of %d adapter(s) pointed at %s", len(adapters), ", ".join(agent_addresses))

    def restore_dns(self) -> None:
        saved = self._load_saved()
        adapters = {adapter.guid: adapter for adapter in self.all_adapters()}
        for before in saved:
            adapter = adapters.get(before.guid)
            if adapter is None:
                logger.info("adapter %s is gone; nothing to give back", before.name)
                continue
            for family, was in before.families.items():
                if was.static:
                    self._set_static(adapter.index, family, was.static)
                else:
                    self._set_automatic(adapter.index, family)
        self.saved_dns_path.unlink(missing_ok=True)

    def dns_points_at_agent(self, agent_addresses: tuple[str, ...]) -> Finding:
        wanted = self._by_family(agent_addresses)
        current = self.dns_servers()
        wrong = []
        adapters = self.active_adapters()
        for adapter in adapters:
            for family in (4, 6):
                servers = current.get((adapter.index, family))
                if servers is None or not wanted.get(family):
                    continue
                if tuple(servers) != wanted[family]:
                    shown = ", ".join(servers) or "automatic"
                    wrong.append(f"{adapter.name} (IPv{family}) asks {shown}")
        if not adapters:
            return Finding("dns", False, "no active network adapter")
        if wrong:
            return Finding("dns", False, "; ".join(wrong))
        return Finding("dns", True, f"{len(adapters)} adapter(s) ask {', '.join(agent_addresses)}")

    def _set_static(self, index: int, family: int, servers: Sequence[str]) -> None:
        ip = f"ipv{family}"
        run_checked(self._runner, (
            NETSH, "interface", ip, "set", "dnsservers", f"name={index}", "source=static",
            f"address={servers[0]}", "register=primary", "validate=no",
        ))
        for position, server in enumerate(servers[1:], start=2):
            run_checked(self._runner, (
                NETSH, "interface", ip, "add", "dnsservers", f"name={index}",
                f"address={server}", f"index={position}", "validate=no",
            ))

    def _set_automatic(self, index: int, family: int) -> None:
        run_checked(self._runner, (
            NETSH, "interface", f"ipv{family}", "set", "dnsservers", f"name={index}",
            "source=dhcp",
        ))

    @staticmethod
    def _by_family(addresses: Iterable[str]) -> dict[int, tuple[str, ...]]:
        found: dict[int, list[str]] = {}
        for address in addresses:
            found.setdefault(_family_of(address), []).append(address)
        return {family: tuple(items) for family, items in found.items()}

    def _load_saved(self) -> list[SavedAdapter]:
        try:
            value = json.loads(self.saved_dns_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        return [SavedAdapter.from_json(item) for item in value.get("adapters", [])]

    def _save(self, adapters: Iterable[SavedAdapter]) -> None:
        self._data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = {"adapters": [adapter.to_json() for adapter in adapters]}
        atomic_write_bytes(self.saved_dns_path, json.dumps(body, indent=2).encode("utf-8"))

    # -- browsers ---------------------------------------------------------------------------

    def install_browser_policies(self) -> None:
        for key, values in _registry_policies().items():
            for name, (kind, data) in values.items():
                run_checked(self._runner, (
                    REG, "add", key, "/v", name, "/t", kind, "/d", data, "/f", "/reg:64",
                ))

    def remove_browser_policies(self) -> None:
        # Only our values: a school's or an employer's other policies stay.
        for key, values in _registry_policies().items():
            for name in values:
                self._runner.run((REG, "delete", key, "/v", name, "/f", "/reg:64"))

    def browser_policies_in_place(self) -> list[Finding]:
        policies = _registry_policies()
        findings = []
        for browser, top in BROWSER_KEYS.items():
            missing = []
            for key, values in policies.items():
                if key != top and not key.startswith(top + "\\"):
                    continue
                result = self._runner.run((REG, "query", key, "/reg:64"))
                found = parse_reg_values(result.stdout) if result.ok else {}
                for name, expected in values.items():
                    seen = found.get(name)
                    if seen is None or not _same_reg_data(expected, seen):
                        missing.append(name)
            detail = "missing or changed: " + ", ".join(missing) if missing else "in place"
            findings.append(Finding(f"browser-policy:{browser}", not missing, detail))
        return findings

    # -- firewall ---------------------------------------------------------------------------

    def account_sid(self, account: str) -> str:
        if not _ACCOUNT.match(account):
            raise ValueError(f"not an account name: {account!r}")
        script = (
            f"(New-Object System.Security.Principal.NTAccount({ps_quote(account)}))"
            ".Translate([System.Security.Principal.SecurityIdentifier]).Value"
        )
        sid = self._powershell(script).stdout.strip()
        if not _SID.match(sid):
            raise ValueError(f"no SID for the account {account!r}: {sid!r}")
        return sid

    def firewall_rule_scripts(self, sids: Sequence[str]) -> list[str]:
        """The New-NetFirewallRule commands, one per rule."""
        users = "O:LSD:" + "".join(f"(A;;CC;;;{sid})" for sid in sids)
        doh = known_doh_addresses()
        rules: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = []
        for protocol in ("UDP", "TCP"):
            rules.append((
                f"BaoAn-DNS-{protocol}", protocol, ("53", "853"),
                everything_but_loopback(4) + everything_but_loopback(6),
            ))
            rules.append((f"BaoAn-DoH-{protocol}", protocol, ("443", "853"), doh))
        scripts = []
        for name, protocol, ports, addresses in rules:
            scripts.append(
                f"New-NetFirewallRule -Name {ps_quote(name)} -DisplayName {ps_quote(name)} "
                f"-Group {ps_quote(FIREWALL_GROUP)} -Direction Outbound -Action Block "
                f"-Protocol {protocol} -RemotePort {','.join(ports)} "
                f"-RemoteAddress {','.join(addresses)} -LocalUser {ps_quote(users)} "
                "-Profile Any | Out-Null"
            )
        return scripts

    def install_firewall(self, child_accounts: tuple[str, ...]) -> None:
        if not child_accounts:
            logger.warning("no child accounts: no firewall rules")
            return
        sids = [self.account_sid(account) for account in child_accounts]
        self.remove_firewall()
        for script in self.firewall_rule_scripts(sids):
            self._powershell(script)

    def remove_firewall(self) -> None:
        self._runner.run((
            *POWERSHELL,
            f"Remove-NetFirewallRule -Group {ps_quote(FIREWALL_GROUP)} "
            "-ErrorAction SilentlyContinue",
        ))

    def firewall_in_place(self) -> Finding:
        result = self._runner.run((*POWERSHELL, FIREWALL_SCRIPT))
        enabled = {line.strip() for line in result.stdout.splitlines() if line.strip()}
        missing = [name for name in FIREWALL_RULES if name not in enabled]
        if missing:
            return Finding("firewall", False, "missing or off: " + ", ".join(missing))
        return Finding("firewall", True, f"the {len(FIREWALL_RULES)} rules of group "
                       f"{FIREWALL_GROUP} are on")
