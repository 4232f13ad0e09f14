"""Windows: the active console session's user (WTS API), written against the documented API.

`WTSGetActiveConsoleSessionId` gives the session on the physical console;
`WTSQuerySessionInformationW(WTSUserName)` its user. Only imported on Windows.
"""

from __future__ import annotations

import logging

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
