<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi" sourcelanguage="en">
<context>
    <name>ActivityPage</name>
    <message>
        <source>This version of Bảo An cannot show the days before.</source>
        <translation>Phiên bản Bảo An này chưa xem được các ngày trước.</translation>
    </message>
    <message>
        <source>One bar a day, today on the right. Select a chart and use the arrow keys (or click a bar) to read a day&apos;s numbers.</source>
        <translation>Mỗi ngày một cột, hôm nay ở bên phải. Chọn một biểu đồ rồi dùng phím mũi tên (hoặc bấm vào một cột) để đọc số liệu của ngày đó.</translation>
    </message>
    <message>
        <source>Activity of:</source>
        <translation>Hoạt động của:</translation>
    </message>
    <message>
        <source>Period:</source>
        <translation>Khoảng thời gian:</translation>
    </message>
    <message>
        <source>The last 7 days</source>
        <translation>7 ngày qua</translation>
    </message>
    <message>
        <source>The last 30 days</source>
        <translation>30 ngày qua</translation>
    </message>
    <message>
        <source>Screen time a day, per app</source>
        <translation>Thời gian dùng máy mỗi ngày, theo ứng dụng</translation>
    </message>
    <message>
        <source>Screen time a day, per kind of app</source>
        <translation>Thời gian dùng máy mỗi ngày, theo loại ứng dụng</translation>
    </message>
    <message>
        <source>Blocked attempts a day, per kind of website</source>
        <translation>Số lần bị chặn mỗi ngày, theo loại trang web</translation>
    </message>
</context>
<context>
    <name>AllowedAppsTableModel</name>
    <message>
        <source>Type the app&apos;s file name, such as zoom, or its full path.</source>
        <translation>Hãy gõ tên tệp của ứng dụng, ví dụ zoom, hoặc đường dẫn đầy đủ của nó.</translation>
    </message>
    <message>
        <source>This is too long for an app&apos;s name or path (at most %1 characters).</source>
        <translation>Tên hay đường dẫn này dài quá (nhiều nhất %1 ký tự).</translation>
    </message>
    <message>
        <source>This holds a line break or an invisible character: type the name again.</source>
        <translation>Trong này có dấu xuống dòng hoặc ký tự ẩn: hãy gõ lại tên.</translation>
    </message>
    <message>
        <source>This is a folder, not an app: add the program&apos;s file at its end.</source>
        <translation>Đây là một thư mục, không phải ứng dụng: hãy thêm tên tệp chương trình vào cuối.</translation>
    </message>
    <message>
        <source>Write the whole path, from / or from the drive (such as C:\), or the file name alone.</source>
        <translation>Hãy viết đường dẫn đầy đủ, bắt đầu từ / hoặc từ ổ đĩa (như C:\), hoặc chỉ tên tệp.</translation>
    </message>
    <message>
        <source>A file name has none of these: &lt; &gt; : &quot; | ? *</source>
        <translation>Tên tệp không được có các ký tự: &lt; &gt; : &quot; | ? *</translation>
    </message>
    <message>
        <source>This app is in the list already.</source>
        <translation>Ứng dụng này đã có trong danh sách.</translation>
    </message>
    <message>
        <source>Always allowed</source>
        <translation>Luôn được dùng</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Tệp</translation>
    </message>
    <message>
        <source>Used by</source>
        <translation>Con đã dùng</translation>
    </message>
    <message>
        <source>not seen on this computer</source>
        <translation>chưa thấy trên máy tính này</translation>
    </message>
    <message>
        <source>Counts no screen time and is never closed</source>
        <translation>Không tính vào thời gian dùng máy và không bao giờ bị đóng</translation>
    </message>
    <message>
        <source>always allowed</source>
        <translation>luôn được dùng</translation>
    </message>
    <message>
        <source>counted</source>
        <translation>có tính giờ</translation>
    </message>
</context>
<context>
    <name>CaregiverDialog</name>
    <message>
        <source>Add a caregiver</source>
        <translation>Thêm người thân</translation>
    </message>
    <message>
        <source>Change %1</source>
        <translation>Sửa cách nhận cảnh báo của %1</translation>
    </message>
    <message>
        <source>Save the caregiver</source>
        <translation>Lưu người thân</translation>
    </message>
</context>
<context>
    <name>CaregiverForm</name>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Tên:</translation>
    </message>
    <message>
        <source>The caregiver&apos;s name</source>
        <translation>Tên người thân</translation>
    </message>
    <message>
        <source>Bà Nội, Mẹ, Cô Lan…</source>
        <translation>Bà Nội, Mẹ, Cô Lan…</translation>
    </message>
    <message>
        <source>What they hear</source>
        <translation>Nhận cảnh báo về</translation>
    </message>
    <message>
        <source>Help always reaches every caregiver.</source>
        <translation>Tin Trợ giúp luôn đến với mọi người thân.</translation>
    </message>
    <message>
        <source>At &amp;most this many alerts an hour:</source>
        <translation>Nhiều &amp;nhất bao nhiêu cảnh báo mỗi giờ:</translation>
    </message>
    <message>
        <source>At most this many alerts an hour</source>
        <translation>Nhiều nhất bao nhiêu cảnh báo mỗi giờ</translation>
    </message>
    <message>
        <source>Past it, the rest come as one summary; Help is never held back.</source>
        <translation>Quá số này, các cảnh báo còn lại được gộp thành một tin tóm tắt; tin Trợ giúp không bao giờ bị giữ lại.</translation>
    </message>
    <message>
        <source>ntfy (phone)</source>
        <translation>ntfy (điện thoại)</translation>
    </message>
    <message>
        <source>&amp;Server:</source>
        <translation>&amp;Máy chủ:</translation>
    </message>
    <message>
        <source>ntfy server</source>
        <translation>Máy chủ ntfy</translation>
    </message>
    <message>
        <source>&amp;Topic:</source>
        <translation>&amp;Chủ đề:</translation>
    </message>
    <message>
        <source>ntfy topic</source>
        <translation>Chủ đề ntfy</translation>
    </message>
    <message>
        <source>empty: Bảo An makes one nobody can guess</source>
        <translation>để trống: Bảo An tạo một chủ đề không ai đoán được</translation>
    </message>
    <message>
        <source>Access &amp;token:</source>
        <translation>Mã &amp;truy cập:</translation>
    </message>
    <message>
        <source>Bảo An&apos;s access token for the server</source>
        <translation>Mã truy cập máy chủ của Bảo An</translation>
    </message>
    <message>
        <source>a token is kept: type to replace it</source>
        <translation>đã có mã truy cập: gõ mã mới để thay</translation>
    </message>
    <message>
        <source>none (a public server needs none)</source>
        <translation>không có (máy chủ công cộng không cần)</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>Địa &amp;chỉ:</translation>
    </message>
    <message>
        <source>The caregiver&apos;s email address</source>
        <translation>Địa chỉ email của người thân</translation>
    </message>
    <message>
        <source>Mail se&amp;rver:</source>
        <translation>Máy chủ &amp;thư:</translation>
    </message>
    <message>
        <source>Mail server and port</source>
        <translation>Máy chủ thư và cổng</translation>
    </message>
    <message>
        <source>Sending &amp;account:</source>
        <translation>Tài khoản &amp;gửi:</translation>
    </message>
    <message>
        <source>The mail account Bảo An sends from</source>
        <translation>Tài khoản thư mà Bảo An dùng để gửi</translation>
    </message>
    <message>
        <source>Account &amp;password:</source>
        <translation>Mật &amp;khẩu tài khoản:</translation>
    </message>
    <message>
        <source>The mail account&apos;s password</source>
        <translation>Mật khẩu của tài khoản thư</translation>
    </message>
    <message>
        <source>a password is kept: type to replace it</source>
        <translation>đã có mật khẩu: gõ mật khẩu mới để thay</translation>
    </message>
    <message>
        <source>none</source>
        <translation>chưa có</translation>
    </message>
    <message>
        <source>Apprise (Discord, Telegram, …)</source>
        <translation>Apprise (Discord, Telegram, …)</translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation>Địa chỉ &amp;URL:</translation>
    </message>
    <message>
        <source>Apprise URL</source>
        <translation>Địa chỉ URL của Apprise</translation>
    </message>
    <message>
        <source>%1 is kept: type to replace it</source>
        <translation>đã có %1: gõ địa chỉ mới để thay</translation>
    </message>
