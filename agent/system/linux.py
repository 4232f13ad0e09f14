"""Linux: the system's DNS, the browsers' policy files and an nftables table.

DNS goes to the agent by whichever way the system manages it:

- systemd-resolved (`/etc/resolv.conf` is its stub file, or the service is running): a
  drop-in `/etc/systemd/resolved.conf.d/baoan.conf` makes the agent the only global server
  for every domain (`Domains=~.`); programs still ask the stub, the stub asks the agent.
  With NetworkManager beside it, NetworkManager's `dns=none` too, so that it gives
  resolved no link servers to ask beside the agent (servers that systemd-networkd takes
  from DHCP are not handled);
- NetworkManager without resolved: `dns=none` in `/etc/NetworkManager/conf.d/baoan.conf`
  so that it stops writing `/etc/resolv.conf`, and that file names the agent;
- neither: `/etc/resolv.conf` names the agent.

Every file touched is saved first (`agent.system.saved_files`) in the state folder
(`/var/lib/baoan/system`), once: running the install again keeps the first copy, and
`restore_dns()` puts each file back byte for byte. The browsers' policies are our own
files for Chromium and Chrome, and merged into Firefox's `policies.json` (the system one
and the `distribution` folder of each Firefox install found), with the keys we changed
saved and given back on removal.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pwd
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from agent.system.browser_policies import CHROMIUM_POLICIES, FIREFOX_POLICIES
from agent.system.doh_addresses import known_doh_addresses
from agent.system.errors import SystemSetupError
from agent.system.findings import Finding
from agent.system.runner import CommandRunner, run_checked
from agent.system.saved_files import (
    FileSnapshot,
    load_state,
    make_dirs,
    put_back,
    remove_dirs_if_empty,
    save_state,
    take_snapshot,
    write_file,
)

log = logging.getLogger(__name__)

STATE_DIR = "var/lib/baoan/system"
DNS_STATE_NAME = "dns.json"
BROWSER_STATE_NAME = "browser-policies.json"

RESOLV_CONF = "etc/resolv.conf"
RESOLVED_DROP_IN = "etc/systemd/resolved.conf.d/baoan.conf"
NETWORK_MANAGER_DROP_IN = "etc/NetworkManager/conf.d/baoan.conf"
NETWORK_MANAGER_CONF = "etc/NetworkManager/NetworkManager.conf"

MANAGER_RESOLVED = "systemd-resolved"
MANAGER_NETWORK_MANAGER = "NetworkManager"
MANAGER_RESOLV_CONF = "resolv.conf"

# The stub addresses of systemd-resolved: they ask the agent once the drop-in is in place.
RESOLVED_STUB_ADDRESSES = ("127.0.0.53", "127.0.0.54")

CHROMIUM_POLICY_FILES = {
    "chromium": "etc/chromium/policies/managed/baoan.json",
    "chrome": "etc/opt/chrome/policies/managed/baoan.json",
}
FIREFOX_SYSTEM_POLICY_FILE = "etc/firefox/policies/policies.json"
# Where Firefox installs live; each one found gets `distribution/policies.json` too.
FIREFOX_INSTALL_DIRS = (
    "usr/lib/firefox",
    "usr/lib/firefox-esr",
    "usr/lib64/firefox",
    "opt/firefox",
)

NFT_TABLE = "baoan"
# What a child's program may still ask on the DNS ports: the agent (loopback) and
# systemd-resolved's stubs, which ask the agent. Only root can listen on ports below 1024.
CHILD_DNS_ALLOWED_IPV4 = ("127.0.0.1", *RESOLVED_STUB_ADDRESSES)
CHILD_DNS_ALLOWED_IPV6 = ("::1",)
DNS_PORTS = (53, 853)
DOH_PORT = 443

_HEADER = "# Bảo An: this PC's DNS goes through the parental-control agent.\n"


@dataclass(frozen=True)
class _ManagerFiles:
    """The files one DNS manager needs, with their contents."""

    manager: str
    files: tuple[tuple[str, bytes], ...]


def resolved_drop_in(agent_addresses: tuple[str, ...]) -> bytes:
    return (
        f"{_HEADER}# Removed, with the previous settings given back, when Bảo An is removed.\n"
        "[Resolve]\n"
        f"DNS={' '.join(agent_addresses)}\n"
        "Domains=~.\n"
        "DNSOverTLS=no\n"
        "DNSSEC=no\n"
    ).encode()


def network_manager_drop_in() -> bytes:
    return (
        f"{_HEADER}# NetworkManager leaves /etc/resolv.conf alone; Bảo An writes it.\n"
        "[main]\n"
        "dns=none\n"
        "rc-manager=unmanaged\n"
    ).encode()


def resolv_conf(agent_addresses: tuple[str, ...]) -> bytes:
    lines = [_HEADER.rstrip("\n"), "# The previous file is given back when Bảo An is removed."]
    lines += [f"nameserver {address}" for address in agent_addresses]
    lines.append("options edns0 trust-ad")
    return ("\n".join(lines) + "\n").encode()


def nameservers(text: str) -> tuple[str, ...]:
    """The `nameserver` addresses of a resolv.conf, in order."""
    found: list[str] = []
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "nameserver":
            found.append(words[1])
    return tuple(found)


def nftables_ruleset(child_uids: Iterable[int]) -> str:
    """The whole `inet baoan` table, replacing any older one in the same transaction."""
    uids = sorted(set(child_uids))
    if not uids:
        raise ValueError("the firewall needs at least one child account")
    doh_v4, doh_v6 = known_doh_addresses(4), known_doh_addresses(6)
    ports = ", ".join(str(port) for port in DNS_PORTS)
    return "\n".join((
        f"table inet {NFT_TABLE}",
        f"delete table inet {NFT_TABLE}",
        f"table inet {NFT_TABLE} {{",
        "\tset doh_ipv4 {",
        "\t\ttype ipv4_addr; flags interval;",
        f"\t\telements = {{ {', '.join(doh_v4)} }}",
        "\t}",
        "\tset doh_ipv6 {",
        "\t\ttype ipv6_addr; flags interval;",
        f"\t\telements = {{ {', '.join(doh_v6)} }}",
        "\t}",
        "\tchain output {",
        "\t\ttype filter hook output priority filter; policy accept;",
        f"\t\tmeta skuid {{ {', '.join(str(uid) for uid in uids)} }} jump child",
        "\t}",
        "\tchain child {",
        f"\t\tip daddr {{ {', '.join(CHILD_DNS_ALLOWED_IPV4)} }} accept",
        f"\t\tip6 daddr {{ {', '.join(CHILD_DNS_ALLOWED_IPV6)} }} accept",
        f"\t\tmeta l4proto {{ tcp, udp }} th dport {{ {ports} }} drop",
        f"\t\tip daddr @doh_ipv4 meta l4proto {{ tcp, udp }} th dport {DOH_PORT} drop",
        f"\t\tip6 daddr @doh_ipv6 meta l4proto {{ tcp, udp }} th dport {DOH_PORT} drop",
        "\t}",
        "}",
        "",
    ))


def _policy_json(policies: Mapping[str, object]) -> bytes:
    return (json.dumps(dict(policies), indent=2, ensure_ascii=False) + "\n").encode()


class LinuxIntegration:
    """`SystemIntegration` for Linux. `root` is "/" on a PC; `manage_services` False
    leaves the running services alone (a root that is not this PC's own)."""

    def __init__(
        self,
        runner: CommandRunner,
        root: Path = Path("/"),
        *,
        state_dir: Path | None = None,
        manage_services: bool = True,
    ) -> None:
        self._runner = runner
        self._root = Path(root)
        self._state_dir = state_dir or self._root / STATE_DIR
        self._manage_services = manage_services

    def __repr__(self) -> str:
        return f"LinuxIntegration(root={self._root})"

    # ------------------------------------------------------------------ DNS

    def dns_manager(self) -> str:
        """Which of systemd-resolved, NetworkManager or a plain resolv.conf is in charge."""
        resolv = self._root / RESOLV_CONF
        if resolv.is_symlink() and "systemd/resolve" in os.readlink(resolv):
            return MANAGER_RESOLVED
        if self._service_active("systemd-resolved") and (self._root / "etc/systemd").is_dir():
            return MANAGER_RESOLVED
        if (self._root / NETWORK_MANAGER_CONF).exists() or self._service_active("NetworkManager"):
            return MANAGER_NETWORK_MANAGER
        return MANAGER_RESOLV_CONF

    def _wanted_dns_files(self, manager: str, agent_addresses: tuple[str, ...]) -> _ManagerFiles:
        if manager == MANAGER_RESOLVED:
            drop_in = (RESOLVED_DROP_IN, resolved_drop_in(agent_addresses))
            if (self._root / NETWORK_MANAGER_CONF).exists():
                # Else NetworkManager hands resolved each link's DHCP servers, which it
                # asks beside the agent; resolv.conf stays resolved's stub.
                return _ManagerFiles(
                    manager, (drop_in, (NETWORK_MANAGER_DROP_IN, network_manager_drop_in()))
                )
            return _ManagerFiles(manager, (drop_in,))
        resolv = (RESOLV_CONF, resolv_conf(agent_addresses))
        if manager == MANAGER_NETWORK_MANAGER:
            return _ManagerFiles(
                manager, ((NETWORK_MANAGER_DROP_IN, network_manager_drop_in()), resolv)
            )
        return _ManagerFiles(manager, (resolv,))

    def point_dns_at_agent(self, agent_addresses: tuple[str, ...]) -> None:
        if not agent_addresses:
            raise ValueError("the agent's DNS addresses are needed")
        state_path = self._state_dir / DNS_STATE_NAME
        saved = load_state(state_path)
        manager = str(saved["manager"]) if saved else self.dns_manager()
        wanted = self._wanted_dns_files(manager, agent_addresses)
        saved_files = _list(saved.get("files")) if saved else []
        saved_paths = {str(_mapping(raw).get("path")) for raw in saved_files}
        unsaved = [path for path, _ in wanted.files if path not in saved_paths]
        if unsaved:
            # The first time, or a file this manager now needs that was not saved then
            # (NetworkManager installed since): each file is saved once, before we write it.
            created = [str(name) for name in _list(saved.get("created_dirs"))] if saved else []
            snapshots = [take_snapshot(self._root, path) for path in unsaved]
            for path in unsaved:
                make_dirs(self._root, str(Path(path).parent), created)
            save_state(state_path, {
                "manager": manager,
                "files": [*saved_files, *(snapshot.to_json() for snapshot in snapshots)],
                "created_dirs": created,
            })
            log.info("DNS: %s; the previous settings are saved in %s", manager, state_path)
        for path, data in wanted.files:
            target = self._root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            write_file(target, data, 0o644)
        self._reload_dns_service(manager)

    def restore_dns(self) -> None:
        state_path = self._state_dir / DNS_STATE_NAME
        saved = load_state(state_path)
        if saved is None:
            log.info("DNS: nothing saved, nothing to give back")
            return
        files = saved.get("files")
        if not isinstance(files, list):
            raise ValueError(f"the saved settings in {state_path} have no files")
        for raw in files:
            put_back(self._root, FileSnapshot.from_json(raw))
        created = saved.get("created_dirs")
        if isinstance(created, list):
            remove_dirs_if_empty(self._root, [str(name) for name in created])
        self._reload_dns_service(str(saved["manager"]))
        state_path.unlink()
        log.info("DNS: the previous settings are back")

    def dns_points_at_agent(self, agent_addresses: tuple[str, ...]) -> Finding:
        saved = load_state(self._state_dir / DNS_STATE_NAME)
        manager = str(saved["manager"]) if saved else self.dns_manager()
        wanted = self._wanted_dns_files(manager, agent_addresses)
        for path, data in wanted.files:
            target = self._root / path
            try:
                current = b"" if target.is_symlink() else target.read_bytes()
            except FileNotFoundError:
                return Finding("dns", False, f"/{path} is missing ({manager})")
            if path == RESOLV_CONF:
                servers = nameservers(current.decode("utf-8", "replace"))
                if servers != agent_addresses:
                    shown = ", ".join(servers) or "none"
                    return Finding("dns", False, f"/{path} names {shown}, not the agent")
            elif current != data:
                return Finding("dns", False, f"/{path} was changed ({manager})")
        if manager == MANAGER_RESOLVED:
            finding = self._resolved_stub_check(agent_addresses)
            if finding is not None:
                return finding
        return Finding("dns", True, f"the system's DNS ({manager}) asks the agent")

    def _resolved_stub_check(self, agent_addresses: tuple[str, ...]) -> Finding | None:
        """With resolved, resolv.conf must still name its stub (or the agent)."""
        resolv = self._root / RESOLV_CONF
        try:
            text = resolv.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return Finding("dns", False, f"/{RESOLV_CONF} is missing")
        allowed = set(RESOLVED_STUB_ADDRESSES) | set(agent_addresses)
        servers = nameservers(text)
        if not servers or not set(servers) <= allowed:
            shown = ", ".join(servers) or "none"
            return Finding("dns", False, f"/{RESOLV_CONF} names {shown}, not the agent")
        return None

    def _reload_dns_service(self, manager: str) -> None:
        if manager == MANAGER_NETWORK_MANAGER or (
            (self._root / NETWORK_MANAGER_CONF).exists()
        ):
            self._service_command("try-reload-or-restart", "NetworkManager.service")
        if manager == MANAGER_RESOLVED:
            self._service_command("try-restart", "systemd-resolved.service")

    # ------------------------------------------------------------------ browsers

    def firefox_policy_files(self) -> tuple[str, ...]:
        found = [FIREFOX_SYSTEM_POLICY_FILE]
        for install in FIREFOX_INSTALL_DIRS:
            if (self._root / install).is_dir():
                found.append(f"{install}/distribution/policies.json")
        return tuple(found)

    def install_browser_policies(self) -> None:
        state_path = self._state_dir / BROWSER_STATE_NAME
        saved = load_state(state_path) or {}
        created = [str(name) for name in _list(saved.get("created_dirs"))]
        firefox_saved = dict(_mapping(saved.get("firefox")))
        for path in CHROMIUM_POLICY_FILES.values():
            make_dirs(self._root, str(Path(path).parent), created)
            write_file(self._root / path, _policy_json(CHROMIUM_POLICIES), 0o644)
        for path in self.firefox_policy_files():
            make_dirs(self._root, str(Path(path).parent), created)
            firefox_saved[path] = self._merge_firefox(path, firefox_saved.get(path))
        save_state(state_path, {"created_dirs": sorted(set(created)), "firefox": firefox_saved})
        log.info("browser policies are in place")

    def _merge_firefox(self, path: str, saved: object) -> dict[str, object]:
        """Put our keys into the file; return what to keep to take them out again."""
        target = self._root / path
        original = take_snapshot(self._root, path)
        document = _read_policies(target)
        policies = document.setdefault("policies", {})
        assert isinstance(policies, dict)
        if isinstance(saved, dict):
            record = dict(saved)  # the first install's record holds the values before us
        else:
            previous = {key: policies[key] for key in FIREFOX_POLICIES if key in policies}
            record = {"original": original.to_json(), "previous": previous}
        policies.update(FIREFOX_POLICIES)
        data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
        write_file(target, data, original.mode if original.kind == "file" else 0o644)
        record["written"] = data.decode("utf-8")
        return record

    def remove_browser_policies(self) -> None:
        state_path = self._state_dir / BROWSER_STATE_NAME
        saved = load_state(state_path) or {}
        for path in CHROMIUM_POLICY_FILES.values():
            with contextlib.suppress(FileNotFoundError):
                (self._root / path).unlink()
        for path, record in _mapping(saved.get("firefox")).items():
            if isinstance(record, dict):
                self._unmerge_firefox(path, record)
        remove_dirs_if_empty(self._root, [str(name) for name in _list(saved.get("created_dirs"))])
        with contextlib.suppress(FileNotFoundError):
            state_path.unlink()
        log.info("browser policies are removed")

    def _unmerge_firefox(self, path: str, record: dict[str, object]) -> None:
        target = self._root / path
        original = FileSnapshot.from_json(record["original"])
        try:
            current = target.read_bytes()
        except FileNotFoundError:
            return
        if current.decode("utf-8", "replace") == record.get("written"):
            put_back(self._root, original)  # untouched since: exactly as it was
            return
        # Changed since (a parent's own policies): take out only what we put in.
        document = _read_policies(target)
        policies = document.get("policies")
        if not isinstance(policies, dict):
            return
        previous = _mapping(record.get("previous"))
        for key in FIREFOX_POLICIES:
            if key in previous:
                policies[key] = previous[key]
            else:
                policies.pop(key, None)
        data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
        write_file(target, data, original.mode if original.kind == "file" else 0o644)

    def browser_policies_in_place(self) -> list[Finding]:
        findings: list[Finding] = []
        for browser, path in CHROMIUM_POLICY_FILES.items():
            key = f"browser-policy:{browser}"
            try:
                current = json.loads((self._root / path).read_text(encoding="utf-8"))
            except FileNotFoundError:
                findings.append(Finding(key, False, f"/{path} is missing"))
                continue
            except ValueError:
                findings.append(Finding(key, False, f"/{path} is not valid JSON"))
                continue
            ok = current == dict(CHROMIUM_POLICIES)
            findings.append(Finding(key, ok, f"/{path} " + ("is in place" if ok else "changed")))
        for path in self.firefox_policy_files():
            key = "browser-policy:firefox" + ("" if path == FIREFOX_SYSTEM_POLICY_FILE
                                              else f":/{Path(path).parent.parent}")
            target = self._root / path
            if not target.exists():
                findings.append(Finding(key, False, f"/{path} is missing"))
                continue
            policies = _read_policies(target).get("policies")
            ours = dict(FIREFOX_POLICIES)
            ok = isinstance(policies, dict) and all(
                policies.get(name) == value for name, value in ours.items()
            )
            detail = "holds" if ok else "lacks"
            findings.append(Finding(key, ok, f"/{path} {detail} DNS over HTTPS off"))
        return findings

    # ------------------------------------------------------------------ firewall

    def child_uids(self, child_accounts: Iterable[str]) -> tuple[int, ...]:
        """The accounts' uids (a number is taken as one); unknown accounts are skipped."""
        uids: list[int] = []
        for account in child_accounts:
            uid = self._uid_of(account)
            if uid is None:
                log.warning("no account %r on this PC: the firewall leaves it out", account)
            elif uid == 0:
                log.warning("%r is root: the firewall never applies to root", account)
            else:
                uids.append(uid)
        return tuple(sorted(set(uids)))

    def _uid_of(self, account: str) -> int | None:
        if account.isdigit():
            return int(account)
        if self._root == Path("/"):
            try:
                return pwd.getpwnam(account).pw_uid
            except KeyError:
                return None
        try:
            lines = (self._root / "etc/passwd").read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return None
        for line in lines:
            fields = line.split(":")
            if len(fields) > 2 and fields[0] == account and fields[2].isdigit():
                return int(fields[2])
        return None

    def install_firewall(self, child_accounts: tuple[str, ...]) -> None:
        uids = self.child_uids(child_accounts)
        if not uids:
            log.warning("no child account on this PC: no firewall rules are needed")
            self.remove_firewall()
            return
        try:
            run_checked(self._runner, ("nft", "-f", "-"), input_text=nftables_ruleset(uids))
        except RuntimeError as error:
            raise SystemSetupError(f"the firewall rules could not be loaded: {error}") from error
        log.info("firewall: table inet %s for uid(s) %s", NFT_TABLE, ", ".join(map(str, uids)))

    def remove_firewall(self) -> None:
        # Declaring the table first makes its deletion succeed when there was none.
        script = f"table inet {NFT_TABLE}\ndelete table inet {NFT_TABLE}\n"
        try:
            run_checked(self._runner, ("nft", "-f", "-"), input_text=script)
        except RuntimeError as error:
            raise SystemSetupError(f"the firewall rules could not be removed: {error}") from error

    def firewall_in_place(self) -> Finding:
        result = self._runner.run(("nft", "list", "table", "inet", NFT_TABLE))
        if not result.ok:
            return Finding("firewall", False, f"the nftables table inet {NFT_TABLE} is missing")
        return Finding("firewall", True, f"the nftables table inet {NFT_TABLE} is loaded")

    # ------------------------------------------------------------------ services

    def _service_active(self, unit: str) -> bool:
        if not self._manage_services:
            return False
        return self._runner.run(("systemctl", "is-active", "--quiet", unit)).ok

    def _service_command(self, verb: str, unit: str) -> None:
        if not self._manage_services:
            log.info("not running systemctl %s %s: %s is not this PC's root", verb, unit,
                     self._root)
            return
        result = self._runner.run(("systemctl", verb, unit))
        if not result.ok:
            log.warning("systemctl %s %s failed: %s", verb, unit,
                        (result.stderr or result.stdout).strip()[:300])


def _read_policies(path: Path) -> dict[str, object]:
    """A Firefox policies.json as an object with a `policies` object (a broken file counts
    as empty: Firefox ignores it too, and the original is saved before it is replaced)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {"policies": {}}
    if not isinstance(raw, dict):
        return {"policies": {}}
    if not isinstance(raw.get("policies"), dict):
        raw["policies"] = {}
    return raw


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []
