"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def blocklists_dir() -> Path:
    """The real public blocklists kept beside the repository in `shared/`."""
    path = REPO_ROOT.parent / "shared" / "data" / "blocklists"
    if not path.is_dir():
        pytest.fail(f"the shared blocklists are missing: {path}")
    return path
