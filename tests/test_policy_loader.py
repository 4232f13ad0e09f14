"""Loading and validating family.toml: the documented example, and precise errors."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from agent.policy.errors import InvalidPolicyError
from agent.policy.loader import load_policy, parse_policy
from agent.policy.model import Language, LimitAction
from dns_filter.policy import BlockMode, ScheduleMode, YouTubeMode
from dns_filter.upstreams import UpstreamScheme

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 6, 1)

GOOD = """\
schema_version = 1
default_child = "An"

[settings]
language = "en"
upstreams = ["udp://127.0.0.2:5301"]

[[children]]
name = "An"
age = 9
os_users = ["an"]

[[children.schedules]]
target = "*"
windows = [{ days = "school_nights", start = "21:30", end = "06:00" }]

[[children]]
name = "Bình"
birth_year = 2013

[[devices]]
ip = "192.168.1.23"
child = "An"
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(InvalidPolicyError) as caught:
        parse_policy(text, file="family.toml", today=TODAY)
    return [str(error) for error in caught.value.errors]


def test_documented_example_is_valid() -> None:
    policy = load_policy(REPO / "docs" / "family.example.toml", today=TODAY)
    assert [child.name for child in policy.children] == ["Minh An", "Bảo Ngọc"]
    upstream = policy.settings.upstreams[-1]
    assert upstream.scheme is UpstreamScheme.HTTPS
    assert upstream.bootstrap == ("8.8.8.8", "2001:4860:4860::8888")
    an = policy.children[0]
    assert an.screen_time.daily_minutes[5] == 150  # "sat" wins over "weekend"
    assert an.screen_time.daily_minutes[6] == 120
    assert an.screen_time.action is LimitAction.LOCK
    youtube = an.schedules[1]
    assert youtube.mode is ScheduleMode.ALLOWED_ONLY_DURING and len(youtube.windows) == 3


