"""Helpers that build the DNS responses the filtering links answer with."""

from __future__ import annotations

import copy
from collections.abc import Iterable

from dnslib import AAAA, CNAME, QTYPE, RCODE, RR, SOA, A, DNSRecord

from dns_filter.policy import BlockMode

# The SOA in the authority section of synthetic negative answers, so that clients cache
# them for the block TTL (RFC 2308) rather than asking again at once.
_SOA_MNAME = "baoan.invalid."
_SOA_RNAME = "hostmaster.baoan.invalid."


def reply_to(request: DNSRecord) -> DNSRecord:
    """An empty NOERROR reply that mirrors the request's id, question and RD flag."""
    reply = request.reply()
    reply.header.ra = 1
    return reply


def _soa(name: str, ttl: int) -> RR:
    return RR(
        name,
        QTYPE.SOA,
        ttl=ttl,
        rdata=SOA(_SOA_MNAME, _SOA_RNAME, (1, 3600, 600, 86400, ttl)),
    )


def nodata(request: DNSRecord, name: str, ttl: int) -> DNSRecord:
    """NOERROR with no answers and an SOA in the authority section."""
    reply = reply_to(request)
    reply.add_auth(_soa(name, ttl))
    return reply


def nxdomain(request: DNSRecord, name: str, ttl: int) -> DNSRecord:
    """NXDOMAIN with an SOA in the authority section."""
    reply = reply_to(request)
    reply.header.rcode = RCODE.NXDOMAIN
    reply.add_auth(_soa(name, ttl))
    return reply


def servfail(request: DNSRecord) -> DNSRecord:
    reply = reply_to(request)
    reply.header.rcode = RCODE.SERVFAIL
    return reply


def blocked(
    request: DNSRecord,
    name: str,
    qtype: int,
    mode: BlockMode,
    *,
    ipv4: str,
    ipv6: str,
    ttl: int,
) -> DNSRecord:
    """The answer for a blocked name, in the profile's block mode.

    PAGE answers A with the block page's IPv4 and AAAA with its IPv6; NULL answers 0.0.0.0
    and ::; every other type gets NODATA so that the client falls back to A/AAAA.
    """
    if mode is BlockMode.NXDOMAIN:
        return nxdomain(request, name, ttl)
    if mode is BlockMode.NULL:
        ipv4, ipv6 = "0.0.0.0", "::"
    if qtype == QTYPE.A:
        reply = reply_to(request)
        reply.add_answer(RR(name, QTYPE.A, ttl=ttl, rdata=A(ipv4)))
        return reply
    if qtype == QTYPE.AAAA:
        reply = reply_to(request)
        reply.add_answer(RR(name, QTYPE.AAAA, ttl=ttl, rdata=AAAA(ipv6)))
        return reply
    return nodata(request, name, ttl)


def cname_reply(
    request: DNSRecord, name: str, target: str, ttl: int, rest: Iterable[RR] = ()
) -> DNSRecord:
    """`name CNAME target` followed by the records that answer for the target."""
    reply = reply_to(request)
    reply.add_answer(RR(name, QTYPE.CNAME, ttl=ttl, rdata=CNAME(target)))
    for record in rest:
        reply.add_answer(record)
    return reply


def with_ttls_at_most(response: DNSRecord, ttl: int) -> DNSRecord:
    """A copy of `response` whose records live `ttl` seconds at most (the OPT record's
    TTL field is flags, kept). The original may be the cache's: it is not changed."""

    def capped(records: Iterable[RR]) -> list[RR]:
        return [
            record
            if record.rtype == QTYPE.OPT or record.ttl <= ttl
            else RR(record.rname, record.rtype, record.rclass, ttl, record.rdata)
            for record in records
        ]

    return DNSRecord(
        header=copy.copy(response.header),
        questions=list(response.questions),
        rr=capped(response.rr),
        auth=capped(response.auth),
        ar=capped(response.ar),
    )
