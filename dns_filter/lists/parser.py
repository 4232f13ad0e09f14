"""Parsers for the blocklist formats that real lists use.

Formats: hosts (`0.0.0.0 name`, several names a line), plain domains (one a line),
AdBlock basic (`||name^`, `@@||name^` exceptions, `!` comments, `[Adblock Plus …]`
header; other AdBlock syntax is counted as unsupported) and wildcard (`*.name`).
Every rule — whatever its syntax — blocks the name and all its subdomains.

Well-formed lines take a fast path (one regular expression over the whole text, in C);
the remaining lines are parsed one by one, and each bad one is counted with its line
number. A bad line is never fatal.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from dns_filter.names import MAX_NAME_LENGTH, NAME_PATTERN, InvalidNameError, normalise_name

MAX_SAMPLES = 20  # bad and unsupported lines kept as samples for the report


class ListFormat(StrEnum):
    AUTO = "auto"
    HOSTS = "hosts"
    DOMAINS = "domains"
    ADBLOCK = "adblock"
    WILDCARD = "wildcard"


@dataclass(frozen=True)
class BadLine:
    line_number: int
    text: str
    reason: str


@dataclass(frozen=True)
class ParseReport:
    """What one list held, without the rules themselves."""

    format: ListFormat
    total_lines: int
    name_count: int  # blocking rules, each for the name and all its subdomains
    exception_count: int  # `@@` rules: never blocked, even by another list
    bad_count: int
    bad_samples: tuple[BadLine, ...]
    unsupported_count: int
    unsupported_samples: tuple[BadLine, ...]

    @property
    def rule_count(self) -> int:
        return self.name_count + self.exception_count


@dataclass(frozen=True)
class ParsedList:
    """The rules of one list file and its report."""

    names: tuple[str, ...]
    exceptions: tuple[str, ...]
    report: ParseReport

    @property
    def format(self) -> ListFormat:
        return self.report.format

    @property
    def bad_count(self) -> int:
        return self.report.bad_count

    @property
    def bad_samples(self) -> tuple[BadLine, ...]:
        return self.report.bad_samples

    @property
    def unsupported_count(self) -> int:
        return self.report.unsupported_count

    @property
    def rule_count(self) -> int:
        return self.report.rule_count


# Receives the rules of one chunk of lines; the list is the sink's to keep or drop.
NameSink = Callable[[list[str]], None]
READ_BLOCK = 1 << 18  # characters read at a time from a file (a quarter of a MB: a small peak)


# Names that every hosts file carries for the machine itself; not rules, not errors.
HOSTS_BOILERPLATE = frozenset(
    {
        "localhost",
        "localhost.localdomain",
        "local",
        "broadcasthost",
        "ip6-localhost",
        "ip6-loopback",
        "ip6-localnet",
        "ip6-mcastprefix",
        "ip6-allnodes",
        "ip6-allrouters",
        "ip6-allhosts",
        "0.0.0.0",
    }
)

# Fast path: whole lines (already lower-cased) in the commonest form of each format.
_FAST_PATTERNS: dict[ListFormat, re.Pattern[str]] = {
    ListFormat.DOMAINS: re.compile(NAME_PATTERN, re.ASCII),
    ListFormat.WILDCARD: re.compile(rf"(?:\*\.)?{NAME_PATTERN}", re.ASCII),
    ListFormat.HOSTS: re.compile(rf"(?:0\.0\.0\.0|127\.0\.0\.1) {NAME_PATTERN}", re.ASCII),
    ListFormat.ADBLOCK: re.compile(rf"\|\|{NAME_PATTERN}\^", re.ASCII),
}
_FAST_CHUNK = 2048  # lines checked together; a chunk with any other line goes line by line
_ADBLOCK_COSMETIC = ("##", "#@#", "#?#", "#$#", "#%#", "#@$#", "#@?#")
_DETECT_SAMPLE = 500


class _Collector:
    def __init__(self, on_names: NameSink, on_exceptions: NameSink) -> None:
        self.on_names = on_names
        self.on_exceptions = on_exceptions
        self.name_count = 0
        self.exception_count = 0
        self.names: list[str] = []  # slow-path rules of the current chunk
        self.exceptions: list[str] = []
        self.bad_count = 0
        self.bad: list[BadLine] = []
        self.unsupported_count = 0
        self.unsupported: list[BadLine] = []

    def emit(self, names: list[str]) -> None:
        if names:
            self.name_count += len(names)
            self.on_names(names)

    def flush(self) -> None:
        if self.names:
            self.emit(self.names)
            self.names = []
        if self.exceptions:
            self.exception_count += len(self.exceptions)
            self.on_exceptions(self.exceptions)
            self.exceptions = []

    def bad_line(self, number: int, text: str, reason: str) -> None:
        self.bad_count += 1
        if len(self.bad) < MAX_SAMPLES:
            self.bad.append(BadLine(number, text[:200], reason))

    def unsupported_line(self, number: int, text: str, reason: str) -> None:
        self.unsupported_count += 1
        if len(self.unsupported) < MAX_SAMPLES:
            self.unsupported.append(BadLine(number, text[:200], reason))


def detect_format(lines: Iterable[str]) -> ListFormat:
    """Guess a file's format from its first meaningful lines (the most common syntax)."""
    votes = dict.fromkeys(
        (ListFormat.HOSTS, ListFormat.ADBLOCK, ListFormat.WILDCARD, ListFormat.DOMAINS), 0
    )
    seen = 0
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line.startswith("[") and "adblock" in line.lower():
            return ListFormat.ADBLOCK
        if line[0] == "!":
            votes[ListFormat.ADBLOCK] += 1  # a hint only: hosts files never use `!`
            continue
        if line[0] == "#":
            continue
        if line.startswith(("||", "@@")):
            votes[ListFormat.ADBLOCK] += 3
        elif line.startswith("*."):
            votes[ListFormat.WILDCARD] += 3
        elif len(line.split()) > 1 and _is_ip(line.split()[0]):
            votes[ListFormat.HOSTS] += 3
        else:
            votes[ListFormat.DOMAINS] += 3
        seen += 1
        if seen >= _DETECT_SAMPLE:
            break
    best = max(votes.items(), key=lambda item: item[1])
    return best[0] if best[1] > 0 else ListFormat.DOMAINS