</context>
<context>
    <name>CaregiverWords</name>
    <message>
        <source>Type the caregiver&apos;s name.</source>
        <translation>Hãy nhập tên người thân.</translation>
    </message>
    <message>
        <source>%1 is already a caregiver.</source>
        <translation>%1 đã là người thân nhận cảnh báo.</translation>
    </message>
    <message>
        <source>Between 1 and %1 alerts an hour.</source>
        <translation>Từ 1 đến %1 cảnh báo mỗi giờ.</translation>
    </message>
    <message>
        <source>Choose at least one way to reach them: ntfy, email or Apprise.</source>
        <translation>Hãy chọn ít nhất một cách nhận cảnh báo: ntfy, email hoặc Apprise.</translation>
    </message>
    <message>
        <source>Paste the Apprise URL (for example discord://…).</source>
        <translation>Hãy dán địa chỉ URL của Apprise (ví dụ discord://…).</translation>
    </message>
    <message>
        <source>An Apprise URL starts with its service, such as discord:// or tgram://.</source>
        <translation>Địa chỉ URL của Apprise bắt đầu bằng tên dịch vụ, ví dụ discord:// hoặc tgram://.</translation>
    </message>
    <message>
        <source>An ntfy server&apos;s address, such as https://ntfy.sh.</source>
        <translation>Địa chỉ máy chủ ntfy, ví dụ https://ntfy.sh.</translation>
    </message>
    <message>
        <source>A topic has only letters, digits, - and _ (at most 64).</source>
        <translation>Chủ đề chỉ gồm chữ không dấu, chữ số, - và _ (nhiều nhất 64 ký tự).</translation>
    </message>
    <message>
        <source>A topic this short can be guessed: use at least %1 characters, or leave it empty and Bảo An makes one.</source>
        <translation>Chủ đề ngắn như vậy có thể bị đoán ra: hãy dùng ít nhất %1 ký tự, hoặc để trống và Bảo An sẽ tạo một chủ đề.</translation>
    </message>
    <message>
        <source>An email address, such as ba@example.com.</source>
        <translation>Một địa chỉ email, ví dụ ba@example.com.</translation>
    </message>
    <message>
        <source>Bảo An needs a mail server to send from, such as smtp.gmail.com:465.</source>
        <translation>Bảo An cần một máy chủ thư để gửi, ví dụ smtp.gmail.com:465.</translation>
    </message>
    <message>
        <source>The mail server and its port, such as smtp.gmail.com:465.</source>
        <translation>Máy chủ thư và cổng của nó, ví dụ smtp.gmail.com:465.</translation>
    </message>
    <message>
        <source>The mail account&apos;s user name goes with its password.</source>
        <translation>Có mật khẩu thì cần cả tên đăng nhập của tài khoản thư.</translation>
    </message>
    <message>
        <source>Bảo An expects %1; it got %2.</source>
        <translation>Bảo An cần %1; nhưng nhận được %2.</translation>
    </message>
    <message>
        <source>Bảo An expects %1.</source>
        <translation>Bảo An cần %1.</translation>
    </message>
    <message>
        <source>the ntfy alerts to the topic %1</source>
        <translation>cảnh báo ntfy tới chủ đề %1</translation>
    </message>
    <message>
        <source>the emails to %1</source>
        <translation>email gửi đến %1</translation>
    </message>
    <message>
        <source>the Apprise alerts</source>
        <translation>cảnh báo qua Apprise</translation>
    </message>
    <message>
        <source>Help / 111</source>
        <translation>Trợ giúp / 111</translation>
    </message>
    <message>
        <source>Adult content</source>
        <translation>Nội dung người lớn</translation>
    </message>
    <message>
        <source>Protection weakened</source>
        <translation>Bảo vệ bị nới lỏng</translation>
    </message>
    <message>
        <source>Screen time used up</source>
        <translation>Hết giờ dùng máy</translation>
    </message>
    <message>
        <source>The children&apos;s requests</source>
        <translation>Yêu cầu của các con</translation>
    </message>
    <message>
        <source>Protection paused</source>
        <translation>Tạm dừng bảo vệ</translation>
    </message>
</context>
<context>
    <name>CaregiversModel</name>
    <message>
        <source>Loading the caregivers…</source>
        <translation>Đang tải danh sách người thân…</translation>
    </message>
    <message>
        <source>No caregiver gets alerts from %1 yet. Add one with `baoan caregiver add`.</source>
        <translation>Chưa có người thân nào nhận cảnh báo từ máy %1. Thêm người thân bằng `baoan caregiver add`.</translation>
    </message>
    <message>
        <source>Caregivers who get alerts from %1</source>
        <translation>Người thân nhận cảnh báo từ máy %1</translation>
    </message>
    <message>
        <source>Quiet hours %1 (Help still rings)</source>
        <translation>Giờ yên lặng %1 (Trợ giúp vẫn báo ngay)</translation>
    </message>
    <message>
        <source>no channel</source>
        <translation>chưa có cách nhận</translation>
    </message>
    <message>
        <source>Every alert</source>
        <translation>Mọi cảnh báo</translation>
    </message>
    <message>
        <source>Help / 111</source>
        <translation>Trợ giúp / 111</translation>
    </message>
    <message>
        <source>Adult content</source>
        <translation>Nội dung người lớn</translation>
    </message>
    <message>
        <source>Protection weakened</source>
        <translation>Bảo vệ bị nới lỏng</translation>
    </message>
    <message>
        <source>Screen time used up</source>
        <translation>Hết giờ dùng máy</translation>
    </message>
    <message>
        <source>The children&apos;s requests</source>
        <translation>Yêu cầu của các con</translation>
    </message>
    <message>
        <source>Protection paused</source>
        <translation>Tạm dừng bảo vệ</translation>
    </message>
    <message>
        <source>ntfy (phone)</source>
        <translation>ntfy (điện thoại)</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Apprise</source>
        <translation>Apprise</translation>
    </message>
    <message>
        <source>Refused, not retried: %1</source>
        <translation>Bị từ chối, không thử lại: %1</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>không rõ lý do</translation>
    </message>
    <message>
        <source>Failing, Bảo An keeps trying: %1</source>
        <translation>Chưa gửi được, Bảo An vẫn đang thử lại: %1</translation>
    </message>
    <message>
        <source>Last delivered %1</source>
        <translation>Gửi được lần cuối lúc %1</translation>
    </message>
    <message>
        <source>Nothing sent yet</source>
        <translation>Chưa gửi gì</translation>
    </message>
    <message numerus="yes">
        <source>%n waiting</source>
        <translation>
            <numerusform>%n tin đang chờ</numerusform>
        </translation>
    </message>
    <message>
        <source>No signal: needs an ntfy channel</source>
        <translation>Không có tín hiệu: cần kênh ntfy</translation>
    </message>
    <message>
        <source>No signal: the ntfy server is older than 2.16, so this caregiver is not told when this PC stops reporting. Upgrade the server.</source>
        <translation>Không có tín hiệu: máy chủ ntfy cũ hơn 2.16, nên người thân này không được báo khi máy này ngừng báo tin. Hãy nâng cấp máy chủ.</translation>
    </message>
    <message>
        <source>Not checked yet: cannot tell whether the server carries the signal</source>
        <translation>Chưa kiểm tra được: chưa biết máy chủ có mang được tín hiệu không</translation>
    </message>
    <message>
        <source>Works (ntfy 2.16 or later); not published yet</source>
        <translation>Hoạt động (ntfy 2.16 trở lên); chưa gửi lần nào</translation>
    </message>
    <message>
        <source>Works: last re-published %1</source>
        <translation>Hoạt động: gửi lại lần cuối lúc %1</translation>
    </message>
    <message>
        <source>last try failed: %1</source>
        <translation>lần thử cuối bị lỗi: %1</translation>
    </message>
    <message>
        <source>No caregiver to send a test alert to.</source>
        <translation>Chưa có người thân nào để gửi cảnh báo thử.</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>đã gửi</translation>
    </message>
    <message>
        <source>refused, check the address or the token</source>
        <translation>bị từ chối, hãy xem lại địa chỉ hoặc mã truy cập</translation>
    </message>
    <message>
        <source>not sent now (offline or the server failed); try again later</source>
        <translation>chưa gửi được (mất mạng hoặc máy chủ lỗi); hãy thử lại sau</translation>
    </message>
    <message>
        <source>not set up (an email needs a mail server)</source>
        <translation>chưa thiết lập xong (email cần máy chủ thư)</translation>
    </message>
</context>
<context>
    <name>CaregiversView</name>
    <message>
        <source>Bảo An did not answer: %1</source>
        <translation>Bảo An không trả lời: %1</translation>
    </message>
    <message>
        <source>Save the change to %1? It stops: %2.</source>
        <translation>Lưu thay đổi cho %1? Việc này sẽ dừng: %2.</translation>
    </message>
    <message>
        <source>Remove a channel</source>
        <translation>Bỏ một cách nhận cảnh báo</translation>
    </message>
    <message>
        <source>Remove %1? They will get no more alerts from Bảo An, Help included.</source>
        <translation>Bỏ %1? Người này sẽ không nhận cảnh báo nào từ Bảo An nữa, kể cả tin Trợ giúp.</translation>
    </message>
    <message>
        <source>Remove a caregiver</source>
        <translation>Bỏ một người thân</translation>
    </message>
    <message>
        <source>Saving %1…</source>
        <translation>Đang lưu %1…</translation>
    </message>
    <message>
        <source>Added %1. Send a test alert to check that it reaches them.</source>
        <translation>Đã thêm %1. Hãy gửi cảnh báo thử để chắc rằng tin đến được.</translation>
    </message>
    <message>
        <source>Saved %1. Send a test alert to check that it reaches them.</source>
        <translation>Đã lưu %1. Hãy gửi cảnh báo thử để chắc rằng tin đến được.</translation>
    </message>
    <message>
        <source>Removed %1: they get no more alerts.</source>
        <translation>Đã bỏ %1: người này không nhận cảnh báo nữa.</translation>
    </message>
    <message>
        <source>The family&apos;s settings file changed elsewhere since it was read; nothing was saved. The list shows the new settings; your change is kept: press Save again to apply it over them.</source>
        <translation>Tệp cài đặt của gia đình vừa thay đổi ở nơi khác; chưa có gì được lưu. Danh sách đã hiện cài đặt mới; thay đổi của bạn vẫn được giữ: bấm Lưu lại để áp dụng lên cài đặt mới.</translation>
    </message>
    <message>
        <source>Bảo An could not save %1: see the form.</source>
        <translation>Bảo An không lưu được %1: hãy xem lại biểu mẫu.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Không lưu được: %1</translation>
    </message>
    <message>
        <source>Sending a test alert to every channel…</source>
        <translation>Đang gửi cảnh báo thử tới mọi kênh…</translation>
    </message>
    <message>
        <source>Relatives who get alerts</source>
        <translation>Người thân nhận cảnh báo</translation>
    </message>
    <message>
        <source>Caregiver</source>
        <translation>Người thân</translation>
    </message>
    <message>
        <source>Hears</source>
        <translation>Nhận cảnh báo về</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation>Cách nhận</translation>
    </message>
    <message>
        <source>Last deliveries</source>
        <translation>Lần gửi gần nhất</translation>
    </message>
    <message>
        <source>Dead-man signal</source>
        <translation>Tín hiệu báo máy ngừng</translation>
    </message>
    <message>
        <source>The dead-man signal: every 10 minutes this PC re-publishes a message to each ntfy topic, scheduled 30 minutes ahead. While the PC reports, it never arrives; if the PC is off, offline or Bảo An was stopped, the caregiver gets it within 30 minutes. It needs ntfy 2.16 or later.</source>
        <translation>Tín hiệu báo máy ngừng: cứ 10 phút, máy này gửi lại tới mỗi chủ đề ntfy một tin hẹn giờ 30 phút sau. Khi máy còn báo tin, tin đó không bao giờ đến; nếu máy tắt, mất mạng hay Bảo An bị dừng, người thân nhận được nó trong vòng 30 phút. Cần ntfy 2.16 trở lên.</translation>
    </message>
    <message>
        <source>Send a test alert</source>
        <translation>Gửi cảnh báo thử</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <source>Add a caregiver…</source>
        <translation>Thêm người thân…</translation>
    </message>
    <message>
        <source>Add a caregiver</source>
        <translation>Thêm người thân</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>Sửa…</translation>
    </message>
    <message>
        <source>Change the chosen caregiver</source>
        <translation>Sửa người thân đang chọn</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Bỏ…</translation>
    </message>
    <message>
        <source>Remove the chosen caregiver</source>
        <translation>Bỏ người thân đang chọn</translation>
    </message>
    <message>
        <source>Save again</source>
        <translation>Lưu lại</translation>
    </message>
    <message>
        <source>Save your change again</source>
        <translation>Lưu lại thay đổi của bạn</translation>
    </message>
</context>
<context>
    <name>ChildCardBox</name>
    <message>
        <source>%1: protection whole</source>
        <translation>%1: được bảo vệ đầy đủ</translation>
    </message>
    <message>
        <source>%1: protection needs a look</source>
        <translation>%1: việc bảo vệ cần được kiểm tra</translation>
    </message>
    <message>
        <source>Apps:</source>
        <translation>Ứng dụng:</translation>
    </message>
    <message>
        <source>Websites:</source>
        <translation>Trang web:</translation>
    </message>
    <message>
        <source>See requests and alerts</source>
        <translation>Xem yêu cầu và cảnh báo</translation>
    </message>
</context>
<context>
    <name>ChildDialog</name>
    <message>
        <source>Add a child</source>
        <translation>Thêm con</translation>
    </message>
    <message>
        <source>Change a child</source>
        <translation>Sửa thông tin của con</translation>
    </message>
</context>
<context>
    <name>ChildFilter</name>
    <message>
        <source>Every child</source>
        <translation>Tất cả các con</translation>
    </message>
</context>
<context>
    <name>ChildForm</name>
    <message>
        <source>Choose an age to see what Bảo An sets.</source>
        <translation>Chọn tuổi để xem Bảo An đặt những gì.</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Tên:</translation>
    </message>
    <message>
        <source>&amp;Age:</source>
        <translation>&amp;Tuổi:</translation>
    </message>
    <message>
        <source>Age &amp;preset:</source>
        <translation>&amp;Mức theo tuổi:</translation>
    </message>
    <message>
        <source>Computer &amp;accounts:</source>
        <translation>Tài khoản &amp;máy tính:</translation>
    </message>
    <message>
        <source>Devices at &amp;home:</source>
        <translation>Thiết bị trong &amp;nhà:</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Tuổi</translation>
    </message>
    <message>
        <source>Birth year</source>
        <translation>Năm sinh</translation>
    </message>
    <message>
        <source>Age or birth year</source>
        <translation>Tuổi hoặc năm sinh</translation>
    </message>
    <message>
        <source>Tick the accounts on this computer that the child uses.</source>
        <translation>Đánh dấu các tài khoản trên máy tính này mà con dùng.</translation>
    </message>
    <message>
        <source>Device name</source>
        <translation>Tên thiết bị</translation>
    </message>
    <message>
        <source>IP or MAC address</source>
        <translation>Địa chỉ IP hoặc MAC</translation>
    </message>
    <message>
        <source>A tablet or phone at home: its IP address (192.168.1.23) or MAC address.</source>
        <translation>Máy tính bảng hay điện thoại trong nhà: địa chỉ IP (192.168.1.23) hoặc địa chỉ MAC của thiết bị.</translation>
    </message>
    <message>
        <source>Add a device</source>
        <translation>Thêm thiết bị</translation>
    </message>
    <message>
        <source>Remove the device</source>
        <translation>Bỏ thiết bị</translation>
    </message>
    <message>
        <source>By age (recommended)</source>
        <translation>Theo tuổi (nên chọn)</translation>
    </message>
    <message>
        <source>Blocks: %1.</source>
        <translation>Chặn: %1.</translation>
    </message>
    <message>
        <source>Blocked apps and services: %1.</source>
        <translation>Ứng dụng và dịch vụ bị chặn: %1.</translation>
    </message>
    <message>
        <source>Only the websites on the always-allowed list open.</source>
        <translation>Chỉ mở được các trang trong danh sách luôn cho phép.</translation>
    </message>
    <message>
        <source>Screen time: %1 on school days, %2 at the weekend.</source>
        <translation>Thời gian dùng máy: %1 vào ngày đi học, %2 vào cuối tuần.</translation>
    </message>
    <message>
        <source>The computer can be used: %1.</source>
        <translation>Giờ được dùng máy: %1.</translation>
    </message>
    <message>
        <source>Games: %1 a day, %2 per game (Decree 147/2024).</source>
        <translation>Trò chơi: %1 mỗi ngày, %2 mỗi trò (Nghị định 147/2024).</translation>
    </message>
    <message>
        <source>Safe search is on.</source>
        <translation>Bật tìm kiếm an toàn.</translation>
    </message>
</context>
<context>
    <name>ChildSettingsTableModel</name>
    <message>
        <source>Name</source>
        <translation>Tên</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Tuổi</translation>
    </message>
    <message>
        <source>Age preset</source>
        <translation>Mức theo tuổi</translation>
    </message>
    <message>
        <source>Computer accounts</source>
        <translation>Tài khoản máy tính</translation>
    </message>
    <message>
        <source>Devices at home</source>
        <translation>Thiết bị trong nhà</translation>
    </message>
    <message>
        <source>%1 (born %2)</source>
        <translation>%1 (sinh năm %2)</translation>
    </message>
    <message>
        <source>%1, by age</source>
        <translation>%1, theo tuổi</translation>
    </message>
</context>
<context>
    <name>ChildrenPage</name>
    <message>
        <source>Remove %1 from Bảo An? Their rules and limits go; their data stays until you delete it in Settings.</source>
        <translation>Bỏ %1 khỏi Bảo An? Các quy định và giới hạn của con sẽ mất; dữ liệu của con vẫn còn cho đến khi bạn xóa trong Cài đặt.</translation>
    </message>
    <message>
        <source>Remove a child</source>
        <translation>Bỏ một con khỏi Bảo An</translation>
    </message>
    <message>
        <source>Added %1. The age preset works at once.</source>
        <translation>Đã thêm %1. Mức theo tuổi có hiệu lực ngay.</translation>
    </message>
    <message>
        <source>Saved. %1&apos;s settings work at once.</source>
        <translation>Đã lưu. Cài đặt của %1 có hiệu lực ngay.</translation>
    </message>
    <message>
        <source>Removed %1.</source>
        <translation>Đã bỏ %1.</translation>
    </message>
    <message>
        <source>The family settings changed elsewhere in the meantime (by hand or on another device). Nothing was saved; the list shows them now. Make the change again.</source>
        <translation>Tệp cài đặt của gia đình vừa thay đổi ở nơi khác (sửa tay hoặc trên thiết bị khác). Chưa có gì được lưu; danh sách đang hiện bản mới. Hãy làm lại thay đổi.</translation>
    </message>
    <message>
        <source>Bảo An could not save this:</source>
        <translation>Bảo An không lưu được:</translation>
    </message>
    <message>
        <source>A child with that name is already in the family.</source>
        <translation>Gia đình đã có một con tên này.</translation>
    </message>
    <message>
        <source>Could not save: %1</source>
        <translation>Không lưu được: %1</translation>
    </message>
    <message>
        <source>The children on this computer</source>
        <translation>Các con trên máy tính này</translation>
    </message>
    <message>
        <source>&amp;Add a child…</source>
        <translation>&amp;Thêm con…</translation>
    </message>
    <message>
        <source>&amp;Change…</source>
        <translation>&amp;Sửa…</translation>
    </message>
    <message>
        <source>&amp;Remove…</source>
        <translation>&amp;Bỏ…</translation>
    </message>
    <message>
        <source>The last child cannot be removed.</source>
        <translation>Không bỏ được người con cuối cùng.</translation>
    </message>
</context>
<context>
    <name>ChildrenTab</name>
    <message>
        <source>No child is set up yet. Add one below.</source>
        <translation>Chưa có con nào. Hãy thêm con ở bên dưới.</translation>
    </message>
</context>
<context>
    <name>ChildrenTableModel</name>
    <message>
        <source>Name</source>
        <translation>Tên</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Tuổi</translation>
    </message>
    <message>
        <source>Age preset</source>
        <translation>Mức theo tuổi</translation>
    </message>
    <message>
        <source>Used today</source>
        <translation>Đã dùng hôm nay</translation>
    </message>
    <message>
        <source>What Bảo An records: the child&apos;s answer</source>
        <translation>Ý kiến của con về việc ghi lại</translation>
    </message>
    <message>
        <source>Agrees</source>
        <translation>Con đồng ý</translation>
    </message>
    <message>
        <source>Does not agree yet: wants to talk with you</source>
        <translation>Con chưa đồng ý, muốn nói chuyện với cha mẹ</translation>
    </message>
    <message>
        <source>Read it with a parent</source>
        <translation>Đã đọc cùng cha mẹ</translation>
    </message>
    <message>
        <source>No answer yet</source>
        <translation>Con chưa trả lời</translation>
    </message>
    <message>
        <source>Computer accounts: %1</source>
        <translation>Tài khoản máy tính: %1</translation>
    </message>
    <message>
        <source>Protection stays on. Talk with your child about what Bảo An records.</source>
        <translation>Bảo An vẫn bảo vệ như cũ. Hãy nói chuyện với con về những gì Bảo An ghi lại.</translation>
    </message>
</context>
<context>
    <name>EventWords</name>
    <message>
        <source>%1 asks to open %2</source>
        <translation>%1 xin mở %2</translation>
    </message>
    <message>
        <source>A parent allowed %1 to open %2</source>
        <translation>Cha mẹ đã cho %1 mở %2</translation>
    </message>
    <message>
        <source>A parent did not allow %1 to open %2</source>
        <translation>Cha mẹ không cho %1 mở %2</translation>
    </message>
    <message>
        <source>%1 asks for %2 more minutes</source>
        <translation>%1 xin thêm %2 phút</translation>
    </message>
    <message>
        <source>%1 pressed Help / 111</source>
        <translation>%1 đã bấm Trợ giúp / 111</translation>
    </message>
    <message>
        <source>%1 wants to tell you about something bad met online</source>
        <translation>%1 muốn kể với cha mẹ về điều xấu gặp trên mạng</translation>
    </message>
    <message>
        <source>%1 does not agree yet with what Bảo An records and wants to talk</source>
        <translation>%1 chưa đồng ý với những gì Bảo An ghi lại và muốn nói chuyện với cha mẹ</translation>
    </message>
    <message>
        <source>%1 read what Bảo An records</source>
        <translation>%1 đã đọc những gì Bảo An ghi lại</translation>
    </message>
    <message>
        <source>Bảo An&apos;s icon stopped answering while %1 used the computer; the time still counts</source>
        <translation>Biểu tượng Bảo An không còn trả lời khi %1 đang dùng máy; thời gian vẫn được tính</translation>
    </message>
    <message>
        <source>Bảo An&apos;s icon answers again for %1</source>
        <translation>Biểu tượng Bảo An của %1 đã trả lời lại</translation>
    </message>
    <message>
        <source>The computer&apos;s clock was changed</source>
        <translation>Đồng hồ của máy tính đã bị chỉnh</translation>
    </message>
    <message>
        <source>The computer&apos;s time zone was changed</source>
        <translation>Múi giờ của máy tính đã bị đổi</translation>
    </message>
    <message>
        <source>Bảo An stopped without closing properly (switched off or killed)</source>
        <translation>Bảo An đã dừng mà không tắt đúng cách (máy bị tắt ngang hoặc bị buộc dừng)</translation>
    </message>
    <message>
        <source>The family&apos;s settings file now protects less (changed at %1)</source>
        <translation>Tệp cài đặt của gia đình giờ bảo vệ ít hơn (đổi lúc %1)</translation>
    </message>
    <message>
        <source>Two computers changed the family&apos;s settings at once; the settings of this computer stay in force</source>
        <translation>Hai máy tính cùng lúc đổi cài đặt của gia đình; cài đặt của máy này vẫn được giữ</translation>
    </message>
    <message>
        <source>A new day began: screen time starts again</source>
        <translation>Ngày mới bắt đầu: thời gian dùng máy được tính lại</translation>
    </message>
    <message>
        <source>A parent changed the rules at %1</source>
        <translation>Cha mẹ đã đổi quy định lúc %1</translation>
    </message>
    <message>
        <source>A parent saved the rules unchanged at %1</source>
        <translation>Cha mẹ đã lưu quy định, không có gì thay đổi, lúc %1</translation>
    </message>
    <message>
        <source>A parent %1 at %2</source>
        <translation>Cha mẹ đã %1 lúc %2</translation>
    </message>
    <message>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <source>blocked the website %1 for %2</source>
        <translation>chặn trang %1 cho %2</translation>
    </message>
    <message>
        <source>took the website %1 off %2&apos;s block list</source>
        <translation>bỏ trang %1 khỏi danh sách chặn của %2</translation>
    </message>
    <message>
        <source>always allowed the website %1 for %2</source>
        <translation>luôn cho phép trang %1 cho %2</translation>
    </message>
    <message>
        <source>took the website %1 off %2&apos;s allow list</source>
        <translation>bỏ trang %1 khỏi danh sách luôn cho phép của %2</translation>
    </message>
    <message>
        <source>blocked %1 for %2</source>
        <translation>chặn %1 cho %2</translation>
    </message>
    <message>
        <source>stopped blocking %1 for %2</source>
        <translation>thôi chặn %1 cho %2</translation>
    </message>
    <message>
        <source>allowed %1 for %2</source>
        <translation>cho phép %1 cho %2</translation>
    </message>
    <message>
        <source>set %1 back to the age rules for %2</source>
        <translation>đưa %1 về quy định theo tuổi của %2</translation>
    </message>
    <message>
        <source>turned SafeSearch on for %1</source>
        <translation>bật Tìm kiếm an toàn cho %1</translation>
    </message>
    <message>
        <source>turned SafeSearch off for %1</source>
        <translation>tắt Tìm kiếm an toàn cho %1</translation>
    </message>
    <message>
        <source>let %1 open only the always-allowed websites</source>
        <translation>chỉ cho %1 mở các trang luôn cho phép</translation>
    </message>
    <message>
        <source>let %1 open more than the always-allowed websites</source>
        <translation>cho %1 mở cả các trang ngoài danh sách luôn cho phép</translation>
    </message>
    <message>
        <source>no restriction</source>
        <translation>không giới hạn</translation>
    </message>
    <message>
        <source>restricted (moderate)</source>
        <translation>chế độ hạn chế (vừa phải)</translation>
    </message>
    <message>
        <source>restricted (strict)</source>
        <translation>chế độ hạn chế (nghiêm ngặt)</translation>
    </message>
    <message>
        <source>set YouTube to %1 for %2</source>
        <translation>đặt YouTube ở %1 cho %2</translation>
    </message>
    <message>
        <source>changed %1&apos;s internet hours</source>
        <translation>đổi giờ dùng Internet của %1</translation>
    </message>
    <message>
        <source>changed %1&apos;s screen time</source>
        <translation>đổi thời gian dùng máy của %1</translation>
    </message>
    <message>
        <source>added %1</source>
        <translation>thêm con %1</translation>
    </message>
    <message>
        <source>removed %1</source>
        <translation>xóa con %1</translation>
    </message>
    <message>
        <source>changed the family&apos;s settings</source>
        <translation>đổi cài đặt của gia đình</translation>
    </message>
    <message>
        <source>added %1 to the relatives who get alerts</source>
        <translation>thêm %1 vào những người thân nhận cảnh báo</translation>
    </message>
    <message>
        <source>took %1 off the relatives who get alerts</source>
        <translation>bỏ %1 khỏi những người thân nhận cảnh báo</translation>
    </message>
    <message>
        <source>changed how %1 gets alerts</source>
        <translation>đổi cách %1 nhận cảnh báo</translation>
    </message>
    <message>
        <source>changed the relatives who get alerts</source>
        <translation>đổi những người thân nhận cảnh báo</translation>
    </message>
    <message>
        <source>changed the family&apos;s devices</source>
        <translation>đổi các thiết bị của gia đình</translation>
    </message>
    <message>
        <source>changed the rules</source>
        <translation>đổi quy định</translation>
    </message>
</context>
<context>
    <name>EventsPanel</name>
    <message>
        <source>Nothing has happened yet.</source>
        <translation>Chưa có việc gì xảy ra.</translation>
    </message>
    <message numerus="yes">
        <source>The %n newest events</source>
        <translation>
            <numerusform>%n việc mới nhất</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s) among them</source>
        <translation>
            <numerusform>trong đó có %n cảnh báo</numerusform>
        </translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>Việc đã xảy ra</translation>
    </message>
</context>
<context>
    <name>EventsTableModel</name>
    <message>
        <source>Time</source>
        <translation>Lúc</translation>
    </message>
    <message>
        <source>Child</source>
        <translation>Con</translation>
    </message>
    <message>
        <source>Importance</source>
        <translation>Mức độ</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>Việc đã xảy ra</translation>
    </message>
    <message>
        <source>Urgent</source>
        <translation>Khẩn cấp</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>Cảnh báo</translation>
    </message>
    <message>
        <source>Worth a look</source>
        <translation>Nên xem</translation>
    </message>
    <message>
        <source>For your information</source>
        <translation>Để cha mẹ biết</translation>
    </message>
</context>
<context>
    <name>FirstRunPage</name>
    <message>
        <source>The PIN is set. Now write down your recovery code</source>
        <translation>Đã đặt mã PIN. Bây giờ hãy ghi lại mã khôi phục</translation>
    </message>
    <message>
        <source>If you forget the PIN, this code sets a new one (on the PIN page, under &quot;Forgot the PIN?&quot;). Keep it somewhere safe, away from the children. It is shown only now: Bảo An keeps no copy it could show again.</source>
        <translation>Nếu quên mã PIN, mã này giúp đặt mã PIN mới (ở trang mã PIN, mục &quot;Quên mã PIN?&quot;). Hãy cất ở nơi an toàn, xa tầm tay các con. Mã chỉ hiện lần này: Bảo An không giữ bản nào để hiện lại.</translation>
    </message>
    <message>
        <source>I have &amp;written the code down</source>
        <translation>Tôi đã &amp;ghi lại mã</translation>
    </message>
    <message>
        <source>&amp;Next</source>
        <translation>&amp;Tiếp</translation>
    </message>
    <message>
        <source>&amp;Done</source>
        <translation>&amp;Xong</translation>
    </message>
    <message>
        <source>Your first child</source>
        <translation>Thông tin của con</translation>
    </message>
    <message>
        <source>Tell Bảo An about the child who uses this computer. Their age chooses what is blocked and how long they may use the computer; you can change each rule later. Nothing is saved until you press Save.</source>
        <translation>Hãy cho Bảo An biết về con dùng máy tính này. Tuổi của con quyết định những gì bị chặn và con được dùng máy bao lâu; bạn có thể đổi từng quy định sau. Chưa có gì được lưu cho đến khi bạn bấm Lưu.</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Lưu</translation>
    </message>
    <message>
        <source>&amp;Later</source>
        <translation>Để &amp;sau</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>Allowed</source>
        <translation>Cho phép</translation>
    </message>
    <message>
        <source>Allowed (cached)</source>
        <translation>Cho phép (bộ nhớ đệm)</translation>
    </message>
    <message>
        <source>Blocked</source>
        <translation>Đã chặn</translation>
    </message>
    <message>
        <source>Made safe</source>
        <translation>Chuyển sang chế độ an toàn</translation>
    </message>
    <message>
        <source>Bypass attempt stopped</source>
        <translation>Đã chặn một lần vượt rào</translation>
    </message>
    <message>
        <source>Lookup failed</source>
        <translation>Không tra cứu được</translation>
    </message>
    <message>
        <source>Points to %1: %2</source>
        <translation>Trỏ tới %1: %2</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Blocked app or service: %1</source>
        <translation>Ứng dụng hoặc dịch vụ bị chặn: %1</translation>
    </message>
    <message>
        <source>Safe search (%1)</source>
        <translation>Tìm kiếm an toàn (%1)</translation>
    </message>
    <message>
        <source>Answered by %1</source>
        <translation>Máy chủ DNS %1 trả lời</translation>
    </message>
    <message>
        <source>Only pages a parent picked</source>
        <translation>Chỉ mở những trang cha mẹ đã chọn</translation>
    </message>
    <message>
        <source>Help site, always open</source>
        <translation>Trang trợ giúp, luôn mở</translation>
    </message>
    <message>
        <source>Allowed by a parent for now</source>
        <translation>Cha mẹ đang tạm cho phép</translation>
    </message>
    <message>
        <source>Keeps devices on this filter</source>
        <translation>Giữ thiết bị dùng bộ lọc này</translation>
    </message>
    <message>
        <source>Home network name, answered here</source>
        <translation>Tên trong mạng nhà, trả lời tại máy này</translation>
    </message>
    <message>
        <source>From the cache</source>
        <translation>Từ bộ nhớ đệm</translation>
    </message>
    <message>
        <source>From an old cached copy (DNS servers not answering)</source>
        <translation>Từ bản lưu cũ trong bộ nhớ đệm (máy chủ DNS không trả lời)</translation>
    </message>
    <message>
        <source>No DNS server answered</source>
        <translation>Không máy chủ DNS nào trả lời</translation>
    </message>
    <message>
        <source>No rule matched</source>
        <translation>Không có quy tắc nào áp dụng</translation>
    </message>
    <message>
        <source>Not filtered (no child)</source>
        <translation>Không lọc (không thuộc con nào)</translation>
    </message>
    <message>
        <source>Other reason</source>
        <translation>Lý do khác</translation>
    </message>
    <message>
        <source>Everything</source>
        <translation>Mọi trang</translation>
    </message>
    <message>
        <source>%1: break time %2</source>
        <translation>%1: giờ nghỉ %2</translation>
    </message>
    <message>
        <source>%1: not open at any time</source>
        <translation>%1: không mở giờ nào</translation>
    </message>
    <message>
        <source>%1: open only %2</source>
        <translation>%1: chỉ mở %2</translation>
    </message>
    <message>
        <source>Adult content</source>
        <translation>Nội dung người lớn</translation>
    </message>
    <message>
        <source>Dating</source>
        <translation>Hẹn hò</translation>
    </message>
    <message>
        <source>Drugs</source>
        <translation>Ma túy và chất cấm</translation>
    </message>
    <message>
        <source>Social networks</source>
        <translation>Mạng xã hội</translation>
    </message>
    <message>
        <source>Ads and trackers</source>
        <translation>Quảng cáo và theo dõi</translation>
    </message>
    <message>
        <source>Outside allowed hours</source>
        <translation>Ngoài giờ được phép</translation>
    </message>
    <message>
        <source>Blocked app or service</source>
        <translation>Ứng dụng hoặc dịch vụ bị chặn</translation>
    </message>
    <message>
        <source>Parent&apos;s block list</source>
        <translation>Danh sách chặn của cha mẹ</translation>
    </message>
    <message>
        <source>No more %1 time today</source>
        <translation>Hết giờ %1 hôm nay</translation>
    </message>
    <message>
        <source>No more screen time for this today</source>
        <translation>Hôm nay đã hết giờ cho mục này</translation>
    </message>
    <message>
        <source>Parent&apos;s allow list</source>
        <translation>Danh sách cho phép của cha mẹ</translation>
    </message>
    <message>
        <source>Gambling and betting</source>
        <translation>Cờ bạc, cá độ</translation>
    </message>
    <message>
        <source>Malware and phishing</source>
        <translation>Mã độc và trang giả mạo</translation>
    </message>
    <message>
        <source>Scams</source>
        <translation>Lừa đảo</translation>
    </message>
    <message>
        <source>Violence and hate</source>
        <translation>Bạo lực và kích động thù ghét</translation>
    </message>
    <message>
        <source>Weapons and dangerous material</source>
        <translation>Vũ khí và vật liệu nguy hiểm</translation>
    </message>
    <message>
        <source>Chat and messaging</source>
        <translation>Nhắn tin và trò chuyện</translation>
    </message>
    <message>
        <source>Online games</source>
        <translation>Trò chơi trực tuyến</translation>
    </message>
    <message>
        <source>Video and music</source>
        <translation>Video và âm nhạc</translation>
    </message>
    <message>
        <source>Online shopping</source>
        <translation>Mua sắm trực tuyến</translation>
    </message>
    <message>
        <source>Filter bypass (VPN, proxy, encrypted DNS)</source>
        <translation>Vượt rào (VPN, proxy, DNS mã hóa)</translation>
    </message>
    <message>
        <source>Piracy</source>
        <translation>Phim, nhạc và phần mềm lậu</translation>
    </message>
    <message>
        <source>Hacking</source>
        <translation>Bẻ khóa và tấn công mạng</translation>
    </message>
    <message>
        <source>Link shorteners</source>
        <translation>Rút gọn liên kết</translation>
    </message>
    <message>
        <source>Pornography and other sexual content.</source>
        <translation>Phim ảnh khiêu dâm và các nội dung tình dục khác.</translation>
    </message>
    <message>
        <source>Casinos, betting on football, lotteries and card games for money.</source>
        <translation>Sòng bạc, cá độ bóng đá, xổ số và đánh bài ăn tiền.</translation>
    </message>
    <message>
        <source>Sites that spread viruses or steal passwords and bank details.</source>
        <translation>Trang phát tán virus hoặc lấy cắp mật khẩu, thông tin ngân hàng.</translation>
    </message>
    <message>
        <source>Fake shops, fake prizes and other tricks to take money.</source>
        <translation>Cửa hàng giả, trúng thưởng giả và những chiêu lừa lấy tiền khác.</translation>
    </message>
    <message>
        <source>Sites for meeting strangers for dates.</source>
        <translation>Trang làm quen, hẹn hò với người lạ.</translation>
    </message>
    <message>
        <source>Selling or promoting drugs and banned substances.</source>
        <translation>Mua bán hoặc cổ xúy ma túy và chất cấm.</translation>
    </message>
    <message>
        <source>Cruel violence, hate against groups of people.</source>
        <translation>Bạo lực tàn nhẫn, kích động thù ghét một nhóm người.</translation>
    </message>
    <message>
        <source>Weapons, explosives and how to make them.</source>
        <translation>Vũ khí, chất nổ và cách chế tạo chúng.</translation>
    </message>
    <message>
        <source>Chatting with anyone online, for example Messenger, Zalo, Discord.</source>
        <translation>Trò chuyện với bất kỳ ai trên mạng, ví dụ Messenger, Zalo, Discord.</translation>
    </message>
    <message>
        <source>Social networks such as Facebook, TikTok and Instagram.</source>
        <translation>Mạng xã hội như Facebook, TikTok, Instagram.</translation>
    </message>
    <message>
        <source>Online games and game shops, for example Roblox, Steam.</source>
        <translation>Trò chơi trực tuyến và cửa hàng trò chơi, ví dụ Roblox, Steam.</translation>
    </message>
    <message>
        <source>Watching videos and listening to music, for example YouTube, Netflix.</source>
        <translation>Xem video và nghe nhạc, ví dụ YouTube, Netflix.</translation>
    </message>
    <message>
        <source>Online shops such as Shopee, Lazada and Tiki.</source>
        <translation>Mua sắm trên mạng như Shopee, Lazada, Tiki.</translation>
    </message>
    <message>
        <source>VPNs, proxies and encrypted DNS that would get around Bảo An. Keep this blocked.</source>
        <translation>VPN, proxy và DNS mã hóa giúp vượt rào Bảo An. Nên luôn chặn mục này.</translation>
    </message>
    <message>
        <source>Films, music and software copied without permission.</source>
        <translation>Phim, nhạc và phần mềm sao chép trái phép.</translation>
    </message>
    <message>
        <source>Breaking into computers and cheating tools.</source>
        <translation>Xâm nhập máy tính người khác và công cụ gian lận.</translation>
    </message>
    <message>
        <source>Short links (such as bit.ly) that hide where they lead.</source>
        <translation>Liên kết rút gọn (như bit.ly) che giấu trang thật phía sau.</translation>
    </message>
    <message>
        <source>Preschool (0–5)</source>
        <translation>Mầm non (0–5 tuổi)</translation>
    </message>
    <message>
        <source>Primary school (6–10)</source>
        <translation>Tiểu học (6–10 tuổi)</translation>
    </message>
    <message>
        <source>Lower secondary (11–14)</source>
        <translation>THCS (11–14 tuổi)</translation>
    </message>
    <message>
        <source>Upper secondary (15–17)</source>
        <translation>THPT (15–17 tuổi)</translation>
    </message>
    <message>
        <source>%n min</source>
        <translation>%n phút</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 giờ %2 phút</translation>
    </message>
    <message>
        <source>%n s</source>
        <translation>%n giây</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 phút %2 giây</translation>
    </message>
</context>
<context>
    <name>ListSourcesTableModel</name>
    <message>
        <source>Category</source>
        <translation>Nhóm nội dung</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Nguồn</translation>
    </message>
    <message>
        <source>Entries</source>
        <translation>Số mục</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Cập nhật lúc</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>Chưa bao giờ</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <source>Set the parent PIN</source>
        <translation>Đặt mã PIN của cha mẹ</translation>
    </message>
    <message>
        <source>No PIN has been set yet. Choose a PIN of 4 to 12 digits that only the parents know; it protects the settings and the history.</source>
        <translation>Chưa có mã PIN. Hãy chọn một mã PIN gồm 4 đến 12 chữ số mà chỉ cha mẹ biết; mã này bảo vệ phần cài đặt và lịch sử.</translation>
    </message>
    <message>
        <source>Reset the parent PIN</source>
        <translation>Đặt lại mã PIN của cha mẹ</translation>
    </message>
    <message>
        <source>Forgot the PIN? Choose a new one of 4 to 12 digits. The history and the rules stay as they are.</source>
        <translation>Quên mã PIN? Hãy chọn mã mới gồm 4 đến 12 chữ số. Lịch sử và các quy tắc vẫn giữ nguyên.</translation>
    </message>
    <message>
        <source>New PIN</source>
        <translation>Mã PIN mới</translation>
    </message>
    <message>
        <source>Type the PIN again</source>
        <translation>Nhập lại mã PIN</translation>
    </message>
    <message>
        <source>Set-up code</source>
        <translation>Mã cài đặt</translation>
    </message>
    <message>
        <source>To show that you set up this PC, enter its one-time set-up code. On the PC&apos;s administrator account, run: %1</source>
        <translation>Để chứng tỏ bạn là người đã cài đặt máy này, hãy nhập mã cài đặt dùng một lần của máy. Trên tài khoản quản trị của máy, hãy chạy: %1</translation>
    </message>
    <message>
        <source>Recovery code or set-up code</source>
        <translation>Mã khôi phục hoặc mã cài đặt</translation>
    </message>
    <message>
        <source>Enter the recovery code you wrote down when the PIN was set, or the PC&apos;s one-time set-up code (on the PC&apos;s administrator account, run: %1).</source>
        <translation>Nhập mã khôi phục bạn đã ghi lại khi đặt mã PIN, hoặc mã cài đặt dùng một lần của máy (trên tài khoản quản trị của máy, chạy: %1).</translation>
    </message>
    <message>
        <source>Set PIN</source>
        <translation>Đặt mã PIN</translation>
    </message>
    <message>
        <source>For parents</source>
        <translation>Dành cho cha mẹ</translation>
    </message>
    <message>
        <source>Enter the parent PIN to see the children, the history and the rules.</source>
        <translation>Nhập mã PIN của cha mẹ để xem thông tin của các con, lịch sử truy cập và các quy tắc.</translation>
    </message>
    <message>
        <source>Parent PIN</source>
        <translation>Mã PIN của cha mẹ</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Mở khóa</translation>
    </message>
    <message>
        <source>Forgot the PIN?</source>
        <translation>Quên mã PIN?</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Quay lại</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Đang kiểm tra…</translation>
    </message>
    <message>
        <source>Wrong PIN.</source>
        <translation>Mã PIN không đúng.</translation>
    </message>
    <message numerus="yes">
        <source>Wrong PIN. %n try(s) left before a lockout.</source>
        <translation>
            <numerusform>Mã PIN không đúng. Còn %n lần thử trước khi bị tạm khóa.</numerusform>
        </translation>
    </message>
    <message>
        <source>Too many wrong tries. Try again in %1.</source>
        <translation>Nhập sai quá nhiều lần. Hãy thử lại sau %1.</translation>
    </message>
    <message>
        <source>Wrong code.</source>
        <translation>Mã không đúng.</translation>
    </message>
    <message numerus="yes">
        <source>Wrong code. %n try(s) left before a lockout.</source>
        <translation>
            <numerusform>Mã không đúng. Còn %n lần thử trước khi bị tạm khóa.</numerusform>
        </translation>
    </message>
    <message>
        <source>Enter the set-up code of this PC.</source>
        <translation>Hãy nhập mã cài đặt của máy này.</translation>
    </message>
    <message numerus="yes">
        <source>Wrong set-up code. %n try(s) left before a lockout.</source>
        <translation>
            <numerusform>Mã cài đặt không đúng. Còn %n lần thử trước khi bị tạm khóa.</numerusform>
        </translation>
    </message>
    <message>
        <source>A PIN has 4 to 12 digits.</source>
        <translation>Mã PIN gồm 4 đến 12 chữ số.</translation>
    </message>
    <message>
        <source>The two PINs are not the same. Type them again.</source>
        <translation>Hai mã PIN không giống nhau. Hãy nhập lại.</translation>
    </message>
    <message>
        <source>Something went wrong: %1</source>
        <translation>Đã có lỗi: %1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>The parent session ended. Enter the PIN again.</source>
        <translation>Phiên làm việc của cha mẹ đã hết hạn. Hãy nhập lại mã PIN.</translation>
    </message>
    <message>
        <source>Locked. Enter the PIN to see the children&apos;s data again.</source>
        <translation>Đã khóa. Nhập mã PIN để xem lại thông tin của các con.</translation>
    </message>
    <message>
        <source>Locked because it was not used for a few minutes. Enter the PIN to go on.</source>
        <translation>Đã khóa vì không được dùng trong vài phút. Nhập mã PIN để dùng tiếp.</translation>
    </message>
    <message>
        <source>The last request failed: %1</source>
        <translation>Yêu cầu gần nhất không thành công: %1</translation>
    </message>
    <message>
        <source>Updated at %1</source>
        <translation>Cập nhật lúc %1</translation>
    </message>
    <message>
        <source>Bảo An — for parents</source>
        <translation>Bảo An — Dành cho cha mẹ</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Ngôn ngữ</translation>
    </message>
</context>
<context>
    <name>MinuteLimitsTableModel</name>
    <message>
        <source>Kind</source>
        <translation>Loại</translation>
    </message>
    <message>
        <source>Limited</source>
        <translation>Giới hạn cho</translation>
    </message>
    <message>
        <source>A day</source>
        <translation>Mỗi ngày</translation>
    </message>
    <message>
        <source>Kind of site or app</source>
        <translation>Loại trang web, ứng dụng</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Dịch vụ</translation>
    </message>
</context>
<context>
    <name>OverviewPage</name>
    <message>
        <source>Today, %1</source>
        <translation>Hôm nay, %1</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Hôm nay</translation>
    </message>
    <message>
        <source>This version of Bảo An cannot show the overview.</source>
        <translation>Phiên bản Bảo An này chưa xem được trang tổng quan.</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Đang tải…</translation>
    </message>
    <message>
        <source>No child is set up yet.</source>
        <translation>Chưa có con nào được cài đặt.</translation>
    </message>
    <message>
        <source>Today&apos;s alerts</source>
        <translation>Cảnh báo hôm nay</translation>
    </message>
</context>
<context>
    <name>PagesModels</name>
    <message>
        <source>Protection is whole</source>
        <translation>Được bảo vệ đầy đủ</translation>
    </message>
    <message>
        <source>Protection needs a look (see above)</source>
        <translation>Việc bảo vệ cần được kiểm tra (xem ở trên)</translation>
    </message>
    <message>
        <source>The computer&apos;s DNS goes through Bảo An</source>
        <translation>DNS của máy tính đi qua Bảo An</translation>
    </message>
    <message>
        <source>The computer&apos;s DNS does not go through Bảo An: it asks %1</source>
        <translation>DNS của máy tính không đi qua Bảo An: máy đang hỏi %1</translation>
    </message>
    <message>
        <source>The computer&apos;s DNS cannot go through Bảo An: its filter does not answer on the usual port 53 (as in the try-out)</source>
        <translation>DNS của máy tính không thể đi qua Bảo An: bộ lọc không trả lời ở cổng 53 thông thường (như khi dùng thử)</translation>
    </message>
    <message>
        <source>The computer has no DNS server set</source>
        <translation>Máy tính chưa đặt máy chủ DNS nào</translation>
    </message>
    <message>
        <source>The computer&apos;s DNS settings were changed: they no longer point at Bảo An</source>
        <translation>Cài đặt DNS của máy tính đã bị đổi: không còn trỏ tới Bảo An</translation>
    </message>
    <message>
        <source>Not known whether the computer&apos;s DNS goes through Bảo An (it asks %1, which hides where it asks next)</source>
        <translation>Chưa biết DNS của máy tính có đi qua Bảo An không (máy hỏi %1, nơi này không cho biết sẽ hỏi tiếp ở đâu)</translation>
    </message>
    <message>
        <source>Not known whether the computer&apos;s DNS goes through Bảo An</source>
        <translation>Chưa biết DNS của máy tính có đi qua Bảo An không</translation>
    </message>
    <message>
        <source>Block lists are up to date</source>
        <translation>Danh sách chặn đã được cập nhật</translation>
    </message>
    <message>
        <source>Block lists have not been updated for a while</source>
        <translation>Danh sách chặn đã lâu chưa được cập nhật</translation>
    </message>
    <message>
        <source>No block list is loaded</source>
        <translation>Chưa nạp danh sách chặn nào</translation>
    </message>
    <message>
        <source>Bảo An&apos;s icon is running for %1</source>
        <translation>Biểu tượng Bảo An đang chạy cho %1</translation>
    </message>
    <message>
        <source>Bảo An&apos;s icon is not running for %1</source>
        <translation>Biểu tượng Bảo An không chạy cho %1</translation>
    </message>
    <message>
        <source>%1 has not used the computer since Bảo An started</source>
        <translation>%1 chưa dùng máy từ khi Bảo An khởi động</translation>
    </message>
    <message>
        <source>Blocked attempts: %1</source>
        <translation>Số lần bị chặn: %1</translation>
    </message>
    <message>
        <source>Requests waiting: %1</source>
        <translation>Yêu cầu đang chờ: %1</translation>
    </message>
    <message>
        <source>Alerts today: %1</source>
        <translation>Cảnh báo hôm nay: %1</translation>
    </message>
    <message>
        <source>No limit today</source>
        <translation>Hôm nay không giới hạn</translation>
    </message>
    <message>
        <source>Outside the hours the computer may be used</source>
        <translation>Đang ngoài giờ được dùng máy</translation>
    </message>
    <message>
        <source>No time left today</source>
        <translation>Hôm nay đã hết giờ</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>Còn %1</translation>
    </message>
    <message>
        <source>Used today: %1</source>
        <translation>Hôm nay đã dùng: %1</translation>
    </message>
    <message>
        <source>No app used yet</source>
        <translation>Chưa dùng ứng dụng nào</translation>
    </message>
    <message>
        <source>No website visited yet</source>
        <translation>Chưa vào trang web nào</translation>
    </message>
    <message>
        <source>Nothing waits for you</source>
        <translation>Không có gì chờ cha mẹ</translation>
    </message>
    <message>
        <source>On this computer&apos;s Wayland session, Bảo An sees idle time and the apps that are running, but not which window is in front, so app time is counted from the apps that are running.</source>
        <translation>Trên phiên Wayland của máy này, Bảo An thấy lúc máy để yên và các ứng dụng đang chạy, nhưng không thấy cửa sổ nào đang ở trên cùng, nên thời gian dùng ứng dụng được tính theo các ứng dụng đang chạy.</translation>
    </message>
    <message>
        <source>%1 blocked</source>
        <translation>%1 lần bị chặn</translation>
    </message>
    <message>
        <source>Nothing recorded on these days</source>
        <translation>Những ngày này chưa ghi nhận gì</translation>
    </message>
    <message>
        <source>In all %1; the most on %2 (%3); most of it: %4</source>
        <translation>Tổng cộng %1; nhiều nhất vào %2 (%3); phần lớn là: %4</translation>
    </message>
    <message>
        <source>Everything else</source>
        <translation>Còn lại</translation>
    </message>
    <message>
        <source>Other apps</source>
        <translation>Ứng dụng khác</translation>
    </message>
    <message>
        <source>Other reasons</source>
        <translation>Lý do khác</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>T2</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>T3</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>T4</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>T5</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>T6</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>T7</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>CN</translation>
    </message>
</context>
<context>
    <name>ParentPage</name>
    <message numerus="yes">
        <source>%n request(s) waiting for your answer.</source>
        <translation>
            <numerusform>Có %n yêu cầu đang chờ bạn trả lời.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Requests and alerts (%n)</source>
        <translation>
            <numerusform>Yêu cầu và cảnh báo (%n)</numerusform>
        </translation>
    </message>
    <message>
        <source>Requests and alerts</source>
        <translation>Yêu cầu và cảnh báo</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Tổng quan</translation>
    </message>
    <message>
        <source>Children</source>
        <translation>Các con</translation>
    </message>
    <message>
        <source>Websites visited</source>
        <translation>Trang web đã truy cập</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>Thống kê</translation>
    </message>
    <message>
        <source>Activity</source>
        <translation>Hoạt động</translation>
    </message>
    <message>
        <source>Web</source>
        <translation>Web</translation>
    </message>
    <message>
        <source>Screen time</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>The parent&apos;s pages</source>
        <translation>Các trang của cha mẹ</translation>
    </message>
    <message>
        <source>The children&apos;s requests</source>
        <translation>Yêu cầu của các con</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>Khóa</translation>
    </message>
</context>
<context>
    <name>QueryLogTab</name>
    <message>
        <source>Show:</source>
        <translation>Xem của:</translation>
    </message>
    <message numerus="yes">
        <source>The %n newest queries</source>
        <translation>
            <numerusform>%n lượt truy cập gần nhất</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>QueryLogTableModel</name>
    <message>
        <source>Time</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Child</source>
        <translation>Con</translation>
    </message>
    <message>
        <source>Website</source>
        <translation>Trang web</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Kết quả</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
    <message numerus="yes">
        <source>Asked %n time(s) within the minute</source>
        <translation>
            <numerusform>Hỏi %n lần trong cùng một phút</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RequestsTab</name>
    <message>
        <source>Revoked: %1 can no longer open %2.</source>
        <translation>Đã thu hồi: %1 không mở được %2 nữa.</translation>
    </message>
    <message>
        <source>Allowed: %1 may open %2 until %3.</source>
        <translation>Đã cho phép: %1 được mở %2 đến %3.</translation>
    </message>
    <message>
        <source>Allowed: %1 may open %2 until you revoke it.</source>
        <translation>Đã cho phép: %1 được mở %2 cho đến khi bạn thu hồi.</translation>
    </message>
    <message>
        <source>Not allowed: %1 will not see %2.</source>
        <translation>Không cho phép: %1 sẽ không mở được %2.</translation>
    </message>
    <message>
        <source>Revoked: %1 has no more extra time today.</source>
        <translation>Đã thu hồi: hôm nay %1 không còn thời gian thêm.</translation>
    </message>
    <message>
        <source>Allowed: %1 has %2 more minutes today.</source>
        <translation>Đã cho phép: hôm nay %1 có thêm %2 phút.</translation>
    </message>
    <message>
        <source>Not allowed: %1 gets no more time today.</source>
        <translation>Không cho phép: hôm nay %1 không được thêm thời gian.</translation>
    </message>
    <message>
        <source>This request was already answered, perhaps on another device. The list now shows that answer.</source>
        <translation>Yêu cầu này đã được trả lời rồi, có thể trên một thiết bị khác. Danh sách đã hiện câu trả lời đó.</translation>
    </message>
    <message>
        <source>Bảo An is not answering, so nothing was changed. Try again in a moment.</source>
        <translation>Bảo An không phản hồi nên chưa có gì thay đổi. Hãy thử lại sau giây lát.</translation>
    </message>
    <message>
        <source>This request no longer exists.</source>
        <translation>Yêu cầu này không còn nữa.</translation>
    </message>
    <message>
        <source>Your answer could not be saved (%1). Try again.</source>
        <translation>Chưa lưu được câu trả lời của bạn (%1). Hãy thử lại.</translation>
    </message>
    <message>
        <source>Sending your answer…</source>
        <translation>Đang gửi câu trả lời…</translation>
    </message>
    <message>
        <source>Pick a request in the list to answer it.</source>
        <translation>Chọn một yêu cầu trong danh sách để trả lời.</translation>
    </message>
    <message>
        <source>Reason: %1</source>
        <translation>Lý do: %1</translation>
    </message>
    <message>
        <source>(no reason given)</source>
        <translation>(con không ghi lý do)</translation>
    </message>
    <message>
        <source>This Bảo An agent does not take requests yet.</source>
        <translation>Bản Bảo An này chưa nhận yêu cầu của con.</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s) waiting for your answer.</source>
        <translation>
            <numerusform>Có %n yêu cầu đang chờ bạn trả lời.</numerusform>
        </translation>
    </message>
    <message>
        <source>No request is waiting for your answer.</source>
        <translation>Không có yêu cầu nào đang chờ bạn trả lời.</translation>
    </message>
    <message>
        <source>Selected request</source>
        <translation>Yêu cầu đang chọn</translation>
    </message>
    <message>
        <source>Allow &amp;30 minutes</source>
        <translation>Cho phép &amp;30 phút</translation>
    </message>
    <message>
        <source>Allow &amp;1 hour</source>
        <translation>Cho phép &amp;1 giờ</translation>
    </message>
    <message>
        <source>Allow &amp;2 hours</source>
        <translation>Cho phép &amp;2 giờ</translation>
    </message>
    <message>
        <source>Allow until the &amp;end of today</source>
        <translation>Cho phép đến &amp;hết hôm nay</translation>
    </message>
    <message>
        <source>Do &amp;not allow</source>
        <translation>&amp;Không cho phép</translation>
    </message>
    <message>
        <source>&amp;Revoke now</source>
        <translation>&amp;Thu hồi ngay</translation>
    </message>
