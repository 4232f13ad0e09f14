"""What the child's tray may ask of the agent: :class:`TrayService`.

The tray runs as the child, in the child's desktop session, and talks to the agent over
the loopback API with the tray token and its account's user key
(:mod:`agent.tray.identity`). The service answers in the API's plain types
(:mod:`agent.api.types`); :mod:`agent.api.tray_routes` puts thin handlers over it.
"""

from __future__ import annotations

import logging
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from agent.access import (
    WATCH_ANSWERS,
    HelpResult,
    ReportResult,
    WatchAcknowledgement,
    request_info,
)
from agent.alert_receivers import alert_receivers
from agent.api.types import (
    AccessRequestInfo,
    BlockedBatch,
    BlockedSite,
    HelpOutcome,
    ReportOutcome,
    TrayProfile,
    WatchAcknowledgementInfo,
    WatchNotice,
)
from agent.pages.explain import explain
from agent.pages.i18n import DEFAULT_LANGUAGE, LANGUAGES, AgeBand, band_for_age
from agent.pages.strings import text
from agent.pages.watch import asks_consent, watch_words
from agent.policy.model import FamilyPolicy
from agent.policy.services import load_catalogue
from agent.store.models import AccessRequest, QueryLogEntry, RetentionPolicy
from agent.tray.identity import TrayIdentity, TrayIdentityError, TrayUserKeys
from dns_filter.addresses import is_loopback
from dns_filter.clock import Clock, SystemClock
from dns_filter.reason import Reason

log = logging.getLogger(__name__)

BLOCKED_DEFAULT_LIMIT = 20
BLOCKED_MAX_LIMIT = 100
_CURSOR = re.compile(r"\Av2\.(\d{1,20})\Z")


# -- what the service needs ----------------------------------------------------------------


class QueryLogSource(Protocol):
    """The store's query log (``agent.store.Store.query_log``)."""

    def blocked_since(
        self, child: str, after_id: int = 0, limit: int = 100, *, since: datetime | None = None
    ) -> list[tuple[int, QueryLogEntry]]: ...

    def last_id(self) -> int: ...


class TrayAccess(Protocol):
    """The parts of ``agent.access.AccessService`` the tray uses."""

    def help_pressed(self, child: str | None, client_address: str) -> HelpResult: ...

    def report_pressed(self, child: str | None, client_address: str) -> ReportResult: ...

    def acknowledge_watch(
        self, child: str, language: str = "vi", answer: str = "acknowledged"
    ) -> WatchAcknowledgement: ...

    def retention(self) -> RetentionPolicy: ...

    def watch_acknowledgement(self, child: str) -> WatchAcknowledgement | None: ...

    def request_access(
        self, child: str, site: str, reason: str, client_address: str
    ) -> AccessRequest: ...


@dataclass(frozen=True)
class PagePaths:
    """Where the agent serves the child's pages (paths on the API's own address)."""

    blocked: str = "/__baoan/blocked?site={site}"
    watch: str = "/__baoan/watch"
    help: str = "/__baoan/help"
    request: str = "/__baoan/request/{request_id}"

    def request_for(self, request_id: str) -> str:
        return self.request.format(request_id=urllib.parse.quote(request_id, safe=""))

    def blocked_for(self, site: str) -> str:
        return self.blocked.format(site=urllib.parse.quote(site, safe=""))