def parse_stream(
    blocks: Iterable[str],
    list_format: ListFormat,
    on_names: NameSink,
    on_exceptions: NameSink,
) -> ParseReport:
    """Parse text that arrives in blocks cut anywhere; rules go to the sinks chunk by chunk,
    so a list of millions of names never has to be held whole in memory."""
    collected = _Collector(on_names, on_exceptions)
    fmt = list_format
    line_number = 0
    carry = ""
    first = True
    for block in blocks:
        if first:
            block = block.removeprefix("\ufeff")
        text = carry + block
        cut = text.rfind("\n")
        if cut < 0:
            carry = text
            continue
        carry = text[cut + 1 :]
        body = text[:cut]
        if "\r" in body:
            body = body.replace("\r", "")
        lines = body.lower().split("\n")
        del body
        del text
        if first and fmt is ListFormat.AUTO:
            fmt = detect_format(lines)
        first = False
        _parse_lines(lines, line_number, fmt, collected)
        line_number += len(lines)
    if carry or first:
        lines = [carry.removeprefix("\ufeff").replace("\r", "").lower()] if carry else []
        if fmt is ListFormat.AUTO:
            fmt = detect_format(lines)
        _parse_lines(lines, line_number, fmt, collected)
        line_number += len(lines)
    return ParseReport(
        format=fmt,
        total_lines=line_number,
        name_count=collected.name_count,
        exception_count=collected.exception_count,
        bad_count=collected.bad_count,
        bad_samples=tuple(collected.bad),
        unsupported_count=collected.unsupported_count,
        unsupported_samples=tuple(collected.unsupported),
    )


