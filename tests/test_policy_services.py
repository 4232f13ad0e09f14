"""The services catalogue: at least 25 real services with domains and desktop apps."""

from __future__ import annotations

from agent.policy.categories import CATEGORY_IDS
from agent.policy.services import AGE_RATINGS, load_catalogue
from dns_filter.names import normalise_name

REQUIRED = (
    "tiktok", "youtube", "facebook", "messenger", "zalo", "instagram", "threads", "x",
    "snapchat", "telegram", "discord", "reddit", "roblox", "minecraft", "lien-quan",
    "free-fire", "pubg", "riot-games", "genshin-impact", "steam", "epic-games", "twitch",
    "netflix", "bilibili", "shopee",
)  # fmt: skip


def test_catalogue_has_the_services_children_in_vietnam_use() -> None:
    catalogue = load_catalogue()
    assert len(catalogue) >= 25
    assert set(REQUIRED) <= set(catalogue.ids())
    assert len(set(catalogue.ids())) == len(catalogue)


def test_every_service_has_valid_domains_a_known_category_and_apps() -> None:
    for entry in load_catalogue():
        assert entry.category in CATEGORY_IDS, entry.service_id
        assert entry.age_rating in AGE_RATINGS, entry.service_id
        assert entry.domains, entry.service_id
        for domain in entry.domains:
            assert normalise_name(domain, strict_hyphens=True) == domain, (entry.service_id, domain)
        assert entry.apps, f"{entry.service_id} has no executables or product names"


def test_desktop_apps_carry_executable_names() -> None:
    catalogue = load_catalogue()
    for service_id in ("zalo", "discord", "roblox", "minecraft", "steam", "riot-games", "telegram"):
        assert catalogue[service_id].apps.windows, service_id
    assert "RobloxPlayerBeta.exe" in catalogue["roblox"].apps.windows
    assert "Zalo.exe" in catalogue["zalo"].apps.windows
    assert "steam" in catalogue["steam"].apps.linux
    assert "Roblox" in catalogue["roblox"].apps.product_names


def test_domains_are_not_shared_between_unrelated_services() -> None:
    owners: dict[str, str] = {}
    for entry in load_catalogue():
        for domain in entry.domains:
            assert domain not in owners, f"{domain}: {owners.get(domain)} and {entry.service_id}"
            owners[domain] = entry.service_id


def test_converts_to_the_dns_filter_service() -> None:
    entry = load_catalogue()["tiktok"]
    service = entry.to_filter_service()
    assert (service.service_id, service.category) == ("tiktok", "social")
    assert "tiktok.com" in service.domains
