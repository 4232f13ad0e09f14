# ruff: noqa: E501  (sentences read better unbroken in a text catalogue)
"""Every word the child's pages say, in Vietnamese and English, for each age band.

A key is looked up first for the child's age band, then in the words common to all
bands. Placeholders are ``{name}`` fields filled with values that the renderer escapes.
Tone: warm and calm, never shaming; the youngest get very short sentences.
"""

from __future__ import annotations

from collections.abc import Mapping

from agent.pages.i18n import AgeBand

U6, B6, B11, B15 = AgeBand.UNDER_6, AgeBand.AGES_6_10, AgeBand.AGES_11_14, AgeBand.AGES_15_17

COMMON: Mapping[str, Mapping[str, str]] = {
    "vi": {
        "brand": "Bảo An",
        "title_blocked": "Trang này đang bị chặn",
        "title_help": "Trợ giúp — Tổng đài 111",
        "title_watch": "Bảo An ghi lại những gì?",
        "title_request": "Con đã hỏi bố mẹ",
        "title_error": "Có chút trục trặc",
        "site_label": "Trang",
        "this_site": "trang này",
        "why": "Vì sao?",
        "reason_category": "Trang này thuộc nhóm “{category}”, nhóm mà gia đình đã chọn chặn.",
        "reason_service": "{service} đang được chặn trên máy này (nhóm “{category}”).",
        "reason_parent": "Bố mẹ đã chặn trang này.",
        "reason_bedtime": "Bây giờ là giờ nghỉ ({window}). Mạng sẽ mở lại sau giờ nghỉ.",
        "reason_schedule_only": "{what} chỉ mở trong khung giờ {window}.",
        "reason_schedule_blocked": "{what} đang tạm nghỉ trong khung giờ {window}.",
        "reason_allow_list": "Máy này chỉ mở những trang bố mẹ đã chọn sẵn cho con.",
        "reason_bypass": "Đây là công cụ vượt rào (VPN, proxy). Bảo An cần nó tắt để giữ an toàn.",
        "reason_generic": "Trang này đã được chặn để giữ an toàn cho con.",
        "reason_not_blocked": "Trang này hiện không bị chặn. Con thử mở lại nhé.",
        "everything": "Mạng",
        "ask_heading": "Xin bố mẹ mở trang này",
        "ask_intro": "Nếu con cần trang này, hãy viết vài lời cho bố mẹ.",
        "ask_reason_label": "Vì sao con cần trang này?",
        "ask_placeholder": "Ví dụ: con cần xem bài tập cô giao",
        "ask_button": "Gửi cho bố mẹ",
        "ask_no_child": "Máy này chưa biết con là ai. Con hãy nói trực tiếp với bố mẹ nhé.",
        "state_pending": "Đang chờ bố mẹ trả lời…",
        "state_pending_note": "Trang này tự làm mới. Con có thể làm việc khác trong lúc chờ.",
        "state_allowed": "Bố mẹ đã cho phép đến {time}.",
        "state_denied": "Lần này bố mẹ chưa đồng ý. Con có thể nói chuyện với bố mẹ nhé.",
        "state_expired": "Thời gian bố mẹ cho phép đã hết lúc {time}.",
        "your_reason": "Con đã viết:",
        "open_site": "Mở {site}",
        "open_site_note": "Nếu trang vẫn chưa mở, đợi một phút rồi thử lại.",
        "refresh": "Xem lại",
        "back_to_page": "Quay lại trang chặn",
        "help_heading": "Con cần giúp đỡ?",
        "help_111": "Gọi 111",
        "help_111_sub": "Tổng đài bảo vệ trẻ em — miễn phí, cả ngày lẫn đêm",
        "help_111_site": "tongdai111.vn",
        "help_hotline_name": "Tổng đài quốc gia bảo vệ trẻ em 111",
        "help_vncop": "vn-cop.vn — báo cáo điều xấu trên mạng",
        "help_button": "Trợ giúp / 111",
        "help_alert_button": "Báo cho bố mẹ ngay",
        "help_alert_sent": "Bảo An đã báo cho bố mẹ. Con không một mình đâu.",
        "help_alert_off": "Con có thể gọi 111 bất cứ lúc nào, không cần hỏi ai.",
        "help_alert_busy": "Bảo An chưa gửi được tin báo lúc này. Con hãy gọi 111 nhé.",
        "tips_heading": "Mẹo nhỏ cho con",
        "watch_link": "Bảo An ghi lại những gì?",
        "watch_recorded": "Bảo An ghi lại",
        "watch_not_recorded": "Bảo An không bao giờ ghi",
        "watch_who": "Ai xem được?",
        "watch_kept": "Những ghi chép này chỉ nằm trên máy này, và tự xóa sau {days} ngày.",
        "watch_ack_note": "Khi con bấm “Con đã hiểu” trên màn hình Bảo An, bố mẹ sẽ biết con đã đọc.",
        "lang_switch": "English",
        "error_csrf": "Trang này đã cũ. Con bấm gửi lại một lần nữa nhé.",
        "error_rate": "Con đã gửi nhiều lần rồi. Hãy chờ bố mẹ trả lời nhé.",
        "error_bad_site": "Bảo An không đọc được tên trang này.",
        "error_not_found": "Bảo An không tìm thấy lời nhắn này.",
        "try_again": "Thử lại",
    },
    "en": {
        "brand": "Bảo An",
        "title_blocked": "This page is blocked",
        "title_help": "Help — the 111 hotline",
        "title_watch": "What does Bảo An record?",
        "title_request": "You asked a parent",
        "title_error": "Something went wrong",
        "site_label": "Page",
        "this_site": "this page",
        "why": "Why?",
        "reason_category": "This page is in the “{category}” group, which your family chose to block.",
        "reason_service": "{service} is blocked on this computer (the “{category}” group).",
        "reason_parent": "A parent blocked this page.",
        "reason_bedtime": "It is rest time now ({window}). The internet opens again after it.",
        "reason_schedule_only": "{what} is open only at {window}.",
        "reason_schedule_blocked": "{what} is taking a break at {window}.",
        "reason_allow_list": "This computer opens only the pages your parents picked for you.",
        "reason_bypass": "This is a filter-bypass tool (VPN, proxy). Bảo An needs it off to keep you safe.",
        "reason_generic": "This page was blocked to keep you safe.",
        "reason_not_blocked": "This page is not blocked now. Try opening it again.",
        "everything": "The internet",
        "ask_heading": "Ask a parent to open it",
        "ask_intro": "If you need this page, write a few words to your parents.",
        "ask_reason_label": "Why do you need this page?",
        "ask_placeholder": "For example: I need it for my homework",
        "ask_button": "Send to my parents",
        "ask_no_child": "This computer does not know who you are yet. Please ask a parent in person.",
        "state_pending": "Waiting for a parent to answer…",
        "state_pending_note": "This page refreshes by itself. You can do something else while you wait.",
        "state_allowed": "A parent allowed it until {time}.",
        "state_denied": "Not this time. You can talk it over with your parents.",
        "state_expired": "The time your parent allowed ended at {time}.",
        "your_reason": "You wrote:",
        "open_site": "Open {site}",
        "open_site_note": "If the page does not open yet, wait a minute and try again.",
        "refresh": "Check again",
        "back_to_page": "Back to the block page",
        "help_heading": "Do you need help?",
        "help_111": "Call 111",
        "help_111_sub": "The child protection hotline — free, day and night",
        "help_111_site": "tongdai111.vn",
        "help_hotline_name": "The national child protection hotline, 111",
        "help_vncop": "vn-cop.vn — report something bad online",
        "help_button": "Help / 111",
        "help_alert_button": "Tell my parents now",
        "help_alert_sent": "Bảo An told your parents. You are not alone.",
        "help_alert_off": "You can call 111 at any time, without asking anyone.",
        "help_alert_busy": "Bảo An could not send the message just now. Please call 111.",
        "tips_heading": "A tip for you",
        "watch_link": "What does Bảo An record?",
        "watch_recorded": "Bảo An records",
        "watch_not_recorded": "Bảo An never records",
        "watch_who": "Who can see it?",
        "watch_kept": "These notes stay on this computer only, and delete themselves after {days} days.",
        "watch_ack_note": "When you press “I understand” on Bảo An's screen, your parents will know you read this.",
        "lang_switch": "Tiếng Việt",
        "error_csrf": "This page is old. Please press send once more.",
        "error_rate": "You have sent many times already. Please wait for a parent to answer.",
        "error_bad_site": "Bảo An cannot read this page's name.",
        "error_not_found": "Bảo An cannot find this message.",
        "try_again": "Try again",
    },
}