def test_good_policy_and_its_defaults() -> None:
    policy = parse_policy(GOOD, today=TODAY)
    assert policy.settings.language is Language.EN
    assert policy.settings.timezone == "Asia/Ho_Chi_Minh"
    assert policy.settings.block_mode is BlockMode.PAGE
    assert policy.settings.query_log_retention_days == 30
    assert policy.settings.help_alerts_caregivers is True
    assert policy.settings.upstreams[0].port == 5301
    assert "hostsVN" in policy.settings.lists["adult"][0]
    window = policy.children[0].schedules[0].windows[0]
    assert (window.start, window.end, window.days) == (time(21, 30), time(6), {6, 0, 1, 2, 3})
    assert policy.children[1].age_in(2026) == 13
    assert policy.children[0].youtube_mode is None  # the preset decides
    assert policy.devices[0].child == "An"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "age = 9",
            'age = "ten"',
            'family.toml:10: children[0].age: expected a whole number from 0 to 17, got "ten"',
        ),
        (
            "age = 9",
            "age = 19",
            "family.toml:10: children[0].age: expected a whole number from 0 to 17, got 19",
        ),
        (
            "birth_year = 2013",
            "birth_year = 2001",
            "family.toml:19: children[1].birth_year: expected a whole number from 2009 to 2026,"
            " got 2001",
        ),
        (
            'language = "en"',
            'langauge = "en"',
            'family.toml:5: settings.langauge: unknown key "langauge" (did you mean "language"?);'
            " expected one of: language, timezone, upstreams, lists, block_mode,"
            " query_log_retention_days, help_alerts_caregivers, dns_rate_limit_qps",
        ),
        (
            'os_users = ["an"]',
            'os_users = ["an"]\npreset = "lop-1"',
            'family.toml:12: children[0].preset: expected a preset (mam-non, tieu-hoc, thcs,'
            ' thpt), got "lop-1"',
        ),
        (
            'os_users = ["an"]',
            'os_users = ["an"]\nblock_categories = ["social", "porn"]',
            "family.toml:12: children[0].block_categories[1]: expected a category id (adult,"
            " bypass, chat, dating, drugs, gambling, games, hacking, piracy, scam, shopping,"
            ' shortener, social, threats, video, violence, weapons), got "porn"',
        ),
        (
            'os_users = ["an"]',
            'os_users = ["an"]\nblock_services = ["tiktokk"]',
            "family.toml:12: children[0].block_services[0]: expected a service id from the"
            ' catalogue, got "tiktokk" (did you mean "tiktok"?)',
        ),
        (
            'start = "21:30"',
            'start = "25:00"',
            "family.toml:15: children[0].schedules[0].windows[0].start: expected a time of day"
            ' "HH:MM" from "00:00" to "23:59", got "25:00"',
        ),
        (
            'target = "*"',
            'target = "youtube"',
            'family.toml:14: children[0].schedules[0].target: expected "*" (all internet),'
            ' "service:<service id>" or "category:<category id>", got "youtube"'
            ' (did you mean "service:youtube"?)',
        ),
        (
            'upstreams = ["udp://127.0.0.2:5301"]',
            'upstreams = ["udp://127.0.0.2:5301", "ftp://1.1.1.1"]',
            "family.toml:6: settings.upstreams[1]: expected a DNS server URL such as"
            ' "udp://1.1.1.1", "tcp://9.9.9.9:53" or "https://dns.google/dns-query"'
            ' (unknown scheme "ftp"), got "ftp://1.1.1.1"',
        ),
        (
            'upstreams = ["udp://127.0.0.2:5301"]',
            'upstreams = ["udp://dns.google"]',
            "family.toml:6: settings.upstreams[0]: expected a DNS server URL such as"
            ' "udp://1.1.1.1", "tcp://9.9.9.9:53" or "https://dns.google/dns-query"'
            ' (udp and tcp need an IP address), got "udp://dns.google"',
        ),
        (
            'upstreams = ["udp://127.0.0.2:5301"]',
            'upstreams = ["udp://127.0.0.2:99999"]',
            "family.toml:6: settings.upstreams[0]: expected a DNS server URL such as"
            ' "udp://1.1.1.1", "tcp://9.9.9.9:53" or "https://dns.google/dns-query"'
            ' (Port out of range 0-65535), got "udp://127.0.0.2:99999"',
        ),
        (
            'name = "Bình"',
            'name = "an"',
            'family.toml:18: children[1].name: duplicate child name "an" (also children[0])',
        ),
        (
            'ip = "192.168.1.23"\nchild = "An"',
            'ip = "192.168.1.23"\nchild = "Cường"',
            'family.toml:23: devices[0].child: expected the name of a child (An, Bình),'
            ' got "Cường"',
        ),
        (
            'ip = "192.168.1.23"',
            'ip = "192.168.1.300"',
            'family.toml:22: devices[0].ip: expected an IP address such as "8.8.8.8" or'
            ' "2001:4860:4860::8888", got "192.168.1.300"',
        ),
        (
            "schema_version = 1",
            "schema_version = 2",
            "family.toml:1: schema_version: expected 1 (the schema version this Bảo An reads),"
            " got 2",
        ),
        (
            'default_child = "An"',
            'default_child = "Chi"',
            'family.toml:2: default_child: expected the name of a child (An, Bình), got "Chi"',
        ),
        (
            "[settings]",
            "[settings]\nquery_log_retention_days = true",
            "family.toml:5: settings.query_log_retention_days: expected a whole number from 1"
            " to 3650, got true",
        ),
        (
            "age = 9",
            "age = 9\nbirth_year = 2017",
            "family.toml:11: children[0].birth_year: expected either age or birth_year, not both",
        ),
        (
            'name = "Bình"\nbirth_year = 2013',
            'name = "Bình"',
            "family.toml:17: children[1].age: missing key; expected age (a whole number from 0"
            " to 17) or birth_year",
        ),
        (
            "[settings]",
            '[settings]\ntimezone = "Asia/Hanoi"',
            "family.toml:5: settings.timezone: expected a time zone name such as"
            ' "Asia/Ho_Chi_Minh", got "Asia/Hanoi"',
        ),
    ],
)
def test_broken_variants_have_exact_messages(old: str, new: str, expected: str) -> None:
    assert old in GOOD
    assert errors_of(GOOD.replace(old, new, 1)) == [expected]


def test_toml_syntax_error_reports_its_line_and_column() -> None:
    broken = GOOD.replace("age = 9", "age = = 9")
    assert errors_of(broken) == [
        "family.toml:10: TOML syntax error: invalid value (column 7)"
    ]


def test_every_error_is_reported_not_only_the_first() -> None:
    broken = (
        GOOD.replace("age = 9", "age = -1")
        .replace('language = "en"', 'language = "fr"')
        .replace('start = "21:30"', 'start = "9pm"')
        .replace('\nchild = "An"', '\nchild = "Nobody"')
    )
    messages = errors_of(broken)
    assert [message.split(":")[1] for message in messages] == ["5", "10", "15", "23"]
    assert messages[0].endswith('expected a language (vi, en), got "fr"')


def test_errors_carry_file_line_column_and_key(tmp_path: Path) -> None:
    path = tmp_path / "family.toml"
    path.write_text(GOOD.replace("age = 9", 'age = "nine"'), encoding="utf-8")
    with pytest.raises(InvalidPolicyError) as caught:
        load_policy(path, today=TODAY)
    (error,) = caught.value.errors
    assert (error.file, error.line, error.column) == (str(path), 10, 1)
    assert error.key_path == ("children", 0, "age") and error.key == "children[0].age"


def test_nested_positions_in_inline_tables_and_multiline_arrays() -> None:
    text = GOOD.replace(
        'upstreams = ["udp://127.0.0.2:5301"]',
        'upstreams = [\n  "udp://127.0.0.2:5301",\n'
        '  { url = "https://dns.google/dns-query", bootstrap = ["8.8.8.8", "nope"] },\n]',
    )
    assert errors_of(text) == [
        "family.toml:8: settings.upstreams[1].bootstrap[1]: expected an IP address such as"
        ' "8.8.8.8" or "2001:4860:4860::8888", got "nope"'
    ]


def test_unknown_keys_at_every_level_are_errors() -> None:
    text = GOOD + '\n[[caregivers]]\nname = "Mẹ"\nemial = "me@example.com"\n'
    messages = errors_of(text)
    assert len(messages) == 2
    assert messages[0] == (
        "family.toml:25: caregivers[0]: expected at least one channel: ntfy_topic, email or apprise"
    )
    assert messages[1].startswith(
        'family.toml:27: caregivers[0].emial: unknown key "emial" (did you mean "email"?)'
    )


def test_missing_file_and_non_utf8_are_precise(tmp_path: Path) -> None:
    with pytest.raises(InvalidPolicyError, match="cannot read the file"):
        load_policy(tmp_path / "absent.toml")
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'schema_version = 1\n[[children]]\nname = "B\xecnh"\n')
    with pytest.raises(InvalidPolicyError) as caught:
        load_policy(path)
    assert str(caught.value.errors[0]).startswith(f"{path}:3: the file is not UTF-8 text")


def test_overrides_are_validated_and_kept() -> None:
    text = GOOD.replace(
        'os_users = ["an"]',
        'os_users = ["an"]\nallow = ["Khanacademy.org.", "tiếngviệt.vn"]\n'
        'youtube_mode = "moderate"\nallow_services = ["zalo"]\n'
        "screen_time.daily_minutes = 90\n"
        'screen_time.warnings_minutes = [1, 15, 5]\nscreen_time.action = "notify"',
    )
    child = parse_policy(text, today=TODAY).children[0]
    assert child.allow == ("khanacademy.org", "tiếngviệt.vn".encode("idna").decode())
    assert child.allow[1].startswith("xn--")
    assert child.youtube_mode is YouTubeMode.MODERATE
    assert child.allow_services == ("zalo",)
    assert dict(child.screen_time.daily_minutes) == dict.fromkeys(range(7), 90)
    assert child.screen_time.warnings_minutes == (15, 5, 1)
    assert child.screen_time.action is LimitAction.NOTIFY


def test_domains_are_the_dns_filters_canonical_names() -> None:
    # One normaliser (dns_filter.names): a wildcard is allowed, a bare label is not.
    text = GOOD.replace(
        'os_users = ["an"]',
        'os_users = ["an"]\nallow = ["*.Khanacademy.org", "straße.de", "_srv.example.vn"]\n'
        'deny = ["*.xxx"]',
    )
    child = parse_policy(text, today=TODAY).children[0]
    assert child.allow == ("khanacademy.org", "xn--strae-oqa.de", "_srv.example.vn")
    assert child.deny == ("xxx",)


@pytest.mark.parametrize("bad", ["facebook", "1.2.3.4", "-ads.example", "a..b.vn", "ví dụ.vn"])
def test_what_family_toml_refuses_as_a_domain(bad: str) -> None:
    text = GOOD.replace('os_users = ["an"]', f'os_users = ["an"]\ndeny = ["{bad}"]')
    assert errors_of(text) == [
        f'family.toml:12: children[0].deny[0]: expected a domain name such as "example.com",'
        f' got "{bad}"'
    ]