# -- the cursor ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a tray is in the query log: the newest row id it has been shown (row ids only
    grow, so two blocks logged in the same microsecond are still told apart)."""

    row_id: int

    def encode(self) -> str:
        return f"v2.{self.row_id}"

    @classmethod
    def decode(cls, value: str) -> Cursor:
        found = _CURSOR.match(value)
        if found is None:
            raise ValueError(f"not a tray cursor: {value[:40]!r}")
        return cls(int(found.group(1)))


# -- the service ---------------------------------------------------------------------------


class TrayService:
    """What the child's tray may ask of the agent (thread-safe: it reads snapshots)."""

    def __init__(
        self,
        query_log: QueryLogSource,
        family_policy: Callable[[], FamilyPolicy],
        user_keys: TrayUserKeys,
        *,
        access: TrayAccess | None = None,
        local_addresses: Callable[[], frozenset[str]] = frozenset,
        clock: Clock | None = None,
        pages: PagePaths | None = None,
        explain_reason: Callable[[Mapping[str, object], str, AgeBand], str | None] | None = None,
        poll_seconds: float = 5.0,
        first_look_seconds: float = 120.0,
        scan_rows: int = 2000,
    ) -> None:
        self._query_log = query_log
        self._family_policy = family_policy
        self._user_keys = user_keys
        self._access = access
        self._local_addresses = local_addresses
        self._clock = clock or SystemClock()
        self.pages = pages or PagePaths()
        self._explain = explain_reason or explain_in_words
        self.poll_seconds = poll_seconds
        self.first_look = timedelta(seconds=first_look_seconds)
        self.scan_rows = scan_rows

    # -- identity -----------------------------------------------------------------------------

    def identify(self, os_user: str | None, user_key: str | None) -> TrayIdentity:
        """The verified account and its child; TrayIdentityError when the key is missing or
        wrong. An account that is no child's belongs to the PC's default child, as its DNS
        queries do."""
        if not os_user or not user_key:
            raise TrayIdentityError(
                401, "user_key_required", "send X-Baoan-User and X-Baoan-User-Key"
            )
        if not self._user_keys.verify(os_user, user_key):
            raise TrayIdentityError(403, "bad_user_key", "the user key does not match")
        family = self._family_policy()
        child = family.child_for_os_user(os_user)
        return TrayIdentity(os_user, child.name if child else family.pc_default_child())

    # -- the child's profile ----------------------------------------------------------------

    def profile(self, identity: TrayIdentity, language: str | None = None) -> TrayProfile:
        family = self._family_policy()
        chosen = language if language in LANGUAGES else str(family.settings.language)
        if chosen not in LANGUAGES:
            chosen = DEFAULT_LANGUAGE
        age = self._age(family, identity.child)
        band = band_for_age(age)
        acknowledged_at: datetime | None = None
        acknowledged = False
        access = self._access
        if access is not None and identity.child is not None:
            ack = access.watch_acknowledgement(identity.child)
            if ack is not None:
                acknowledged = ack.current
                acknowledged_at = ack.acknowledged_at
        return TrayProfile(
            child=identity.child,
            os_user=identity.os_user,
            age_band=str(band),
            language=chosen,
            help_alerts=bool(family.settings.help_alerts_caregivers),
            help_receivers=len(alert_receivers(family))
            if family.settings.help_alerts_caregivers
            else 0,
            report_receivers=len(alert_receivers(family)),
            poll_seconds=self.poll_seconds,
            acknowledged=acknowledged,
            acknowledged_at=acknowledged_at,
            # Consent is asked by the child's own age, not the band (a 6-year-old is 6–10).
            notice=watch_notice(
                chosen, band, self._retention(family), consent=asks_consent(age)
            ),
            watch_page=self.pages.watch,
            help_page=self.pages.help,
        )

    # -- blocked sites -------------------------------------------------------------------------

    def blocked_since(
        self,
        identity: TrayIdentity,
        cursor: str | None,
        limit: int = BLOCKED_DEFAULT_LIMIT,
        language: str | None = None,
    ) -> BlockedBatch:
        """Sites blocked for this child from this PC after `cursor`, oldest first.

        Without a cursor (a tray that just started) only the last couple of minutes count,
        so a new session is not flooded with old blocks. Raises ValueError for a cursor
        that is not one of ours.
        """
        position = Cursor.decode(cursor) if cursor else None
        # Read before the rows: whatever is logged later has a higher id, seen next time.
        newest_id = self._query_log.last_id()
        if position is not None and position.row_id > newest_id:
            position = None  # a row this log never had (a new database): look afresh
        if identity.child is None:
            return BlockedBatch((), Cursor(newest_id).encode(), False)
        rows = self._query_log.blocked_since(
            identity.child,
            0 if position is None else position.row_id,
            self.scan_rows,
            since=self._clock.now() - self.first_look if position is None else None,
        )
        truncated = len(rows) >= self.scan_rows  # older blocks than these were skipped
        if rows:
            newest_id = max(newest_id, rows[-1][0])
        family = self._family_policy()
        band = self._band(family, identity.child)
        chosen = language if language in LANGUAGES else str(family.settings.language)
        local: frozenset[str] | None = None
        blocked: list[QueryLogEntry] = []
        for _row_id, row in rows:
            if not is_loopback(row.client):
                if local is None:
                    local = self._safe_local_addresses()
                if row.client not in local:
                    continue  # the same child's phone on the LAN: not this PC's business
            blocked.append(row)
        if len(blocked) > limit:
            # Keep the newest: a notification about an old block is worthless.
            blocked = blocked[-limit:]
            truncated = True
        items = tuple(
            BlockedSite(
                time=row.time,
                name=row.name,
                category=row.category,
                why=self._explain(row.reason, chosen, band),
                page=self.pages.blocked_for(row.name),
            )
            for row in blocked
        )
        return BlockedBatch(items, Cursor(newest_id).encode(), truncated)

    # -- help and the acknowledgement ------------------------------------------------------------

    def help(self, identity: TrayIdentity | None, client_address: str) -> HelpOutcome:
        """The child pressed Help / 111 in the tray. The tray shows 111 whatever this says.
        Without a verified identity no one is alerted: the shared token names no child."""
        access = self._access
        child = identity.child if identity is not None else None
        if access is None:
            return HelpOutcome(alerted=False, alerts_enabled=False, child=child)
        result = access.help_pressed(child, client_address)
        return HelpOutcome(
            alerted=result.alerted,
            alerts_enabled=result.alerts_enabled,
            child=result.child,
            already_told=result.already_told,
            receivers=result.receivers,
        )

    def report(self, identity: TrayIdentity, client_address: str) -> ReportOutcome:
        """From "Báo điều xấu", the child chose to tell a caregiver: an alert of kind
        ``report`` for this verified account's child only (never a name from the body)."""
        access = self._access
        if access is None:
            raise RuntimeError("reports are not available in this agent")
        result = access.report_pressed(identity.child, client_address)
        return ReportOutcome(
            alerted=result.alerted,
            receivers=result.receivers,
            child=result.child,
            already_told=result.already_told,
        )

    def acknowledge_watch(
        self, identity: TrayIdentity, language: str, answer: str = "acknowledged"
    ) -> WatchAcknowledgementInfo:
        """The child's own answer, through their own account's key (never a sibling's)."""
        if language not in LANGUAGES:
            raise ValueError("language must be 'vi' or 'en'")
        if answer not in WATCH_ANSWERS:
            raise ValueError("answer must be 'acknowledged', 'agree' or 'disagree'")
        if identity.child is None:
            raise LookupError("this account belongs to no child in family.toml")
        access = self._access
        if access is None:
            raise RuntimeError("acknowledgements are not available in this agent")
        return access.acknowledge_watch(identity.child, language, answer).info()

    def ask(
        self, identity: TrayIdentity, site: str, reason: str, client_address: str
    ) -> AccessRequestInfo:
        """The child asks a parent to open `site`, named by the verified account only.
        Raises LookupError (no child), and the access service's refusals (bad site, too
        many requests)."""
        if identity.child is None:
            raise LookupError("this account belongs to no child in family.toml")
        access = self._access
        if access is None:
            raise RuntimeError("requests are not available in this agent")
        request = access.request_access(identity.child, site, reason, client_address)
        return request_info(request, self._clock.now())

    # -- helpers ------------------------------------------------------------------------------

    def _retention(self, family: FamilyPolicy) -> RetentionPolicy:
        """The store's retention; without the access service, the family's query-log days
        on the store's defaults (as the runtime sets them)."""
        if self._access is not None:
            return self._access.retention()
        return replace(
            RetentionPolicy(), query_log_days=family.settings.query_log_retention_days
        )

    def _band(self, family: FamilyPolicy, child_name: str | None) -> AgeBand:
        return band_for_age(self._age(family, child_name))

    def _age(self, family: FamilyPolicy, child_name: str | None) -> int | None:
        child = family.child(child_name) if child_name else None
        if child is None:
            return None
        try:
            return child.age_in(self._clock.now().year)
        except ValueError:
            return None

    def _safe_local_addresses(self) -> frozenset[str]:
        try:
            return frozenset(self._local_addresses())
        except Exception:  # an OS lookup failing must not stop the tray's notifications
            log.exception("cannot list this PC's addresses")
            return frozenset()


