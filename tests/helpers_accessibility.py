"""What the accessibility tests look for in a window: controls without a screen-reader
name, and widgets cut at the scale in force. Also a child-process entry point: run with
``QT_SCALE_FACTOR`` set, it opens the real window on a real agent, visits every page and
prints what is cut as JSON (the scale must be set before Qt starts, hence the process).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QTabBar,
    QWidget,
)


def controls(page: QWidget) -> list[QWidget]:
    """The page's visible controls a parent can reach with Tab."""
    found: list[QWidget] = []
    for widget in page.findChildren(QWidget):
        if not widget.isVisibleTo(page) or isinstance(widget, QTabBar):
            continue
        if widget.focusPolicy() & widget.focusPolicy().TabFocus:
            if isinstance(widget, QLabel) or (widget.parent() is not None and isinstance(
                widget.parent(), QComboBox | QAbstractSpinBox
            )):
                continue  # a combo box's or spin box's own line edit
            if widget.metaObject().className() in ("QScrollArea", "QSplitterHandle"):
                continue
            found.append(widget)
    return found


def describe(widget: QWidget) -> str:
    return f"{widget.metaObject().className()}#{widget.objectName() or '?'}"


def unnamed(page: QWidget) -> list[str]:
    """Controls a screen reader would announce without a name."""
    missing = []
    for widget in controls(page):
        interface = QAccessible.queryAccessibleInterface(widget)
        name = interface.text(QAccessible.Text.Name) if interface is not None else ""
        if not name.strip():
            missing.append(describe(widget))
    return missing


def cut(page: QWidget) -> list[str]:
    """Visible widgets smaller than they need to be to show their text."""
    problems = []
    for widget in page.findChildren(QWidget):
        if not widget.isVisibleTo(page) or widget.width() <= 0:
            continue
        if isinstance(widget, QAbstractButton | QComboBox | QAbstractSpinBox):
            need = widget.minimumSizeHint()
            if widget.width() < need.width() or widget.height() < need.height():
                problems.append(f"{describe(widget)} {widget.width()}x{widget.height()} "
                                f"< {need.width()}x{need.height()}")
        elif isinstance(widget, QLabel) and widget.text():
            if widget.wordWrap():
                need_height = widget.heightForWidth(widget.width())
                if need_height > widget.height() + 1:
                    problems.append(f"{describe(widget)} {widget.height()} < {need_height}")
            elif widget.width() + 1 < widget.minimumSizeHint().width():
                problems.append(f"{describe(widget)} {widget.width()} < "
                                f"{widget.minimumSizeHint().width()}: {widget.text()[:40]}")
    return problems


def _settle(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.02)


def main() -> int:
    sys.path.insert(0, str(Path(__file__).parent))
    from helpers_policy_agent import PARENT_PIN, running_family, set_first_pin

    from gui.api_backend import ApiBackend
    from gui.app import build_main_window

    application = QApplication(["baoan-scaled"])
    report: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as folder, running_family(Path(folder)) as family:
        set_first_pin(family)
        backend = ApiBackend(family.url, timeout=30.0)
        window = build_main_window(backend, agent_address=family.url, language="vi",
                                   refresh_ms=600_000, idle_lock_ms=3_600_000)
        window.resize(1100, 760)
        window.show()
        _settle(1.0)
        report["PIN"] = cut(window.login_page)
        window.controller.login(PARENT_PIN)
        deadline = time.monotonic() + 15
        while not window.showing_parent_page() and time.monotonic() < deadline:
            _settle(0.1)
        _settle(1.5)
        tabs = window.parent_page.tabs
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            _settle(0.5)
            page = tabs.widget(index)
            report[tabs.tabText(index)] = cut(page)
        need = window.minimumSizeHint()
        if window.width() < need.width() or window.height() < need.height():
            report["window"] = [f"{window.width()}x{window.height()} < {need.width()}x"
                                f"{need.height()}"]
        report["scale"] = [str(application.devicePixelRatio())]
        window.close()
        backend.close()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
