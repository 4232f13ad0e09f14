"""Handing the heap that Python freed back to the system.

glibc's malloc keeps freed memory for reuse; only the top of the heap is returned on its own,
so one long-lived object above a large freed region pins all of it in the process's RSS. The
agent frees a lot at a few moments — what its start built and dropped (module loading, the
policy's parse, the argument parser), a list refresh's temporary index, a burst's answers
collected at a quiet moment — and runs for days: `malloc_trim(0)` then gives those pages back
(`madvise`), costing a walk of the heap (about a millisecond for the agent's).
"""

from __future__ import annotations

import ctypes
import logging
import sys
from collections.abc import Callable
from functools import cache

logger = logging.getLogger(__name__)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None  # Windows' and macOS's allocators return memory on their own terms
    try:
        trim = ctypes.CDLL(None).malloc_trim  # glibc; musl has none
    except (OSError, AttributeError):
        return None
    trim.argtypes = (ctypes.c_size_t,)
    trim.restype = ctypes.c_int
    function: Callable[[int], int] = trim
    return function


def return_freed_heap() -> bool:
    """Give the pages of freed heap memory back to the system. True if any were returned;
    False where the C library cannot (not glibc) or nothing was free."""
    trim = _malloc_trim()
    if trim is None:
        return False
    returned = bool(trim(0))
    logger.debug("freed heap handed back to the system: %s", returned)
    return returned
