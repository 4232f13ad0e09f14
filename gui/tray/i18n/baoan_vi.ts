<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi" sourcelanguage="en">
<context>
    <name>ChildWords</name>
    <message>
        <source>Computer time is nearly over</source>
        <translation>Sắp hết giờ chơi máy</translation>
    </message>
    <message numerus="yes">
        <source>Only %n min left. Get ready to stop!</source>
        <translation>
            <numerusform>Còn %n phút nữa thôi. Con chuẩn bị dừng nhé!</numerusform>
        </translation>
    </message>
    <message>
        <source>Time is nearly up</source>
        <translation>Sắp hết giờ</translation>
    </message>
    <message numerus="yes">
        <source>%n min of screen time left today.</source>
        <translation>
            <numerusform>Còn %n phút dùng máy hôm nay.</numerusform>
        </translation>
    </message>
    <message>
        <source>Time is up</source>
        <comment>young</comment>
        <translation>Hết giờ rồi</translation>
    </message>
    <message>
        <source>That&apos;s enough computer for today. Time for a break! Help / 111 is always there.</source>
        <translation>Hôm nay con dùng máy đủ rồi. Nghỉ ngơi nhé! Cần giúp: bấm Trợ giúp / 111.</translation>
    </message>
    <message>
        <source>Time is up</source>
        <translation>Hết giờ</translation>
    </message>
    <message>
        <source>Your screen time is over. Ask a parent for more. Help / 111 always works.</source>
        <translation>Hết thời gian dùng máy. Muốn thêm giờ, hãy hỏi bố mẹ. Trợ giúp / 111 luôn mở.</translation>
    </message>
    <message>
        <source>No more %1 time today</source>
        <translation>Hết giờ %1 hôm nay</translation>
    </message>
    <message>
        <source>%1 is closed now. Play again tomorrow!</source>
        <translation>%1 đóng lại rồi. Mai chơi tiếp nhé!</translation>
    </message>
    <message>
        <source>Bảo An closed %1. The rest of the computer still works; Help / 111 always does.</source>
        <translation>Bảo An đã đóng %1. Việc khác trên máy vẫn dùng được; Trợ giúp / 111 luôn mở.</translation>
    </message>
    <message>
        <source>No more game time today</source>
        <translation>Hết giờ chơi game hôm nay</translation>
    </message>
    <message>
        <source>%1 closed</source>
        <translation>Đã đóng %1</translation>
    </message>
    <message>
        <source>Closed %1: no more game time today.</source>
        <translation>Đã đóng %1: hôm nay hết giờ chơi game rồi.</translation>
    </message>
    <message>
        <source>Closed %1: no more time today for apps like it.</source>
        <translation>Đã đóng %1: hôm nay hết giờ cho loại ứng dụng này rồi.</translation>
    </message>
    <message>
        <source>Closed %1: no more %1 time today.</source>
        <translation>Đã đóng %1: hôm nay hết giờ %1 rồi.</translation>
    </message>
    <message>
        <source>Play again tomorrow!</source>
        <translation>Mai chơi tiếp nhé!</translation>
    </message>
</context>
<context>
    <name>FallbackWindow</name>
    <message>
        <source>Open the page that explains why</source>
        <translation>Mở trang giải thích vì sao</translation>
    </message>
    <message>
        <source>Help / 111</source>
        <translation>Trợ giúp / 111</translation>
    </message>
    <message>
        <source>Menu</source>
        <translation>Menu</translation>
    </message>