</context>
<context>
    <name>RequestsTableModel</name>
    <message>
        <source>Child</source>
        <translation>Con</translation>
    </message>
    <message>
        <source>Website</source>
        <translation>Trang web</translation>
    </message>
    <message>
        <source>Child&apos;s reason</source>
        <translation>Lý do của con</translation>
    </message>
    <message>
        <source>Asked at</source>
        <translation>Lúc xin</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Waiting for your answer</source>
        <translation>Đang chờ bạn trả lời</translation>
    </message>
    <message>
        <source>Allowed until you revoke it</source>
        <translation>Được phép đến khi bạn thu hồi</translation>
    </message>
    <message>
        <source>Allowed until %1</source>
        <translation>Được phép đến %1</translation>
    </message>
    <message>
        <source>Not allowed</source>
        <translation>Không cho phép</translation>
    </message>
    <message>
        <source>Time is up</source>
        <translation>Đã hết giờ</translation>
    </message>
    <message>
        <source>Revoked</source>
        <translation>Đã thu hồi</translation>
    </message>
    <message>
        <source>%1 more minutes</source>
        <translation>thêm %1 phút</translation>
    </message>
    <message>
        <source>%1 asks for %2 more minutes (at %3)</source>
        <translation>%1 xin thêm %2 phút (lúc %3)</translation>
    </message>
    <message>
        <source>%1 asks to open %2 (at %3)</source>
        <translation>%1 xin mở %2 (lúc %3)</translation>
    </message>
    <message>
        <source>(no reason given)</source>
        <translation>(con không ghi lý do)</translation>
    </message>
    <message>
        <source>Answered at %1</source>
        <translation>Trả lời lúc %1</translation>
    </message>
