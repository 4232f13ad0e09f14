# ruff: noqa: E501  (sentences read better unbroken in a text catalogue)
"""Short online-safety tips for each age band, written for Bảo An in Vietnamese and English.

Five themes run through them: share with care, don't fall for fakes, keep secrets secret,
be kind, and when in doubt, talk it out. A page shows two tips, changing day by day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from agent.pages.i18n import AgeBand


@dataclass(frozen=True)
class Tip:
    theme: str  # share, fakes, secrets, kind, talk
    vi: str
    en: str

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.vi


TIPS: Mapping[AgeBand, tuple[Tip, ...]] = {
    AgeBand.UNDER_6: (
        Tip("talk", "Thấy gì lạ hay sợ, gọi bố mẹ ngay.", "See something scary? Call a grown-up."),
        Tip(
            "share",
            "Không nói tên và nhà mình cho người lạ.",
            "Don't tell strangers your name or home.",
        ),
        Tip("kind", "Nói lời hay với bạn nhé.", "Say kind words to friends."),
    ),
    AgeBand.AGES_6_10: (
        Tip(
            "secrets",
            "Mật khẩu là bí mật của con và bố mẹ, không cho bạn bè biết.",
            "Your password is a secret between you and your parents — not for friends.",
        ),
        Tip(
            "share",
            "Đừng kể tên trường, địa chỉ nhà hay gửi ảnh cho người con chỉ quen trên mạng.",
            "Don't share your school, your address or photos with people you only know online.",
        ),
        Tip(
            "fakes",
            "Quà miễn phí, trúng thưởng bất ngờ trên mạng thường là giả. Hỏi bố mẹ trước khi bấm.",
            "Surprise prizes and free gifts online are usually fake. Ask a parent before you click.",
        ),
        Tip(
            "talk",
            "Nếu điều gì trên mạng làm con sợ hay buồn, hãy kể với bố mẹ hoặc thầy cô. Con sẽ không bị mắng.",
            "If something online makes you scared or sad, tell a parent or a teacher. You won't be in trouble.",
        ),
        Tip(
            "kind",
            "Trên mạng cũng như ngoài đời: nói điều tử tế, không chê bai bạn.",
            "Online is like real life: say kind things and don't make fun of others.",
        ),
    ),
    AgeBand.AGES_11_14: (
        Tip(
            "fakes",
            "Nạp thẻ giá rẻ, tặng skin, “việc nhẹ lương cao” hay người lạ nhờ chuyển tiền — thường là lừa đảo.",
            "Cheap game credit, free skins, easy money, or a stranger asking you to send money — usually a scam.",
        ),
        Tip(
            "secrets",
            "Mật khẩu và mã OTP là của riêng con. Không ai thật sự cần biết, kể cả bạn thân.",
            "Passwords and OTP codes are yours alone. Nobody really needs them, not even a best friend.",
        ),
        Tip(
            "share",
            "Ảnh đã gửi đi thì khó lấy lại. Trước khi gửi, nghĩ xem con có ổn nếu cả lớp thấy nó không.",
            "A photo you send is hard to take back. Before sending, ask yourself if you'd be fine with the whole class seeing it.",
        ),
        Tip(
            "kind",
            "Thấy bạn bị bắt nạt trên mạng? Đừng chia sẻ thêm — hãy hỏi thăm bạn và báo người lớn.",
            "See someone bullied online? Don't share it — check on them and tell an adult.",
        ),
        Tip(
            "talk",
            "Có ai ép con gửi ảnh, dọa nạt hay đòi tiền để không tung ảnh của con? Đó không phải lỗi của con. Đừng gửi thêm gì, giữ lại tin nhắn, rồi gọi 111 hoặc kể với người lớn con tin.",
            "Someone pushes you to send photos, threatens you, or wants money not to share your pictures? It is not your fault. Send nothing more, keep the messages, and call 111 or tell an adult you trust.",
        ),
        Tip(
            "talk",
            "Có ai bắt con giữ bí mật với bố mẹ? Đó là dấu hiệu cần nói ngay với người lớn con tin.",
            "Someone asks you to keep a secret from your parents? That is a sign to tell an adult you trust.",
        ),
    ),
    AgeBand.AGES_15_17: (
        Tip(
            "fakes",
            "Tin giật gân, ảnh “quá đẹp để là thật” — kiểm tra nguồn trước khi tin hay chia sẻ.",
            "Shocking news or a picture that looks too good to be true — check the source before you believe or share it.",
        ),
        Tip(
            "share",
            "Những gì đăng lên có thể ở lại rất lâu. Hãy nghĩ xem con có muốn nó theo con đến lúc đi học, đi làm không.",
            "What you post can stay for a long time. Think whether you want it to follow you to university or a job.",
        ),
        Tip(
            "secrets",
            "Bật xác thực hai bước và không bao giờ đọc mã OTP cho ai — ngân hàng và nhà mạng không bao giờ hỏi.",
            "Turn on two-step sign-in and never read an OTP code to anyone — banks and phone companies never ask.",
        ),
        Tip(
            "kind",
            "Tranh luận được, xúc phạm thì không. Một bình luận tử tế có thể thay đổi ngày của ai đó.",
            "Disagree, but don't insult. One kind comment can change someone's day.",
        ),
        Tip(
            "talk",
            "Bị đe dọa, tống tiền hay ép gửi ảnh? Đó không phải lỗi của con. Hãy nói với người lớn con tin, hoặc gọi 111.",
            "Threatened, blackmailed or pushed to send photos? It is not your fault. Tell an adult you trust, or call 111.",
        ),
    ),
}


def tips_for(band: AgeBand, day: date, count: int = 2) -> tuple[Tip, ...]:
    """`count` tips for `band`, a different pair each day."""
    pool = TIPS[band]
    start = (day.toordinal() * count) % len(pool)
    return tuple(pool[(start + offset) % len(pool)] for offset in range(min(count, len(pool))))
