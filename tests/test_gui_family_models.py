"""The first run's, the Children page's and the Settings page's pieces without widgets:
the pure helpers, the table models in both languages, the export's files, the
controllers over an in-process backend, and the agent's list update cancelled."""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from agent.list_update import ListUpdates
from agent.policy import FamilyPolicy
from dns_filter.lists import ListSource
from gui.backend import ListInfo, PolicyConflictError
from gui.export_files import ExportCancelledError, file_stem, write_export
from gui.family_backend import (
    ChildEntry,
    ChildExport,
    DeviceEntry,
    FamilySnapshot,
    ListUpdate,
    PresetSummary,
)
from gui.family_controller import (
    FamilyController,
    device_from,
    is_recovery_code,
    preset_for_age,
)
from gui.family_models import ChildSettingsTableModel, ListSourcesTableModel
from gui.i18n import Translations
from gui.settings_controller import SettingsController
from gui.workers import ApiRunner

PRESETS = (
    PresetSummary("mam-non", "Mầm non", "Preschool", 0, 5),
    PresetSummary("tieu-hoc", "Tiểu học", "Primary", 6, 10),
    PresetSummary("thcs", "THCS", "Lower secondary", 11, 14),
    PresetSummary("thpt", "THPT", "Upper secondary", 15, 17),
)


def test_the_age_gives_the_preset_and_codes_are_told_apart() -> None:
    assert preset_for_age(PRESETS, 9) is PRESETS[1]
    assert preset_for_age(PRESETS, 14) is PRESETS[2]
    assert preset_for_age(PRESETS, 18) is None and preset_for_age(PRESETS, None) is None
    assert is_recovery_code("7kq2 m9xd-4htr-wb3c")
    assert not is_recovery_code("7KQ2-M9XD-4HTR")  # the set-up code has 12 letters


def test_a_device_is_an_ip_or_a_mac_address() -> None:
    assert device_from("Máy tính bảng", " 192.168.1.23 ") == DeviceEntry(
        "Máy tính bảng", ip="192.168.1.23"
    )
    assert device_from("", "A4-5E-60-D1-22-3B") == DeviceEntry("", mac="a4:5e:60:d1:22:3b")
    assert device_from(" ", "") is None


def test_the_children_settings_table_in_both_languages(
    qapp: object, vietnamese: Translations
) -> None:
    model = ChildSettingsTableModel(today=date(2026, 12, 1))
    model.set_rows(
        [
            ChildEntry("An", age=9, os_users=("an",), preset_in_force="tieu-hoc"),
            ChildEntry(
                "Bình", birth_year=2013, preset="thcs", preset_in_force="thcs",
                devices=(DeviceEntry("Máy tính bảng", ip="192.168.1.23"),),
            ),
        ]
    )
    headers = [model.headerData(i, Qt.Orientation.Horizontal)
               for i in range(model.columnCount())]
    assert headers == ["Tên", "Tuổi", "Mức theo tuổi", "Tài khoản máy tính", "Thiết bị trong nhà"]
    rows = [[model.display(row, column) for column in range(5)] for row in model.rows()]
    assert rows[0] == ["An", "9", "Tiểu học (6–10 tuổi), theo tuổi", "an", "—"]
    assert rows[1][1] == "13 (sinh năm 2013)" and rows[1][4] == "Máy tính bảng"
    assert model.tooltip(model.rows()[1], model.DEVICES) == "Máy tính bảng: 192.168.1.23"
    vietnamese.use("en")
    assert model.headerData(3, Qt.Orientation.Horizontal) == (
        "Computer accounts"
    )
    assert model.display(model.rows()[1], model.AGE) == "13 (born 2013)"


def test_the_list_sources_table(qapp: object, english: Translations) -> None:
    model = ListSourcesTableModel()
    model.set_rows([ListInfo("gambling", "https://x.example/list.txt", 12345, None)])
    row = model.rows()[0]
    assert model.display(row, model.COUNT) == "12.345"
    assert model.display(row, model.UPDATED) == "Never"


def export_of(child: str) -> ChildExport:
    return ChildExport(
        child=child,
        exported_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        tables={
            "events": ({"id": 1, "child": child, "message": "Trợ giúp", "data": {"a": 1}},),
            "query_log": (
                {"id": 7, "child": child, "name": "a.example"},
                {"id": 8, "child": child, "name": "b.example", "category": None},
            ),
        },
    )


def test_the_export_writes_json_and_one_csv_per_table(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    paths = write_export(export_of("Bình"), tmp_path, on_progress=lambda d, t: seen.append((d, t)))
    stem = file_stem("Bình", "2026-12-01")
    assert stem == "baoan-binh-2026-12-01"
    assert [path.name for path in paths] == [
        f"{stem}.json", f"{stem}-events.csv", f"{stem}-query_log.csv"
    ]
    document = json.loads(paths[0].read_text(encoding="utf-8"))
    assert document["child"] == "Bình" and len(document["tables"]["query_log"]) == 2
    with paths[2].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["name"] for row in rows] == ["a.example", "b.example"]
    assert rows[1]["category"] == ""
    with paths[1].open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.DictReader(handle))["data"] == '{"a": 1}'
    assert seen[-1] == (3, 3)


def test_a_cancelled_export_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(ExportCancelledError):
        write_export(export_of("An"), tmp_path, should_stop=lambda: True)
    assert list(tmp_path.iterdir()) == []


