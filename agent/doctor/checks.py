"""The doctor's judgements: plain facts in, a `Check` with its fix (Vietnamese and English)
out. Nothing here reads the PC, so each is tested with the facts a test chooses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.api.types import CaregiversInfo, EventInfo, ListInfo
from agent.doctor.report import Check, Outcome
from agent.system.findings import Finding

LIST_STALE_AFTER = timedelta(days=3)  # the refresh is daily: three missed in a row
LOW_DISK_BYTES = 500 * 1024 * 1024
LOW_DISK_SHARE = 0.05


@dataclass(frozen=True)
class OsWords:
    """How to do each fix on one OS: the commands a parent types."""

    admin_vi: str
    admin_en: str
    start_service: str
    set_timezone: str

    def admin(self, command: str) -> tuple[str, str]:
        return (f"{self.admin_vi}: {command}", f"{self.admin_en}: {command}")


OS_WORDS = {
    "linux": OsWords(
        "chạy với quyền quản trị (sudo)", "run as root (sudo)",
        "sudo systemctl restart baoan-agent",
        "sudo timedatectl set-timezone {zone}",
    ),
    "win32": OsWords(
        "mở PowerShell bằng \"Run as administrator\" rồi chạy",
        "in PowerShell opened with \"Run as administrator\", run",
        "sc.exe start BaoAnAgent",
        "Settings > Time & language > Date & time > Time zone: {zone}",
    ),
    "darwin": OsWords(
        "mở Terminal rồi chạy", "in Terminal, run",
        "sudo launchctl kickstart -k system/vn.baoan.agent",
        "sudo systemsetup -settimezone {zone}",
    ),
}


def os_words(platform_name: str) -> OsWords:
    return OS_WORDS.get(platform_name, OS_WORDS["linux"])


def _baoan(platform_name: str, arguments: str) -> str:
    prefix = "baoan" if platform_name == "win32" else "sudo baoan"
    return f"{prefix} {arguments}"


def check_service(answered: bool, error: str, platform_name: str) -> Check:
    if answered:
        return Check("service", Outcome.OK, "Dịch vụ Bảo An đang chạy và trả lời.",
                     "The Bảo An service is running and answers.")
    words = os_words(platform_name)
    fix_vi, fix_en = words.admin(words.start_service)
    return Check(
        "service", Outcome.PROBLEM,
        f"Dịch vụ Bảo An không trả lời ({error}): máy đang không được bảo vệ.",
        f"The Bảo An service does not answer ({error}): the PC is not protected.",
        f"Khởi động lại dịch vụ — {fix_vi}", f"Start the service again — {fix_en}",
    )


def check_dns(finding: Finding | None, platform_name: str) -> Check:
    if finding is None:
        return Check("dns", Outcome.UNKNOWN,
                     "Chưa kiểm tra được DNS của máy trên hệ điều hành này.",
                     "The system's DNS cannot be checked on this OS yet.")
    if finding.ok:
        return Check("dns", Outcome.OK, "DNS của máy hỏi Bảo An.",
                     f"The system's DNS asks the agent ({finding.detail}).")
    fix_vi, fix_en = os_words(platform_name).admin(_baoan(platform_name, "system install-dns"))
    return Check(
        "dns", Outcome.PROBLEM,
        f"DNS của máy không hỏi Bảo An, nên trang bị chặn vẫn mở được ({finding.detail}).",
        f"The system's DNS does not ask the agent, so blocked sites still open "
        f"({finding.detail}).",
        f"Trỏ DNS về Bảo An — {fix_vi}", f"Point the DNS at the agent — {fix_en}",
    )


def check_browsers(findings: Sequence[Finding] | None, platform_name: str) -> list[Check]:
    if findings is None:
        return [Check("browser-policy", Outcome.UNKNOWN,
                      "Chưa kiểm tra được chính sách của trình duyệt trên hệ điều hành này.",
                      "The browsers' policies cannot be checked on this OS yet.")]
    checks = []
    fix_vi, fix_en = os_words(platform_name).admin(
        _baoan(platform_name, "system install-browser-policies"))
    for finding in findings:
        browser = finding.key.split(":", 1)[-1].capitalize()
        if finding.ok:
            checks.append(Check(finding.key, Outcome.OK,
                                f"{browser}: đã tắt DNS qua HTTPS, bật SafeSearch.",
                                f"{browser}: DNS over HTTPS off, SafeSearch on "
                                f"({finding.detail})."))
        else:
            checks.append(Check(
                finding.key, Outcome.PROBLEM,
                f"{browser}: chính sách của Bảo An bị thiếu hoặc bị đổi, trình duyệt có thể "
                f"vượt rào bằng DNS qua HTTPS ({finding.detail}).",
                f"{browser}: Bảo An's policies are missing or changed, so the browser may "
                f"get round the filter with DNS over HTTPS ({finding.detail}).",
                f"Ghi lại chính sách — {fix_vi}; rồi mở lại trình duyệt.",
                f"Write the policies again — {fix_en}; then restart the browser.",
            ))
    return checks


def check_firewall(finding: Finding, platform_name: str) -> Check:
    if finding.ok:
        return Check("firewall", Outcome.OK,
                     "Tường lửa giữ các chương trình của con ở lại với Bảo An.",
                     f"The firewall keeps the children's programs on the agent "
                     f"({finding.detail}).")
    fix_vi, fix_en = os_words(platform_name).admin(
        _baoan(platform_name, "system install-firewall"))
    return Check(
        "firewall", Outcome.PROBLEM,
        "Quy tắc tường lửa cho tài khoản của con không còn: chương trình của con có thể hỏi "
        f"thẳng một máy chủ DNS khác để vượt rào ({finding.detail}).",
        "The firewall rules for the children's accounts are gone: the child's programs "
        f"can ask another DNS server directly and get round the filter ({finding.detail}).",
        f"Đặt lại tường lửa — {fix_vi}", f"Put the firewall back — {fix_en}",
    )


def _newest_tray_event(events: Sequence[EventInfo], child: str) -> EventInfo | None:
    mine = [e for e in events if e.child == child and e.kind in ("tray-missing", "tray-back")]
    return max(mine, key=lambda event: (event.time, event.event_id), default=None)


def check_trays(
    children_accounts: Mapping[str, Sequence[str]],
    sessions: Sequence[str] | None,
    tray_accounts: Sequence[str] | None,
    events: Sequence[EventInfo] | None,
) -> list[Check]:
    """Each child's account with a desktop session needs its tray; the agent's own
    `tray-missing` events say the same from its side (with the PIN)."""
    checks = []
    logged_in = {name.casefold() for name in sessions or ()}
    trays = {name.casefold() for name in tray_accounts or ()}
    for child, accounts in children_accounts.items():
        active = [account for account in accounts if account.casefold() in logged_in]
        newest = _newest_tray_event(events, child) if events is not None else None
        silent = newest is not None and newest.kind == "tray-missing"
        without = [account for account in active if account.casefold() not in trays]
        key = f"tray:{child}"
        if sessions is None and events is None:
            checks.append(Check(key, Outcome.UNKNOWN,
                                f"Chưa kiểm tra được khay của {child}.",
                                f"{child}'s tray could not be checked."))
            continue
        if without or silent:
            where = ", ".join(without) or ", ".join(accounts)
            since = f" từ {newest.time:%H:%M %d/%m}" if silent and newest else ""
            since_en = f" since {newest.time:%H:%M %d/%m}" if silent and newest else ""
            checks.append(Check(
                key, Outcome.PROBLEM,
                f"Khay Bảo An không chạy trong phiên của {child} ({where}){since}: con không "
                "thấy thông báo, và thời gian vẫn bị tính.",
                f"The Bảo An tray is not running in {child}'s session ({where}){since_en}: "
                "the child sees no notices, and the time still counts.",
                "Đăng xuất rồi đăng nhập lại tài khoản của con (khay tự chạy khi đăng nhập), "
                "hoặc chạy `baoan tray` trong phiên của con.",
                "Log the child's account out and in again (the tray starts at log-in), or "
                "run `baoan tray` in the child's session.",
            ))
        elif active:
            checks.append(Check(key, Outcome.OK, f"Khay của {child} đang chạy.",
                                f"{child}'s tray is running ({', '.join(active)})."))
        else:
            checks.append(Check(key, Outcome.OK,
                                f"{child} chưa đăng nhập trên máy này lúc này.",
                                f"{child} has no session on this PC now."))
    return checks


def check_timezone(family_zone: str | None, pc_offset: timedelta | None,
                   now: datetime, platform_name: str) -> Check:
    if family_zone is None or pc_offset is None:
        return Check("timezone", Outcome.UNKNOWN, "Chưa biết múi giờ của gia đình hoặc của máy.",
                     "The family's or the PC's time zone is not known.")
    try:
        family_offset = now.astimezone(ZoneInfo(family_zone)).utcoffset()
    except ZoneInfoNotFoundError:
        family_offset = None
    if family_offset == pc_offset:
        return Check("timezone", Outcome.OK, f"Múi giờ của máy khớp với gia đình ({family_zone}).",
                     f"The PC's time zone matches the family's ({family_zone}).")
    hours = pc_offset.total_seconds() / 3600
    command = os_words(platform_name).set_timezone.format(zone=family_zone)
    return Check(
        "timezone", Outcome.PROBLEM,
        f"Máy đang ở múi giờ UTC{hours:+g}, khác với gia đình ({family_zone}): giờ ngủ và "
        "giới hạn thời gian sẽ lệch.",
        f"The PC is on UTC{hours:+g}, not the family's zone ({family_zone}): bedtimes and "
        "time limits would be off.",
        f"Đặt lại múi giờ của máy: {command}", f"Set the PC's time zone: {command}",
    )


def check_lists(lists: Sequence[ListInfo], now: datetime, platform_name: str) -> Check:
    """One check over every downloaded source (the built-in starter lists never age)."""
    update = _baoan(platform_name, "lists update")
    never: list[str] = []
    stale: list[str] = []
    failed: list[str] = []
    downloaded = [item for item in lists if item.source != "starter"]
    for item in downloaded:
        if item.error:
            failed.append(item.category)
        elif item.updated_at is None:
            never.append(item.category)
        elif now - item.updated_at > LIST_STALE_AFTER:
            stale.append(f"{item.category} ({(now - item.updated_at).days}d)")
    if not (never or stale or failed):
        return Check("lists", Outcome.OK,
                     f"Các danh sách chặn đều mới ({len(downloaded)} nguồn).",
                     f"Every blocklist is fresh ({len(downloaded)} sources).")

    def names(items: list[str]) -> str:
        unique = list(dict.fromkeys(items))
        return ", ".join(unique[:6]) + (", …" if len(unique) > 6 else "")

    parts_vi, parts_en = [], []
    if never:
        parts_vi.append(f"{len(never)} nguồn chưa từng được tải về ({names(never)})")
        parts_en.append(f"{len(never)} source(s) never downloaded ({names(never)})")
    if stale:
        parts_vi.append(f"{len(stale)} nguồn đã cũ ({names(stale)})")
        parts_en.append(f"{len(stale)} source(s) out of date ({names(stale)})")
    if failed:
        parts_vi.append(f"{len(failed)} nguồn tải lỗi ({names(failed)})")
        parts_en.append(f"{len(failed)} source(s) failed to load ({names(failed)})")
    return Check(
        "lists", Outcome.PROBLEM,
        "Danh sách chặn không mới: " + "; ".join(parts_vi) + ". Trang mới có thể lọt qua.",
        "The blocklists are not fresh: " + "; ".join(parts_en) + ". New sites may get "
        "through.",
        f"Kiểm tra mạng của máy rồi tải lại: {update}",
        f"Check the PC's internet connection, then download again: {update}",
    )


@dataclass(frozen=True)
class CaregiverReach:
    name: str
    channel: str  # "ntfy https://ntfy.sh", "mail smtp.example:587", "apprise"
    reachable: bool | None  # None: not checked (apprise keeps its URL in the keyring)
    error: str = ""


def check_caregivers(reaches: Sequence[CaregiverReach] | None, unheard: bool) -> list[Check]:
    fix_vi = ("Thêm một người thân có chủ đề ntfy hoặc email: baoan caregiver add (hoặc "
              "[[caregivers]] trong tệp cài đặt của gia đình), rồi thử: baoan sync test")
    fix_en = ("Add a caregiver with an ntfy topic or an email: baoan caregiver add (or "
              "[[caregivers]] in family.toml), then try it: baoan sync test")
    if reaches is None:
        return [Check("caregivers", Outcome.UNKNOWN, "Chưa đọc được danh sách người thân.",
                      "The caregivers could not be read.")]
    if not reaches or unheard:
        return [Check("caregivers", Outcome.PROBLEM,
                      "Không có người thân nào nhận được cảnh báo (kể cả khi con bấm Trợ giúp).",
                      "No caregiver can receive alerts (not even when the child presses Help).",
                      fix_vi, fix_en)]
    checks = []
    for reach in reaches:
        key = f"caregiver:{reach.name}"
        if reach.reachable is None:
            checks.append(Check(key, Outcome.UNKNOWN,
                                f"Không kiểm tra được kênh {reach.channel} của {reach.name}.",
                                f"{reach.name}'s {reach.channel} channel cannot be checked."))
        elif reach.reachable:
            checks.append(Check(key, Outcome.OK,
                                f"Liên lạc được với {reach.name} ({reach.channel}).",
                                f"{reach.name} is reachable ({reach.channel})."))
        else:
            checks.append(Check(
                key, Outcome.PROBLEM,
                f"Không liên lạc được với máy chủ gửi tin báo cho {reach.name} "
                f"({reach.channel}: {reach.error}); cảnh báo sẽ chờ đến khi liên lạc được.",
                f"{reach.name}'s alert server cannot be reached ({reach.channel}: "
                f"{reach.error}); alerts wait until it can.",
                "Kiểm tra mạng của máy và địa chỉ máy chủ; thử gửi: baoan sync test",
                "Check the PC's internet and the server's address; send a test: "
                "baoan sync test",
            ))
    return checks


def check_disk(free_bytes: int | None, total_bytes: int | None, where: str) -> Check:
    if free_bytes is None or not total_bytes:
        return Check("disk", Outcome.UNKNOWN, "Chưa biết dung lượng trống.",
                     "Free disk space is not known.")
    free_mib = free_bytes // (1024 * 1024)
    if free_bytes >= LOW_DISK_BYTES and free_bytes / total_bytes >= LOW_DISK_SHARE:
        return Check("disk", Outcome.OK, f"Ổ đĩa còn trống {free_mib} MiB.",
                     f"{free_mib} MiB free on the disk of {where}.")
    return Check(
        "disk", Outcome.PROBLEM,
        f"Ổ đĩa chứa dữ liệu của Bảo An chỉ còn {free_mib} MiB: nhật ký và thời gian sử dụng "
        "có thể không ghi được.",
        f"Only {free_mib} MiB free on the disk of {where}: the log and screen time may fail "
        "to be written.",
        "Dọn bớt tệp trên ổ đĩa đó (thùng rác, tệp tải về).",
        "Free some space on that disk (the bin, downloads).",
    )


def check_delivery(info: CaregiversInfo | None) -> list[Check]:
    """What the agent's own deliveries say (with the PIN): a channel whose last alert was
    refused for good (a wrong token, an unknown address) never gets the next ones."""
    if info is None:
        return []
    checks = []
    for caregiver in info.caregivers:
        for channel in caregiver.channels:
            if not channel.refused_for_good:
                continue
            checks.append(Check(
                f"delivery:{caregiver.name}:{channel.kind}", Outcome.PROBLEM,
                f"Cảnh báo gần nhất gửi {caregiver.name} qua {channel.kind} bị từ chối hẳn "
                f"({channel.last_error or 'không rõ lý do'}): các cảnh báo sau cũng không đến.",
                f"The last alert to {caregiver.name} by {channel.kind} was refused for good "
                f"({channel.last_error or 'no reason given'}): the next ones will not arrive "
                "either.",
                "Kiểm tra chủ đề, mã truy cập hoặc địa chỉ email của người thân (mục Người "
                "thân trong bảng điều khiển), sửa bằng baoan caregiver add, rồi thử: "
                "baoan sync test",
                "Check the caregiver's topic, token or email address (the dashboard's "
                "Caregivers tab), fix it with baoan caregiver add, then try: baoan sync test",
            ))
    return checks