</context>
<context>
    <name>ScheduleEditor</name>
    <message>
        <source>Changed, not saved yet: press Save hours.</source>
        <translation>Đã sửa, chưa lưu: bấm Lưu giờ.</translation>
    </message>
    <message>
        <source>This window is in the list already.</source>
        <translation>Khung giờ này đã có trong danh sách.</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Đang lưu…</translation>
    </message>
    <message>
        <source>Saved. %1&apos;s new hours work now.</source>
        <translation>Đã lưu. Giờ mới của %1 có hiệu lực ngay.</translation>
    </message>
    <message>
        <source>These hours were changed somewhere else since you opened them, so your changes were not saved. They are still here: press Save hours again to apply them.</source>
        <translation>Các giờ này đã được thay đổi ở nơi khác từ khi bạn mở ra, nên thay đổi của bạn chưa được lưu. Chúng vẫn còn đây: bấm Lưu giờ lần nữa để áp dụng.</translation>
    </message>
    <message>
        <source>Bảo An could not save these hours:</source>
        <translation>Bảo An không lưu được các giờ này:</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Chưa lưu: %1</translation>
    </message>
    <message>
        <source>Internet hours</source>
        <translation>Giờ dùng Internet</translation>
    </message>
    <message>
        <source>Hours for:</source>
        <translation>Đặt giờ cho:</translation>
    </message>
    <message>
        <source>Hours for the whole internet, a kind of site or app, or a service</source>
        <translation>Đặt giờ cho toàn bộ Internet, một loại trang web hay ứng dụng, hoặc một dịch vụ</translation>
    </message>
    <message>
        <source>Rule:</source>
        <translation>Quy định:</translation>
    </message>
    <message>
        <source>Internet only in these hours</source>
        <translation>Chỉ dùng Internet trong các giờ này</translation>
    </message>
    <message>
        <source>No internet in these hours</source>
        <translation>Không dùng Internet trong các giờ này</translation>
    </message>
    <message>
        <source>Open only in these hours</source>
        <translation>Chỉ mở trong các giờ này</translation>
    </message>
    <message>
        <source>Blocked in these hours</source>
        <translation>Bị chặn trong các giờ này</translation>
    </message>
    <message>
        <source>Save hours</source>
        <translation>Lưu giờ</translation>
    </message>