</context>
<context>
    <name>HelpDialog</name>
    <message>
        <source>Help / 111</source>
        <translation>Trợ giúp / 111</translation>
    </message>
    <message>
        <source>111, Vietnam&apos;s national child protection phone line</source>
        <translation>Tổng đài điện thoại quốc gia bảo vệ trẻ em 111</translation>
    </message>
    <message>
        <source>From any phone, call 111 — free, day and night.</source>
        <translation>Dùng điện thoại bất kỳ, gọi 111 — miễn phí, cả ngày lẫn đêm.</translation>
    </message>
    <message>
        <source>Call if you are scared, sad, bullied, threatened or hurt, online or offline. Nobody at home is told. You can also talk to an adult you trust.</source>
        <translation>Gọi khi con thấy sợ, buồn, bị bắt nạt, bị đe dọa hay bị làm đau, trên mạng hay ngoài đời. Mở cửa sổ này không báo cho ai ở nhà biết. Con cũng có thể kể với một người lớn mà con tin.</translation>
    </message>
    <message>
        <source>Call 111</source>
        <translation>Gọi 111</translation>
    </message>
    <message>
        <source>Call the 111 hotline</source>
        <translation>Gọi Tổng đài 111</translation>
    </message>
    <message>
        <source>tongdai111.vn — the 111 hotline&apos;s site</source>
        <translation>tongdai111.vn — trang của Tổng đài 111</translation>
    </message>
    <message>
        <source>Report something bad (vn-cop.vn)</source>
        <translation>Báo điều xấu (vn-cop.vn)</translation>
    </message>
    <message>
        <source>Tell my parents</source>
        <translation>Báo cho bố mẹ</translation>
    </message>
    <message>
        <source>Sending a message to your parents…</source>
        <translation>Đang gửi tin báo cho bố mẹ…</translation>
    </message>
    <message>
        <source>Bảo An sent your parents a message.</source>
        <translation>Bảo An đã gửi tin báo cho bố mẹ.</translation>
    </message>
    <message>
        <source>Your message is on its way to %1 of your family. While you wait, you can still call 111.</source>
        <translation>Tin báo của con đang được gửi tới %1 người thân trong gia đình. Trong lúc chờ, con vẫn có thể gọi 111.</translation>
    </message>
    <message>
        <source>Nobody in your family is set up to get messages on this computer yet, so opening this tells nobody. If you need help, call 111 or find an adult you trust nearby.</source>
        <translation>Máy này chưa có người thân nào được cài đặt để nhận tin báo, nên mở cửa sổ này không báo cho ai. Nếu con cần giúp, hãy gọi 111, hoặc tìm một người lớn con tin ở gần.</translation>
    </message>
    <message>
        <source>Bảo An already sent your family a message. You can call 111 too.</source>
        <translation>Bảo An đã gửi tin báo cho người thân rồi. Con cũng có thể gọi 111.</translation>
    </message>
    <message>
        <source>Your family was sent a message a few minutes ago, so Bảo An did not send another. You can call 111 now too.</source>
        <translation>Tin báo đã được gửi cho người thân trong gia đình từ vài phút trước, nên Bảo An không gửi thêm. Con cũng có thể gọi 111 ngay.</translation>
    </message>
    <message>
        <source>Bảo An could not send the message just now. Call 111, or find an adult you trust nearby.</source>
        <translation>Bảo An chưa gửi được tin báo lúc này. Con hãy gọi 111, hoặc tìm một người lớn con tin ở gần.</translation>
    </message>
    <message>
        <source>Help messages are turned off on this computer, so nobody was told. Call 111, or find an adult you trust nearby.</source>
        <translation>Máy này đã tắt tin báo Trợ giúp, nên chưa ai được báo. Con hãy gọi 111, hoặc tìm một người lớn con tin ở gần.</translation>
    </message>
    <message>
        <source>Bảo An is not answering right now, so nobody was told. 111 always answers.</source>
        <translation>Bảo An chưa trả lời lúc này, nên chưa ai được báo. Tổng đài 111 luôn nghe máy.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
