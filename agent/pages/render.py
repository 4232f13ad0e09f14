"""HTML for the child's pages: self-contained (inline CSS and SVG, no script, nothing fetched
from elsewhere), escaped everywhere a value is reflected.

Every function here takes already-decided facts and returns HTML text; nothing reads the
request or the store. Values from outside (host names, the child's reason, names from the
policy) pass through :func:`esc` exactly once, where they are placed.
"""

from __future__ import annotations

import functools
import html
import string
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

from agent.pages.i18n import AgeBand
from agent.pages.strings import text
from agent.pages.tips import Tip
from agent.pages.watch import WatchWords

HOTLINE_TEL = "tel:111"
HOTLINE_SITE = "https://tongdai111.vn/"
VNCOP_SITE = "https://vn-cop.vn/"
# vn-cop.vn's "Báo cáo xâm hại" form is reached from its home page; the site gives it no
# stable address of its own, so the report button opens the home page.
VNCOP_REPORT = VNCOP_SITE
PAGE_PREFIX = "/__baoan"


def esc(value: object) -> str:
    """HTML-escape text for element content and quoted attributes."""
    return html.escape(str(value), quote=True)


@functools.cache
def _resource(name: str) -> str:
    return resources.files("agent.pages").joinpath("templates", name).read_text(encoding="utf-8")


# -- pictures (inline SVG, decorative: hidden from screen readers) ---------------------------

LOGO_SVG = (
    '<svg viewBox="0 0 32 32" aria-hidden="true" focusable="false">'
    '<path d="M16 2 4 7v8c0 7.5 5 13 12 15 7-2 12-7.5 12-15V7z" fill="#0b6e75"/>'
    '<path d="M16 23s-6-3.6-6-7.6A3.4 3.4 0 0 1 16 13a3.4 3.4 0 0 1 6 2.4c0 4-6 7.6-6 7.6z"'
    ' fill="#ffffff"/></svg>'
)

FRIEND_SVG = (
    '<svg viewBox="0 0 120 120" aria-hidden="true" focusable="false">'
    '<circle cx="60" cy="60" r="56" fill="#cde9e6"/>'
    '<path d="M60 18 28 30v24c0 21 13.5 36 32 42 18.5-6 32-21 32-42V30z" fill="#0b6e75"/>'
    '<circle cx="48" cy="52" r="5" fill="#ffffff"/><circle cx="72" cy="52" r="5" fill="#ffffff"/>'
    '<path d="M46 68q14 12 28 0" stroke="#ffffff" stroke-width="5" fill="none"'
    ' stroke-linecap="round"/></svg>'
)

MOON_SVG = (
    '<svg viewBox="0 0 120 120" aria-hidden="true" focusable="false">'
    '<circle cx="60" cy="60" r="56" fill="#dfe3f6"/>'
    '<path d="M74 26a34 34 0 1 0 20 48 28 28 0 1 1-20-48z" fill="#f4c84a"/>'
    '<circle cx="36" cy="36" r="3" fill="#f4c84a"/><circle cx="90" cy="30" r="2.5" fill="#f4c84a"/>'
    '<circle cx="30" cy="82" r="2" fill="#f4c84a"/></svg>'
)

PHONE_SVG = (
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
    '<path fill="currentColor" d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25'
    " 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5"
    'a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z"/></svg>'
)

PARENTS_SVG = (
    '<svg viewBox="0 0 48 48" aria-hidden="true" focusable="false">'
    '<circle cx="24" cy="24" r="23" fill="#e3f1f2"/>'
    '<circle cx="17" cy="17" r="5" fill="#0b6e75"/><circle cx="31" cy="17" r="5" fill="#c0612b"/>'
    '<path d="M9 36c0-7 4-11 8-11s8 4 8 11z" fill="#0b6e75"/>'
    '<path d="M23 36c0-7 4-11 8-11s8 4 8 11z" fill="#c0612b"/></svg>'
)

HEART_SVG = (
    '<svg viewBox="0 0 48 48" aria-hidden="true" focusable="false">'
    '<path d="M24 42S6 31 6 18a9 9 0 0 1 18-3 9 9 0 0 1 18 3c0 13-18 24-18 24z"'
    ' fill="#e2574c"/></svg>'
)

EYE_OFF_SVG = (
    '<svg viewBox="0 0 48 48" aria-hidden="true" focusable="false">'
    '<path d="M4 24s7-12 20-12 20 12 20 12-7 12-20 12S4 24 4 24z" fill="#dfe9ec"/>'
    '<circle cx="24" cy="24" r="7" fill="#0b6e75"/>'
    '<path d="M8 40 40 8" stroke="#b3261e" stroke-width="4" stroke-linecap="round"/></svg>'
)


