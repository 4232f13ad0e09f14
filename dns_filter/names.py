"""The one canonical form of a domain name, for every part of the program.

A canonical name is lower-case ASCII (IDN in punycode, IDNA 2008 with the UTS 46 mapping
browsers use), without the trailing dot of the root, at most 253 characters, with labels of
1-63 characters of letters, digits, ``-`` and ``_``, and a top-level label that starts with
a letter (so an IP address is never a name). Real lists (and real DNS) carry underscores
and labels that start or end with ``-``; names a person types (``family.toml``, a block
page's site) keep the host-name rule that a label neither starts nor ends with ``-``.

Callers differ only where the options say:

* ``allow_wildcard``: a leading ``*.`` (or ``.``) is dropped, since a suffix rule matches
  the name and every name under it anyway; after it a single label is accepted
  (``*.xxx``: the whole top-level domain).
* ``allow_single_label``: a single label is accepted without a wildcard (rules that were
  normalised before, a top-level domain among them).
* ``strict_hyphens``: refuse labels that start or end with ``-``.

Messages of :class:`InvalidNameError` are in Vietnamese (list reports show them).
"""

from __future__ import annotations

import functools
import ipaddress
import re

import idna

MAX_NAME_LENGTH = 253
MAX_LABEL_LENGTH = 63
# Longer input cannot be a name even before the IDNA mapping (which may drop ignorable
# characters); checked first, so a huge string is refused without being encoded.
MAX_INPUT_LENGTH = 4 * MAX_NAME_LENGTH

_LABEL = r"[a-z0-9_-]{1,63}+"
# A top-level label starts with a letter, so "1.2.3.4" can never pass as a name.
_TLD = r"[a-z][a-z0-9-]{0,62}+"
# At least two labels (possessive, so a bad line fails fast); the length of the whole
# name (253 at most) is checked apart.
NAME_PATTERN = rf"(?:{_LABEL}\.)++{_TLD}"

_LABEL_RE = re.compile(_LABEL)
_TLD_RE = re.compile(_TLD)


class InvalidNameError(ValueError):
    """Not a usable domain name; the message says why (Vietnamese)."""


def normalise_name(
    raw: str,
    *,
    allow_wildcard: bool = False,
    allow_single_label: bool = False,
    strict_hyphens: bool = False,
) -> str:
    """Return `raw` as a canonical name, or raise :class:`InvalidNameError`.

    Strips whitespace and one trailing dot (two dots end in an empty label), lower-cases,
    turns IDN into punycode; the options are in the module docstring.
    """
    name = raw.strip()
    if len(name) > MAX_INPUT_LENGTH:
        raise InvalidNameError(f"tên dài {len(name)} ký tự (tối đa {MAX_NAME_LENGTH})")
    if allow_wildcard:
        for prefix in ("*.", "."):
            if name.startswith(prefix):
                name = name[len(prefix) :]
                allow_single_label = True
                break
    if name.endswith("."):
        name = name[:-1]
    if not name:
        raise InvalidNameError("tên rỗng")
    if not name.isascii():
        name = _to_punycode(name)
    name = name.lower()
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidNameError(f"tên dài {len(name)} ký tự (tối đa {MAX_NAME_LENGTH})")
    if _is_ip_address(name):
        raise InvalidNameError("địa chỉ IP, không phải tên miền")
    labels = name.split(".")
    if len(labels) == 1 and not allow_single_label:
        raise InvalidNameError("chỉ có một nhãn, không phải tên miền")
    for label in labels:
        if not label:
            raise InvalidNameError("có nhãn rỗng (hai dấu chấm liền nhau)")
        if len(label) > MAX_LABEL_LENGTH:
            raise InvalidNameError(f"nhãn dài {len(label)} ký tự (tối đa {MAX_LABEL_LENGTH})")
        if not _LABEL_RE.fullmatch(label):
            raise InvalidNameError(f"ký tự không hợp lệ trong nhãn {label!r}")
        if strict_hyphens and (label[0] == "-" or label[-1] == "-"):
            raise InvalidNameError(f"nhãn {label!r} bắt đầu hoặc kết thúc bằng dấu gạch ngang")
    if not _TLD_RE.fullmatch(labels[-1]):
        raise InvalidNameError(f"tên miền cấp cao không hợp lệ {labels[-1]!r}")
    return name


def _to_punycode(name: str) -> str:
    try:
        return idna.encode(name, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        pass
    try:
        # Python's IDNA 2003 codec accepts some names that IDNA 2008 refuses.
        return name.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidNameError(f"tên quốc tế (IDN) không hợp lệ: {exc}") from None


def _is_ip_address(name: str) -> bool:
    if not (name[0].isdigit() or ":" in name):
        return False
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def query_name(name: str) -> str:
    """The cheap canonical form of a queried name (lower case, no trailing dot)."""
    if name.endswith("."):
        name = name[:-1]
    return name.lower()


@functools.lru_cache(maxsize=16_384)
def suffixes(name: str) -> tuple[str, ...]:
    """`a.b.c` -> `a.b.c`, `b.c`, `c`: the name itself first, then each parent.

    Memoised: every link and list asks for the same name's suffixes, and names repeat.
    """
    if not name:
        return ()
    labels = name.split(".")
    return tuple(".".join(labels[index:]) for index in range(len(labels)))