def watch_notice(
    language: str, band: AgeBand, retention: RetentionPolicy, *, consent: bool = True
) -> WatchNotice:
    """The tray's "what Bảo An watches": the page's own words (agent.pages.watch). With
    `consent` (the child is 7 or more) the child is asked: agree, or not yet."""
    words = watch_words(language, band, retention, consent=consent)
    choice = consent and band is not AgeBand.UNDER_6
    return WatchNotice(
        title=text(language, band, "title_watch"),
        intro=text(language, band, "watch_intro"),
        recorded_heading=text(language, band, "watch_recorded"),
        recorded=words.recorded,
        not_recorded_heading=text(language, band, "watch_not_recorded"),
        not_recorded=words.not_recorded,
        who_heading=text(language, band, "watch_who"),
        who=words.who,
        kept=text(language, band, "watch_choice_note" if choice else "watch_ack_note"),
        leaves_heading=text(language, band, "watch_leaves"),
        leaves=words.leaves,
        rights_heading=text(language, band, "watch_rights"),
        rights=words.rights,
        choice=choice,
        agree_label=text(language, band, "watch_agree") if choice else "",
        disagree_label=text(language, band, "watch_disagree") if choice else "",
    )


def explain_in_words(reason: Mapping[str, object], language: str, band: AgeBand) -> str | None:
    """The block page's plain sentence for a stored reason (never a list's name)."""
    try:
        catalogue = load_catalogue()
        return explain(Reason.from_json(reason), catalogue).sentence(language, band, catalogue)
    except Exception:  # words are a nicety; the notification goes out without them
        log.debug("cannot explain %r", reason, exc_info=True)
        return None
