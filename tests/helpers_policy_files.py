"""Real policy files for the tests of cut-off and hand-edited files: the file `baoan init`
writes for a 10-year-old, with a caregiver added by hand, and docs/family.example.toml."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from agent.policy.seal import seal, strip_seal
from baoan.cli import main

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 6, 1)
EXAMPLE = REPO / "docs" / "family.example.toml"

# The caregiver block the template leaves commented out, as a parent un-comments it.
_COMMENTED_CAREGIVER = '# [[caregivers]]\n# name = "Mẹ"\n# ntfy_topic = "baoan-gia-dinh-xyz"\n'
_CAREGIVER = '[[caregivers]]\nname = "Mẹ"\nntfy_topic = "baoan-gia-dinh-xyz"\n'


def init_file(folder: Path, age: int = 10) -> Path:
    """What `baoan init` writes (sealed by the agent's writer)."""
    path = folder / "family.toml"
    assert main(["init", "--config", str(path), "--child", "Minh", "--age", str(age),
                 "--os-user", "minh", "--upstream", "udp://127.0.0.2:5301"]) == 0
    return path


def with_caregiver_by_hand(sealed_text: str) -> str:
    """The parent's edit: the check line deleted (as it says), the caregiver un-commented."""
    text = strip_seal(sealed_text)
    assert _COMMENTED_CAREGIVER in text
    return text.replace(_COMMENTED_CAREGIVER, _CAREGIVER)


def real_files(folder: Path) -> dict[str, bytes]:
    """Each real file, hand-written (no check line) and as the agent's writer seals it."""
    hand = with_caregiver_by_hand(init_file(folder).read_text(encoding="utf-8"))
    example = EXAMPLE.read_text(encoding="utf-8")
    return {
        "init+caregiver, by hand": hand.encode(),
        "init+caregiver, by Bảo An": seal(hand).encode(),
        "family.example.toml, by hand": example.encode(),
        "family.example.toml, by Bảo An": seal(example).encode(),
    }
