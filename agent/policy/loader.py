"""Load and validate `family.toml` (schema v1).

Every problem becomes a :class:`PolicyError` with the file, the line (and column where
known), the key path and what was expected; all of them are collected and raised together
as :class:`InvalidPolicyError`. Unknown keys are errors, so a typo never passes silently.
"""

from __future__ import annotations

import difflib
import functools
import ipaddress
import json
import re
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, time
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar
from urllib.parse import urlsplit

from agent.api.types import APP_ENTRY_MAX_LENGTH, app_entry_key, app_entry_problem
from agent.policy.categories import CATEGORY_IDS, categories
from agent.policy.errors import InvalidPolicyError, KeyPath, PolicyError
from agent.policy.locator import KeyLocator
from agent.policy.model import (
    ALERT_TOPICS,
    DEFAULT_ALERTS_PER_HOUR,
    DEFAULT_DNS_RATE_LIMIT_QPS,
    DEFAULT_NTFY_SERVER,
    DEFAULT_UPSTREAMS,
    MAX_ALERTS_PER_HOUR,
    MAX_CHILD_AGE,
    SCHEMA_VERSION,
    WEEKDAYS,
    Caregiver,
    Child,
    Device,
    FamilyPolicy,
    Language,
    LimitAction,
    ScreenTimeOverrides,
    Settings,
)
from agent.policy.presets import PRESET_IDS
from agent.policy.seal import check_seal
from agent.policy.services import ServiceCatalogue, load_catalogue
from agent.policy.this_pc import (
    LOCAL_POLICY_NAME,
    Origins,
    local_policy_path,
    merge_local,
    read_local,
)
from dns_filter.names import InvalidNameError, normalise_name
from dns_filter.policy import BlockMode, ScheduleMode, ScheduleRule, TimeWindow, YouTubeMode
from dns_filter.upstreams import UpstreamConfigError, UpstreamSpec, parse_upstream_url

T = TypeVar("T")

DAY_GROUPS: Mapping[str, frozenset[int]] = MappingProxyType(
    {
        "every_day": frozenset(range(7)),
        "weekdays": frozenset(range(5)),
        "weekend": frozenset({5, 6}),
        "school_nights": frozenset({6, 0, 1, 2, 3}),  # Sunday to Thursday
        **{name: frozenset({index}) for index, name in enumerate(WEEKDAYS)},
    }
)
MINUTES_PER_DAY = 24 * 60
UPSTREAM_EXAMPLES = '"udp://1.1.1.1", "tcp://9.9.9.9:53" or "https://dns.google/dns-query"'

_TOP_KEYS = ("schema_version", "default_child", "settings", "children", "devices", "caregivers")
_SETTINGS_KEYS = (
    "language",
    "timezone",
    "upstreams",
    "lists",
    "block_mode",
    "query_log_retention_days",
    "help_alerts_caregivers",
    "dns_rate_limit_qps",
)
_CHILD_KEYS = (
    "name",
    "age",
    "birth_year",
    "os_users",
    "preset",
    "allow",
    "deny",
    "block_categories",
    "allow_categories",
    "block_services",
    "allow_services",
    "safe_search",
    "youtube_mode",
    "allow_list_only",
    "schedules",
    "screen_time",
)
_SCHEDULE_KEYS = ("target", "mode", "windows")
_APP_ENTRY_WORDS = {
    "empty": "it is empty",
    "too_long": f"longer than {APP_ENTRY_MAX_LENGTH} characters",
    "control": "it holds a control or invisible character",
    "folder": "it names a folder, not a program",
    "not_full_path": "a path must be whole, from / or a drive such as C:\\",
    "not_a_name": 'a file name has none of < > : " | ? *',
}
_WINDOW_KEYS = ("days", "start", "end")
_SCREEN_TIME_KEYS = (
    "daily_minutes",
    "allowed_hours",
    "service_minutes",
    "category_minutes",
    "per_game_minutes",
    "always_allowed_apps",
    "warnings_minutes",
    "action",
    "idle_minutes",
)
_DEVICE_KEYS = ("name", "child", "ip", "mac")
_CAREGIVER_KEYS = (
    "name", "ntfy_topic", "ntfy_server", "email", "smtp", "apprise", "hears", "quiet_hours",
    "alerts_per_hour",
)
_QUIET_KEYS = ("start", "end")
_UPSTREAM_TABLE_KEYS = ("url", "bootstrap")

_MAC_RE = re.compile(r"^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$")
_TOPIC_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_SYNTAX_POSITION_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def load_policy(
    path: str | Path,
    *,
    today: date | None = None,
    catalogue: ServiceCatalogue | None = None,
    local_path: str | Path | None = None,
) -> FamilyPolicy:
    """Read and validate the policy file at `path`, with this PC's own settings from
    `local_path` (default: `this-pc.toml` beside it) when that file exists; raise
    InvalidPolicyError on any problem."""
    path = Path(path)
    label = str(path)
    local = Path(local_path) if local_path is not None else local_policy_path(path)
    try:
        data = path.read_bytes()
        local_data = local.read_bytes() if local.exists() else None
    except OSError as error:
        reason = error.strerror or str(error)
        raise InvalidPolicyError([PolicyError(label, f"cannot read the file: {reason}")]) from None
    return parse_policy_bytes(
        data, file=label, today=today, catalogue=catalogue, local=local_data,
        local_file=str(local),
    )


