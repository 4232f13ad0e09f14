"""Client -> profile: which child a query belongs to.

One :class:`ChildResolver` answers it for the whole agent: the chain's first link, the
server's memo key and the block page all ask the same object, so a device is the same
child for the filter and for the page.

- A query from the PC itself (loopback, or one of the PC's own addresses) belongs to the
  child whose OS account holds the active desktop session (`active_child()`, from the
  agent); when nobody is signed in, or the account belongs to no child, to the PC's default
  child (`FilterPolicy.default_profile`).
- A query from another device on the LAN belongs to the child the policy maps its IP to,
  or else its MAC address (read from the kernel's ARP table on Linux).
- A query from the PC while a child's account holds the session, or with a default child
  named, gets the family's strictest profile (`FilterPolicy.strictest_profile`) when
  neither the child's nor the default child's profile is in the snapshot: never none.
- Anything else has no profile: it is not filtered, except by the rules that hold for
  everyone (the bypass guard's signal names; the always-allowed names are never blocked).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

from dns_filter.addresses import is_loopback, normalise_ip
from dns_filter.chain import Query, Resolver, Result
from dns_filter.policy import FilterPolicy
from dns_filter.resolvers import ActiveChild, PolicySource

log = logging.getLogger(__name__)

LocalAddresses = Callable[[], Collection[str]]
MacLookup = Callable[[str], "str | None"]


class SystemAddresses:
    """The PC's own addresses (psutil), refreshed at most every `refresh_seconds`."""

    def __init__(self, refresh_seconds: float = 30.0) -> None:
        self._refresh_seconds = refresh_seconds
        self._addresses: frozenset[str] = frozenset()
        self._read_at = float("-inf")

    def __call__(self) -> frozenset[str]:
        now = time.monotonic()
        if now - self._read_at >= self._refresh_seconds:
            self._read_at = now
            try:
                import psutil

                self._addresses = frozenset(
                    normalise_ip(entry.address)
                    for entries in psutil.net_if_addrs().values()
                    for entry in entries
                    if entry.family.name in ("AF_INET", "AF_INET6")
                )
            except (ImportError, OSError) as error:
                log.warning("cannot read the PC's own addresses: %s", error)
        return self._addresses


class LinuxArpTable:
    """IP -> MAC from /proc/net/arp, re-read at most every `refresh_seconds`."""

    def __init__(self, path: Path = Path("/proc/net/arp"), refresh_seconds: float = 10.0) -> None:
        self._path = path
        self._refresh_seconds = refresh_seconds
        self._table: dict[str, str] = {}
        self._read_at = float("-inf")

    def __call__(self, address: str) -> str | None:
        now = time.monotonic()
        if now - self._read_at >= self._refresh_seconds:
            self._read_at = now
            self._table = self._read()
        return self._table.get(normalise_ip(address))

    def _read(self) -> dict[str, str]:
        try:
            lines = self._path.read_text(encoding="ascii", errors="replace").splitlines()
        except OSError:
            return {}
        table = {}
        for line in lines[1:]:  # the first line is the header
            fields = line.split()
            if len(fields) >= 4 and fields[3] != "00:00:00:00:00:00":
                table[normalise_ip(fields[0])] = fields[3].lower()
        return table


def device_map(devices: Mapping[str, str]) -> dict[str, str]:
    """The policy's device keys in canonical form: IPs normalised, MACs lower-case."""
    return {normalise_ip(key): profile for key, profile in devices.items()}


def profile_for_client(
    policy: FilterPolicy,
    client_ip: str,
    *,
    active_child: ActiveChild,
    local_addresses: Collection[str] = (),
    mac_lookup: MacLookup | None = None,
    devices: Mapping[str, str] | None = None,
) -> str | None:
    """The profile name for a query from `client_ip`, or None for no filtering.

    `devices` is :func:`device_map` of the policy's devices when the caller keeps it.
    """
    address = normalise_ip(client_ip)
    if is_loopback(address) or address in local_addresses:
        try:
            child = active_child()
        except Exception:  # the session lookup must never stop name resolution
            log.exception("cannot tell whose desktop session is active")
            child = None
        return pc_profile(policy, child)
    if devices is None:
        devices = device_map(policy.devices)
    profile = devices.get(address)
    if profile is None and devices and mac_lookup is not None:
        mac = mac_lookup(address)
        if mac is not None:
            profile = devices.get(mac.lower())
    return profile if profile in policy.profiles else None


def pc_profile(policy: FilterPolicy, child: str | None) -> str | None:
    """The profile of a query from the PC itself while `child` (None: no child) holds the
    session: the child's own, else the PC's default child's, else, when a child is there
    or a default child is named but neither has a profile, the family's strictest."""
    if child is not None and child in policy.profiles:
        return child
    if policy.default_profile in policy.profiles:
        return policy.default_profile
    if child is None and policy.default_profile is None:
        return None  # nothing says a child is at the PC
    fallback = policy.strictest_profile
    if fallback in policy.profiles:
        log.debug("no usable profile for %r: the family's strictest applies", child)
        return fallback
    return None


class ChildResolver:
    """Client address -> child: a LAN device by its IP or its MAC, the PC itself by the
    active session's child, else the PC's default child (see the module docstring).

    Built once from the policy source, the active-child callable, the PC's own addresses
    and the MAC lookup; calling it is cheap (the device map is kept per policy snapshot).
    """

    def __init__(
        self,
        policy_source: PolicySource,
        active_child: ActiveChild,
        *,
        local_addresses: LocalAddresses | None = None,
        mac_lookup: MacLookup | None = None,
    ) -> None:
        self._policy_source = policy_source
        self._active_child = active_child
        self._local_addresses = (
            local_addresses if local_addresses is not None else SystemAddresses()
        )
        self._mac_lookup = mac_lookup
        self._devices: tuple[FilterPolicy, dict[str, str]] | None = None

    def _device_map(self, policy: FilterPolicy) -> dict[str, str]:
        cached = self._devices
        if cached is None or cached[0] is not policy:
            cached = (policy, device_map(policy.devices))
            self._devices = cached
        return cached[1]

    def local_addresses(self) -> Collection[str]:
        """The PC's own addresses as this resolver sees them."""
        return self._local_addresses()

    def __call__(self, client_ip: str) -> str | None:
        """The child (profile name) a query or page visit from `client_ip` belongs to."""
        policy = self._policy_source.current()
        return profile_for_client(
            policy,
            client_ip,
            active_child=self._active_child,
            local_addresses=self._local_addresses(),
            mac_lookup=self._mac_lookup,
            devices=self._device_map(policy),
        )


class ClientProfileResolver(Resolver):
    """Sets `Query.profile` from the client's address and passes the query on."""

    def __init__(self, next_resolver: Resolver | None, child_for: ChildResolver) -> None:
        super().__init__(next_resolver)
        self._child_for = child_for

    async def resolve(self, query: Query) -> Result:
        profile = self._child_for(query.client_ip)
        result = await self.next.resolve(query.for_profile(profile))
        if result.profile is None and profile is not None:
            result = result.for_profile(profile)
        return result
