"""A Windows PC as its command-line tools answer: PowerShell's `ConvertTo-Json` (as
Windows PowerShell 5.1 writes it: one object bare, an empty array over two lines),
`reg query`/`reg add`/`reg delete` and `netsh interface ipv4|ipv6 set|add dnsservers`,
keeping the state they change. Not a test module of its own."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from agent.system.runner import CommandResult
from agent.system.windows import (
    ADAPTERS_SCRIPT,
    ALL_ADAPTERS_SCRIPT,
    DNS_SCRIPT,
    FIREWALL_SCRIPT,
    POWERSHELL,
    TCPIP_KEYS,
)

REG_NOT_FOUND = "ERROR: The system was unable to find the specified registry key or value.\r\n"


def ps_json(rows: list[dict[str, object]]) -> str:
    """ConvertTo-Json's text, in Windows PowerShell's layout."""
    if not rows:
        return ""
    value: object = rows[0] if len(rows) == 1 else rows
    text = json.dumps(value, indent=4).replace('": ', '":  ')
    return text.replace("[]", "[\r\n\r\n                            ]").replace("\n", "\r\n")


@dataclass
class NetAdapter:
    index: int
    name: str
    guid: str
    status: str = "Up"
    ipv6: bool = True  # IPv6 bound to the adapter


@dataclass
class FakeWindows:
    adapters: list[NetAdapter]
    # The registry's NameServer per (guid, family): typed by hand; absent: automatic.
    static: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    # What DHCP gives each adapter (what it asks when nothing is typed).
    dhcp: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    registry: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    sids: dict[str, str] = field(default_factory=dict)
    firewall_scripts: list[str] = field(default_factory=list)

    def adapter(self, index: int) -> NetAdapter:
        return next(adapter for adapter in self.adapters if adapter.index == index)

    def asks(self, index: int, family: int) -> tuple[str, ...]:
        adapter = self.adapter(index)
        key = (adapter.guid, family)
        return self.static.get(key) or self.dhcp.get(key, ())

    def __call__(self, argv: tuple[str, ...], _input: str | None) -> CommandResult | None:
        if argv[: len(POWERSHELL)] == POWERSHELL:
            return self._powershell(argv, argv[len(POWERSHELL)])
        if argv[0] == "reg.exe":
            return self._reg(argv)
        if argv[0] == "netsh.exe":
            return self._netsh(argv)
        return None

    def _powershell(self, argv: tuple[str, ...], script: str) -> CommandResult:
        if script in (ADAPTERS_SCRIPT, ALL_ADAPTERS_SCRIPT):
            rows: list[dict[str, object]] = [
                {"Name": a.name, "InterfaceDescription": f"{a.name} adapter",
                 "ifIndex": a.index, "Status": a.status, "InterfaceGuid": a.guid}
                for a in self.adapters if a.status == "Up" or script == ALL_ADAPTERS_SCRIPT
            ]
            return CommandResult(argv, 0, ps_json(rows))
        if script == DNS_SCRIPT:
            rows = [{"InterfaceAlias": "Loopback Pseudo-Interface 1", "InterfaceIndex": 1,
                     "AddressFamily": 2, "ServerAddresses": []}]
            for a in self.adapters:
                for family, number in ((4, 2), (6, 23)):
                    if family == 6 and not a.ipv6:
                        continue
                    rows.append({"InterfaceAlias": a.name, "InterfaceIndex": a.index,
                                 "AddressFamily": number,
                                 "ServerAddresses": list(self.asks(a.index, family))})
            return CommandResult(argv, 0, ps_json(rows))
        if script == FIREWALL_SCRIPT:
            names = [re.search(r"-Name '([^']+)'", s) for s in self.firewall_scripts]
            return CommandResult(argv, 0, "".join(f"{m.group(1)}\r\n" for m in names if m))
        account = re.search(r"NTAccount\('([^']+)'\)", script)
        if account:
            sid = self.sids.get(account.group(1))
            if sid is None:
                return CommandResult(argv, 1, "", 'Exception calling "Translate" with "1" '
                                     'argument(s): "Some or all identity references could '
                                     'not be translated."')
            return CommandResult(argv, 0, sid + "\r\n")
        if "NetFirewallRule" in script:
            if script.startswith("Remove-NetFirewallRule"):
                self.firewall_scripts.clear()
            else:
                self.firewall_scripts.append(script)
            return CommandResult(argv, 0)
        return CommandResult(argv, 1, "", f"unknown script {script}")

    def _reg(self, argv: tuple[str, ...]) -> CommandResult:
        action, key = argv[1], argv[2]
        name = argv[argv.index("/v") + 1] if "/v" in argv else None
        for family, base in TCPIP_KEYS.items():
            if key.startswith(base + "\\") and action == "query":
                guid = key[len(base) + 1:]
                servers = self.static.get((guid, family))
                if servers is None:
                    return CommandResult(argv, 1, "", REG_NOT_FOUND)
                long_key = key.replace("HKLM", "HKEY_LOCAL_MACHINE", 1)
                return CommandResult(argv, 0, f"\r\n{long_key}\r\n    NameServer    REG_SZ    "
                                     f"{','.join(servers)}\r\n\r\n")
        values = self.registry.setdefault(key, {})
        if action == "add":
            assert name is not None
            values[name] = (argv[argv.index("/t") + 1], argv[argv.index("/d") + 1])
            return CommandResult(argv, 0, "The operation completed successfully.\r\n")
        if action == "delete":
            if name not in values:
                return CommandResult(argv, 1, "", REG_NOT_FOUND)
            del values[name]
            return CommandResult(argv, 0, "The operation completed successfully.\r\n")
        if action == "query":
            if not values:
                return CommandResult(argv, 1, "", REG_NOT_FOUND)
            long_key = key.replace("HKLM", "HKEY_LOCAL_MACHINE", 1)
            lines = [f"    {n}    {t}    {hex(int(d)) if t == 'REG_DWORD' else d}"
                     for n, (t, d) in values.items()]
            return CommandResult(argv, 0, "\r\n" + long_key + "\r\n" + "\r\n".join(lines)
                                 + "\r\n\r\n")
        return CommandResult(argv, 1, "", "ERROR: Invalid syntax.\r\n")

    def _netsh(self, argv: tuple[str, ...]) -> CommandResult:
        family = 4 if argv[2] == "ipv4" else 6
        options = dict(item.split("=", 1) for item in argv[5:])
        adapter = self.adapter(int(options["name"]))
        if family == 6 and not adapter.ipv6:
            return CommandResult(argv, 1, "The filename, directory name, or volume label "
                                 "syntax is incorrect.\r\n")
        key = (adapter.guid, family)
        if argv[3] == "set" and options.get("source") == "dhcp":
            self.static.pop(key, None)
        elif argv[3] == "set":
            self.static[key] = (options["address"],)
        else:
            position = int(options["index"]) - 1
            servers = list(self.static.get(key, ()))
            servers.insert(position, options["address"])
            self.static[key] = tuple(servers)
        return CommandResult(argv, 0, "")
