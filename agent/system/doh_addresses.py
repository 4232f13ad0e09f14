"""The addresses of the well-known public DNS-over-HTTPS (and DNS-over-TLS) resolvers.

The agent's bypass guard blocks these resolvers by name; a program that has the address
built in (a browser's "secure DNS" with a fixed provider, `curl --doh-url
https://1.1.1.1/dns-query`) never asks for the name. The firewall of each OS keeps a
child's programs from reaching these addresses on port 443, and from any resolver on
ports 53 and 853, except through the agent. One list, for every OS; a prefix stands for a
provider's anycast range.
"""

from __future__ import annotations

import ipaddress
from typing import Final

KNOWN_DOH_ADDRESSES: Final[tuple[str, ...]] = (
    # Google Public DNS
    "8.8.8.8", "8.8.4.4", "2001:4860:4860::8888", "2001:4860:4860::8844",
    # Cloudflare (1.1.1.1, for Families)
    "1.1.1.1", "1.0.0.1", "1.1.1.2", "1.0.0.2", "1.1.1.3", "1.0.0.3",
    "2606:4700:4700::1111", "2606:4700:4700::1001", "2606:4700:4700::1112",
    "2606:4700:4700::1002", "2606:4700:4700::1113", "2606:4700:4700::1003",
    "162.159.36.1", "162.159.46.1",
    # Quad9
    "9.9.9.9", "149.112.112.112", "9.9.9.10", "149.112.112.10", "9.9.9.11",
    "149.112.112.11", "2620:fe::fe", "2620:fe::9", "2620:fe::10", "2620:fe::fe:10",
    "2620:fe::11", "2620:fe::fe:11",
    # OpenDNS / Cisco Umbrella
    "208.67.222.222", "208.67.220.220", "208.67.222.123", "208.67.220.123",
    "146.112.41.2", "2620:119:35::35", "2620:119:53::53",
    # AdGuard DNS
    "94.140.14.14", "94.140.15.15", "94.140.14.15", "94.140.15.16", "94.140.14.140",
    "94.140.14.141", "2a10:50c0::ad1:ff", "2a10:50c0::ad2:ff", "2a10:50c0::bad1:ff",
    "2a10:50c0::bad2:ff",
    # NextDNS (anycast ranges)
    "45.90.28.0/24", "45.90.30.0/24", "2a07:a8c0::/33", "2a07:a8c1::/33",
    # CleanBrowsing
    "185.228.168.168", "185.228.169.168", "185.228.168.9", "185.228.169.9",
    "185.228.168.10", "185.228.169.11", "2a0d:2a00:1::", "2a0d:2a00:2::",
    # Control D
    "76.76.2.0/24", "76.76.10.0/24", "2606:1a40::/48",
    # Mullvad DNS
    "194.242.2.2", "194.242.2.3", "194.242.2.4", "194.242.2.5", "194.242.2.6",
    "194.242.2.9", "2a07:e340::2", "2a07:e340::3", "2a07:e340::4", "2a07:e340::5",
    "2a07:e340::6", "2a07:e340::9",
    # DNS.SB, Comodo, Yandex, Alibaba, DNSPod, 360
    "185.222.222.222", "45.11.45.11", "2a09::", "2a11::",
    "8.26.56.26", "8.20.247.20",
    "77.88.8.8", "77.88.8.1", "77.88.8.88", "77.88.8.2", "77.88.8.7", "77.88.8.3",
    "2a02:6b8::feed:0ff", "2a02:6b8:0:1::feed:0ff",
    "223.5.5.5", "223.6.6.6", "2400:3200::1", "2400:3200:baba::1",
    "1.12.12.12", "120.53.53.53", "101.226.4.6", "218.30.118.6",
)


def split_by_family(
    addresses: tuple[str, ...] = KNOWN_DOH_ADDRESSES,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(IPv4, IPv6), each address or prefix in its canonical form, order kept."""
    ipv4: list[str] = []
    ipv6: list[str] = []
    for text in addresses:
        network = ipaddress.ip_network(text, strict=True)
        shown = str(network.network_address) if network.num_addresses == 1 else str(network)
        (ipv4 if network.version == 4 else ipv6).append(shown)
    return tuple(ipv4), tuple(ipv6)