# -- page context ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PageContext:
    """What every page needs: its language and band, and the forms' CSRF tokens."""

    language: str
    band: AgeBand
    lang_href: str  # the same page in the other language
    help_token: str  # CSRF token for the help form
    help_alerts: bool  # whether pressing help tells the caregivers (on, and someone to tell)
    help_alerts_unheard: bool = False  # on, but no caregiver could receive them
    report_token: str = ""  # CSRF token for "Báo điều xấu" → "tell my parents"
    report_receivers: int = 0  # how many caregivers a report alert would reach now

    def t(self, key: str) -> str:
        return text(self.language, self.band, key)

    @property
    def other_language(self) -> str:
        return "vi" if self.language == "en" else "en"


def lang_href(path: str, params: Mapping[str, str], language: str) -> str:
    """A link to `path` with `params` and ``lang=language`` (a relative URL, escaped later)."""
    query = {key: value for key, value in params.items() if key != "lang" and value}
    query["lang"] = language
    return f"{path}?{urllib.parse.urlencode(query)}"


def layout(context: PageContext, title: str, body: str, refresh_seconds: int | None = None) -> str:
    refresh = (
        f'<meta http-equiv="refresh" content="{int(refresh_seconds)}">' if refresh_seconds else ""
    )
    template = string.Template(_resource("base.html"))
    return template.substitute(
        lang=esc(context.language),
        other_lang=esc(context.other_language),
        title=esc(f"{title} — Bảo An"),
        css=_resource("style.css"),
        refresh=refresh,
        band=esc(context.band.value),
        logo=LOGO_SVG,
        lang_href=esc(context.lang_href),
        lang_switch=esc(context.t("lang_switch")),
        body=body,
    )


# -- pieces ---------------------------------------------------------------------------------


def hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{esc(name)}" value="{esc(value)}">'


def shows_vncop(band: AgeBand) -> bool:
    """vn-cop.vn is for reporting harm online: from 11, when a child can use it alone."""
    return band in (AgeBand.AGES_11_14, AgeBand.AGES_15_17)


def help_box(context: PageContext, *, show_button: bool = True, heading: bool = True) -> str:
    """Tổng đài 111 on every page, with its official name and "from any phone": a PC cannot
    call, so the ``tel:`` button is for phones. vn-cop.vn from 11. The help button is the
    only thing that tells anyone."""
    parts = ['<section class="help" aria-labelledby="help-h">']
    if heading:
        parts.append(f'<h2 id="help-h">{esc(context.t("help_heading"))}</h2>')
        parts.append(f'<p class="hotline-name">{esc(context.t("help_hotline_name"))}</p>')
    else:
        parts.append(f'<h2 id="help-h">{esc(context.t("help_hotline_name"))}</h2>')
    parts.append(
        f'<a class="call111" id="call-111" href="{HOTLINE_TEL}">{PHONE_SVG}'
        f"<span>{esc(context.t('help_111'))}</span></a>"
    )
    parts.append(f'<p class="any-phone" id="any-phone">{esc(context.t("help_any_phone"))}</p>')
    parts.append(f'<p class="sub">{esc(context.t("help_111_sub"))}</p>')
    links = [f'<a href="{HOTLINE_SITE}" rel="noopener">{esc(context.t("help_111_site"))}</a>']
    if shows_vncop(context.band):
        links.append(f'<a href="{VNCOP_SITE}" rel="noopener">{esc(context.t("help_vncop"))}</a>')
    parts.append('<p class="links">' + "".join(links) + "</p>")
    if show_button:
        label = context.t("help_alert_button") if context.help_alerts else context.t("help_button")
        parts.append(
            f'<form method="post" action="{PAGE_PREFIX}/help">'
            f"{hidden('csrf', context.help_token)}{hidden('lang', context.language)}"
            f'<button type="submit" class="secondary">{esc(label)}</button></form>'
        )
    parts.append("</section>")
    return "".join(parts)


def report_box(context: PageContext, *, offer_tell: bool = True) -> str:
    """"Báo điều xấu": the child reports harm online to vn-cop.vn themselves, from 11; that
    tells nobody at home. "Báo cho bố mẹ" is its own button, pressed only if the child
    wants to: it sends the caregivers an alert of its own kind (``report``), never the Help
    alert. With nobody set up to receive it, the box says so instead of offering it."""
    if not shows_vncop(context.band):
        return ""
    tell = ""
    if offer_tell and context.report_token:
        if context.report_receivers > 0:
            tell = (
                f'<p class="note" id="report-tell-too">{esc(context.t("report_tell_too"))}</p>'
                f'<form method="post" action="{PAGE_PREFIX}/report">'
                f"{hidden('csrf', context.report_token)}{hidden('lang', context.language)}"
                '<button type="submit" class="secondary" id="report-tell">'
                f'{esc(context.t("report_tell_button"))}</button></form>'
            )
        else:
            tell = f'<p class="note" id="report-nobody">{esc(context.t("report_nobody"))}</p>'
    return (
        '<section class="report" id="report" aria-labelledby="report-h">'
        f'<h2 id="report-h">{esc(context.t("report_heading"))}</h2>'
        f"<p>{esc(context.t('report_intro'))}</p>"
        f'<p><a class="button" id="report-link" href="{VNCOP_REPORT}" rel="noopener">'
        f"{esc(context.t('report_button'))}</a></p>{tell}</section>"
    )