</context>
<context>
    <name>ScheduleModel</name>
    <message>
        <source>Monday</source>
        <translation>Thứ Hai</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation>Thứ Ba</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation>Thứ Tư</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation>Thứ Năm</translation>
    </message>
    <message>
        <source>Friday</source>
        <translation>Thứ Sáu</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation>Thứ Bảy</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation>Chủ Nhật</translation>
    </message>
    <message>
        <source>%1: the whole day</source>
        <translation>%1: cả ngày</translation>
    </message>
    <message>
        <source>%1: %2 – %3</source>
        <translation>%1: %2 – %3</translation>
    </message>
    <message>
        <source>(the next morning)</source>
        <translation>(sáng hôm sau)</translation>
    </message>
    <message>
        <source>The whole internet</source>
        <translation>Toàn bộ Internet</translation>
    </message>
    <message>
        <source>%1 (hours set)</source>
        <translation>%1 (đã đặt giờ)</translation>
    </message>
</context>
<context>
    <name>ScreenTimeTab</name>
    <message>
        <source>No limit today.</source>
        <translation>Hôm nay không giới hạn thời gian.</translation>
    </message>
    <message>
        <source>Time left today: %1</source>
        <translation>Hôm nay còn: %1</translation>
    </message>
    <message>
        <source>Extra today: %1</source>
        <translation>Thêm hôm nay: %1</translation>
    </message>
    <message>
        <source>Changed, not saved yet: press Save.</source>
        <translation>Đã sửa, chưa lưu: bấm Lưu.</translation>
    </message>
    <message>
        <source>This window is in the list already.</source>
        <translation>Khung giờ này đã có trong danh sách.</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Đang lưu…</translation>
    </message>
    <message>
        <source>Saved. %1&apos;s new limits work now.</source>
        <translation>Đã lưu. Giới hạn mới của %1 có hiệu lực ngay.</translation>
    </message>
    <message>
        <source>These limits were changed somewhere else since you opened them, so your changes were not saved. They are still here: press Save again to apply them, or Reload to see the new limits.</source>
        <translation>Giới hạn này đã được thay đổi ở nơi khác sau khi bạn mở ra, nên thay đổi của bạn chưa được lưu. Thay đổi của bạn vẫn còn đây: bấm Lưu lần nữa để áp dụng, hoặc Tải lại để xem giới hạn mới.</translation>
    </message>
    <message>
        <source>Bảo An could not save these limits:</source>
        <translation>Bảo An không lưu được giới hạn này:</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Chưa lưu được: %1</translation>
    </message>
    <message>
        <source>Limits of:</source>
        <translation>Giới hạn của:</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>Tải lại</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Minutes a day</source>
        <translation>Số phút mỗi ngày</translation>
    </message>
    <message>
        <source>Monday</source>
        <translation>Thứ Hai</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation>Thứ Ba</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation>Thứ Tư</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation>Thứ Năm</translation>
    </message>
    <message>
        <source>Friday</source>
        <translation>Thứ Sáu</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation>Thứ Bảy</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation>Chủ Nhật</translation>
    </message>
    <message>
        <source> min</source>
        <translation> phút</translation>
    </message>
    <message>
        <source>When time runs out</source>
        <translation>Khi hết giờ</translation>
    </message>
    <message>
        <source>Then:</source>
        <translation>Thì:</translation>
    </message>
    <message>
        <source>Lock the computer</source>
        <translation>Khóa máy tính</translation>
    </message>
    <message>
        <source>Sign the child out</source>
        <translation>Đăng xuất tài khoản của con</translation>
    </message>
    <message>
        <source>Close the app in use</source>
        <translation>Đóng ứng dụng đang dùng</translation>
    </message>
    <message>
        <source>Only tell the child and you</source>
        <translation>Chỉ báo cho con và cha mẹ</translation>
    </message>
    <message>
        <source>Warn before (minutes):</source>
        <translation>Báo trước (phút):</translation>
    </message>
    <message>
        <source>Warnings before time runs out, in minutes</source>
        <translation>Báo trước khi hết giờ, tính bằng phút</translation>
    </message>
    <message>
        <source>For example 15, 5, 1</source>
        <translation>Ví dụ 15, 5, 1</translation>
    </message>
    <message>
        <source>Write whole minutes, separated by commas, for example 15, 5, 1.</source>
        <translation>Ghi số phút nguyên, cách nhau bằng dấu phẩy, ví dụ 15, 5, 1.</translation>
    </message>
    <message>
        <source>Extra time today</source>
        <translation>Thêm giờ hôm nay</translation>
    </message>
    <message>
        <source>Give:</source>
        <translation>Cho thêm:</translation>
    </message>
    <message>
        <source>Extra minutes</source>
        <translation>Số phút cho thêm</translation>
    </message>
    <message>
        <source>Give extra minutes now</source>
        <translation>Cho thêm ngay</translation>
    </message>
    <message>
        <source>Limits for a kind of site or app, or a service</source>
        <translation>Giới hạn theo loại trang web, ứng dụng hoặc theo dịch vụ</translation>
    </message>
    <message>
        <source>Limit on</source>
        <translation>Giới hạn cho</translation>
    </message>
    <message>
        <source>Minutes a day for it</source>
        <translation>Số phút mỗi ngày</translation>
    </message>
    <message>
        <source>Add or change</source>
        <translation>Thêm hoặc đổi</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Bỏ</translation>
    </message>
    <message>
        <source>Allowed hours</source>
        <translation>Giờ được dùng máy</translation>
    </message>
    <message>
        <source>Always-allowed apps</source>
        <translation>Ứng dụng luôn được dùng</translation>
    </message>
    <message>
        <source>Tick the apps the child may always use, such as school apps: they count no screen time and are never closed. The list holds the apps seen on this computer; an app not seen yet can be typed below, by its file name or its full path.</source>
        <translation>Đánh dấu những ứng dụng con luôn được dùng, như ứng dụng học tập: chúng không tính vào thời gian dùng máy và không bao giờ bị đóng. Danh sách gồm các ứng dụng đã thấy trên máy tính này; ứng dụng chưa thấy thì gõ vào ô bên dưới, bằng tên tệp hoặc đường dẫn đầy đủ.</translation>
    </message>
    <message>
        <source>An app not seen yet:</source>
        <translation>Ứng dụng chưa thấy:</translation>
    </message>
    <message>
        <source>zoom, or C:\Program Files\Zoom\bin\Zoom.exe</source>
        <translation>zoom, hoặc C:\Program Files\Zoom\bin\Zoom.exe</translation>
    </message>
    <message>
        <source>An always-allowed app: its file name or full path</source>
        <translation>Ứng dụng luôn được dùng: tên tệp hoặc đường dẫn đầy đủ</translation>
    </message>
    <message>
        <source>Add app</source>
        <translation>Thêm ứng dụng</translation>
    </message>
    <message>
        <source>Space ticks or unticks the selected app</source>
        <translation>Phím cách đánh dấu hoặc bỏ đánh dấu ứng dụng đang chọn</translation>
    </message>
    <message>
        <source>No app has been seen on this computer yet. Apps appear here once the child has used them with Bảo An running.</source>
        <translation>Chưa thấy ứng dụng nào trên máy tính này. Ứng dụng sẽ hiện ở đây khi con đã dùng chúng lúc Bảo An đang chạy.</translation>
    </message>
    <message>
        <source>Read the apps again</source>
        <translation>Đọc lại danh sách ứng dụng</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Pause protection for %1 minutes? Blocked websites open until then, and the family&apos;s caregivers are told.</source>
        <translation>Tạm dừng bảo vệ %1 phút? Đến lúc đó các trang bị chặn sẽ mở được, và người thân trong gia đình được báo.</translation>
    </message>
    <message>
        <source>Pause protection</source>
        <translation>Tạm dừng bảo vệ</translation>
    </message>
    <message>
        <source>Delete everything Bảo An keeps about %1: websites visited, screen time, requests and alerts? This cannot be undone. Export a copy first if you want one.</source>
        <translation>Xóa mọi thứ Bảo An giữ về %1: các trang web đã vào, thời gian dùng máy, các yêu cầu và cảnh báo? Việc này không hoàn tác được. Nếu muốn giữ một bản, hãy xuất trước.</translation>
    </message>
    <message>
        <source>Delete a child&apos;s data</source>
        <translation>Xóa dữ liệu của con</translation>
    </message>
    <message>
        <source>Make a new recovery code? The old one stops working. Write the new one down.</source>
        <translation>Tạo mã khôi phục mới? Mã cũ sẽ không dùng được nữa. Hãy ghi lại mã mới.</translation>
    </message>
    <message>
        <source>New recovery code</source>
        <translation>Mã khôi phục mới</translation>
    </message>
    <message>
        <source>Where to save the copy</source>
        <translation>Lưu bản sao vào đâu</translation>
    </message>
    <message>
        <source>Protection is on.</source>
        <translation>Bảo An đang bảo vệ.</translation>
    </message>
    <message>
        <source>Protection is paused until %1: nothing is blocked. It comes back by itself.</source>
        <translation>Đã tạm dừng bảo vệ đến %1: không trang nào bị chặn. Bảo vệ sẽ tự bật lại.</translation>
    </message>
    <message>
        <source>Downloading %1 of %2: %3</source>
        <translation>Đang tải %1/%2: %3</translation>
    </message>
    <message>
        <source>The lists are up to date: %1 changed, %2 could not be downloaded.</source>
        <translation>Danh sách đã cập nhật: %1 danh sách thay đổi, %2 không tải được.</translation>
    </message>
    <message>
        <source>Cancelled. The lists not downloaded keep their last copy.</source>
        <translation>Đã hủy. Các danh sách chưa tải giữ bản gần nhất.</translation>
    </message>
    <message>
        <source>The update failed. The last good lists stay in force.</source>
        <translation>Cập nhật không thành công. Bảo An vẫn dùng các danh sách tốt gần nhất.</translation>
    </message>
    <message>
        <source>Exporting %1&apos;s data…</source>
        <translation>Đang xuất dữ liệu của %1…</translation>
    </message>
    <message>
        <source>Saved (JSON and CSV):
