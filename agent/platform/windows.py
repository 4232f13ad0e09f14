"""Windows: the active console session's user (WTS API), written against the documented API.

`WTSGetActiveConsoleSessionId` gives the session on the physical console;
`WTSQuerySessionInformationW(WTSUserName)` its user. Only imported on Windows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from agent.platform.common import psutil_local_addresses

logger = logging.getLogger(__name__)

_WTS_CURRENT_SERVER_HANDLE = 0
_WTS_USER_NAME = 5
_NO_SESSION = 0xFFFFFFFF


def active_session_user() -> str | None:
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined,unused-ignore]
    wtsapi32 = ctypes.WinDLL("wtsapi32")  # type: ignore[attr-defined,unused-ignore]
    session_id = kernel32.WTSGetActiveConsoleSessionId()
    if session_id == _NO_SESSION:
        return None
    buffer = wintypes.LPWSTR()
    size = wintypes.DWORD()
    ok = wtsapi32.WTSQuerySessionInformationW(
        _WTS_CURRENT_SERVER_HANDLE, session_id, _WTS_USER_NAME,
        ctypes.byref(buffer), ctypes.byref(size),
    )
    if not ok:
        logger.debug("WTSQuerySessionInformationW failed for session %s", session_id)
        return None
    try:
        return buffer.value or None
    finally:
        wtsapi32.WTSFreeMemory(buffer)


def local_addresses() -> frozenset[str]:
    return psutil_local_addresses()


# Accounts Windows makes itself, never a person's.
BUILT_IN_ACCOUNTS = frozenset(
    {"administrator", "guest", "defaultaccount", "wdagutilityaccount", "defaultuser0"}
)
_FILTER_NORMAL_ACCOUNT = 0x0002
_UF_ACCOUNTDISABLE = 0x0002
_MAX_PREFERRED_LENGTH = 0xFFFFFFFF
_NERR_SUCCESS = 0
_ERROR_MORE_DATA = 234

AccountLister = Callable[[], list[tuple[str, int]]]


def people_accounts(accounts: list[tuple[str, int]]) -> frozenset[str]:
    """(name, flags) of NetUserEnum level 1 to the people's accounts: enabled, and not
    one of Windows's own."""
    return frozenset(
        name
        for name, flags in accounts
        if name and not flags & _UF_ACCOUNTDISABLE and name.casefold() not in BUILT_IN_ACCOUNTS
    )


def _net_user_enum() -> list[tuple[str, int]]:
    """``NetUserEnum(NULL, 1, FILTER_NORMAL_ACCOUNT)``: each local account's name and flags."""
    import ctypes
    from ctypes import wintypes

    class UserInfo1(ctypes.Structure):
        _fields_ = [
            ("name", wintypes.LPWSTR),
            ("password", wintypes.LPWSTR),
            ("password_age", wintypes.DWORD),
            ("priv", wintypes.DWORD),
            ("home_dir", wintypes.LPWSTR),
            ("comment", wintypes.LPWSTR),
            ("flags", wintypes.DWORD),
            ("script_path", wintypes.LPWSTR),
        ]

    netapi32 = ctypes.WinDLL("netapi32")  # type: ignore[attr-defined,unused-ignore]
    found: list[tuple[str, int]] = []
    resume = wintypes.DWORD(0)
    while True:
        buffer = ctypes.c_void_p()
        read, total = wintypes.DWORD(), wintypes.DWORD()
        status = netapi32.NetUserEnum(
            None, 1, _FILTER_NORMAL_ACCOUNT, ctypes.byref(buffer), _MAX_PREFERRED_LENGTH,
            ctypes.byref(read), ctypes.byref(total), ctypes.byref(resume),
        )
        if status not in (_NERR_SUCCESS, _ERROR_MORE_DATA):
            raise OSError(f"NetUserEnum failed: {status}")
        try:
            if buffer.value:
                entries = ctypes.cast(buffer, ctypes.POINTER(UserInfo1))
                for index in range(read.value):
                    found.append((entries[index].name or "", int(entries[index].flags)))
        finally:
            if buffer.value:
                netapi32.NetApiBufferFree(buffer)
        if status == _NERR_SUCCESS:
            return found


def os_accounts(list_accounts: AccountLister = _net_user_enum) -> frozenset[str] | None:
    try:
        return people_accounts(list_accounts())
    except OSError as error:
        logger.debug("cannot list the accounts: %s", error)
        return None
