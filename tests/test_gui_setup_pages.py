"""The first run, the Children page and the Settings page in the real window, against a
real agent on random ports: the first PIN with its recovery code and the first child
reaching family.toml; a child added and removed; a child's data exported (JSON and CSV,
that child's rows only) and deleted; pausing protection lets a blocked name through and
ends by itself; "update now" with its progress; a wrong PIN refused."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from dnslib import QTYPE, DNSRecord
from helpers_dashboard import WAIT_MS, dashboard, signed_in_dashboard
from helpers_policy_agent import (
    PARENT_PIN,
    RunningFamily,
    family_text,
    running_family,
    set_first_pin,
    with_local_lists,
)
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from agent.api.client import ApiClient
from agent.pin_setup import setup_code_path
from agent.policy import load_policy
from gui.family_backend import ChildEntry, DeviceEntry
from gui.views.child_form import ChildDialog
from gui.views.login_page import LoginMode
from gui.views.main_window import MainWindow

ACCOUNTS = frozenset({"an", "binh"})
BLOCKED = "www.example.test"


def family_with_lists(list_file: Path) -> object:
    def text(upstream_url: str) -> str:
        base = family_text(upstream_url).replace(
            'deny = ["a.example"]', f'deny = ["a.example", "{BLOCKED}"]', 1
        )
        return with_local_lists(base, {"gambling": list_file})

    return text


@pytest.fixture
def family(tmp_path: Path) -> Iterator[RunningFamily]:
    list_file = tmp_path / "gambling.txt"
    list_file.write_text("casino.example\nbet.example\n", encoding="utf-8")
    with running_family(
        tmp_path,
        os_accounts=lambda: ACCOUNTS,
        pause_minute_seconds=1.0,
        text=family_with_lists(list_file),  # type: ignore[arg-type]
    ) as running:
        yield running


@pytest.fixture
def fresh_window(qtbot: QtBot, qapp: object, family: RunningFamily) -> Iterator[MainWindow]:
    with dashboard(qtbot, qapp, family.url) as made:
        yield made


@pytest.fixture
def window(qtbot: QtBot, qapp: object, family: RunningFamily) -> Iterator[MainWindow]:
    set_first_pin(family)
    with signed_in_dashboard(qtbot, qapp, family.url) as made:
        yield made


def ask(family: RunningFamily, name: str) -> list[str]:
    server = family.agent.dns_server
    assert server is not None
    query = DNSRecord.question(name, "A")
    reply = DNSRecord.parse(query.send("127.0.0.1", server.addresses[0].port, timeout=5))
    return [str(rr.rdata) for rr in reply.rr if rr.rtype == QTYPE.A]


def declined(asked: list[str], question: str) -> bool:
    """A parent who reads the question and answers No."""
    asked.append(question)
    return False


def tick_account(items: object, name: str) -> None:
    from PySide6.QtWidgets import QListWidget

    assert isinstance(items, QListWidget)
    for index in range(items.count()):
        item = items.item(index)
        if item.data(Qt.ItemDataRole.UserRole) == name:
            item.setCheckState(Qt.CheckState.Checked)
            return
    raise AssertionError(f"no account {name}")


def test_the_first_run_sets_the_pin_shows_the_recovery_code_once_and_adds_the_first_child(
    qtbot: QtBot, fresh_window: MainWindow, family: RunningFamily
) -> None:
    window = fresh_window
    login = window.login_page
    qtbot.waitUntil(lambda: login.setup_code_edit.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(login.pin_edit.isEnabled, timeout=WAIT_MS)
    code = setup_code_path(family.agent.settings.data_dir).read_text(encoding="ascii").strip()
    qtbot.keyClicks(login.pin_edit, PARENT_PIN)
    qtbot.keyClicks(login.confirm_edit, PARENT_PIN)
    qtbot.keyClicks(login.setup_code_edit, code)
    qtbot.mouseClick(login.submit_button, Qt.MouseButton.LeftButton)

    first = window.first_run_page
    qtbot.waitUntil(lambda: bool(first.code_label.text()), timeout=WAIT_MS)
    assert window.stack.currentWidget() is first
    recovery = first.code_label.text()
    assert len(recovery.replace("-", "")) == 16
    assert not first.next_button.isEnabled()  # written down first
    first.written_down.setChecked(True)
    qtbot.mouseClick(first.next_button, Qt.MouseButton.LeftButton)
    assert first.code_label.text() == ""  # shown once

    form = first.form
    qtbot.waitUntil(lambda: form.name_edit.text() == "An", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: form.accounts_list.count() == 2, timeout=WAIT_MS)
    form.name_edit.clear()
    qtbot.keyClicks(form.name_edit, "Minh")
    form.age_kind.setCurrentIndex(1)  # by birth year
    form.year_spin.setValue(date.today().year - 12)
    tick_account(form.accounts_list, "binh")
    # What the age's preset does, shown before anything is saved.
    qtbot.waitUntil(lambda: "THCS (11–14 tuổi)" in form.preset_preview.text(), timeout=WAIT_MS)
    preview = form.preset_preview.text()
    assert "Chặn:" in preview and "Cờ bạc" in preview
    assert "Thời gian dùng máy: 2 giờ" in preview and "Nghị định 147/2024" in preview
    assert [child.name for child in load_policy(family.config).children] == ["An"]

    qtbot.mouseClick(first.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.showing_parent_page, timeout=WAIT_MS)
    policy = load_policy(family.config)
    minh = policy.children[0]
    assert (minh.name, minh.birth_year, minh.os_users) == (
        "Minh", date.today().year - 12, ("an", "binh")
    )
    assert policy.default_child == "Minh"

    # The code written down resets a forgotten PIN (once).
    with ApiClient(family.url) as client:
        assert client.reset_pin_with_recovery_code("1357", recovery).status == "reset"


def test_a_forgotten_pin_is_reset_with_the_recovery_code_in_the_window(
    qtbot: QtBot, fresh_window: MainWindow, family: RunningFamily
) -> None:
    code = setup_code_path(family.agent.settings.data_dir).read_text(encoding="ascii").strip()
    with ApiClient(family.url) as client:
        recovery = client.create_pin(PARENT_PIN, code).recovery_code
    assert recovery is not None
    window = fresh_window
    login = window.login_page
    window.controller.refresh_status()  # the agent has a PIN now
    qtbot.waitUntil(lambda: login.mode == LoginMode.UNLOCK, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: login.forgot_button.isVisible(), timeout=WAIT_MS)
    qtbot.mouseClick(login.forgot_button, Qt.MouseButton.LeftButton)
    assert "mã khôi phục" in login.setup_help.text()
    qtbot.waitUntil(login.pin_edit.isEnabled, timeout=WAIT_MS)
    qtbot.keyClicks(login.pin_edit, "97531")
    qtbot.keyClicks(login.confirm_edit, "97531")
    qtbot.keyClicks(login.setup_code_edit, "2222-3333-4444-5555")
    qtbot.mouseClick(login.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Mã không đúng" in login.message_text(), timeout=WAIT_MS)
    login.setup_code_edit.clear()
    qtbot.keyClicks(login.setup_code_edit, recovery)
    qtbot.mouseClick(login.submit_button, Qt.MouseButton.LeftButton)
    first = window.first_run_page
    qtbot.waitUntil(lambda: bool(first.code_label.text()), timeout=WAIT_MS)
    assert first.code_label.text() != recovery  # a fresh code for next time
    first.written_down.setChecked(True)
    qtbot.mouseClick(first.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.showing_parent_page, timeout=WAIT_MS)
    with ApiClient(family.url) as client:
        client.open_session("97531")


def test_a_child_added_in_the_window_reaches_family_toml_and_is_removed(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    page = window.parent_page.children_page
    qtbot.waitUntil(lambda: page.settings_model.rowCount() == 1, timeout=WAIT_MS)
    controller = window.family
    assert controller is not None
    qtbot.waitUntil(lambda: len(controller.presets) == 4, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(controller.accounts) == 2, timeout=WAIT_MS)

    # The dialog: the form gives what the parent typed, with the preset shown.
    dialog = ChildDialog(controller.presets, controller.accounts, None, window)
    qtbot.addWidget(dialog)
    dialog.form.name_edit.setText("Bình")  # typed: keyClicks takes Latin-1 only
    dialog.form.age_spin.setValue(13)
    tick_account(dialog.form.accounts_list, "binh")
    dialog.form.add_device_row("Máy tính bảng", "192.168.1.50")
    assert "THCS (11–14 tuổi)" in dialog.form.preset_preview.text()
    typed = dialog.form.entry()
    assert typed == ChildEntry(
        name="Bình", age=13, os_users=("binh",),
        devices=(DeviceEntry("Máy tính bảng", ip="192.168.1.50"),),
    )
    page.edit_child = lambda current: typed
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Đã thêm Bình" in page.message_label.text(), timeout=WAIT_MS)
    policy = load_policy(family.config)
    assert [child.name for child in policy.children] == ["An", "Bình"]
    assert policy.devices[0].child == "Bình" and policy.devices[0].ip == "192.168.1.50"
    qtbot.waitUntil(lambda: page.settings_model.rowCount() == 2, timeout=WAIT_MS)
    # Today's table and the other tabs' child lists follow.
    qtbot.waitUntil(lambda: window.parent_page.children_model.rowCount() == 2, timeout=WAIT_MS)

    page.select_child("Bình")
    asked: list[str] = []
    page.confirm = lambda title, question: declined(asked, question)
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert asked and "Bình" in asked[0]
    assert len(load_policy(family.config).children) == 2  # not confirmed: kept
    page.confirm = lambda title, question: True
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Đã bỏ Bình" in page.message_label.text(), timeout=WAIT_MS)
    assert [child.name for child in load_policy(family.config).children] == ["An"]


def test_export_writes_that_childs_rows_only_and_delete_removes_them(
    qtbot: QtBot, window: MainWindow, family: RunningFamily, tmp_path: Path
) -> None:
    store = family.agent.store
    assert store is not None
    store.events.add("tray-missing", "An's tray is gone", child="An")
    store.events.add("tray-missing", "Bình's tray is gone", child="Bình")
    settings = window.parent_page.settings_page
    window.parent_page.tabs.setCurrentWidget(settings)
    qtbot.waitUntil(lambda: settings.data_child.currentText() == "An", timeout=WAIT_MS)

    folder = tmp_path / "copy"
    settings.choose_folder = lambda: folder
    qtbot.mouseClick(settings.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Đã lưu (JSON và CSV)" in settings.data_label.text(), timeout=WAIT_MS)
    files = sorted(path.name for path in folder.iterdir())
    stem = f"baoan-an-{date.today().isoformat()}"
    assert f"{stem}.json" in files and f"{stem}-events.csv" in files
    document = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
    assert document["child"] == "An"
    rows = [row for table in document["tables"].values() for row in table]
    assert rows and all(row["child"] == "An" for row in rows)
    with (folder / f"{stem}-events.csv").open(encoding="utf-8-sig", newline="") as handle:
        events = list(csv.DictReader(handle))
    assert [row["message"] for row in events] == ["An's tray is gone"]

    asked: list[str] = []
    settings.confirm = lambda title, question: declined(asked, question)
    qtbot.mouseClick(settings.delete_button, Qt.MouseButton.LeftButton)
    assert asked and "An" in asked[0]
    assert "An's tray is gone" in [event.message for event in store.events.recent(child="An")]
    settings.confirm = lambda title, question: True
    qtbot.mouseClick(settings.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Đã xóa dữ liệu của An" in settings.data_label.text(), timeout=WAIT_MS)
    with ApiClient(family.url) as client:
        client.token = client.open_session(PARENT_PIN).token
        assert all(not rows for rows in client.export_child_data("An").tables.values())
        others = client.export_child_data("Bình").tables["events"]
        assert [row["message"] for row in others] == ["Bình's tray is gone"]


def test_pause_protection_lets_a_blocked_name_through_and_ends_by_itself(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    block_page = family.agent.block_page_ipv4()
    assert ask(family, BLOCKED) == [block_page]
    settings = window.parent_page.settings_page
    window.parent_page.tabs.setCurrentWidget(settings)
    settings.pause_minutes.setValue(5)  # five "minutes" of a second each in this agent
    settings.confirm = lambda title, question: True
    qtbot.mouseClick(settings.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Đã tạm dừng bảo vệ" in settings.pause_label.text(), timeout=WAIT_MS)
    assert ask(family, BLOCKED) == ["192.0.2.10"]
    assert settings.resume_button.isVisible()
    qtbot.waitUntil(lambda: ask(family, BLOCKED) == [block_page], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: settings.pause_label.text() == "Bảo An đang bảo vệ.", timeout=WAIT_MS)


def test_update_now_shows_its_progress_and_the_window_stays_free(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    settings = window.parent_page.settings_page
    window.parent_page.tabs.setCurrentWidget(settings)
    qtbot.waitUntil(lambda: settings.lists_model.rowCount() >= 1, timeout=WAIT_MS)
    progress: list[tuple[int, int]] = []
    assert window.settings is not None
    window.settings.update_progress.connect(lambda u: progress.append((u.done, u.total)))
    qtbot.mouseClick(settings.update_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "Danh sách đã cập nhật" in settings.update_label.text(), timeout=WAIT_MS
    )
    assert progress and progress[-1][0] == progress[-1][1] == 1
    assert settings.update_button.isEnabled() and not settings.cancel_update_button.isEnabled()
    qtbot.waitUntil(
        lambda: any(row.count == 2 for row in settings.lists_model.rows()), timeout=WAIT_MS
    )


def test_a_wrong_pin_is_refused_and_the_right_one_changes_it(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    settings = window.parent_page.settings_page
    window.parent_page.tabs.setCurrentWidget(settings)
    qtbot.keyClicks(settings.old_pin, "0000")
    qtbot.keyClicks(settings.new_pin, "86420")
    qtbot.keyClicks(settings.repeat_pin, "86420")
    qtbot.mouseClick(settings.change_pin_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "không đúng" in settings.pin_label.text(), timeout=WAIT_MS)
    assert "Còn 4 lần thử" in settings.pin_label.text()
    qtbot.keyClicks(settings.old_pin, PARENT_PIN)
    qtbot.mouseClick(settings.change_pin_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Đã đổi mã PIN" in settings.pin_label.text(), timeout=WAIT_MS)
    assert window.controller.logged_in  # this session stays
    with ApiClient(family.url) as client:
        client.open_session("86420")


def test_the_new_pages_in_english(
    qtbot: QtBot, window: MainWindow, family: RunningFamily, qapp: object
) -> None:
    window.parent_page.settings_page.language_combo.setCurrentIndex(1)
    qtbot.waitUntil(
        lambda: window.parent_page.tabs.tabText(window.parent_page.settings_index) == "Settings",
        timeout=WAIT_MS,
    )
    page = window.parent_page.children_page
    assert page.settings_box.title() == "The children on this computer"
    assert window.parent_page.settings_page.pause_box.title() == "Pause protection"
    assert window.language_box.currentData() == "en"
