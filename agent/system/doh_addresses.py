"""The addresses of the well-known public DNS-over-HTTPS (and DNS-over-TLS) resolvers.

A program that speaks DoH to one of these needs no DNS lookup at all, so the bypass guard's
names are not enough: the firewall of each OS refuses a child's connections to these
addresses on 443 and 853. The list is of the resolvers' own documented anycast addresses;
a DoH server on an address not listed here is still refused by name when the program
looks its host up through the agent.
"""

from __future__ import annotations

import ipaddress
from typing import Final

# Each resolver's documented addresses, IPv4 and IPv6 (its plain, filtered and family
# variants, which all answer DoH as well).
KNOWN_DOH_ADDRESSES: Final[tuple[str, ...]] = (
    # Cloudflare 1.1.1.1, for Families (malware; malware and adult)
    "1.1.1.1", "1.0.0.1", "1.1.1.2", "1.0.0.2", "1.1.1.3", "1.0.0.3",
    "2606:4700:4700::1111", "2606:4700:4700::1001", "2606:4700:4700::1112",
    "2606:4700:4700::1002", "2606:4700:4700::1113", "2606:4700:4700::1003",
    # Google Public DNS
    "8.8.8.8", "8.8.4.4", "2001:4860:4860::8888", "2001:4860:4860::8844",
    # Quad9 (filtered, unfiltered, with ECS)
    "9.9.9.9", "149.112.112.112", "9.9.9.10", "149.112.112.10", "9.9.9.11",
    "149.112.112.11", "2620:fe::fe", "2620:fe::9", "2620:fe::10", "2620:fe::fe:10",
    "2620:fe::11", "2620:fe::fe:11",
    # OpenDNS (Cisco Umbrella) and FamilyShield
    "208.67.222.222", "208.67.220.220", "208.67.222.123", "208.67.220.123",
    "2620:119:35::35", "2620:119:53::53",
    # AdGuard DNS (default, family, unfiltered)
    "94.140.14.14", "94.140.15.15", "94.140.14.15", "94.140.15.16", "94.140.14.140",
    "94.140.14.141", "2a10:50c0::ad1:ff", "2a10:50c0::ad2:ff", "2a10:50c0::bad1:ff",
    "2a10:50c0::bad2:ff", "2a10:50c0::1:ff", "2a10:50c0::2:ff",
    # CleanBrowsing
    "185.228.168.9", "185.228.169.9", "185.228.168.10", "185.228.169.11",
    "185.228.168.168", "185.228.169.168", "2a0d:2a00:1::2", "2a0d:2a00:2::2",
    "2a0d:2a00:1::1", "2a0d:2a00:2::1",
    # NextDNS (anycast)
    "45.90.28.0", "45.90.30.0", "2a07:a8c0::", "2a07:a8c1::",
    # Mullvad DNS
    "194.242.2.2", "194.242.2.3", "194.242.2.4", "194.242.2.5", "194.242.2.9",
    "2a07:e340::2", "2a07:e340::3", "2a07:e340::4", "2a07:e340::5", "2a07:e340::9",
    # DNS.SB, Control D
    "185.222.222.222", "45.11.45.11", "2a09::", "2a11::",
    "76.76.2.0", "76.76.10.0", "2606:1a40::", "2606:1a40:1::",
    # Cloudflare's DoH-only addresses, OpenDNS DoH, Mullvad's all-blocking variant
    "162.159.36.1", "162.159.46.1", "146.112.41.2", "194.242.2.6", "2a07:e340::6",
    # Comodo Secure DNS, Yandex DNS, AliDNS, DNSPod, 360 Secure DNS
    "8.26.56.26", "8.20.247.20",
    "77.88.8.8", "77.88.8.1", "77.88.8.88", "77.88.8.2", "77.88.8.7", "77.88.8.3",
    "2a02:6b8::feed:ff", "2a02:6b8:0:1::feed:ff",
    "223.5.5.5", "223.6.6.6", "2400:3200::1", "2400:3200:baba::1",
    "1.12.12.12", "120.53.53.53", "101.226.4.6", "218.30.118.6",
)


def known_doh_addresses(family: int | None = None) -> tuple[str, ...]:
    """The list, normalised, optionally only IPv4 (4) or IPv6 (6)."""
    found = []
    for text in KNOWN_DOH_ADDRESSES:
        address = ipaddress.ip_address(text)
        if family is None or address.version == family:
            found.append(str(address))
    return tuple(found)