def _parse_lines(
    lines: list[str], first_number: int, list_format: ListFormat, collected: _Collector
) -> None:
    fullmatch = _FAST_PATTERNS[list_format].fullmatch
    extract = _EXTRACTORS[list_format]
    for start in range(0, len(lines), _FAST_CHUNK):
        chunk = lines[start : start + _FAST_CHUNK]
        good = list(filter(fullmatch, chunk))
        if len(good) == len(chunk):
            names = extract(good)
            if max(map(len, names)) <= MAX_NAME_LENGTH:
                collected.emit(names)
                continue
        for number, line in enumerate(chunk, start=first_number + start + 1):
            if fullmatch(line):
                name = extract([line])[0]
                if len(name) <= MAX_NAME_LENGTH:
                    collected.names.append(name)
                    continue
            if line:
                _parse_line(line, number, list_format, collected)
        collected.flush()


def _blocks_of(text: str) -> Iterator[str]:
    for start in range(0, len(text), READ_BLOCK):
        yield text[start : start + READ_BLOCK]


def read_blocks(path: Path) -> Iterator[str]:
    """A file's text in blocks (UTF-8; undecodable bytes become U+FFFD, then a bad line)."""
    with Path(path).open(encoding="utf-8", errors="replace", newline="") as handle:
        while block := handle.read(READ_BLOCK):
            yield block


def parse_text(text: str, list_format: ListFormat = ListFormat.AUTO) -> ParsedList:
    """Parse a whole list; `list_format` AUTO detects it from the content."""
    names: list[str] = []
    exceptions: list[str] = []
    report = parse_stream(_blocks_of(text), list_format, names.extend, exceptions.extend)
    return ParsedList(tuple(names), tuple(exceptions), report)


def parse_bytes(data: bytes, list_format: ListFormat = ListFormat.AUTO) -> ParsedList:
    return parse_text(data.decode("utf-8", errors="replace"), list_format)


def parse_file(path: Path, list_format: ListFormat = ListFormat.AUTO) -> ParsedList:
    names: list[str] = []
    exceptions: list[str] = []
    report = parse_stream(read_blocks(path), list_format, names.extend, exceptions.extend)
    return ParsedList(tuple(names), tuple(exceptions), report)


def scan_file(path: Path, list_format: ListFormat = ListFormat.AUTO) -> ParseReport:
    """Check a file and count its rules without keeping them."""
    return parse_stream(read_blocks(path), list_format, _drop, _drop)


def _drop(_names: list[str]) -> None:
    return None


def _without(lines: list[str], *prefixes: str) -> list[str]:
    """`lines` (well-formed fast-path lines) without their markers, in a few C calls: a
    name holds no space, `|`, `^` or `*`, so each marker text occurs only as the marker."""
    if not lines:
        return []
    text = "\n".join(lines)
    for prefix in prefixes:
        text = text.replace(prefix, "")
    return text.split("\n")


def _strip_hosts_address(lines: list[str]) -> list[str]:
    # "0.0.0.0 " ends at the line's only space, so it can only be the address itself.
    return _without(lines, "0.0.0.0 ", "127.0.0.1 ")


def _strip_adblock(lines: list[str]) -> list[str]:
    return _without(lines, "||", "^")


def _strip_wildcard(lines: list[str]) -> list[str]:
    return _without(lines, "*.")


def _as_is(lines: list[str]) -> list[str]:
    return lines


_EXTRACTORS: dict[ListFormat, Callable[[list[str]], list[str]]] = {
    ListFormat.DOMAINS: _as_is,
    ListFormat.WILDCARD: _strip_wildcard,
    ListFormat.HOSTS: _strip_hosts_address,
    ListFormat.ADBLOCK: _strip_adblock,
}