%1</source>
        <translation>Đã lưu (JSON và CSV):
%1</translation>
    </message>
    <message>
        <source>The export was cancelled; nothing was saved.</source>
        <translation>Đã hủy xuất dữ liệu; không có tệp nào được lưu.</translation>
    </message>
    <message>
        <source>%1&apos;s data is deleted.</source>
        <translation>Đã xóa dữ liệu của %1.</translation>
    </message>
    <message>
        <source>It did not work: %1</source>
        <translation>Không thực hiện được: %1</translation>
    </message>
    <message>
        <source>The current PIN is not right.</source>
        <translation>Mã PIN hiện tại không đúng.</translation>
    </message>
    <message numerus="yes">
        <source>%n try(ies) left before a pause.</source>
        <translation>
            <numerusform>Còn %n lần thử trước khi phải chờ.</numerusform>
        </translation>
    </message>
    <message>
        <source>The PIN is changed. Other devices must enter the new PIN.</source>
        <translation>Đã đổi mã PIN. Các thiết bị khác phải nhập mã PIN mới.</translation>
    </message>
    <message>
        <source>Too many wrong PINs: wait a little, then try again.</source>
        <translation>Nhập sai mã PIN quá nhiều lần: hãy chờ một lát rồi thử lại.</translation>
    </message>
    <message>
        <source>The two new PINs are not the same.</source>
        <translation>Hai mã PIN mới không giống nhau.</translation>
    </message>
    <message>
        <source>Your new recovery code: %1