BY_BAND: Mapping[str, Mapping[AgeBand, Mapping[str, str]]] = {
    "vi": {
        U6: {
            "heading": "Dừng lại nhé!",
            "reassure": "Không sao đâu con.",
            "reason_category": "Trang này không dành cho con.",
            "reason_service": "Trang này không dành cho con.",
            "reason_parent": "Bố mẹ đóng trang này rồi.",
            "reason_bedtime": "Giờ nghỉ rồi con ơi.",
            "reason_schedule_only": "Bây giờ chưa mở trang này.",
            "reason_schedule_blocked": "Bây giờ chưa mở trang này.",
            "reason_allow_list": "Con chơi trang bố mẹ chọn nhé.",
            "reason_bypass": "Trang này không dành cho con.",
            "reason_generic": "Trang này không dành cho con.",
            "ask_heading": "Gọi bố mẹ",
            "ask_intro": "Muốn xem? Hỏi bố mẹ nhé.",
            "ask_reason_label": "Con muốn nói gì? (bố mẹ viết giúp cũng được)",
            "help_heading": "Con sợ? Con buồn?",
            "help_111_sub": "Gọi 111. Có người giúp con.",
            "watch_intro": "Bảo An giúp bố mẹ trông con khi con dùng máy tính.",
        },
        B6: {
            "heading": "Trang này đang tạm đóng",
            "reassure": "Con không làm gì sai cả. Bảo An chỉ giúp con tránh những trang chưa hợp với tuổi của con.",
            "reason_category": "Trang này thuộc nhóm “{category}”, chưa hợp với tuổi của con.",
            "watch_intro": "Bảo An giúp bố mẹ giữ an toàn cho con trên mạng. Đây là những gì Bảo An ghi lại.",
        },
        B11: {
            "heading": "Trang này đã bị chặn",
            "reassure": "Không sao đâu — bị chặn không có nghĩa là con đã làm gì sai.",
            "watch_intro": "Con có quyền biết Bảo An ghi lại những gì trên máy này, và những gì không bao giờ ghi.",
        },
        B15: {
            "heading": "Trang này bị chặn trên máy này",
            "reassure": "Bị chặn không có nghĩa là con đã làm gì sai. Nếu con cần trang này cho việc học hay việc khác, hãy hỏi bố mẹ.",
            "ask_intro": "Nếu con thấy trang này bị chặn nhầm, hoặc con cần nó, hãy cho bố mẹ biết lý do.",
            "watch_intro": "Con có quyền biết Bảo An ghi lại gì và vì sao. Nếu con thấy điều gì chưa hợp lý, hãy nói với bố mẹ.",
        },
    },
    "en": {
        U6: {
            "heading": "Let's stop here!",
            "reassure": "It's okay.",
            "reason_category": "This page is not for you.",
            "reason_service": "This page is not for you.",
            "reason_parent": "Your parents closed this page.",
            "reason_bedtime": "It is rest time now.",
            "reason_schedule_only": "This page is not open now.",
            "reason_schedule_blocked": "This page is not open now.",
            "reason_allow_list": "Play on the pages your parents picked.",
            "reason_bypass": "This page is not for you.",
            "reason_generic": "This page is not for you.",
            "ask_heading": "Get a parent",
            "ask_intro": "Want to see it? Ask a parent.",
            "ask_reason_label": "What do you want to say? (a grown-up can help you write)",
            "help_heading": "Scared? Sad?",
            "help_111_sub": "Call 111. Someone will help you.",
            "watch_intro": "Bảo An helps your parents look after you on the computer.",
        },
        B6: {
            "heading": "This page is closed for now",
            "reassure": "You did nothing wrong. Bảo An just helps you stay away from pages that are not right for your age yet.",
            "reason_category": "This page is in the “{category}” group, which is not right for your age yet.",
            "watch_intro": "Bảo An helps your parents keep you safe online. Here is what Bảo An writes down.",
        },
        B11: {
            "heading": "This page is blocked",
            "reassure": "It's okay — being blocked does not mean you did anything wrong.",
            "watch_intro": "You have the right to know what Bảo An records on this computer, and what it never records.",
        },
        B15: {
            "heading": "This page is blocked on this computer",
            "reassure": "Being blocked does not mean you did anything wrong. If you need this page for school or anything else, ask a parent.",
            "ask_intro": "If you think this page was blocked by mistake, or you need it, tell your parents why.",
            "watch_intro": "You have the right to know what Bảo An records and why. If something seems unfair, talk to your parents.",
        },
    },
}

