"""What the browsers are told, the same on every OS; each OS module writes it its own way.

DNS over HTTPS would carry a browser's lookups past the agent, so it is switched off and
locked; Google, Bing and YouTube are held to their safe modes (the agent also answers
their safe addresses, this makes the browser agree). Names are those of the browsers'
documented enterprise policies (Chrome/Edge policy list, Firefox `policies.json`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

# ForceYouTubeRestrict: 1 is "moderate", 2 is "strict".
CHROMIUM_POLICIES: Final[Mapping[str, object]] = MappingProxyType({
    "DnsOverHttpsMode": "off",
    "ForceGoogleSafeSearch": True,
    "ForceBingSafeSearch": 2,
    "ForceYouTubeRestrict": 1,
    "IncognitoModeAvailability": 1,
    "BuiltInDnsClientEnabled": False,
})

EDGE_POLICIES: Final[Mapping[str, object]] = MappingProxyType({
    **CHROMIUM_POLICIES,
    "InPrivateModeAvailability": 1,
})

FIREFOX_POLICIES: Final[Mapping[str, object]] = MappingProxyType({
    "DNSOverHTTPS": {"Enabled": False, "Locked": True},
    "DisablePrivateBrowsing": True,
})


def firefox_policies_document() -> dict[str, object]:
    """The whole `policies.json` Firefox reads."""
    return {"policies": dict(FIREFOX_POLICIES)}