Write it down and keep it safe. It is shown only now.</source>
        <translation>Mã khôi phục mới của bạn: %1
Hãy ghi lại và cất kỹ. Mã chỉ hiện lần này.</translation>
    </message>
    <message>
        <source>Bảo An %1 keeps children safe online on this computer: it filters websites, limits screen time and tells the family when a child needs help. Everything stays on this computer. Children in danger can call 111 (free, day and night).</source>
        <translation>Bảo An %1 giữ an toàn cho các con khi lên mạng trên máy tính này: lọc trang web, giới hạn thời gian dùng máy và báo cho gia đình khi con cần giúp đỡ. Mọi dữ liệu ở lại trên máy tính này. Khi trẻ gặp nguy hiểm: Tổng đài điện thoại quốc gia bảo vệ trẻ em 111 — dùng điện thoại bất kỳ, gọi 111 — miễn phí, cả ngày lẫn đêm.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Ngôn ngữ</translation>
    </message>
    <message>
        <source>Language of the dashboard</source>
        <translation>Ngôn ngữ của trang cha mẹ</translation>
    </message>
    <message>
        <source>Block lists</source>
        <translation>Danh sách chặn</translation>
    </message>
    <message>
        <source>&amp;Update now</source>
        <translation>&amp;Cập nhật ngay</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>&amp;Minutes:</source>
        <translation>Số &amp;phút:</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Tạm dừng</translation>
    </message>
    <message>
        <source>Turn protection back &amp;on</source>
        <translation>&amp;Bật lại bảo vệ</translation>
    </message>
    <message>
        <source>A child&apos;s data</source>
        <translation>Dữ liệu của con</translation>
    </message>
    <message>
        <source>As Decree 13/2023 on personal data provides, you may get a copy of what Bảo An keeps about a child (JSON and CSV files) or delete it.</source>
        <translation>Theo Nghị định 13/2023 về bảo vệ dữ liệu cá nhân, bạn có thể lấy một bản sao những gì Bảo An giữ về con (tệp JSON và CSV) hoặc xóa chúng.</translation>
    </message>
    <message>
        <source>&amp;Child:</source>
        <translation>&amp;Con:</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>X&amp;uất…</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Xóa…</translation>
    </message>
    <message>
        <source>Parent PIN</source>
        <translation>Mã PIN của cha mẹ</translation>
    </message>
    <message>
        <source>C&amp;urrent PIN:</source>
        <translation>Mã PIN &amp;hiện tại:</translation>
    </message>
    <message>
        <source>&amp;New PIN (4–12 digits):</source>
        <translation>Mã PIN &amp;mới (4–12 chữ số):</translation>
    </message>
    <message>
        <source>&amp;Repeat the new PIN:</source>
        <translation>&amp;Nhập lại mã PIN mới:</translation>
    </message>
    <message>
        <source>C&amp;hange the PIN</source>
        <translation>Đổ&amp;i mã PIN</translation>
    </message>
    <message>
        <source>New &amp;recovery code…</source>
        <translation>Mã &amp;khôi phục mới…</translation>
    </message>
    <message>
        <source>Caregivers</source>
        <translation>Người thân</translation>
    </message>
    <message>
        <source>The people who get alerts are set in the family settings file for now.</source>
        <translation>Hiện tại, những người nhận cảnh báo được ghi trong tệp cài đặt của gia đình.</translation>
    </message>
    <message>
        <source>About</source>
        <translation>Giới thiệu</translation>
    </message>