</context>
<context>
    <name>MoreTimeDialog</name>
    <message>
        <source>Ask for more time</source>
        <translation>Xin thêm thời gian</translation>
    </message>
    <message>
        <source>How much more time would you like today?</source>
        <translation>Hôm nay con muốn thêm bao lâu?</translation>
    </message>
    <message>
        <source>How much more screen time do you need today? A parent decides.</source>
        <translation>Hôm nay con cần thêm bao nhiêu thời gian dùng máy? Bố mẹ sẽ quyết định.</translation>
    </message>
    <message>
        <source>15 minutes</source>
        <translation>15 phút</translation>
    </message>
    <message>
        <source>30 minutes</source>
        <translation>30 phút</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1 tiếng</translation>
    </message>
    <message>
        <source>What is it for? (you can leave this empty)</source>
        <translation>Con cần thêm để làm gì? (không viết cũng được)</translation>
    </message>
    <message>
        <source>Why do you need it? (optional)</source>
        <translation>Vì sao con cần thêm? (không bắt buộc)</translation>
    </message>
    <message>
        <source>For example: finishing my homework</source>
        <translation>Ví dụ: con làm nốt bài tập</translation>
    </message>
    <message>
        <source>Ask</source>
        <translation>Gửi lời xin</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Ask again</source>
        <translation>Xin lần nữa</translation>
    </message>
    <message>
        <source>Sending your request…</source>
        <translation>Đang gửi lời xin của con…</translation>
    </message>
    <message numerus="yes">
        <source>A message about it is on its way to %n person(s) in your family. Wait for the answer here.</source>
        <translation>
            <numerusform>Bảo An đang gửi tin báo tới %n người trong gia đình. Con chờ câu trả lời ở đây nhé.</numerusform>
        </translation>
    </message>
    <message>
        <source>Nobody in your family gets messages on this computer yet, so nobody was told. Ask a parent to answer it in Bảo An on this computer.</source>
        <translation>Trên máy này chưa ai trong gia đình nhận tin báo, nên chưa ai biết. Con hãy nhờ bố mẹ trả lời trong Bảo An trên máy này.</translation>
    </message>
    <message numerus="yes">
        <source>Yes! You have %n more minute(s) now.</source>
        <translation>
            <numerusform>Được rồi! Con có thêm %n phút.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>A parent gave you %n more minute(s). They count from now.</source>
        <translation>
            <numerusform>Bố mẹ đã cho con thêm %n phút, tính từ bây giờ.</numerusform>
        </translation>
    </message>
    <message>
        <source>Your parents said no this time.</source>
        <translation>Lần này bố mẹ chưa đồng ý.</translation>
    </message>
    <message>
        <source>A parent said no this time. You can talk with them about it.</source>
        <translation>Lần này bố mẹ chưa đồng ý. Con có thể nói chuyện với bố mẹ về việc này.</translation>
    </message>
    <message>
        <source>Bảo An is not answering right now, so the request was not sent.</source>
        <translation>Bảo An chưa trả lời lúc này, nên lời xin chưa được gửi.</translation>
    </message>
    <message>
        <source>This computer does not know whose Bảo An this is yet, so the request was not sent. Ask a parent.</source>
        <translation>Máy này chưa biết Bảo An này là của ai, nên lời xin chưa được gửi. Con hãy hỏi bố mẹ.</translation>
    </message>
    <message>
        <source>The request could not be sent just now. Try again in a moment.</source>
        <translation>Lúc này chưa gửi được lời xin. Con thử lại sau một lát nhé.</translation>
    </message>
    <message>
        <source>You asked for 1 hour more.</source>
        <translation>Con đã xin thêm 1 tiếng.</translation>
    </message>
    <message numerus="yes">
        <source>You asked for %n more minute(s).</source>
        <translation>
            <numerusform>Con đã xin thêm %n phút.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <source>Report something bad</source>
        <translation>Báo điều xấu</translation>
    </message>
    <message>
        <source>Did you see someone bullied, groomed or abused online — or did it happen to you? You can report it yourself on vn-cop.vn, without asking anyone. That tells nobody at home.</source>
        <translation>Con thấy ai bị bắt nạt, bị dụ dỗ hay bị xâm hại trên mạng — hay chính con gặp chuyện đó? Con có thể tự báo cáo trên vn-cop.vn, không cần hỏi ai. Báo cáo ở đó không báo cho ai ở nhà.</translation>
    </message>
    <message>
        <source>Open vn-cop.vn&apos;s report page</source>
        <translation>Mở trang báo cáo của vn-cop.vn</translation>
    </message>
    <message>
        <source>If you want your parents to know too, press “Tell my parents”. The message says only that you want to report something bad, never which pages you opened.</source>
        <translation>Nếu con muốn bố mẹ biết nữa, hãy bấm “Báo cho bố mẹ”. Tin báo chỉ nói con muốn báo một điều xấu, không kèm trang nào con đã mở.</translation>
    </message>
    <message>
        <source>Tell my parents</source>
        <translation>Báo cho bố mẹ</translation>
    </message>
    <message>
        <source>111, Vietnam&apos;s national child protection phone line</source>
        <translation>Tổng đài điện thoại quốc gia bảo vệ trẻ em 111</translation>
    </message>
    <message>
        <source>From any phone, call 111 — free, day and night.</source>
        <translation>Dùng điện thoại bất kỳ, gọi 111 — miễn phí, cả ngày lẫn đêm.</translation>
    </message>
    <message>
        <source>Help / 111</source>
        <translation>Trợ giúp / 111</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Sending a message to your parents…</source>
        <translation>Đang gửi tin báo cho bố mẹ…</translation>
    </message>
    <message>
        <source>Your message is on its way to %1 of your family: that you want to report something bad you met online. While you wait, you can still report it on vn-cop.vn or call 111.</source>
        <translation>Tin báo của con đang được gửi tới %1 người thân trong gia đình: con muốn báo một điều xấu gặp trên mạng. Trong lúc chờ, con vẫn có thể báo cáo trên vn-cop.vn hoặc gọi 111.</translation>
    </message>
    <message>
        <source>Nobody in your family is set up to get messages on this computer yet, so Bảo An cannot tell your parents for you. Call 111, or find an adult you trust nearby.</source>
        <translation>Máy này chưa có người thân nào được cài đặt để nhận tin báo, nên Bảo An chưa báo cho bố mẹ giúp con được. Con hãy gọi 111, hoặc tìm một người lớn con tin ở gần.</translation>
    </message>
    <message>
        <source>Your family was sent a message a few minutes ago, so Bảo An did not send another. You can still report it on vn-cop.vn or call 111.</source>
        <translation>Tin báo đã được gửi cho người thân trong gia đình từ vài phút trước, nên lần này Bảo An không gửi thêm. Con vẫn có thể báo cáo trên vn-cop.vn hoặc gọi 111.</translation>
    </message>
    <message>
        <source>Bảo An could not send the message just now. Call 111, or find an adult you trust nearby.</source>
        <translation>Bảo An chưa gửi được tin báo lúc này. Con hãy gọi 111, hoặc tìm một người lớn con tin ở gần.</translation>
    </message>
    <message>
        <source>This computer does not know who you are yet, so nobody was told. Call 111, or find an adult you trust nearby.</source>
        <translation>Máy này chưa biết con là ai, nên chưa ai được báo. Con hãy gọi 111, hoặc tìm một người lớn con tin ở gần.</translation>
    </message>
    <message>
        <source>Bảo An could not send the message, so nobody was told. Call 111, or find an adult you trust nearby.</source>
        <translation>Bảo An không gửi được tin báo, nên chưa ai được báo. Con hãy gọi 111, hoặc tìm một người lớn con tin ở gần.</translation>
    </message>
    <message>
        <source>Bảo An is not answering right now, so nobody was told. 111 always answers.</source>
        <translation>Bảo An chưa trả lời lúc này, nên chưa ai được báo. Tổng đài 111 luôn nghe máy.</translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message>
        <source>More time: yes</source>
        <translation>Thêm giờ: bố mẹ đồng ý</translation>
    </message>
    <message numerus="yes">
        <source>A parent gave you %n more minute(s).</source>
        <translation>
            <numerusform>Bố mẹ đã cho con thêm %n phút.</numerusform>
        </translation>
    </message>
    <message>
        <source>More time: no</source>
        <translation>Thêm giờ: bố mẹ chưa đồng ý</translation>
    </message>
    <message>
        <source>A parent said no this time.</source>
        <translation>Lần này bố mẹ chưa đồng ý.</translation>
    </message>
    <message>
        <source>Bảo An is not answering right now. Please try again in a moment.</source>
        <translation>Bảo An chưa trả lời lúc này. Con thử lại sau một chút nhé.</translation>
    </message>
    <message>
        <source>Bảo An blocked %1</source>
        <translation>Bảo An đã chặn %1</translation>
    </message>
    <message>
        <source>Click to see why, or to ask your parents to open it.</source>
        <translation>Bấm vào đây để xem vì sao, hoặc xin bố mẹ mở trang.</translation>
    </message>