def test_contradicting_overrides_and_shared_accounts_are_errors() -> None:
    text = GOOD.replace(
        'os_users = ["an"]',
        'os_users = ["an"]\nblock_services = ["roblox"]\nallow_services = ["roblox"]',
    ).replace("birth_year = 2013", 'birth_year = 2013\nos_users = ["AN"]')
    assert errors_of(text) == [
        'family.toml:13: children[0].allow_services[0]: "roblox" is also in block_services',
        'family.toml:22: children[1].os_users[0]: the account "AN" already belongs to'
        " children[0]",
    ]


def test_upstream_forms() -> None:
    # The loader checks URLs with the DNS filter's one parser (dns_filter.upstreams).
    from dns_filter.upstreams import UpstreamConfigError, parse_upstream_url

    ipv6 = parse_upstream_url("udp://[2606:4700:4700::1111]:5353")
    assert (ipv6.host, ipv6.port) == ("2606:4700:4700::1111", 5353)
    doh = parse_upstream_url("https://1.1.1.1")
    assert (doh.port, doh.path) == (443, "/dns-query")
    with pytest.raises(UpstreamConfigError) as error:
        parse_upstream_url("tcp://1.1.1.1/x")
    assert error.value.reason == "tcp:// takes only an address and a port"
    with pytest.raises(UpstreamConfigError) as error:
        parse_upstream_url("udp://1.1.1.1", ["8.8.8.8"])
    assert error.value.reason == "bootstrap addresses are only for DNS over HTTPS"


def test_upstreams_in_family_toml_take_the_bootstrap_fragment_and_loopback_http() -> None:
    text = GOOD.replace(
        'upstreams = ["udp://127.0.0.2:5301"]',
        'upstreams = ["https://doh.example/dns-query#bootstrap=192.0.2.1",'
        ' "http://127.0.0.1:8053/dns-query"]',
    )
    own, local = parse_policy(text, file="family.toml", today=TODAY).settings.upstreams
    assert (own.url, own.bootstrap) == ("https://doh.example/dns-query", ("192.0.2.1",))
    assert own.url_with_bootstrap() == "https://doh.example/dns-query#bootstrap=192.0.2.1"
    assert (local.scheme, local.host, local.port) == (UpstreamScheme.HTTP, "127.0.0.1", 8053)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://dns.google/dns-query", "DoH without TLS (http://) is allowed only on loopback"),
        ("http://doh.test/dns-query#bootstrap=192.0.2.1", "DoH without TLS (http://)"),
        ("https://doh.example/dns-query#server=192.0.2.1", "the fragment must be #bootstrap="),
        ("https://doh.example/dns-query?dns=AAAB", "no query (?...) allowed"),
        ("https://user:pw@doh.example/dns-query", "no user or password allowed"),
        ("https://doh_.-x/dns-query", "neither a domain name nor an IP address"),
    ],
)
def test_family_toml_refuses_what_the_dns_filter_refuses(url: str, reason: str) -> None:
    text = GOOD.replace('upstreams = ["udp://127.0.0.2:5301"]', f'upstreams = ["{url}"]')
    (message,) = errors_of(text)
    assert message.startswith("family.toml:6: settings.upstreams[0]: expected a DNS server URL")
    assert reason in message and message.endswith(f'got "{url}"')


def test_relative_list_sources_follow_the_policy_file(tmp_path: Path) -> None:
    from agent.policy.loader import resolve_list_source

    policy_file = tmp_path / "family.toml"
    assert resolve_list_source("lists/a.txt", policy_file) == str(tmp_path / "lists" / "a.txt")
    assert resolve_list_source("https://x.example/a", policy_file) == "https://x.example/a"


def test_the_dns_rate_limit_setting() -> None:
    assert parse_policy(GOOD, file="family.toml", today=TODAY).settings.dns_rate_limit_qps == 20
    text = GOOD.replace('language = "en"', 'language = "en"\ndns_rate_limit_qps = 0', 1)
    assert parse_policy(text, file="family.toml", today=TODAY).settings.dns_rate_limit_qps == 0
    broken = GOOD.replace('language = "en"', 'language = "en"\ndns_rate_limit_qps = -5', 1)
    [error] = errors_of(broken)
    assert "settings.dns_rate_limit_qps" in error
