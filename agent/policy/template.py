"""The commented `family.toml` that `baoan init` writes for a first child."""

from __future__ import annotations

import json
from collections.abc import Sequence

from agent.policy.model import DEFAULT_TIMEZONE, DEFAULT_UPSTREAMS, WEEKDAYS
from agent.policy.presets import preset_for_age


def toml_string(value: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML escapes)."""
    return json.dumps(value, ensure_ascii=False)


def _string_array(values: Sequence[str]) -> str:
    return "[" + ", ".join(toml_string(value) for value in values) + "]"


def render_initial_policy(
    child_name: str,
    age: int,
    os_users: Sequence[str] = (),
    upstreams: Sequence[str] = (),
) -> str:
    """A valid, commented policy with one child on the preset for `age` (0–17)."""
    preset = preset_for_age(age)
    upstream_list = _string_array(upstreams or DEFAULT_UPSTREAMS)
    limits = preset.screen_time
    daily = ", ".join(
        f"{day} = {limits.daily_minutes[index]}" for index, day in enumerate(WEEKDAYS)
    )
    blocked = ", ".join(sorted(preset.blocked_categories))
    return f"""\
# Bảo An — tệp cài đặt của gia đình (family.toml), định dạng phiên bản 1.
# Bảo An — the family policy (family.toml), schema version 1.
#
# Mọi cài đặt của gia đình nằm trong tệp này: các con, quy tắc, giới hạn thời gian và
# những người thân nhận cảnh báo.
# Everything the family sets is in this file: children, rules, time limits, caregivers.
# Kiểm tra sau khi sửa / check after editing:   baoan policy validate <tệp / file>
# Tài liệu đầy đủ / full reference:             docs/family-toml.md
# Nếu tệp có lỗi, Bảo An vẫn dùng bản hợp lệ gần nhất và chỉ rõ lỗi nằm ở đâu.
# If the file is broken, Bảo An keeps the last good policy and says exactly what is wrong.

schema_version = 1

# Con được tính là người dùng máy khi tài khoản đang đăng nhập không thuộc con nào.
# The PC's default child: used when the signed-in account belongs to no child.
default_child = {toml_string(child_name)}

# ---------------------------------------------------------------------------------------
# Cài đặt chung / Settings
# ---------------------------------------------------------------------------------------
[settings]
# Ngôn ngữ hiển thị: "vi" hoặc "en". / Language the family sees: "vi" or "en".
language = "vi"
# Múi giờ quyết định khi nào một ngày mới bắt đầu. / Time zone of the day boundary.
timezone = "{DEFAULT_TIMEZONE}"
# Máy chủ DNS mà Bảo An hỏi tiếp, thử lần lượt: "udp://IP", "tcp://IP:cổng/port" hoặc
# DNS qua HTTPS, ví dụ {{ url = "https://dns.google/dns-query", bootstrap = ["8.8.8.8"] }}.
# Upstream resolvers, tried in order: "udp://IP", "tcp://IP:port", or DNS over HTTPS,
# e.g. {{ url = "https://dns.google/dns-query", bootstrap = ["8.8.8.8"] }}.
upstreams = {upstream_list}
# Cách trả lời một tên bị chặn: "page" (trang giải thích của Bảo An), "null" (0.0.0.0)
# hoặc "nxdomain".
# How a blocked name is answered: "page" (Bảo An's friendly page), "null" or "nxdomain".
block_mode = "page"
# Số ngày giữ nhật ký truy vấn DNS. / Days to keep the DNS query log.
query_log_retention_days = 30
# Khi con tự chọn báo cho gia đình trong Trợ giúp / 111, có gửi cảnh báo khẩn cho
# người thân không. Chỉ mở Trợ giúp / 111 thì không báo cho ai. Cần ít nhất một [[caregivers]].
# When the child chooses "Tell my parents" in Help / 111, is an urgent alert sent to the
# caregivers? Opening Help / 111 alone tells nobody. Needs at least one [[caregivers]].
help_alerts_caregivers = true

