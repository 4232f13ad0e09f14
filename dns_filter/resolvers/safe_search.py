"""Safe search per child: search engines answered with their safe-search CNAME.

Each engine documents a name that forces its safe mode for everyone on a network that
points the engine's own names at it:

- Google: `forcesafesearch.google.com` for every country search domain (Google Search
  Help, "Lock SafeSearch for devices & networks you manage").
- YouTube: `restrict.youtube.com` (strict) or `restrictmoderate.youtube.com` (moderate) for
  www.youtube.com, m.youtube.com, youtubei.googleapis.com, youtube.googleapis.com and
  www.youtube-nocookie.com (Google Workspace Admin Help, "Restrict YouTube content").
- Bing: `strict.bing.com` (Microsoft, "Blocking adult content with SafeSearch").
- DuckDuckGo: `safe.duckduckgo.com` (DuckDuckGo Help, "Safe Search").
- Ecosia: `strict-safe-search.ecosia.org` for www.ecosia.org (Ecosia Help, "Does Ecosia
  have safe search?").
- Pixabay: `safesearch.pixabay.com`.
- Brave Search: `safesearch.brave.com` for search.brave.com (Brave Search Help,
  "SafeSearch"; some filters use `forcesafe.search.brave.com`, which Brave also serves).

A rewritten A, AAAA or HTTPS query is answered with the CNAME *and* the target's records,
resolved through the rest of the chain (cache, upstream), because many stub resolvers do
not chase a CNAME that a forwarder returns alone. Other types get the CNAME only.
"""

from __future__ import annotations

from dataclasses import dataclass

from dnslib import QTYPE, RCODE, DNSRecord

from dns_filter import answers
from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.message import Message
from dns_filter.policy import Profile, YouTubeMode
from dns_filter.reason import Reason, ReasonKind
from dns_filter.resolvers.rules import RuleBook

REWRITE_TTL = 300
RESOLVED_TYPES = frozenset({QTYPE.A, QTYPE.AAAA, QTYPE.HTTPS})

GOOGLE_TARGET = "forcesafesearch.google.com"
YOUTUBE_STRICT_TARGET = "restrict.youtube.com"
YOUTUBE_MODERATE_TARGET = "restrictmoderate.youtube.com"

# Google's search domains, as the suffix after "google." (the list Google publishes at
# www.google.com/supported_domains, plus a few country domains it used to serve). Kept as
# plain data so that a new country domain is a one-word change.
GOOGLE_SUFFIXES_PLAIN = """
    com ac ad ae al am as at az ba be bf bg bi bj bs bt by ca cat cc cd cf cg ch ci cl cm cn
    cv cz de dj dk dm dz ee es fi fm fr ga ge gf gg gl gm gp gr gy hn hr ht hu ie im iq is
    it je jo kg ki kz la li lk lt lu lv md me mg mk ml mn ms mu mv mw ne nl no nr nu pl pn
    ps pt ro rs ru rw sc se sh si sk sm sn so sr st td tg tk tl tm tn to tt vg vu ws
"""
GOOGLE_SUFFIXES_COM = """
    af ag ai ar au bd bh bn bo br bz co cu cy do ec eg et fj gh gi gt hk jm kh kw lb ly mm
    mt mx my na nf ng ni np om pa pe pg ph pk pr py qa sa sb sg sl sv tj tr tw ua uy vc vn
"""
GOOGLE_SUFFIXES_CO = """
    ao bw ck cr id il in jp ke kr ls ma mz nz th tz ug uk uz ve vi za zm zw
"""


def google_search_domains() -> tuple[str, ...]:
    """Every Google search host: `google.<cc>` and `www.google.<cc>` for each country."""
    suffixes = (
        GOOGLE_SUFFIXES_PLAIN.split()
        + [f"com.{cc}" for cc in GOOGLE_SUFFIXES_COM.split()]
        + [f"co.{cc}" for cc in GOOGLE_SUFFIXES_CO.split()]
    )
    hosts: list[str] = []
    for suffix in suffixes:
        hosts += [f"google.{suffix}", f"www.google.{suffix}"]
    return tuple(hosts)


