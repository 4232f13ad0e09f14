"""The errors every OS module raises, so that callers need not import an OS module."""

from __future__ import annotations


class SystemSetupError(RuntimeError):
    """A change to the system could not be made; the message says what and why."""
