"""Small helpers shared by the views."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

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