YOUTUBE_HOSTS = (
    "www.youtube.com",
    "m.youtube.com",
    "youtubei.googleapis.com",
    "youtube.googleapis.com",
    "www.youtube-nocookie.com",
)

# engine -> (hosts, target); exact host names, not their subdomains.
OTHER_ENGINES: dict[str, tuple[tuple[str, ...], str]] = {
    "Bing": (("www.bing.com", "bing.com"), "strict.bing.com"),
    "DuckDuckGo": (
        ("duckduckgo.com", "www.duckduckgo.com", "start.duckduckgo.com"),
        "safe.duckduckgo.com",
    ),
    "Ecosia": (("www.ecosia.org", "ecosia.org"), "strict-safe-search.ecosia.org"),
    "Pixabay": (("pixabay.com", "www.pixabay.com"), "safesearch.pixabay.com"),
    "Brave": (("search.brave.com",), "safesearch.brave.com"),
}


@dataclass(frozen=True)
class Rewrite:
    engine: str
    target: str

    @property
    def reason(self) -> Reason:
        return Reason(ReasonKind.SAFE_SEARCH, cname_target=self.target, detail=self.engine)


class SafeSearchTable:
    """Host -> rewrite, built once (no work at import time)."""

    def __init__(self) -> None:
        search: dict[str, Rewrite] = {}
        google = Rewrite("Google", GOOGLE_TARGET)
        for host in google_search_domains():
            search[host] = google
        for engine, (hosts, target) in OTHER_ENGINES.items():
            for host in hosts:
                search[host] = Rewrite(engine, target)
        self._search = search
        self._youtube = frozenset(YOUTUBE_HOSTS)

    def rewrite(self, profile: Profile, name: str) -> Rewrite | None:
        """The safe-search rewrite this child gets for `name`, or None."""
        if name in self._youtube:
            if profile.youtube_mode is YouTubeMode.STRICT:
                return Rewrite("YouTube", YOUTUBE_STRICT_TARGET)
            if profile.youtube_mode is YouTubeMode.MODERATE:
                return Rewrite("YouTube", YOUTUBE_MODERATE_TARGET)
            return None
        if not profile.safe_search:
            return None
        return self._search.get(name)


class SafeSearchResolver(Resolver):
    """Rewrites search engines to their safe mode for children who have it on."""

    def __init__(
        self,
        next_resolver: Resolver | None,
        rules: RuleBook,
        table: SafeSearchTable | None = None,
    ) -> None:
        super().__init__(next_resolver)
        self._rules = rules
        self._table = table if table is not None else SafeSearchTable()

    async def resolve(self, query: Query) -> Result:
        profile = self._rules.current().profile(query.profile)
        if profile is None:
            return await self.next.resolve(query)
        rewrite = self._table.rewrite(profile.profile, query.name)
        # A blocked service (YouTube blocked outright) is the block link's to answer.
        if rewrite is None or (profile.listed(query.name) and not profile.allowed(query.name)):
            return await self.next.resolve(query)

        if query.qtype not in RESOLVED_TYPES:
            response = answers.cname_reply(query.request, query.name, rewrite.target, REWRITE_TTL)
            return Result(response, AnswerType.REWRITTEN, rewrite.reason, query.profile)

        target_request = DNSRecord.question(rewrite.target, QTYPE.get(query.qtype))
        target_query = Query(
            message=Message(bytes(target_request.pack())),  # the cache below reads bytes
            name=rewrite.target,
            qtype=query.qtype,
            client_ip=query.client_ip,
            transport=query.transport,
            profile=query.profile,
        )
        target = await self.next.resolve(target_query)
        response = answers.cname_reply(
            query.request, query.name, rewrite.target, REWRITE_TTL, target.response.rr
        )
        response.header.rcode = target.response.header.rcode
        for record in target.response.auth:
            response.add_auth(record)
        if response.header.rcode == RCODE.SERVFAIL:
            # the target could not be looked up: the answer is a failure, logged as one
            return Result(response, AnswerType.FAILED, target.reason, query.profile)
        return Result(response, AnswerType.REWRITTEN, rewrite.reason, query.profile)