def tips_box(context: PageContext, tips: Iterable[Tip]) -> str:
    items = "".join(f"<li>{esc(tip.in_language(context.language))}</li>" for tip in tips)
    return (
        f'<section class="tips"><h2>{esc(context.t("tips_heading"))}</h2><ul>{items}</ul></section>'
    )


def watch_link(context: PageContext) -> str:
    href = lang_href(f"{PAGE_PREFIX}/watch", {}, context.language)
    return f'<footer><a href="{esc(href)}">{esc(context.t("watch_link"))}</a></footer>'


def ask_form(
    context: PageContext, *, site: str, token: str | None, reason: str = "", error: str = ""
) -> str:
    """The "ask a parent" form; without a token (no child known) only a kind note."""
    title = (
        f'<div class="ask-title">{PARENTS_SVG}<h2 id="ask-h">{esc(context.t("ask_heading"))}'
        "</h2></div>"
    )
    if token is None:
        return (
            f'<section class="ask" aria-labelledby="ask-h">{title}'
            f"<p>{esc(context.t('ask_no_child'))}</p></section>"
        )
    error_html = f'<p class="error" role="alert">{esc(error)}</p>' if error else ""
    return (
        f'<section class="ask" aria-labelledby="ask-h">{title}'
        f"<p>{esc(context.t('ask_intro'))}</p>{error_html}"
        f'<form method="post" action="{PAGE_PREFIX}/ask">'
        f"{hidden('csrf', token)}{hidden('site', site)}{hidden('lang', context.language)}"
        f'<label for="reason">{esc(context.t("ask_reason_label"))}</label>'
        f'<textarea id="reason" name="reason" maxlength="500"'
        f' placeholder="{esc(context.t("ask_placeholder"))}">{esc(reason)}</textarea>'
        f'<button type="submit">{esc(context.t("ask_button"))}</button></form></section>'
    )


# -- whole pages ------------------------------------------------------------------------------


def block_page(
    context: PageContext,
    *,
    site_display: str | None,
    reason_sentence: str,
    group: str,
    ask_html: str,
    tips: Iterable[Tip],
) -> str:
    """The block page; `group` (see :attr:`Explanation.group`) picks the heading, the
    reassurance and the picture, so a page that is not blocked never says it is."""
    picture = MOON_SVG if group == "bedtime" else FRIEND_SVG
    site_line = ""
    if site_display:
        site_line = (
            f'<p class="site">{esc(context.t("site_label"))}: <strong id="site">'
            f"{esc(site_display)}</strong></p>"
        )
    tips_list = list(tips)
    if context.band is AgeBand.UNDER_6:
        tips_list = tips_list[:1]
    body = (
        f'<div class="illus">{picture}</div>'
        f"<h1>{esc(context.t('heading_' + group))}</h1>{site_line}"
        f'<section class="why"><h2>{esc(context.t("why"))}</h2>'
        f'<p id="reason-text">{esc(reason_sentence)}</p>'
        f'<p class="reassure">{esc(context.t("reassure_" + group))}</p></section>'
        f"{help_box(context)}{ask_html}{report_box(context)}{tips_box(context, tips_list)}"
        f"{watch_link(context)}"
    )
    title = context.t("title_not_blocked" if group == "not_blocked" else "title_blocked")
    return layout(context, title, body)