def parse_policy_bytes(
    data: bytes,
    *,
    file: str = "family.toml",
    today: date | None = None,
    catalogue: ServiceCatalogue | None = None,
    local: bytes | None = None,
    local_file: str = LOCAL_POLICY_NAME,
) -> FamilyPolicy:
    text = _decode(data, file)
    local_text = None if local is None else _decode(local, local_file)
    return parse_policy(
        text, file=file, today=today, catalogue=catalogue, local_text=local_text,
        local_file=local_file,
    )


def _decode(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = f"the file is not UTF-8 text (byte {error.start + 1}); save it as UTF-8"
        raise InvalidPolicyError([PolicyError(file, message, line=line)]) from None


def parse_policy(
    text: str,
    *,
    file: str = "family.toml",
    today: date | None = None,
    catalogue: ServiceCatalogue | None = None,
    local_text: str | None = None,
    local_file: str = LOCAL_POLICY_NAME,
) -> FamilyPolicy:
    """Validate policy text; `file` names it in error messages. A text that starts with
    Bảo An's check line must match it (:mod:`agent.policy.seal`). `local_text` is this
    PC's own file (:mod:`agent.policy.this_pc`), checked with it as one policy."""
    check_seal(text, file=file)
    local = None if local_text is None else read_local(local_text, file=local_file)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidPolicyError([_syntax_error(file, error)]) from None
    try:
        locator: KeyLocator | None = KeyLocator(text)
    except (ValueError, IndexError, tomllib.TOMLDecodeError):
        locator = None  # positions are a help, never a reason to fail
    origins: Origins | None = None
    problems: list[PolicyError] = []
    if local is not None:
        raw, origins, problems = merge_local(
            raw, local, shared_file=file, shared_locator=locator
        )
    checker = _Checker(
        file,
        locator,
        year=(today or date.today()).year,
        catalogue=catalogue if catalogue is not None else load_catalogue(),
        last_line=text.count("\n") + (0 if text.endswith("\n") else 1),
        origins=origins,
    )
    checker.errors.extend(problems)
    policy = checker.family(raw)
    if checker.errors or policy is None:
        raise InvalidPolicyError(
            sorted(checker.errors, key=lambda error: (error.file != file, error.line or 0))
        )
    if local is not None and local.pc_name:
        policy = replace(policy, pc_name=local.pc_name)
    return policy


@functools.cache
def _known_timezones() -> frozenset[str]:
    # Read once: the scan walks the whole time-zone folder, far slower than a parse.
    return frozenset(zoneinfo.available_timezones())


def _syntax_error(file: str, error: tomllib.TOMLDecodeError) -> PolicyError:
    message = str(error)
    line: int | None = None
    column: int | None = None
    match = _SYNTAX_POSITION_RE.search(message)
    if match:
        line, column = int(match.group(1)), int(match.group(2))
        message = message[: match.start()]
    message = message[:1].lower() + message[1:]
    where = f" (column {column})" if column is not None else ""
    return PolicyError(file, f"TOML syntax error: {message}{where}", line=line, column=column)


def show(value: object) -> str:
    """A value as a parent wrote it, for `got ...` in messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)


def _did_you_mean(value: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


class _Checker:
    """Walks the parsed TOML, collecting every error with its position."""

    def __init__(
        self,
        file: str,
        locator: KeyLocator | None,
        *,
        year: int,
        catalogue: ServiceCatalogue,
        last_line: int = 1,
        origins: Origins | None = None,
    ) -> None:
        self.origins = origins
        self.file = file
        self.last_line = last_line
        self.locator = locator
        self.year = year
        self.catalogue = catalogue
        self.errors: list[PolicyError] = []

    # -- primitives -----------------------------------------------------------------------

    def error(self, path: KeyPath, message: str) -> None:
        file, locator, located = self.file, self.locator, path
        if self.origins is not None:  # a key of this PC's own file: its file and line
            file, locator, located = self.origins.where(path)
        position = locator.find(located) if locator else None
        line, column = position if position else (None, None)
        self.errors.append(PolicyError(file, message, line=line, column=column, key_path=path))

    def expected(self, path: KeyPath, what: str, value: object) -> None:
        self.error(path, f"expected {what}, got {show(value)}")

    def missing(self, path: KeyPath, what: str) -> None:
        self.error(path, f"missing key; expected {what}")

    def table(self, value: object, path: KeyPath, allowed: Sequence[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.expected(path, "a table", value)
            return None
        for key in value:
            if key not in allowed:
                hint = _did_you_mean(key, allowed)
                self.error(
                    (*path, key),
                    f"unknown key {show(key)}{hint}; expected one of: {', '.join(allowed)}",
                )
        return value

    def array(self, value: object, path: KeyPath, what: str) -> list[Any] | None:
        if not isinstance(value, list):
            self.expected(path, f"an array of {what}", value)
            return None
        return value

    def items(
        self,
        value: object,
        path: KeyPath,
        what: str,
        check: Callable[[object, KeyPath], T | None],
    ) -> tuple[T, ...] | None:
        values = self.array(value, path, what)
        if values is None:
            return None
        checked = [check(item, (*path, index)) for index, item in enumerate(values)]
        if any(item is None for item in checked):
            return None
        return tuple(item for item in checked if item is not None)

    def string(self, value: object, path: KeyPath, what: str = "a non-empty string") -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.expected(path, what, value)
            return None
        return value.strip()

    def app_entries(self, value: object, path: KeyPath) -> tuple[str, ...]:
        """Always-allowed apps: names or full paths, none twice (as the matcher compares)."""
        checked = self.items(value, path, "app names or full paths", self.app_entry)
        seen: dict[str, int] = {}
        for index, entry in enumerate(checked or ()):
            first = seen.setdefault(app_entry_key(entry), index)
            if first != index:
                self.error((*path, index), f"{show(entry)} is the same app as entry {first}")
        return checked or ()

    def app_entry(self, value: object, path: KeyPath) -> str | None:
        if not isinstance(value, str):
            self.expected(path, "an app's name or full path", value)
            return None
        problem = app_entry_problem(value)
        if problem is not None:
            self.expected(path, f"an app's name or full path ({_APP_ENTRY_WORDS[problem]})",
                          value if len(value) <= 80 else value[:80] + "…")
            return None
        return value.strip()

    def integer(self, value: object, path: KeyPath, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.expected(path, f"a whole number from {low} to {high}", value)
            return None
        return value

    def boolean(self, value: object, path: KeyPath) -> bool | None:
        if not isinstance(value, bool):
            self.expected(path, "true or false", value)
            return None
        return value

    def choice(self, value: object, path: KeyPath, choices: Sequence[str], what: str) -> str | None:
        if not isinstance(value, str) or value not in choices:
            hint = _did_you_mean(value, choices) if isinstance(value, str) else ""
            listed = ", ".join(choices)
            self.error(path, f"expected {what} ({listed}), got {show(value)}{hint}")
            return None
        return value

    def category(self, value: object, path: KeyPath) -> str | None:
        return self.choice(value, path, sorted(CATEGORY_IDS), "a category id")

    def service(self, value: object, path: KeyPath) -> str | None:
        ids = self.catalogue.ids()
        if not isinstance(value, str) or value not in self.catalogue:
            hint = _did_you_mean(value, ids) if isinstance(value, str) else ""
            listed = "" if hint else f" ({', '.join(ids)})"
            self.error(
                path, f"expected a service id from the catalogue{listed}, got {show(value)}{hint}"
            )
            return None
        return value

    def domain(self, value: object, path: KeyPath) -> str | None:
        if isinstance(value, str):
            try:
                # A name a parent typed: "*.example.com" means what "example.com" does
                # (itself and every subdomain); "*.xxx" is a whole top-level domain.
                return normalise_name(value, allow_wildcard=True, strict_hyphens=True)
            except InvalidNameError:
                pass
        self.expected(path, 'a domain name such as "example.com"', value)
        return None

    def time_of_day(self, value: object, path: KeyPath) -> time | None:
        if isinstance(value, time) and value.second == 0 and value.tzinfo is None:
            return value.replace(microsecond=0)
        if isinstance(value, str):
            match = _TIME_RE.match(value.strip())
            if match:
                return time(int(match.group(1)), int(match.group(2)))
        self.expected(path, 'a time of day "HH:MM" from "00:00" to "23:59"', value)
        return None

    def minutes(self, value: object, path: KeyPath) -> int | None:
        return self.integer(value, path, 0, MINUTES_PER_DAY)

    # -- the document ---------------------------------------------------------------------

    def family(self, raw: dict[str, Any]) -> FamilyPolicy | None:
        self.table(raw, (), _TOP_KEYS)
        version = raw.get("schema_version")
        if "schema_version" not in raw:
            self.missing(("schema_version",), f"schema_version = {SCHEMA_VERSION}")
        elif isinstance(version, bool) or version != SCHEMA_VERSION:
            self.expected(
                ("schema_version",),
                f"{SCHEMA_VERSION} (the schema version this Bảo An reads)",
                version,
            )

        settings = self.settings(raw.get("settings", {}), ("settings",))
        children = self.children(raw.get("children", []), ("children",))
        if children == ():
            self.no_child("children" in raw)
        names = self.raw_child_names(raw)
        devices = self.devices(raw.get("devices", []), ("devices",), names)
        caregivers = self.caregivers(raw.get("caregivers", []), ("caregivers",))

        default_child: str | None = None
        if "default_child" in raw:
            default_child = self.child_name(raw["default_child"], ("default_child",), names)

        if settings is None or children is None or devices is None or caregivers is None:
            return None
        return FamilyPolicy(
            settings=settings,
            children=children,
            devices=devices,
            default_child=default_child,
            caregivers=caregivers,
            schema_version=SCHEMA_VERSION,
        )

    def no_child(self, written: bool) -> None:
        # A family with no child filters nothing: never a policy, even if it parses (a
        # file cut off after its first lines looks exactly like this).
        message = (
            "expected at least one child, a [[children]] table with name and age; "
            "a family with no child would filter nothing"
        )
        if written:
            self.error(("children",), message)
        else:  # where it is missing: at the end of the file
            self.errors.append(
                PolicyError(self.file, message, line=self.last_line, key_path=("children",))
            )

    def child_name(self, value: object, path: KeyPath, names: Sequence[str]) -> str | None:
        if isinstance(value, str):
            for name in names:
                if name.casefold() == value.strip().casefold():
                    return name
        listed = ", ".join(names) if names else "there are no children yet"
        self.error(path, f"expected the name of a child ({listed}), got {show(value)}")
        return None

    # -- settings -------------------------------------------------------------------------

    def settings(self, value: object, path: KeyPath) -> Settings | None:
        raw = self.table(value, path, _SETTINGS_KEYS)
        if raw is None:
            return None
        ok = True
        language = Language.VI
        if "language" in raw:
            chosen = self.choice(raw["language"], (*path, "language"), ["vi", "en"], "a language")
            ok &= chosen is not None
            language = Language(chosen or "vi")
        timezone = self.timezone(raw.get("timezone", "Asia/Ho_Chi_Minh"), (*path, "timezone"))
        ok &= timezone is not None
        upstreams = self.upstreams(
            raw.get("upstreams", list(DEFAULT_UPSTREAMS)), (*path, "upstreams")
        )
        ok &= upstreams is not None
        lists = self.lists(raw.get("lists", {}), (*path, "lists"))
        ok &= lists is not None
        block_mode = BlockMode.PAGE
        if "block_mode" in raw:
            modes = [mode.value for mode in BlockMode]
            mode = self.choice(raw["block_mode"], (*path, "block_mode"), modes, "a block mode")
            ok &= mode is not None
            block_mode = BlockMode(mode or "page")
        retention = 30
        if "query_log_retention_days" in raw:
            days = self.integer(
                raw["query_log_retention_days"], (*path, "query_log_retention_days"), 1, 3650
            )
            ok &= days is not None
            retention = days or retention
        help_alerts = True
        if "help_alerts_caregivers" in raw:
            flag = self.boolean(raw["help_alerts_caregivers"], (*path, "help_alerts_caregivers"))
            ok &= flag is not None
            help_alerts = bool(flag)
        rate_limit = DEFAULT_DNS_RATE_LIMIT_QPS
        if "dns_rate_limit_qps" in raw:
            qps = self.integer(raw["dns_rate_limit_qps"], (*path, "dns_rate_limit_qps"), 0, 100_000)
            ok &= qps is not None
            rate_limit = rate_limit if qps is None else qps
        if not ok or timezone is None or upstreams is None or lists is None:
            return None
        return Settings(
            language=language,
            timezone=timezone,
            upstreams=upstreams,
            lists=lists,
            block_mode=block_mode,
            query_log_retention_days=retention,
            help_alerts_caregivers=help_alerts,
            dns_rate_limit_qps=rate_limit,
        )

    def timezone(self, value: object, path: KeyPath) -> str | None:
        known = _known_timezones()
        if isinstance(value, str) and (value in known or (not known and "/" in value)):
            return value
        self.error(path, f'expected a time zone name such as "Asia/Ho_Chi_Minh", got {show(value)}')
        return None

    def upstreams(self, value: object, path: KeyPath) -> tuple[UpstreamSpec, ...] | None:
        upstreams = self.items(value, path, "upstream URLs", self.upstream)
        if upstreams is not None and not upstreams:
            self.error(path, f"expected at least one upstream, such as {UPSTREAM_EXAMPLES}")
            return None
        return upstreams

    def upstream(self, value: object, path: KeyPath) -> UpstreamSpec | None:
        url_path = path
        bootstrap: tuple[str, ...] = ()
        if isinstance(value, dict):
            before = len(self.errors)
            raw = self.table(value, path, _UPSTREAM_TABLE_KEYS)
            if raw is None or len(self.errors) > before:
                return None
            url_path = (*path, "url")
            if "url" not in raw:
                self.missing(url_path, f"a DNS server URL such as {UPSTREAM_EXAMPLES}")
                return None
            value = raw["url"]
            checked = self.items(
                raw.get("bootstrap", []), (*path, "bootstrap"), "IP addresses", self.ip_address
            )
            if checked is None:
                return None
            bootstrap = checked
        if not isinstance(value, str):
            self.expected(url_path, f"a DNS server URL such as {UPSTREAM_EXAMPLES}", value)
            return None
        try:
            return parse_upstream_url(value, bootstrap)
        except UpstreamConfigError as error:
            self.expected(
                url_path, f"a DNS server URL such as {UPSTREAM_EXAMPLES} ({error.reason})", value
            )
            return None

    def ip_address(self, value: object, path: KeyPath) -> str | None:
        if isinstance(value, str):
            try:
                return str(ipaddress.ip_address(value.strip()))
            except ValueError:
                pass
        self.expected(path, 'an IP address such as "8.8.8.8" or "2001:4860:4860::8888"', value)
        return None

    def lists(self, value: object, path: KeyPath) -> Mapping[str, tuple[str, ...]] | None:
        if not isinstance(value, dict):
            self.expected(path, "a table of category = [sources]", value)
            return None
        known = categories()
        result = {category_id: item.default_sources for category_id, item in known.items()}
        ok = True
        for category_id, sources in value.items():
            key_path = (*path, category_id)
            if category_id not in known:
                ids = sorted(known)
                hint = _did_you_mean(category_id, ids)
                self.error(
                    key_path,
                    f"unknown category {show(category_id)}{hint}; expected one of: "
                    f"{', '.join(ids)}",
                )
                ok = False
                continue
            checked = self.items(sources, key_path, "list sources", self.list_source)
            if checked is None:
                ok = False
                continue
            result[category_id] = checked
        return MappingProxyType(result) if ok else None

    def list_source(self, value: object, path: KeyPath) -> str | None:
        if isinstance(value, str) and value.strip():
            source = value.strip()
            if "://" not in source:
                return source  # a local file path
            parts = urlsplit(source)
            if parts.scheme in ("http", "https") and parts.hostname:
                return source
        self.expected(path, "an http(s) URL or a local file path", value)
        return None

    # -- children -------------------------------------------------------------------------

    def children(self, value: object, path: KeyPath) -> tuple[Child, ...] | None:
        raws = self.array(value, path, "children ([[children]] tables)")
        if raws is None:
            return None
        children = [self.child(raw, (*path, index)) for index, raw in enumerate(raws)]
        # Duplicates are checked on the names as written, even for children with other errors.
        seen_names: dict[str, int] = {}
        seen_users: dict[str, int] = {}
        for index, raw in enumerate(raws):
            if not isinstance(raw, dict):
                continue
            name = raw.get("name")
            if isinstance(name, str) and name.strip():
                key = name.strip().casefold()
                if key in seen_names:
                    self.error(
                        (*path, index, "name"),
                        f"duplicate child name {show(name.strip())} "
                        f"(also children[{seen_names[key]}])",
                    )
                seen_names.setdefault(key, index)
            users = raw.get("os_users")
            for user_index, user in enumerate(users if isinstance(users, list) else []):
                if not isinstance(user, str):
                    continue
                owner = seen_users.setdefault(user.strip().casefold(), index)
                if owner != index:
                    self.error(
                        (*path, index, "os_users", user_index),
                        f"the account {show(user)} already belongs to children[{owner}]",
                    )
        if any(child is None for child in children):
            return None
        return tuple(child for child in children if child is not None)

    @staticmethod
    def raw_child_names(raw: dict[str, Any]) -> list[str]:
        """The children's names as written, for checking references to them."""
        names: list[str] = []
        children = raw.get("children")
        for child in children if isinstance(children, list) else []:
            name = child.get("name") if isinstance(child, dict) else None
            if isinstance(name, str) and name.strip():
                names.append(name.strip())
        return names

    def child(self, value: object, path: KeyPath) -> Child | None:
        raw = self.table(value, path, _CHILD_KEYS)
        if raw is None:
            return None
        before = len(self.errors)
        name = None
        if "name" not in raw:
            self.missing((*path, "name"), "the child's name, a non-empty string")
        else:
            name = self.string(raw["name"], (*path, "name"), "the child's name, a non-empty string")

        age: int | None = None
        birth_year: int | None = None
        age_what = f"a whole number from 0 to {MAX_CHILD_AGE}"
        if "age" in raw and "birth_year" in raw:
            self.error((*path, "birth_year"), "expected either age or birth_year, not both")
        elif "age" in raw:
            age = self.integer(raw["age"], (*path, "age"), 0, MAX_CHILD_AGE)
        elif "birth_year" in raw:
            oldest = self.year - MAX_CHILD_AGE
            birth_year = self.integer(raw["birth_year"], (*path, "birth_year"), oldest, self.year)
        else:
            self.missing((*path, "age"), f"age ({age_what}) or birth_year")

        preset = None
        if "preset" in raw:
            preset = self.choice(raw["preset"], (*path, "preset"), PRESET_IDS, "a preset")

        def strings(key: str, what: str) -> tuple[str, ...]:
            if key not in raw:
                return ()
            return self.items(raw[key], (*path, key), what, self.string) or ()

        def checked(key: str, what: str, check: Callable[[object, KeyPath], str | None]) -> tuple[
            str, ...
        ]:
            if key not in raw:
                return ()
            return self.items(raw[key], (*path, key), what, check) or ()

        os_users = strings("os_users", "account names")
        allow = checked("allow", "domain names", self.domain)
        deny = checked("deny", "domain names", self.domain)
        block_categories = checked("block_categories", "category ids", self.category)
        allow_categories = checked("allow_categories", "category ids", self.category)
        block_services = checked("block_services", "service ids", self.service)
        allow_services = checked("allow_services", "service ids", self.service)
        for key, items, other_key, others in (
            ("allow_categories", allow_categories, "block_categories", block_categories),
            ("allow_services", allow_services, "block_services", block_services),
        ):
            for index, item in enumerate(items):
                if item in others:
                    self.error((*path, key, index), f"{show(item)} is also in {other_key}")

        safe_search = None
        if "safe_search" in raw:
            safe_search = self.boolean(raw["safe_search"], (*path, "safe_search"))
        youtube_mode = None
        if "youtube_mode" in raw:
            modes = [mode.value for mode in YouTubeMode]
            mode = self.choice(raw["youtube_mode"], (*path, "youtube_mode"), modes, "a mode")
            youtube_mode = YouTubeMode(mode) if mode else None
        allow_list_only = None
        if "allow_list_only" in raw:
            allow_list_only = self.boolean(raw["allow_list_only"], (*path, "allow_list_only"))

        schedules: tuple[ScheduleRule, ...] = ()
        if "schedules" in raw:
            schedules = (
                self.items(raw["schedules"], (*path, "schedules"), "schedules", self.schedule)
                or ()
            )
        screen_time = ScreenTimeOverrides()
        if "screen_time" in raw:
            screen_time = (
                self.screen_time(raw["screen_time"], (*path, "screen_time")) or screen_time
            )

        if len(self.errors) > before or name is None:
            return None
        return Child(
            name=name,
            age=age,
            birth_year=birth_year,
            os_users=os_users,
            preset=preset,
            allow=allow,
            deny=deny,
            block_categories=block_categories,
            allow_categories=allow_categories,
            block_services=block_services,
            allow_services=allow_services,
            safe_search=safe_search,
            youtube_mode=youtube_mode,
            allow_list_only=allow_list_only,
            schedules=schedules,
            screen_time=screen_time,
        )

    def schedule(self, value: object, path: KeyPath) -> ScheduleRule | None:
        raw = self.table(value, path, _SCHEDULE_KEYS)
        if raw is None:
            return None
        before = len(self.errors)
        target = self.target(raw.get("target", "*"), (*path, "target"))
        modes = [mode.value for mode in ScheduleMode]
        mode = self.choice(
            raw.get("mode", ScheduleMode.BLOCKED_DURING.value), (*path, "mode"), modes, "a mode"
        )
        windows: tuple[TimeWindow, ...] | None = None
        if "windows" not in raw:
            self.missing((*path, "windows"), "an array of time windows {days, start, end}")
        else:
            windows = self.items(raw["windows"], (*path, "windows"), "time windows", self.window)
            if windows == ():
                self.error((*path, "windows"), "expected at least one time window")
        if len(self.errors) > before or target is None or mode is None or not windows:
            return None
        return ScheduleRule(target=target, mode=ScheduleMode(mode), windows=windows)

    def target(self, value: object, path: KeyPath) -> str | None:
        if isinstance(value, str):
            kind, _, ident = value.partition(":")
            if value == "*":
                return value
            if kind == "service" and ident in self.catalogue:
                return value
            if kind == "category" and ident in CATEGORY_IDS:
                return value
        hint = ""
        if isinstance(value, str) and value in self.catalogue:
            hint = f' (did you mean "service:{value}"?)'
        elif isinstance(value, str) and value in CATEGORY_IDS:
            hint = f' (did you mean "category:{value}"?)'
        self.error(
            path,
            'expected "*" (all internet), "service:<service id>" or "category:<category id>",'
            f" got {show(value)}{hint}",
        )
        return None

    def window(self, value: object, path: KeyPath) -> TimeWindow | None:
        raw = self.table(value, path, _WINDOW_KEYS)
        if raw is None:
            return None
        days = self.days(raw.get("days", "every_day"), (*path, "days"))
        start = end = None
        for key in ("start", "end"):
            if key not in raw:
                self.missing((*path, key), 'a time of day "HH:MM"')
        if "start" in raw:
            start = self.time_of_day(raw["start"], (*path, "start"))
        if "end" in raw:
            end = self.time_of_day(raw["end"], (*path, "end"))
        if days is None or start is None or end is None:
            return None
        return TimeWindow(days=days, start=start, end=end)

    def days(self, value: object, path: KeyPath) -> frozenset[int] | None:
        names = list(DAY_GROUPS)
        what = "day names (mon … sun) or every_day, weekdays, weekend, school_nights"
        if isinstance(value, str):
            value = [value]
        values = self.array(value, path, what)
        if values is None:
            return None
        result: set[int] = set()
        ok = True
        for index, item in enumerate(values):
            if not isinstance(item, str) or item not in DAY_GROUPS:
                hint = _did_you_mean(item, names) if isinstance(item, str) else ""
                self.error((*path, index), f"expected {what}, got {show(item)}{hint}")
                ok = False
            else:
                result |= DAY_GROUPS[item]
        if ok and not result:
            self.error(path, f"expected at least one day: {what}")
            return None
        return frozenset(result) if ok else None

    def screen_time(self, value: object, path: KeyPath) -> ScreenTimeOverrides | None:
        raw = self.table(value, path, _SCREEN_TIME_KEYS)
        if raw is None:
            return None
        before = len(self.errors)
        daily: Mapping[int, int] = MappingProxyType({})
        if "daily_minutes" in raw:
            daily = self.daily_minutes(raw["daily_minutes"], (*path, "daily_minutes")) or daily
        allowed_hours = None
        if "allowed_hours" in raw:
            allowed_hours = self.items(
                raw["allowed_hours"], (*path, "allowed_hours"), "time windows", self.window
            )
        service_minutes, unlimited_services = self.minutes_table(
            raw.get("service_minutes", {}), (*path, "service_minutes"), self.service
        )
        category_minutes, unlimited_categories = self.minutes_table(
            raw.get("category_minutes", {}), (*path, "category_minutes"), self.category
        )
        per_game = None
        if "per_game_minutes" in raw:
            per_game = self.minutes(raw["per_game_minutes"], (*path, "per_game_minutes"))
        apps: tuple[str, ...] = ()
        if "always_allowed_apps" in raw:
            apps = self.app_entries(raw["always_allowed_apps"], (*path, "always_allowed_apps"))
        warnings = None
        if "warnings_minutes" in raw:
            checked = self.items(
                raw["warnings_minutes"],
                (*path, "warnings_minutes"),
                "minutes",
                lambda item, where: self.integer(item, where, 1, 120),
            )
            warnings = tuple(sorted(set(checked), reverse=True)) if checked is not None else None
        action = None
        if "action" in raw:
            actions = [item.value for item in LimitAction]
            chosen = self.choice(raw["action"], (*path, "action"), actions, "an action")
            action = LimitAction(chosen) if chosen else None
        idle = None
        if "idle_minutes" in raw:
            idle = self.integer(raw["idle_minutes"], (*path, "idle_minutes"), 1, 60)
        if len(self.errors) > before:
            return None
        return ScreenTimeOverrides(
            daily_minutes=daily,
            allowed_hours=allowed_hours,
            service_minutes=service_minutes or MappingProxyType({}),
            category_minutes=category_minutes or MappingProxyType({}),
            unlimited_services=unlimited_services,
            unlimited_categories=unlimited_categories,
            per_game_minutes=per_game,
            always_allowed_apps=apps,
            warnings_minutes=warnings,
            action=action,
            idle_minutes=idle,
        )

    def daily_minutes(self, value: object, path: KeyPath) -> Mapping[int, int] | None:
        if not isinstance(value, dict):
            minutes = self.minutes(value, path)
            if minutes is None:
                return None
            return MappingProxyType(dict.fromkeys(range(7), minutes))
        result: dict[int, int] = {}
        # groups first, then single days, so "sat = 120" wins over "weekend = 90"
        ordered = sorted(value.items(), key=lambda item: item[0] in WEEKDAYS)
        ok = True
        for key, item in ordered:
            if key not in DAY_GROUPS or key == "school_nights":
                choices = [*WEEKDAYS, "every_day", "weekdays", "weekend"]
                self.error(
                    (*path, key),
                    f"unknown day {show(key)}{_did_you_mean(key, choices)}; "
                    f"expected one of: {', '.join(choices)}",
                )
                ok = False
                continue
            minutes = self.minutes(item, (*path, key))
            if minutes is None:
                ok = False
                continue
            for day in DAY_GROUPS[key]:
                result[day] = minutes
        return MappingProxyType(result) if ok else None

    def minutes_table(
        self, value: object, path: KeyPath, check_key: Callable[[object, KeyPath], str | None]
    ) -> tuple[Mapping[str, int] | None, frozenset[str]]:
        """``id = minutes`` per day, or ``id = false``: no limit for it, not even the
        preset's. The minutes, and the ids with no limit."""
        if not isinstance(value, dict):
            self.expected(path, "a table of id = minutes (or id = false: no limit)", value)
            return None, frozenset()
        result: dict[str, int] = {}
        unlimited: set[str] = set()
        for key, item in value.items():
            ident = check_key(key, (*path, key))
            if item is False:
                if ident is not None:
                    unlimited.add(ident)
                continue
            if isinstance(item, bool) or not isinstance(item, int):
                self.expected(
                    (*path, key),
                    f"minutes a day (a whole number from 0 to {MINUTES_PER_DAY}) "
                    "or false (no limit)",
                    item,
                )
                continue
            minutes = self.minutes(item, (*path, key))
            if ident is not None and minutes is not None:
                result[ident] = minutes
        return MappingProxyType(result), frozenset(unlimited)

    # -- devices and caregivers ------------------------------------------------------------

    def devices(
        self, value: object, path: KeyPath, names: Sequence[str]
    ) -> tuple[Device, ...] | None:
        raws = self.array(value, path, "devices ([[devices]] tables)")
        if raws is None:
            return None
        devices: list[Device] = []
        seen: dict[str, int] = {}
        ok = True
        for index, item in enumerate(raws):
            device = self.device(item, (*path, index), names)
            if device is None:
                ok = False
                continue
            if device.key in seen:
                key = "ip" if device.ip is not None else "mac"
                self.error(
                    (*path, index, key),
                    f"{show(device.key)} is already the address of devices[{seen[device.key]}]",
                )
                ok = False
            seen.setdefault(device.key, index)
            devices.append(device)
        return tuple(devices) if ok else None

    def device(self, value: object, path: KeyPath, names: Sequence[str]) -> Device | None:
        raw = self.table(value, path, _DEVICE_KEYS)
        if raw is None:
            return None
        before = len(self.errors)
        child = None
        if "child" not in raw:
            self.missing((*path, "child"), "the name of the child who uses this device")
        else:
            child = self.child_name(raw["child"], (*path, "child"), names)
        ip = mac = None
        if "ip" in raw and "mac" in raw:
            self.error((*path, "mac"), "expected either ip or mac, not both")
        elif "ip" in raw:
            ip = self.ip_address(raw["ip"], (*path, "ip"))
        elif "mac" in raw:
            mac = self.mac_address(raw["mac"], (*path, "mac"))
        else:
            self.missing((*path, "ip"), 'ip (such as "192.168.1.23") or mac')
        name = ""
        if "name" in raw:
            name = self.string(raw["name"], (*path, "name")) or ""
        if len(self.errors) > before or child is None:
            return None
        return Device(child=child, ip=ip, mac=mac, name=name)

    def mac_address(self, value: object, path: KeyPath) -> str | None:
        if isinstance(value, str) and _MAC_RE.match(value.strip().lower()):
            return value.strip().lower().replace("-", ":")
        self.expected(path, 'a MAC address such as "a4:5e:60:d1:22:3b"', value)
        return None

    def caregivers(self, value: object, path: KeyPath) -> tuple[Caregiver, ...] | None:
        return self.items(value, path, "caregivers ([[caregivers]] tables)", self.caregiver)

    def caregiver(self, value: object, path: KeyPath) -> Caregiver | None:
        raw = self.table(value, path, _CAREGIVER_KEYS)
        if raw is None:
            return None
        before = len(self.errors)
        name = None
        if "name" not in raw:
            self.missing((*path, "name"), "the caregiver's name")
        else:
            name = self.string(raw["name"], (*path, "name"))
        topic = None
        if "ntfy_topic" in raw:
            value = raw["ntfy_topic"]
            if isinstance(value, str) and _TOPIC_RE.match(value):
                topic = value
            else:
                self.expected(
                    (*path, "ntfy_topic"),
                    "an ntfy topic: 1 to 64 letters, digits, - or _",
                    value,
                )
        server = DEFAULT_NTFY_SERVER
        if "ntfy_server" in raw:
            value = raw["ntfy_server"]
            parts = urlsplit(value) if isinstance(value, str) else None
            if parts is not None and parts.scheme in ("http", "https") and parts.hostname:
                server = str(value).rstrip("/")
            else:
                self.expected((*path, "ntfy_server"), 'a URL such as "https://ntfy.sh"', value)
        email = None
        if "email" in raw:
            value = raw["email"]
            if isinstance(value, str) and _EMAIL_RE.match(value.strip()):
                email = value.strip()
            else:
                self.expected((*path, "email"), 'an email address such as "me@example.com"', value)
        smtp = None
        if "smtp" in raw:
            value = raw["smtp"]
            host, _, port = value.rpartition(":") if isinstance(value, str) else ("", "", "")
            if host and port.isdigit() and 0 < int(port) < 65536:
                smtp = str(value)
            else:
                self.expected((*path, "smtp"), 'a mail server such as "smtp.gmail.com:465"', value)
        hears: list[str] = []
        if "hears" in raw:
            what = "alert kinds: " + ", ".join(ALERT_TOPICS)
            values = self.array(raw["hears"], (*path, "hears"), what)
            for index, item in enumerate(values or ()):
                if isinstance(item, str) and item in ALERT_TOPICS:
                    hears.append(item)
                else:
                    hint = _did_you_mean(item, ALERT_TOPICS) if isinstance(item, str) else ""
                    self.error((*path, "hears", index), f"expected {what}, got {show(item)}{hint}")
        quiet_start = quiet_end = None
        if "quiet_hours" in raw:
            quiet = self.table(raw["quiet_hours"], (*path, "quiet_hours"), _QUIET_KEYS)
            if quiet is not None:
                for key in _QUIET_KEYS:
                    if key not in quiet:
                        self.missing((*path, "quiet_hours", key), 'a time of day "HH:MM"')
                if "start" in quiet:
                    quiet_start = self.time_of_day(quiet["start"], (*path, "quiet_hours", "start"))
                if "end" in quiet:
                    quiet_end = self.time_of_day(quiet["end"], (*path, "quiet_hours", "end"))
        per_hour = DEFAULT_ALERTS_PER_HOUR
        if "alerts_per_hour" in raw:
            checked = self.integer(
                raw["alerts_per_hour"], (*path, "alerts_per_hour"), 1, MAX_ALERTS_PER_HOUR
            )
            per_hour = DEFAULT_ALERTS_PER_HOUR if checked is None else checked
        apprise = False
        if "apprise" in raw:
            apprise = bool(self.boolean(raw["apprise"], (*path, "apprise")))
        if len(self.errors) == before and topic is None and email is None and not apprise:
            self.error(path, "expected at least one channel: ntfy_topic, email or apprise")
        if len(self.errors) > before or name is None:
            return None
        return Caregiver(
            name=name, ntfy_topic=topic, ntfy_server=server, email=email, smtp=smtp,
            apprise=apprise, hears=tuple(dict.fromkeys(hears)), quiet_start=quiet_start,
            quiet_end=quiet_end, alerts_per_hour=per_hour,
        )


def resolve_list_source(source: str, policy_file: str | Path) -> str:
    """A list source as a URL or an absolute path; relative paths are relative to the folder
    of the policy file, so a shared `family.toml` can carry its own lists beside it."""
    if "://" in source:
        return source
    path = Path(source).expanduser()
    if not path.is_absolute():
        path = Path(policy_file).resolve().parent / path
    return str(path)
