<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi" sourcelanguage="en">
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
        <source>You are not alone</source>
        <translation>Con không một mình</translation>
    </message>
    <message>
        <source>111 is Vietnam&apos;s child protection hotline: free, any time of the day or night. Call it if you feel scared, sad, bullied or threatened, online or offline. You can also talk to an adult you trust.</source>
        <translation>Tổng đài 111 là đường dây nóng bảo vệ trẻ em của Việt Nam: miễn phí, bất kể ngày đêm. Hãy gọi khi con thấy sợ, buồn, bị bắt nạt hay bị đe dọa, trên mạng hay ngoài đời. Con cũng có thể nói với một người lớn mà con tin tưởng.</translation>
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
        <source>tongdai111.vn: chat with 111 online</source>
        <translation>tongdai111.vn: trò chuyện với 111 qua mạng</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Telling your parents…</source>
        <translation>Đang báo cho bố mẹ…</translation>
    </message>
    <message>
        <source>Your parents have been told. They will come to you soon.</source>
        <translation>Bố mẹ đã được báo. Bố mẹ sẽ đến với con ngay.</translation>
    </message>
    <message>
        <source>Your parents already know. They will come to you soon.</source>
        <translation>Bố mẹ biết rồi. Bố mẹ sẽ đến với con ngay.</translation>
    </message>
    <message>
        <source>Your parents were told a few minutes ago, so Bảo An did not send another message. They know you need help; you can call 111 now too.</source>
        <translation>Bố mẹ đã nhận tin báo từ vài phút trước, nên Bảo An không gửi thêm. Bố mẹ biết con cần giúp; con cũng có thể gọi 111 ngay.</translation>
    </message>
    <message>
        <source>Bảo An is not answering right now, but 111 always is.</source>
        <translation>Bảo An chưa trả lời lúc này, nhưng Tổng đài 111 luôn nghe máy.</translation>
    </message>
</context>
<context>
    <name>TrayController</name>
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
        <source>I understand</source>
        <translation>Con đã hiểu</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>Để sau</translation>
    </message>
</context>
</TS>