def request_page(
    context: PageContext,
    *,
    state: str,
    site_display: str,
    site_href: str | None,
    time_text: str,
    reason: str,
    back_href: str,
) -> str:
    words = {
        "pending": context.t("state_pending"),
        "allowed": context.t("state_allowed").format(time=time_text),
        "denied": context.t("state_denied"),
        "expired": context.t("state_expired").format(time=time_text),
    }[state]
    parts = [
        f'<div class="illus">{FRIEND_SVG}</div>',
        f"<h1>{esc(context.t('title_request'))}</h1>",
        f'<p class="site">{esc(context.t("site_label"))}: <strong>{esc(site_display)}</strong></p>',
        f'<section class="state state-{esc(state)}" id="state" data-state="{esc(state)}"'
        f' role="status"><p>{esc(words)}</p>',
    ]
    if state == "pending":
        parts.append(f'<p class="note">{esc(context.t("state_pending_note"))}</p>')
    if reason:
        parts.append(
            f'<p class="note">{esc(context.t("your_reason"))}</p><p class="quote">{esc(reason)}</p>'
        )
    parts.append("</section>")
    if state == "allowed" and site_href:
        parts.append(
            f'<p><a href="{esc(site_href)}">{esc(context.t("open_site").format(site=site_display))}'
            f'</a></p><p class="note">{esc(context.t("open_site_note"))}</p>'
        )
    elif state == "pending":
        parts.append(f'<p><a href="">{esc(context.t("refresh"))}</a></p>')
    else:
        parts.append(f'<p><a href="{esc(back_href)}">{esc(context.t("back_to_page"))}</a></p>')
    parts.append(help_box(context))
    parts.append(watch_link(context))
    refresh = 10 if state == "pending" else None
    return layout(context, context.t("title_request"), "".join(parts), refresh)


def help_page(context: PageContext, *, alert_message: str | None) -> str:
    """111 first and biggest; then what happened with the alert."""
    parts = [
        f'<div class="illus">{HEART_SVG}</div>',
        f"<h1>{esc(context.t('help_heading'))}</h1>",
    ]
    if alert_message:
        parts.append(f'<p class="state state-allowed" role="status">{esc(alert_message)}</p>')
    parts.append(
        help_box(context, show_button=context.help_alerts and not alert_message, heading=False)
    )
    if context.help_alerts_unheard and not alert_message:
        # Nobody is set up to receive a help alert: say so, rather than offer one.
        nobody = esc(context.t("help_alert_nobody"))
        parts.append(f'<p class="note" id="nobody-to-tell">{nobody}</p>')
    parts.append(report_box(context))
    parts.append(f'<p class="note">{esc(context.t("help_alert_off"))}</p>')
    parts.append(watch_link(context))
    return layout(context, context.t("title_help"), "".join(parts))


def report_page(context: PageContext, *, message: str | None) -> str:
    """"Báo điều xấu" on its own page: what happened with the alert (when the child chose
    to tell), vn-cop.vn, and 111. Under 11 (no vn-cop.vn) it is 111 only."""
    parts = [
        f'<div class="illus">{HEART_SVG}</div>',
        f"<h1>{esc(context.t('report_heading'))}</h1>",
    ]
    if message:
        parts.append(
            f'<p class="state state-allowed" id="report-status" role="status">{esc(message)}</p>'
        )
    parts.append(report_box(context, offer_tell=message is None))
    parts.append(help_box(context, show_button=False))
    parts.append(watch_link(context))
    return layout(context, context.t("report_heading"), "".join(parts))


def watch_page(context: PageContext, *, words: WatchWords, choice: bool) -> str:
    """What is recorded (and for how long), what is never recorded, what leaves the PC
    and to whom, who can see what, how to see or delete it, and how to answer."""

    def bullet_list(items: Iterable[str]) -> str:
        return "<ul>" + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>"

    def section(section_id: str, heading_key: str, body: str) -> str:
        return (
            f'<section class="watch" id="{section_id}"><h2>{esc(context.t(heading_key))}</h2>'
            f"{body}</section>"
        )

    pictures = ""
    if context.band is AgeBand.UNDER_6:
        pictures = f'<div class="pic-row">{PARENTS_SVG}{EYE_OFF_SVG}{HEART_SVG}</div>'
    note = context.t("watch_choice_note" if choice else "watch_ack_note")
    body = (
        f'<div class="illus">{FRIEND_SVG}</div>'
        f"<h1>{esc(context.t('title_watch'))}</h1>{pictures}"
        f"<p>{esc(context.t('watch_intro'))}</p>"
        + section("recorded", "watch_recorded", bullet_list(words.recorded))
        + section("not-recorded", "watch_not_recorded", bullet_list(words.not_recorded))
        + section("leaves", "watch_leaves", bullet_list(words.leaves))
        + section("who", "watch_who", bullet_list(words.who))
        + section("rights", "watch_rights", f"<p>{esc(words.rights)}</p>")
        + f'<p class="note" id="answer-note">{esc(note)}</p>'
        + help_box(context)
    )
    return layout(context, context.t("title_watch"), body)


def error_page(context: PageContext, message: str, back_href: str) -> str:
    body = (
        f'<div class="illus">{FRIEND_SVG}</div>'
        f"<h1>{esc(context.t('title_error'))}</h1>"
        f'<p class="error" role="alert">{esc(message)}</p>'
        f'<p><a href="{esc(back_href)}">{esc(context.t("try_again"))}</a></p>'
        f"{help_box(context)}"
    )
    return layout(context, context.t("title_error"), body)
