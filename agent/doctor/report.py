"""What the doctor found: one `Check` per thing looked at, and the whole `Report`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    OK = "ok"
    PROBLEM = "problem"
    UNKNOWN = "unknown"  # could not be looked at (no PIN, not built for this OS, ...)


@dataclass(frozen=True)
class Check:
    key: str  # stable: "service", "dns", "browser-policy:firefox", "tray:minh", ...
    outcome: Outcome
    seen_vi: str
    seen_en: str
    fix_vi: str = ""
    fix_en: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "outcome": str(self.outcome),
            "ok": self.outcome is Outcome.OK,
            "seen": {"vi": self.seen_vi, "en": self.seen_en},
            "fix": {"vi": self.fix_vi, "en": self.fix_en} if self.fix_en else None,
        }


EXIT_ALL_WELL = 0
EXIT_PROBLEMS = 1
EXIT_UNCHECKED = 2  # no problem found, but something could not be looked at


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]

    @property
    def problems(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if check.outcome is Outcome.PROBLEM)

    @property
    def exit_code(self) -> int:
        if self.problems:
            return EXIT_PROBLEMS
        if any(check.outcome is Outcome.UNKNOWN for check in self.checks):
            return EXIT_UNCHECKED
        return EXIT_ALL_WELL

    def to_json(self) -> dict[str, object]:
        return {
            "all_well": self.exit_code == EXIT_ALL_WELL,
            "problems": len(self.problems),
            "checks": [check.to_json() for check in self.checks],
        }

    def as_text(self) -> str:
        marks = {Outcome.OK: "✔", Outcome.PROBLEM: "✘", Outcome.UNKNOWN: "?"}
        lines = []
        for check in self.checks:
            lines.append(f"{marks[check.outcome]} {check.key}: {check.seen_vi}")
            lines.append(f"  ({check.seen_en})")
            if check.outcome is Outcome.PROBLEM and check.fix_vi:
                lines.append(f"  Cách sửa: {check.fix_vi}")
                lines.append(f"  Fix: {check.fix_en}")
        count = len(self.problems)
        if count:
            lines.append(f"Có {count} vấn đề cần sửa. / {count} problem(s) to fix.")
        elif self.exit_code == EXIT_UNCHECKED:
            lines.append("Không thấy vấn đề, nhưng có mục chưa kiểm tra được. / "
                         "No problem found, but some things could not be checked.")
        else:
            lines.append("Mọi thứ đều ổn. / All is well.")
        return "\n".join(lines) + "\n"