def _parse_line(raw: str, number: int, list_format: ListFormat, out: _Collector) -> None:
    line = raw.strip()
    if not line or line[0] == "!":
        return
    if line[0] == "[":
        if line.endswith("]") and "adblock" in line.lower():
            return
        out.bad_line(number, raw, "dòng không hiểu được")
        return
    if line[0] == "#":
        if list_format is ListFormat.ADBLOCK and line.startswith(_ADBLOCK_COSMETIC):
            out.unsupported_line(number, raw, "quy tắc AdBlock ẩn phần tử (không dùng cho DNS)")
        return
    if line.startswith("@@"):
        name = _adblock_name(line[2:], number, raw, out)
        if name is not None:
            out.exceptions.append(name)
        return
    if line.startswith("||"):
        name = _adblock_name(line, number, raw, out)
        if name is not None:
            out.names.append(name)
        return
    if list_format is ListFormat.ADBLOCK and any(marker in line for marker in _ADBLOCK_COSMETIC):
        out.unsupported_line(number, raw, "quy tắc AdBlock ẩn phần tử (không dùng cho DNS)")
        return
    if list_format is ListFormat.ADBLOCK and any(c in line for c in "|^$/"):
        out.unsupported_line(number, raw, "cú pháp AdBlock chưa hỗ trợ")
        return
    line = line.split("#", 1)[0].strip()  # inline comment
    tokens = line.split()
    if not tokens:
        return
    if len(tokens) == 1 and list_format is not ListFormat.HOSTS and _is_ip(tokens[0]):
        out.bad_line(number, raw, "địa chỉ IP, không phải tên miền")
        return
    if len(tokens) > 1 or _is_ip(tokens[0]):
        _hosts_line(tokens, number, raw, out)
        return
    token = tokens[0]
    try:
        if token.startswith("*."):
            # `*.xxx` may name a whole top-level domain; a bare `xxx` may not.
            out.names.append(normalise_name(token[2:], allow_single_label=True))
        elif "*" in token:
            out.unsupported_line(number, raw, "ký tự đại diện giữa tên chưa hỗ trợ")
        else:
            out.names.append(normalise_name(token))
    except InvalidNameError as exc:
        out.bad_line(number, raw, str(exc))


def _hosts_line(tokens: list[str], number: int, raw: str, out: _Collector) -> None:
    if not _is_ip(tokens[0]):
        out.bad_line(number, raw, "nhiều từ trên một dòng nhưng không bắt đầu bằng địa chỉ IP")
        return
    if len(tokens) == 1:
        out.bad_line(number, raw, "địa chỉ IP không kèm tên")
        return
    for token in tokens[1:]:
        if token.lower() in HOSTS_BOILERPLATE:
            continue
        try:
            out.names.append(normalise_name(token))
        except InvalidNameError as exc:
            out.bad_line(number, raw, f"{token}: {exc}")


def _adblock_name(rule: str, number: int, raw: str, out: _Collector) -> str | None:
    """The name of `||name^` (optionally `$important`), or None after counting the line."""
    body, _, options = rule.partition("$")
    if options and options.strip().lower() != "important":
        out.unsupported_line(number, raw, f"tùy chọn AdBlock chưa hỗ trợ: ${options}")
        return None
    if not body.startswith("||"):
        out.unsupported_line(number, raw, "cú pháp AdBlock chưa hỗ trợ")
        return None
    name = body[2:].strip()
    if name.endswith("^|"):
        name = name[:-2]
    elif name.endswith("^"):
        name = name[:-1]
    if any(c in name for c in "*/|^:"):
        out.unsupported_line(number, raw, "cú pháp AdBlock chưa hỗ trợ")
        return None
    try:
        return normalise_name(name)
    except InvalidNameError as exc:
        out.bad_line(number, raw, str(exc))
        return None


def _is_ip(token: str) -> bool:
    if not token or not (token[0].isdigit() or ":" in token):
        return False
    try:
        ipaddress.ip_address(token.split("%", 1)[0])
    except ValueError:
        return False
    return True
