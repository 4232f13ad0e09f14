"""A child's data written for the parent: one JSON file with everything, and one CSV
file per table (for a spreadsheet), in a folder the parent chose. Pure file work, run on
a worker thread; ``should_stop`` is asked between rows, ``on_progress(done, total)``
told after each."""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from gui.backend import BackendError
from gui.family_backend import ChildExport


class ExportCancelledError(BackendError):
    """The parent cancelled; the files begun are removed."""

    def __init__(self) -> None:
        super().__init__("the export was cancelled", code="cancelled")


def file_stem(child: str, exported: str) -> str:
    """``baoan-minh-2026-12-01``: ASCII, so every file system and mail program takes it."""
    plain = unicodedata.normalize("NFKD", child.lower().replace("đ", "d"))
    slug = re.sub(r"[^a-z0-9]+", "-", plain.encode("ascii", "ignore").decode()).strip("-")
    return f"baoan-{slug or 'child'}-{exported}"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_export(
    export: ChildExport,
    folder: Path,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    on_progress: Callable[[int, int], None] = lambda done, total: None,
) -> tuple[Path, ...]:
    """Write the JSON file and the CSV files; returns them, the JSON first."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = file_stem(export.child, export.exported_at.date().isoformat())
    total = sum(len(rows) for rows in export.tables.values()) or 1
    written: list[Path] = []
    done = 0
    try:
        json_path = folder / f"{stem}.json"
        document = {
            "child": export.child,
            "exported_at": export.exported_at.isoformat(),
            "tables": {name: [dict(row) for row in rows] for name, rows in export.tables.items()},
        }
        json_path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        written.append(json_path)
        for table, rows in export.tables.items():
            path = folder / f"{stem}-{table}.csv"
            written.append(path)
            columns: list[str] = []
            for row in rows:
                columns += [str(key) for key in row if str(key) not in columns]
            # utf-8-sig: a spreadsheet on Windows then reads the Vietnamese right.
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(columns)
                for row in rows:
                    if should_stop():
                        raise ExportCancelledError
                    writer.writerow([_cell(row.get(column)) for column in columns])
                    done += 1
                    on_progress(done, total)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    on_progress(total, total)
    return tuple(written)