# Nguồn danh sách chặn theo nhóm (URL hoặc đường dẫn tệp). Bỏ trống: dùng nguồn mặc định
# (hostsVN, UT1, The Block List Project). Ví dụ / e.g.:
# Block-list sources per category (URLs or file paths). Left out: the defaults are used.
# [settings.lists]
# gambling = ["https://raw.githubusercontent.com/bigdargon/hostsVN/master/extensions/gambling/domain.txt"]

# ---------------------------------------------------------------------------------------
# Các con: mỗi con một khối [[children]]. / Children: one [[children]] block each.
# ---------------------------------------------------------------------------------------
[[children]]
name = {toml_string(child_name)}
age = {age}                    # hoặc năm sinh / or: birth_year = 20xx
os_users = {_string_array(os_users)}       # tài khoản máy tính của con / the child's OS accounts
# Gói theo tuổi / age preset: {preset.preset_id} — {preset.name_vi} / {preset.name_en}
# (phim / films {", ".join(preset.film_ratings)}, trò chơi / games {preset.game_rating}).
# Bỏ trống thì chọn theo tuổi; có thể ghi: "mam-non", "tieu-hoc", "thcs", "thpt".
# Left out, it follows the age; or name one: "mam-non", "tieu-hoc", "thcs", "thpt".
# preset = "{preset.preset_id}"
#
# Gói này chặn các nhóm / this preset blocks: {blocked}.
# Chỉnh riêng cho con / the child's own edits (all optional):
# allow = ["khanacademy.org"]            # luôn cho phép / always allowed
# deny = ["example.com"]                 # luôn chặn / always blocked
# block_categories = ["games"]           # chặn thêm nhóm / block more categories
# allow_categories = ["video"]           # bỏ chặn nhóm / unblock categories
# block_services = ["tiktok", "roblox"]  # chặn dịch vụ (web và ứng dụng) / block services
# allow_services = ["zalo"]              # bỏ chặn dịch vụ / unblock services
# safe_search = true                     # tìm kiếm an toàn / SafeSearch
# youtube_mode = "{preset.youtube_mode.value}"  # "off" | "moderate" | "strict"

# Lịch: tắt mạng buổi tối trước ngày đi học (khung giờ có thể qua nửa đêm).
# Schedule: no internet on school nights (windows may cross midnight).
# [[children.schedules]]
# target = "*"                           # "*", "service:youtube" hoặc/or "category:games"
# mode = "blocked_during"                # hoặc/or "allowed_only_during"
# windows = [{{ days = "school_nights", start = "21:30", end = "06:00" }}]

# Thời gian dùng máy / screen time. Mặc định của gói / the preset's defaults:
#   mỗi ngày / daily minutes: {daily}
#   trò chơi / games: {limits.per_game_minutes} phút mỗi trò / minutes per game, \
{limits.category_minutes.get("games")} phút mỗi ngày / minutes a day (Nghị định / Decree 147/2024)
# [children.screen_time]
# daily_minutes = {{ weekdays = 60, weekend = 120 }}
# allowed_hours = [{{ days = "every_day", start = "06:00", end = "21:00" }}]
# service_minutes = {{ youtube = 45 }}
# category_minutes = {{ games = 60 }}
# always_allowed_apps = ["Zoom.exe"]     # ứng dụng học tập / school apps
# warnings_minutes = [15, 5, 1]
# action = "lock"                        # "lock" | "logoff" | "close_app" | "notify"

# ---------------------------------------------------------------------------------------
# Thiết bị trong mạng nhà thuộc con nào (theo IP hoặc MAC).
# LAN devices and the child each belongs to (by IP or MAC address).
# ---------------------------------------------------------------------------------------
# [[devices]]
# name = "Máy tính bảng / tablet"
# ip = "192.168.1.23"                    # hoặc/or mac = "a4:5e:60:d1:22:3b"
# child = {toml_string(child_name)}

# ---------------------------------------------------------------------------------------
# Người thân nhận cảnh báo (ntfy, email). Không bao giờ ghi mật khẩu vào tệp này.
# Caregivers who get alerts (ntfy, email). Secrets never go in this file.
# ---------------------------------------------------------------------------------------
# [[caregivers]]
# name = "Mẹ"
# ntfy_topic = "baoan-gia-dinh-xyz"
# email = "me@example.com"
"""
