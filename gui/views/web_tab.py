"""The parent's "Web" tab: what each child may open on the internet.

Categories (with what each means), apps and services, the child's own allow and block
lists (checked as they are typed), SafeSearch, YouTube's mode, and "test a site". A thin
view: it shows what :class:`~gui.rules_controller.WebRulesController` reports and emits
what the parent asks for.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui.backend import Catalogue, PolicyProblem, SiteVerdict, WebRules
from gui.colours import Meaning
from gui.domains import site_lines
from gui.labels import (
    category_description,
    category_label,
    decision_label,
    is_block,
    preset_label,
    reason_label,
)
from gui.service_icons import ServiceIcons
from gui.views.common import add_save_shortcut, chosen_child, fill_child_combo
from gui.views.contrast import apply_meaning
from gui.views.schedule_editor import ScheduleEditor

_YOUTUBE_MODES = ("off", "moderate", "strict")
_ID_ROLE = Qt.ItemDataRole.UserRole


class WebTab(QWidget):
    child_selected = Signal(str)
    save_requested = Signal(object)  # WebRules
    reload_requested = Signal()
    check_requested = Signal(str)  # a name to test

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rules: WebRules | None = None
        self._catalogue = Catalogue()
        self._filling = False
        self._dirty = False
        self._message: tuple[str, str] = ("", "")  # kind, for retranslation

        self.child_label = QLabel(self)
        self.child_combo = QComboBox(self)
        self.child_combo.setObjectName("webChild")
        self.child_combo.setMinimumContentsLength(16)
        self.child_label.setBuddy(self.child_combo)
        self.child_combo.currentIndexChanged.connect(self._on_child_index)
        self.preset_label = QLabel(self)
        self.reload_button = QPushButton(self)
        self.reload_button.setObjectName("webReload")
        self.reload_button.clicked.connect(self.reload_requested)
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("webSave")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._on_save)
        add_save_shortcut(self.save_button)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("webMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)

        self.categories_box = QGroupBox(self)
        self.categories_list = QListWidget(self.categories_box)
        self.categories_list.setObjectName("webCategories")
        self.categories_list.itemChanged.connect(self._on_edited)
        self.category_help = QLabel(self.categories_box)
        self.category_help.setWordWrap(True)
        self.categories_list.currentItemChanged.connect(self._show_category_help)
        box = QVBoxLayout(self.categories_box)
        box.addWidget(self.categories_list)
        box.addWidget(self.category_help)

        self.services_box = QGroupBox(self)
        self.services_list = QListWidget(self.services_box)
        self.services_list.setObjectName("webServices")
        self.services_list.setIconSize(QSize(24, 24))
        self._service_icons: ServiceIcons | None = None
        self.services_list.itemChanged.connect(self._on_edited)
        QVBoxLayout(self.services_box).addWidget(self.services_list)

        self.lists_box = QGroupBox(self)
        self.allow_label = QLabel(self.lists_box)
        self.allow_edit = QPlainTextEdit(self.lists_box)
        self.allow_edit.setObjectName("webAllow")
        self.allow_edit.setTabChangesFocus(True)
        self.allow_label.setBuddy(self.allow_edit)
        self.allow_error = QLabel(self.lists_box)
        self.allow_error.setObjectName("webAllowError")
        apply_meaning(self.allow_error, Meaning.PROBLEM)
        self.allow_error.setWordWrap(True)
        self.allow_error.setTextFormat(Qt.TextFormat.PlainText)
        self.deny_label = QLabel(self.lists_box)
        self.deny_edit = QPlainTextEdit(self.lists_box)
        self.deny_edit.setObjectName("webDeny")
        self.deny_edit.setTabChangesFocus(True)
        self.deny_label.setBuddy(self.deny_edit)
        self.deny_error = QLabel(self.lists_box)
        self.deny_error.setObjectName("webDenyError")
        apply_meaning(self.deny_error, Meaning.PROBLEM)
        self.deny_error.setWordWrap(True)
        self.deny_error.setTextFormat(Qt.TextFormat.PlainText)
        for edit in (self.allow_edit, self.deny_edit):
            edit.textChanged.connect(self._on_lists_typed)
        lists = QGridLayout(self.lists_box)
        lists.addWidget(self.allow_label, 0, 0)
        lists.addWidget(self.deny_label, 0, 1)
        lists.addWidget(self.allow_edit, 1, 0)
        lists.addWidget(self.deny_edit, 1, 1)
        lists.addWidget(self.allow_error, 2, 0)
        lists.addWidget(self.deny_error, 2, 1)
        self.lists_hint = QLabel(self.lists_box)
        self.lists_hint.setWordWrap(True)
        lists.addWidget(self.lists_hint, 3, 0, 1, 2)

        self.switches_box = QGroupBox(self)
        self.safe_search_check = QCheckBox(self.switches_box)
        self.safe_search_check.setObjectName("webSafeSearch")
        self.safe_search_check.toggled.connect(self._on_edited)
        self.youtube_label = QLabel(self.switches_box)
        self.youtube_combo = QComboBox(self.switches_box)
        self.youtube_combo.setObjectName("webYoutube")
        for mode in _YOUTUBE_MODES:
            self.youtube_combo.addItem("", mode)
        self.youtube_label.setBuddy(self.youtube_combo)
        self.youtube_combo.currentIndexChanged.connect(self._on_edited)
        self.allow_only_check = QCheckBox(self.switches_box)
        self.allow_only_check.setObjectName("webAllowListOnly")
        self.allow_only_check.toggled.connect(self._on_edited)
        switches = QFormLayout(self.switches_box)
        switches.addRow(self.safe_search_check)
        switches.addRow(self.youtube_label, self.youtube_combo)
        switches.addRow(self.allow_only_check)

        self.test_box = QGroupBox(self)
        self.test_label = QLabel(self.test_box)
        self.test_edit = QLineEdit(self.test_box)
        self.test_edit.setObjectName("webTestSite")
        self.test_label.setBuddy(self.test_edit)
        self.test_button = QPushButton(self.test_box)
        self.test_button.setObjectName("webTestButton")
        self.test_button.clicked.connect(self._on_test)
        self.test_edit.returnPressed.connect(self._on_test)
        self.test_result = QLabel(self.test_box)
        self.test_result.setObjectName("webTestResult")
        self.test_result.setWordWrap(True)
        self.test_result.setTextFormat(Qt.TextFormat.PlainText)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_label)
        test_row.addWidget(self.test_edit, 1)
        test_row.addWidget(self.test_button)
        test = QVBoxLayout(self.test_box)
        test.addLayout(test_row)
        test.addWidget(self.test_result)

        top = QHBoxLayout()
        top.addWidget(self.child_label)
        top.addWidget(self.child_combo)
        top.addWidget(self.preset_label, 1)
        top.addWidget(self.reload_button)
        top.addWidget(self.save_button)

        body = QWidget(self)
        grid = QGridLayout(body)
        grid.addWidget(self.categories_box, 0, 0)
        grid.addWidget(self.services_box, 0, 1)
        grid.addWidget(self.lists_box, 1, 0, 1, 2)
        grid.addWidget(self.switches_box, 2, 0)
        grid.addWidget(self.test_box, 2, 1)
        self.schedule_editor = ScheduleEditor(body)
        grid.addWidget(self.schedule_editor, 3, 0, 1, 2)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message_label)
        layout.addWidget(scroll, 1)
        self.retranslate()
        self._update_buttons()

    # Data in.
    def set_children(self, names: Sequence[str]) -> None:
        chosen = fill_child_combo(self.child_combo, names)
        if chosen is not None:
            self.child_selected.emit(chosen)

    def selected_child(self) -> str | None:
        return chosen_child(self.child_combo)

    def set_catalogue(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue
        self.schedule_editor.set_catalogue(catalogue)
        self._fill()

    def show_rules(self, rules: WebRules) -> None:
        """Rules fresh from the agent: the form shows them, edits so far are dropped."""
        self._rules = rules
        self._dirty = False
        self._fill()
        self._set_message("", "")

    def show_saved(self, rules: WebRules) -> None:
        self.show_rules(rules)
        self._set_message("saved", rules.child)

    def show_conflict(self) -> None:
        self._set_message("conflict", "")

    def show_refused(self, problems: Sequence[PolicyProblem]) -> None:
        lines = [
            f"{problem.path}: {problem.expected or ''}"
            + (f" ({problem.got})" if problem.got else "")
            for problem in problems
        ]
        self._set_message("refused", "\n".join(lines))

    def show_failure(self, text: str) -> None:
        self._set_message("failed", text)

    def show_verdict(self, verdict: SiteVerdict) -> None:
        words = decision_label(verdict.decision)
        names = {service.service_id: service.name for service in self._catalogue.services}
        why = reason_label(verdict.reason, names)
        text = self.tr("%1: %2 — %3").replace("%1", verdict.name)
        self.test_result.setText(text.replace("%2", words).replace("%3", why))
        blocked = is_block(verdict.decision)
        apply_meaning(self.test_result, Meaning.PROBLEM if blocked else Meaning.DONE)

    def clear(self) -> None:
        self._rules = None
        self._dirty = False
        self.set_children([])
        self._fill()
        self.test_edit.clear()
        self.test_result.clear()
        self.schedule_editor.clear()
        self._set_message("", "")

    def edited_rules(self) -> WebRules | None:
        """The rules as the form has them now; None when a list has a line that is not a
        site name."""
        if self._rules is None:
            return None
        allow, bad_allow = site_lines(self.allow_edit.toPlainText())
        deny, bad_deny = site_lines(self.deny_edit.toPlainText())
        if bad_allow or bad_deny:
            return None
        mode = self.youtube_combo.currentData()
        return WebRules(
            child=self._rules.child,
            preset=self._rules.preset,
            blocked_categories=frozenset(_checked(self.categories_list)),
            blocked_services=frozenset(_checked(self.services_list)),
            allow=tuple(allow),
            deny=tuple(deny),
            safe_search=self.safe_search_check.isChecked(),
            youtube_mode=mode if isinstance(mode, str) else self._rules.youtube_mode,
            allow_list_only=self.allow_only_check.isChecked(),
        )

    @property
    def dirty(self) -> bool:
        return self._dirty

    # Form.
    def _fill(self) -> None:
        self._filling = True
        rules = self._rules
        blocked_categories = rules.blocked_categories if rules else frozenset()
        blocked_services = rules.blocked_services if rules else frozenset()
        self.categories_list.clear()
        for category in self._catalogue.categories:
            item = QListWidgetItem(category_label(category), self.categories_list)
            item.setData(_ID_ROLE, category)
            item.setToolTip(category_description(category))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked
                if category in blocked_categories
                else Qt.CheckState.Unchecked
            )
        self.services_list.clear()
        services = self._catalogue.services
        if self._service_icons is None or not self._service_icons.suits(
            services, self.services_list.palette()
        ):
            self._service_icons = ServiceIcons(services, self.services_list.palette())
        for service in services:
            # The name is the text a screen reader says; the kind and age rating follow.
            item = QListWidgetItem(service.name, self.services_list)
            item.setData(_ID_ROLE, service.service_id)
            item.setIcon(self._service_icons.icon(service.service_id))
            about = category_label(service.category)
            if service.age_rating:
                about = f"{about} · {service.age_rating}"
            item.setToolTip(about)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, service.name)
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, about)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked
                if service.service_id in blocked_services
                else Qt.CheckState.Unchecked
            )
        self.allow_edit.setPlainText("\n".join(rules.allow) if rules else "")
        self.deny_edit.setPlainText("\n".join(rules.deny) if rules else "")
        self.safe_search_check.setChecked(rules.safe_search if rules else False)
        self.youtube_combo.setCurrentIndex(
            max(0, self.youtube_combo.findData(rules.youtube_mode)) if rules else 0
        )
        self.allow_only_check.setChecked(rules.allow_list_only if rules else False)
        self.preset_label.setText(
            self.tr("Starting rules: %1").replace("%1", preset_label(rules.preset))
            if rules
            else ""
        )
        self._on_lists_typed()
        self._filling = False
        self._update_buttons()

    def _on_child_index(self, _index: int) -> None:
        child = self.selected_child()
        if child is not None:
            self.child_selected.emit(child)

    def _on_edited(self, *_args: object) -> None:
        if not self._filling:
            self._dirty = True
            self._update_buttons()

    def _on_lists_typed(self) -> None:
        for edit, error in ((self.allow_edit, self.allow_error), (self.deny_edit, self.deny_error)):
            _names, bad = site_lines(edit.toPlainText())
            error.setText(
                self.tr("Not a website name: %1").replace("%1", ", ".join(bad)) if bad else ""
            )
            error.setVisible(bool(bad))
        self._on_edited()

    def _update_buttons(self) -> None:
        has_rules = self._rules is not None
        self.save_button.setEnabled(has_rules and self.edited_rules() is not None)
        self.reload_button.setEnabled(has_rules)
        for widget in (
            self.categories_box,
            self.services_box,
            self.lists_box,
            self.switches_box,
            self.test_box,
        ):
            widget.setEnabled(has_rules)

    def _on_save(self) -> None:
        rules = self.edited_rules()
        if rules is not None:
            self._set_message("saving", "")
            self.save_requested.emit(rules)

    def _on_test(self) -> None:
        name = self.test_edit.text().strip()
        if name:
            self.test_result.setText(self.tr("Checking…"))
            apply_meaning(self.test_result, None)
            self.check_requested.emit(name)

    def _show_category_help(self, item: QListWidgetItem | None, _old: object = None) -> None:
        category = item.data(_ID_ROLE) if item is not None else None
        self.category_help.setText(
            category_description(category) if isinstance(category, str) else ""
        )

    def _set_message(self, kind: str, detail: str) -> None:
        self._message = (kind, detail)
        texts = {
            "": "",
            "saving": self.tr("Saving…"),
            "saved": self.tr("Saved. %1's new rules work now.").replace("%1", detail),
            "conflict": self.tr(
                "These rules were changed somewhere else (in family.toml or on another "
                "device) since you opened them, so your changes were not saved. They are "
                "still here: press Save again to apply them over the new rules, or Reload "
                "to see the new rules and drop yours."
            ),
            "refused": self.tr("Bảo An could not save these rules:") + "\n" + detail,
            "failed": self.tr("Not saved: %1").replace("%1", detail),
        }
        self.message_label.setText(texts.get(kind, ""))
        apply_meaning(
            self.message_label, Meaning.DONE if kind in ("saved", "saving") else Meaning.PROBLEM
        )
        self.message_label.setVisible(bool(kind))

    # Language.
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.child_label.setText(self.tr("Rules of:"))
        self.reload_button.setText(self.tr("Reload"))
        self.save_button.setText(self.tr("Save"))
        self.categories_box.setTitle(self.tr("Blocked kinds of websites"))
        self.categories_list.setAccessibleName(self.tr("Blocked kinds of websites"))
        self.services_box.setTitle(self.tr("Blocked apps and services"))
        self.services_list.setAccessibleName(self.tr("Blocked apps and services"))
        self.lists_box.setTitle(self.tr("Your own lists"))
        self.allow_label.setText(self.tr("Always allowed (one website a line):"))
        self.deny_label.setText(self.tr("Always blocked (one website a line):"))
        self.allow_edit.setAccessibleName(self.tr("Always allowed websites"))
        self.deny_edit.setAccessibleName(self.tr("Always blocked websites"))
        self.lists_hint.setText(
            self.tr(
                "A website includes its sub-sites: roblox.com also covers www.roblox.com. "
                "You may paste a whole address; only the website's name is kept."
            )
        )
        self.switches_box.setTitle(self.tr("Search and YouTube"))
        self.safe_search_check.setText(self.tr("SafeSearch on Google, Bing and others"))
        self.youtube_label.setText(self.tr("YouTube:"))
        names = {
            "off": self.tr("No restriction"),
            "moderate": self.tr("Restricted mode (moderate)"),
            "strict": self.tr("Restricted mode (strict)"),
        }
        for index in range(self.youtube_combo.count()):
            mode = self.youtube_combo.itemData(index)
            self.youtube_combo.setItemText(index, names.get(str(mode), str(mode)))
        self.allow_only_check.setText(self.tr("Only the always-allowed websites open"))
        self.test_box.setTitle(self.tr("Test a website"))
        self.test_label.setText(self.tr("Website:"))
        self.test_edit.setPlaceholderText(self.tr("for example roblox.com"))
        self.test_button.setText(self.tr("Test"))
        filling, self._filling = self._filling, True
        self._fill_labels()
        self._on_lists_typed()
        self._filling = filling
        self._set_message(*self._message)

    def _fill_labels(self) -> None:
        for index in range(self.categories_list.count()):
            item = self.categories_list.item(index)
            category = str(item.data(_ID_ROLE))
            item.setText(category_label(category))
            item.setToolTip(category_description(category))
        if self._rules is not None:
            self.preset_label.setText(
                self.tr("Starting rules: %1").replace("%1", preset_label(self._rules.preset))
            )


def _checked(widget: QListWidget) -> list[str]:
    return [
        str(widget.item(i).data(_ID_ROLE))
        for i in range(widget.count())
        if widget.item(i).checkState() == Qt.CheckState.Checked
    ]
