"""Pieces the sub-commands share: default places and how policy errors are shown."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from agent.policy.errors import InvalidPolicyError


def is_system_service() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def default_config_path() -> Path:
    """The OS's standard place for family.toml (system-wide when run as the service)."""
    import platformdirs

    if is_system_service():
        return Path(platformdirs.site_config_dir("baoan")) / "family.toml"
    return Path(platformdirs.user_config_dir("baoan")) / "family.toml"


def default_data_dir() -> Path:
    from agent.lists_service import default_data_dir as lists_default

    return lists_default()


def report_policy_error(error: InvalidPolicyError) -> int:
    """Every problem on its own line, on stderr; exit status 1."""
    print(str(error), file=sys.stderr)
    return 1