@dataclass
class FakeBackend:
    """The family and settings calls, in process."""

    snapshot: FamilySnapshot = field(
        default_factory=lambda: FamilySnapshot('"v1"', (ChildEntry("An", age=9),))
    )
    conflicts: int = 0
    updates: list[ListUpdate] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def presets(self, token: str) -> tuple[PresetSummary, ...]:
        return PRESETS

    def os_accounts(self, token: str) -> tuple[()]:
        return ()

    def family(self, token: str) -> FamilySnapshot:
        return self.snapshot

    def add_child(self, token: str, etag: str, child: ChildEntry) -> FamilySnapshot:
        if self.conflicts:
            self.conflicts -= 1
            self.snapshot = FamilySnapshot('"v2"', self.snapshot.children)
            raise PolicyConflictError()
        assert etag == self.snapshot.etag
        self.snapshot = FamilySnapshot('"v3"', (*self.snapshot.children, child))
        return self.snapshot

    def create_pin(self, pin: str, setup_code: str) -> object:
        raise NotImplementedError

    def update_child(self, token: str, etag: str, name: str, child: ChildEntry) -> FamilySnapshot:
        raise NotImplementedError

    def remove_child(self, token: str, etag: str, name: str) -> FamilySnapshot:
        raise NotImplementedError

    # The settings' list update: running twice, then done.
    def pause_state(self, token: str) -> object:
        from gui.family_backend import PauseState

        return PauseState()

    def list_update(self, token: str) -> ListUpdate:
        return self.updates.pop(0) if len(self.updates) > 1 else self.updates[0]

    def start_list_update(self, token: str) -> ListUpdate:
        return ListUpdate("running", 2, 0, "gambling: a")

    def cancel_list_update(self, token: str) -> ListUpdate:
        return ListUpdate("cancelled", 2, 1)

    def pause_protection(self, token: str, minutes: int) -> object:
        raise NotImplementedError

    def resume_protection(self, token: str) -> object:
        raise NotImplementedError

    def export_child_data(self, token: str, child: str) -> ChildExport:
        self.release.wait(10)
        return export_of(child)

    def delete_child_data(self, token: str, child: str) -> int:
        return 3

    def change_pin(self, token: str, old_pin: str, new_pin: str) -> None:
        return None

    def new_recovery_code(self, token: str) -> str:
        return "AAAA-BBBB-CCCC-DDDD"

    def reset_pin_with_recovery_code(self, pin: str, recovery_code: str) -> object:
        raise NotImplementedError


def runner_for(backend: FakeBackend) -> ApiRunner:
    return ApiRunner(backend)  # type: ignore[arg-type]


def no_failure(error: object) -> None:
    raise AssertionError(error)


def test_a_conflict_reads_the_family_again_and_the_next_save_works(qtbot: QtBot) -> None:
    backend = FakeBackend(conflicts=1)
    runner = runner_for(backend)
    family = FamilyController(runner, lambda: "token", no_failure)
    with qtbot.waitSignal(family.presets_loaded):
        family.load()
    qtbot.waitUntil(lambda: family.snapshot is not None)
    with qtbot.waitSignals([family.save_conflict, family.family_loaded]):
        family.add_child(ChildEntry("Bình", age=13))
    qtbot.waitUntil(lambda: family.snapshot is not None and family.snapshot.etag == '"v2"')
    with qtbot.waitSignal(family.child_saved) as saved:
        family.add_child(ChildEntry("Bình", age=13))
    assert saved.args == ["added", "Bình"]
    assert family.child("bình") == ChildEntry("Bình", age=13)
    runner.shutdown()


def test_update_now_is_followed_until_it_ends(qtbot: QtBot) -> None:
    backend = FakeBackend(
        updates=[ListUpdate("running", 2, 1, "gambling: b"), ListUpdate("done", 2, 2, None, 1)]
    )
    runner = runner_for(backend)
    settings = SettingsController(runner, lambda: "token", no_failure, poll_ms=20)
    seen: list[ListUpdate] = []
    settings.update_progress.connect(seen.append)
    with qtbot.waitSignal(settings.update_finished, timeout=5000) as finished:
        settings.start_list_update()
    assert finished.args[0].state == "done"
    assert [update.done for update in seen] == [0, 1, 2]
    settings.stop()
    runner.shutdown()


def test_an_export_can_be_cancelled_while_it_runs(qtbot: QtBot, tmp_path: Path) -> None:
    backend = FakeBackend()
    runner = runner_for(backend)
    settings = SettingsController(runner, lambda: "token", no_failure)
    settings.export("An", tmp_path / "copy")
    assert settings.exporting
    settings.cancel_export()
    with qtbot.waitSignal(settings.export_cancelled, timeout=5000):
        backend.release.set()
    assert not (tmp_path / "copy").exists() or not list((tmp_path / "copy").iterdir())
    runner.shutdown()


class SlowLists:
    """Two sources; the first waits until told, so the cancel comes in between."""

    def __init__(self) -> None:
        self.go_on = threading.Event()
        self.fetched: list[str] = []

    def source_count(self, family: FamilyPolicy) -> int:
        return 2

    def refresh(
        self,
        family: FamilyPolicy,
        *,
        on_start: Callable[[ListSource], None] | None = None,
        on_outcome: Callable[[object], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> bool:
        for location in ("a.txt", "b.txt"):
            if should_stop is not None and should_stop():
                return False
            if on_start is not None:
                on_start(ListSource("gambling", location))
            self.go_on.wait(10)
            self.fetched.append(location)
        return False


def test_the_agents_list_update_stops_between_two_sources_when_cancelled() -> None:
    lists = SlowLists()
    updates = ListUpdates(lists, FamilyPolicy, lambda: None, lambda: datetime.now(UTC))
    started = updates.start()
    assert started.running and started.total == 2
    assert updates.start().started_at == started.started_at  # one at a time
    updates.cancel()
    lists.go_on.set()
    assert updates.wait(10)
    state = updates.state()
    assert state.state == "cancelled" and lists.fetched == ["a.txt"]