# "What Bảo An watches": (recorded, never recorded, who can see) per language and band.
WATCH: Mapping[str, Mapping[AgeBand, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]] = {
    "vi": {
        U6: (
            ("Con dùng máy bao lâu.", "Con vào trang nào."),
            ("Bảo An không chụp màn hình.", "Bảo An không đọc tin nhắn."),
            ("Chỉ bố mẹ.",),
        ),
        B6: (
            (
                "Tên các trang web con mở, và các trang bị chặn.",
                "Con dùng mỗi ứng dụng, mỗi trò chơi bao lâu.",
                "Những lần con xin bố mẹ mở trang.",
            ),
            (
                "Không chụp hay quay màn hình.",
                "Không ghi những phím con gõ.",
                "Không đọc tin nhắn, bài viết hay ảnh của con.",
                "Không bật camera hay micro.",
            ),
            ("Bố mẹ con (cần mã PIN của bố mẹ).",),
        ),
        B11: (
            (
                "Tên các trang web được mở và bị chặn (chỉ tên trang, không có nội dung).",
                "Thời gian dùng mỗi ứng dụng và trò chơi.",
                "Các lần con xin mở trang và câu trả lời của bố mẹ.",
            ),
            (
                "Không chụp hay quay màn hình.",
                "Không ghi phím gõ hay mật khẩu.",
                "Không đọc tin nhắn, bài đăng, ảnh hay tệp của con.",
                "Không bật camera hay micro, không theo dõi vị trí.",
            ),
            (
                "Bố mẹ con, sau khi nhập mã PIN.",
                "Người thân được bố mẹ chọn chỉ nhận tin báo (ví dụ khi con xin mở trang), không nhận lịch sử duyệt web.",
            ),
        ),
        B15: (
            (
                "Tên miền của các trang được mở và bị chặn — không có đường dẫn hay nội dung trang.",
                "Thời gian dùng mỗi ứng dụng và trò chơi.",
                "Các yêu cầu mở trang của con và quyết định của bố mẹ.",
            ),
            (
                "Không chụp hay quay màn hình, không ghi phím gõ hay mật khẩu.",
                "Không đọc tin nhắn, bài đăng, email, ảnh hay tệp của con.",
                "Không bật camera hay micro, không theo dõi vị trí.",
            ),
            (
                "Bố mẹ con, sau khi nhập mã PIN.",
                "Người thân được bố mẹ chọn chỉ nhận tin báo cần thiết, không nhận lịch sử duyệt web.",
                "Con có thể xin bố mẹ cho xem hoặc xóa những ghi chép về con.",
            ),
        ),
    },
    "en": {
        U6: (
            ("How long you use the computer.", "Which pages you visit."),
            ("Bảo An does not take pictures of the screen.", "Bảo An does not read messages."),
            ("Only your parents.",),
        ),
        B6: (
            (
                "The names of the websites you open, and the ones that are blocked.",
                "How long you use each app and game.",
                "When you ask your parents to open a page.",
            ),
            (
                "No pictures or videos of your screen.",
                "No record of the keys you press.",
                "It does not read your messages, posts or photos.",
                "It never turns on the camera or the microphone.",
            ),
            ("Your parents (they need their PIN).",),
        ),
        B11: (
            (
                "The names of websites opened and blocked (just the name, not what is on them).",
                "Time spent in each app and game.",
                "Your requests to open pages and your parents' answers.",
            ),
            (
                "No screenshots or screen recording.",
                "No keystrokes and no passwords.",
                "It does not read your messages, posts, photos or files.",
                "No camera, no microphone, no location tracking.",
            ),
            (
                "Your parents, after entering their PIN.",
                "Relatives your parents chose get only alerts (for example when you ask to open a page), never your browsing history.",
            ),
        ),
        B15: (
            (
                "The domain names of websites opened and blocked — no paths, no page contents.",
                "Time spent in each app and game.",
                "Your requests to open pages and your parents' decisions.",
            ),
            (
                "No screenshots or screen recording, no keystrokes, no passwords.",
                "It does not read your messages, posts, email, photos or files.",
                "No camera, no microphone, no location tracking.",
            ),
            (
                "Your parents, after entering their PIN.",
                "Relatives your parents chose get only the alerts they need, never your browsing history.",
                "You can ask your parents to show you, or delete, what is recorded about you.",
            ),
        ),
    },
}


def text(language: str, band: AgeBand, key: str) -> str:
    """The words for `key` in `language` for `band` (falling back to the common words)."""
    language = language if language in COMMON else "vi"
    band_words = BY_BAND[language].get(band, {})
    if key in band_words:
        return band_words[key]
    return COMMON[language][key]
