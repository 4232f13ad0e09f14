"""The first run, after the first PIN is set: the recovery code, shown once, then the
first child (name, age or birth year, the OS account picked from this PC's, and what the
age's preset blocks and limits, before anything is saved)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.backend import PolicyProblem
from gui.colours import Meaning
from gui.family_backend import FamilySnapshot, OsAccount, PresetSummary
from gui.views.child_form import ChildForm
from gui.views.contrast import apply_meaning


class FirstRunPage(QWidget):
    child_save_requested = Signal(object, object)  # the name it had (str | None), ChildEntry
    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._code = ""
        self._first = True
        self._original: str | None = None
        self._saving = False
        self._filled = False  # the form took the family's first child once
        self.steps = QStackedWidget(self)

        # Step 1: the recovery code.
        self.code_step = QWidget(self.steps)
        self.code_title = _title(self.code_step)
        self.code_explanation = QLabel(self.code_step)
        self.code_explanation.setWordWrap(True)
        self.code_label = QLabel(self.code_step)
        self.code_label.setObjectName("recoveryCode")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setWeight(QFont.Weight.Bold)
        self.code_label.setFont(font)
        self.written_down = QCheckBox(self.code_step)
        self.written_down.setObjectName("wroteItDown")
        self.next_button = QPushButton(self.code_step)
        self.next_button.setObjectName("firstRunNext")
        self.next_button.setEnabled(False)
        self.written_down.toggled.connect(self.next_button.setEnabled)
        self.next_button.clicked.connect(self._after_code)
        code_layout = QVBoxLayout(self.code_step)
        code_layout.addWidget(self.code_title)
        code_layout.addWidget(self.code_explanation)
        code_layout.addWidget(self.code_label)
        code_layout.addWidget(self.written_down)
        code_layout.addWidget(self.next_button, 0, Qt.AlignmentFlag.AlignLeft)
        code_layout.addStretch(1)

        # Step 2: the first child.
        self.child_step = QWidget(self.steps)
        self.child_title = _title(self.child_step)
        self.child_explanation = QLabel(self.child_step)
        self.child_explanation.setWordWrap(True)
        self.form = ChildForm(self.child_step)
        self.save_button = QPushButton(self.child_step)
        self.save_button.setObjectName("firstChildSave")
        self.later_button = QPushButton(self.child_step)
        self.later_button.setObjectName("firstChildLater")
        self.message = QLabel(self.child_step)
        self.message.setObjectName("firstRunMessage")
        self.message.setWordWrap(True)
        apply_meaning(self.message, Meaning.PROBLEM)  # it says only what went wrong
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.later_button)
        buttons.addStretch(1)
        child_layout = QVBoxLayout(self.child_step)
        child_layout.addWidget(self.child_title)
        child_layout.addWidget(self.child_explanation)
        child_layout.addWidget(self.form)
        child_layout.addLayout(buttons)
        child_layout.addWidget(self.message)
        child_layout.addStretch(1)
        self.save_button.clicked.connect(self._save)
        self.later_button.clicked.connect(self.finished)
        self.form.changed.connect(self._update_save)

        self.steps.addWidget(self.code_step)
        self.steps.addWidget(self.child_step)
        layout = QVBoxLayout(self)
        layout.addWidget(self.steps)
        self.retranslate()

    # Flow.
    def start(self, recovery_code: str | None, first: bool) -> None:
        """A PIN was just set: show its recovery code (when there is one), then, on the
        first run, the first child."""
        self._code, self._first = recovery_code or "", first
        self._saving = False
        self._filled = False
        self.code_label.setText(self._code)
        self.written_down.setChecked(False)
        self.message.clear()
        if self._code:
            self.steps.setCurrentWidget(self.code_step)
        elif first:
            self.steps.setCurrentWidget(self.child_step)
        else:
            self.finished.emit()
        self.retranslate()

    def set_presets(self, presets: Sequence[PresetSummary]) -> None:
        self.form.set_presets(presets)

    def set_accounts(self, accounts: Sequence[OsAccount]) -> None:
        self.form.set_accounts(accounts)

    def show_family(self, snapshot: FamilySnapshot) -> None:
        """The child set up at install (when there is one) is the one the parent fills in."""
        if self._filled or self._saving:
            return  # never over what the parent is typing
        self._filled = True
        first = snapshot.children[0] if snapshot.children else None
        self._original = first.name if first else None
        self.form.set_child(first)
        self._update_save()

    def show_saved(self, _action: str, _name: str) -> None:
        if self._saving:
            self._saving = False
            self.finished.emit()

    def show_problem(self, problems: tuple[PolicyProblem, ...] | str) -> None:
        self._saving = False
        if isinstance(problems, str):
            self.message.setText(problems)
        else:
            self.message.setText(
                "\n".join(f"{problem.path}: {problem.expected or ''}" for problem in problems)
            )
        self._update_save()

    def clear(self) -> None:
        """Forget the code (on lock): it is shown once."""
        self._code = ""
        self.code_label.clear()

    def _after_code(self) -> None:
        self.code_label.clear()  # shown once: gone from the screen once written down
        if self._first:
            self.steps.setCurrentWidget(self.child_step)
            self.form.name_edit.setFocus()
        else:
            self.finished.emit()

    def _save(self) -> None:
        if not self.form.is_complete():
            return
        self._saving = True
        self._update_save()
        self.child_save_requested.emit(self._original, self.form.entry())

    def _update_save(self) -> None:
        self.save_button.setEnabled(self.form.is_complete() and not self._saving)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.code_title.setText(self.tr("The PIN is set. Now write down your recovery code"))
        self.code_explanation.setText(
            self.tr(
                "If you forget the PIN, this code sets a new one (on the PIN page, under "
                '"Forgot the PIN?"). Keep it somewhere safe, away from the children. It is '
                "shown only now: Bảo An keeps no copy it could show again."
            )
        )
        self.written_down.setText(self.tr("I have &written the code down"))
        self.next_button.setText(self.tr("&Next") if self._first else self.tr("&Done"))
        self.child_title.setText(self.tr("Your first child"))
        self.child_explanation.setText(
            self.tr(
                "Tell Bảo An about the child who uses this computer. Their age chooses what "
                "is blocked and how long they may use the computer; you can change each rule "
                "later. Nothing is saved until you press Save."
            )
        )
        self.save_button.setText(self.tr("&Save"))
        self.later_button.setText(self.tr("&Later"))


def _title(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.3)
    label.setFont(font)
    label.setWordWrap(True)
    return label