</context>
<context>
    <name>StatsTab</name>
    <message>
        <source>Show:</source>
        <translation>Xem của:</translation>
    </message>
    <message>
        <source>Blocked most often</source>
        <translation>Bị chặn nhiều nhất</translation>
    </message>
    <message>
        <source>Visited most often</source>
        <translation>Truy cập nhiều nhất</translation>
    </message>
    <message>
        <source>Blocks by category</source>
        <translation>Lượt chặn theo nhóm</translation>
    </message>
</context>
<context>
    <name>StatsTableModel</name>
    <message>
        <source>Category</source>
        <translation>Nhóm nội dung</translation>
    </message>
    <message>
        <source>Blocked website</source>
        <translation>Trang bị chặn</translation>
    </message>
    <message>
        <source>Allowed website</source>
        <translation>Trang được phép</translation>
    </message>
    <message>
        <source>Times</source>
        <translation>Số lần</translation>
    </message>
</context>
<context>
    <name>StatusBanner</name>
    <message>
        <source>Cannot reach Bảo An at %1.</source>
        <translation>Không kết nối được với Bảo An tại %1.</translation>
    </message>
    <message>
        <source>Check that the Bảo An service is running. The dashboard keeps trying.</source>
        <translation>Hãy kiểm tra dịch vụ Bảo An có đang chạy không. Bảng điều khiển sẽ tiếp tục thử kết nối.</translation>
    </message>
    <message>
        <source>Connecting to Bảo An at %1…</source>
        <translation>Đang kết nối tới Bảo An tại %1…</translation>
    </message>
    <message>
        <source>Web filter listening on %1</source>
        <translation>Bộ lọc web đang hoạt động tại %1</translation>
    </message>
    <message>
        <source>The web filter is not listening: websites are not filtered.</source>
        <translation>Bộ lọc web chưa hoạt động: các trang web chưa được lọc.</translation>
    </message>
    <message numerus="yes">
        <source>%n block list(s)</source>
        <translation>
            <numerusform>%n danh sách chặn</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 blocked names</source>
        <translation>%1 tên miền bị chặn</translation>
    </message>
    <message>
        <source>The family settings file has an error; the last good ones stay: %1</source>
        <translation>Tệp cài đặt gia đình có lỗi; Bảo An vẫn dùng cài đặt hợp lệ gần nhất: %1</translation>
    </message>
    <message>
        <source>Bảo An is running, but needs attention · version %1</source>
        <translation>Bảo An đang chạy nhưng cần được kiểm tra · phiên bản %1</translation>
    </message>
    <message>
        <source>Bảo An is protecting this computer · version %1</source>
        <translation>Bảo An đang bảo vệ máy tính này · phiên bản %1</translation>
    </message>
</context>
<context>
    <name>WebTab</name>
    <message>
        <source>%1: %2 — %3</source>
        <translation>%1: %2 — %3</translation>
    </message>
    <message>
        <source>Starting rules: %1</source>
        <translation>Gói theo tuổi: %1</translation>
    </message>
    <message>
        <source>Not a website name: %1</source>
        <translation>Không phải tên trang web: %1</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Đang kiểm tra…</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Đang lưu…</translation>
    </message>
    <message>
        <source>Saved. %1&apos;s new rules work now.</source>
        <translation>Đã lưu. Quy định mới của %1 có hiệu lực ngay.</translation>
    </message>
    <message>
        <source>These rules were changed somewhere else (in family.toml or on another device) since you opened them, so your changes were not saved. They are still here: press Save again to apply them over the new rules, or Reload to see the new rules and drop yours.</source>
        <translation>Quy định này đã được thay đổi ở nơi khác (trong tệp cài đặt của gia đình hoặc trên thiết bị khác) sau khi bạn mở ra, nên thay đổi của bạn chưa được lưu. Thay đổi của bạn vẫn còn đây: bấm Lưu lần nữa để áp dụng lên quy định mới, hoặc Tải lại để xem quy định mới và bỏ thay đổi của bạn.</translation>
    </message>
    <message>
        <source>Bảo An could not save these rules:</source>
        <translation>Bảo An không lưu được quy định này:</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Chưa lưu được: %1</translation>
    </message>
    <message>
        <source>Rules of:</source>
        <translation>Quy định của:</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>Tải lại</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Blocked kinds of websites</source>
        <translation>Loại trang web bị chặn</translation>
    </message>
    <message>
        <source>Blocked apps and services</source>
        <translation>Ứng dụng và dịch vụ bị chặn</translation>
    </message>
    <message>
        <source>Your own lists</source>
        <translation>Danh sách riêng của bạn</translation>
    </message>
    <message>
        <source>Always allowed (one website a line):</source>
        <translation>Luôn cho phép (mỗi dòng một trang):</translation>
    </message>
    <message>
        <source>Always blocked (one website a line):</source>
        <translation>Luôn chặn (mỗi dòng một trang):</translation>
    </message>
    <message>
        <source>Always allowed websites</source>
        <translation>Trang web luôn cho phép</translation>
    </message>
    <message>
        <source>Always blocked websites</source>
        <translation>Trang web luôn chặn</translation>
    </message>
    <message>
        <source>A website includes its sub-sites: roblox.com also covers www.roblox.com. You may paste a whole address; only the website&apos;s name is kept.</source>
        <translation>Một trang gồm cả các trang con của nó: roblox.com gồm cả www.roblox.com. Bạn có thể dán cả địa chỉ; Bảo An chỉ giữ lại tên trang.</translation>
    </message>
    <message>
        <source>Search and YouTube</source>
        <translation>Tìm kiếm và YouTube</translation>
    </message>
    <message>
        <source>SafeSearch on Google, Bing and others</source>
        <translation>Tìm kiếm an toàn (SafeSearch) trên Google, Bing và các trang khác</translation>
    </message>
    <message>
        <source>YouTube:</source>
        <translation>YouTube:</translation>
    </message>
    <message>
        <source>No restriction</source>
        <translation>Không giới hạn</translation>
    </message>
    <message>
        <source>Restricted mode (moderate)</source>
        <translation>Chế độ hạn chế (vừa phải)</translation>
    </message>
    <message>
        <source>Restricted mode (strict)</source>
        <translation>Chế độ hạn chế (nghiêm ngặt)</translation>
    </message>
    <message>
        <source>Only the always-allowed websites open</source>
        <translation>Chỉ mở được các trang luôn cho phép</translation>
    </message>
    <message>
        <source>Test a website</source>
        <translation>Thử một trang web</translation>
    </message>
    <message>
        <source>Website:</source>
        <translation>Trang web:</translation>
    </message>
    <message>
        <source>for example roblox.com</source>
        <translation>ví dụ roblox.com</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>Thử</translation>
    </message>
</context>
<context>
    <name>WeekWindowsEditor</name>
    <message>
        <source>The same start and end: the whole day.</source>
        <translation>Giờ bắt đầu và kết thúc như nhau: cả ngày.</translation>
    </message>
    <message>
        <source>Ends the next morning (the window goes on past midnight).</source>
        <translation>Kết thúc vào sáng hôm sau (qua nửa đêm).</translation>
    </message>
    <message>
        <source>Filled: the hours the computer may be used. Click a day to pick it.</source>
        <translation>Phần tô màu: những giờ được dùng máy. Bấm vào một ngày để chọn ngày đó.</translation>
    </message>
    <message>
        <source>Hatched: the hours with no internet. Click a day to pick it.</source>
        <translation>Phần gạch chéo: những giờ không có Internet. Bấm vào một ngày để chọn ngày đó.</translation>
    </message>
    <message>
        <source>Filled: the only hours with internet. Click a day to pick it.</source>
        <translation>Phần tô màu: những giờ duy nhất có Internet. Bấm vào một ngày để chọn ngày đó.</translation>
    </message>
    <message>
        <source>Allowed hours of the week</source>
        <translation>Các khung giờ được dùng máy trong tuần</translation>
    </message>
    <message>
        <source>The allowed hours at a glance</source>
        <translation>Giờ được dùng máy trong một hình</translation>
    </message>
    <message>
        <source>No allowed hours are set: the computer may be used at any hour, within the minutes a day. Add a window below; several a day are fine.</source>
        <translation>Chưa đặt giờ được dùng máy: con được dùng máy vào bất kỳ giờ nào, trong số phút mỗi ngày. Thêm một khung giờ bên dưới; mỗi ngày có thể có nhiều khung giờ.</translation>
    </message>
    <message>
        <source>Hours of the week</source>
        <translation>Các khung giờ trong tuần</translation>
    </message>
    <message>
        <source>The week at a glance</source>
        <translation>Cả tuần trong một hình</translation>
    </message>
    <message>
        <source>No hours are set: the internet follows the other rules at any hour. Add a window below; several a day are fine.</source>
        <translation>Chưa đặt giờ nào: Internet theo các quy định khác vào mọi giờ. Thêm khung giờ ở dưới; một ngày có thể có nhiều khung.</translation>
    </message>
    <message>
        <source>Day:</source>
        <translation>Ngày:</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>Từ:</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>Đến:</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Từ</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Đến</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Thêm</translation>
    </message>
    <message>
        <source>Change selected</source>
        <translation>Sửa khung đã chọn</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>Xóa khung đã chọn</translation>
    </message>
</context>
</TS>