</context>
<context>
    <name>TrayPresenter</name>
    <message>
        <source>Help / 111</source>
        <translation>Trợ giúp / 111</translation>
    </message>
    <message>
        <source>Report something bad</source>
        <translation>Báo điều xấu</translation>
    </message>
    <message>
        <source>Ask for more time</source>
        <translation>Xin thêm thời gian</translation>
    </message>
    <message>
        <source>What Bảo An watches</source>
        <translation>Bảo An ghi lại những gì?</translation>
    </message>
    <message>
        <source>Open the parent&apos;s dashboard</source>
        <translation>Mở bảng điều khiển của bố mẹ</translation>
    </message>
    <message>
        <source>not answering</source>
        <translation>chưa trả lời</translation>
    </message>
</context>
<context>
    <name>WatchDialog</name>
    <message>
        <source>That could not be saved. Please try again in a moment.</source>
        <translation>Chưa lưu được. Con thử lại sau một chút nhé.</translation>
    </message>
    <message>
        <source>I agree</source>
        <translation>Con đồng ý</translation>
    </message>
    <message>
        <source>I understand</source>
        <translation>Con đã hiểu</translation>
    </message>
    <message>
        <source>I don&apos;t agree yet / I want to talk with my parents</source>
        <translation>Con chưa đồng ý / con muốn nói chuyện với bố mẹ</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>Để sau</translation>
    </message>
</context>
</TS>
