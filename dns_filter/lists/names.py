"""Domain-name normalisation and validation for blocklist rules.

Every rule that reaches the index is lower-case ASCII (IDN in punycode), without a
trailing dot, at most 253 characters, with labels of 1-63 characters; IP addresses are
not names. Underscores are accepted because real lists (and real DNS) use them.
"""

from __future__ import annotations

import ipaddress
import re

import idna

MAX_NAME_LENGTH = 253
MAX_LABEL_LENGTH = 63

# Real lists (and real DNS) carry underscores and labels that start or end with "-".
_LABEL = r"[a-z0-9_-]{1,63}+"
# A top-level label starts with a letter, so "1.2.3.4" can never pass as a name.
_TLD = r"[a-z][a-z0-9-]{0,62}+"
# At least two labels (possessive, so a bad line fails fast); the length of the whole
# name (253 at most) is checked apart.
NAME_PATTERN = rf"(?:{_LABEL}\.)++{_TLD}"

_LABEL_RE = re.compile(_LABEL)
_TLD_RE = re.compile(_TLD)


class InvalidNameError(ValueError):
    """A rule that is not a usable domain name; the message says why (Vietnamese)."""


def normalise_name(raw: str, *, allow_single_label: bool = False) -> str:
    """Return `raw` as a canonical rule name, or raise :class:`InvalidNameError`.

    Lower-cases, strips whitespace and one trailing dot, turns IDN into punycode.
    A single label ("xxx") is accepted only when `allow_single_label` is set: only an
    explicit wildcard (`*.xxx`) means "this whole top-level domain".
    """
    name = raw.strip()
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
