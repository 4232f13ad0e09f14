"""Small helpers shared by the views."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QTableView,
    QWidget,
)

from gui.models import SORT_ROLE, _RecordTableModel

STRETCH_LAST = -1
STRETCH_ALL = -2


def make_table(
    model: _RecordTableModel, parent: QWidget | None = None, stretch: int = STRETCH_LAST
) -> QTableView:
    """A read-only, sortable table over ``model`` (sorting by each column's raw value).

    ``stretch`` is the column that takes the spare width (``STRETCH_LAST`` by default,
    ``STRETCH_ALL`` to share it); the others fit their contents.
    """
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    table = QTableView(parent)
    table.setModel(proxy)
    table.setSortingEnabled(True)
    # Keep the agent's order (newest first, largest first) until the parent clicks a header.
    table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    proxy.sort(-1)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    # Tab leaves the table (the arrow keys move inside it): a long table is no trap.
    table.setTabKeyNavigation(False)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    if stretch == STRETCH_ALL:
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    else:
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if stretch == STRETCH_LAST:
            header.setStretchLastSection(True)
        else:
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setMinimumSectionSize(60)
    return table


def add_shortcut(
    button: QAbstractButton, keys: QKeySequence | QKeySequence.StandardKey
) -> QShortcut:
    """A key that presses ``button`` while it shows (a shortcut of its own, not the
    button's, which every ``setText`` resets to the text's mnemonic)."""
    shortcut = QShortcut(QKeySequence(keys), button)
    shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
    shortcut.activated.connect(lambda: button.animateClick() if button.isEnabled() else None)
    return shortcut


def add_save_shortcut(button: QAbstractButton) -> QShortcut:
    """The platform's Save key (Ctrl+S) for a page's Save button."""
    return add_shortcut(button, QKeySequence.StandardKey.Save)


def place_in_tab_order(after: QWidget, group: QWidget) -> QWidget:
    """Put the controls inside ``group`` right after ``after`` in Tab's order, in their
    own order, and give the last of them (``after`` when there is none). For a part made
    later than the controls it is shown among: Tab would otherwise reach it last."""
    members = set()
    for widget in group.findChildren(QWidget):
        inner = isinstance(widget.parentWidget(), QAbstractSpinBox | QComboBox)
        if inner or widget.focusProxy() is not None or widget.window() is not after.window():
            continue  # a box's own line edit goes with it; a combo box's list is a popup
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            members.add(id(widget))
    # In the order the group's own chain has them (it may have set its own).
    ordered: list[QWidget] = []
    step = group.nextInFocusChain()
    while step is not None and step is not group and len(ordered) < len(members):
        if id(step) in members and step not in ordered:
            ordered.append(step)
        step = step.nextInFocusChain()
    previous = after
    for member in ordered:
        QWidget.setTabOrder(previous, member)
        previous = member
    return previous


def chosen_child(combo: QComboBox) -> str | None:
    """The child chosen in a combo of the children's names (None: no child)."""
    value = combo.currentData()
    return value if isinstance(value, str) else None


def fill_child_combo(combo: QComboBox, names: Sequence[str]) -> str | None:
    """Fill `combo` with the children's names, keeping the child chosen when still there
    (else the first); the child now chosen when that changed, else None."""
    current = chosen_child(combo)
    if [combo.itemData(i) for i in range(combo.count())] == list(names):
        return None
    combo.blockSignals(True)
    combo.clear()
    for name in names:
        combo.addItem(name, name)
    position = combo.findData(current) if current is not None else -1
    combo.setCurrentIndex(max(0, position) if names else -1)
    combo.blockSignals(False)
    chosen = chosen_child(combo)
    return chosen if chosen is not None and chosen != current else None
