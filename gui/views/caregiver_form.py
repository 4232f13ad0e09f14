"""The form that adds or edits a caregiver: their name, what they hear (Help always), the
alerts-per-hour cap, and each channel (ntfy, email through a mail server, Apprise), each
a box the parent ticks to add it or unticks to remove it.

Every word and check comes from :class:`gui.caregiver_settings.CaregiverWords`; a
problem shows under its field as the parent types, and so do the agent's refusals
(:meth:`CaregiverForm.show_refused`). Secrets are typed into password fields; one left
empty keeps what the agent has.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.backend import PolicyProblem
from gui.caregiver_settings import (
    ALERT_TOPICS,
    APPRISE,
    CHANNELS,
    DEFAULT_ALERTS_PER_HOUR,
    DEFAULT_NTFY_SERVER,
    EMAIL,
    FORM,
    HEARS,
    MAX_ALERTS_PER_HOUR,
    NAME,
    NTFY_SERVER,
    NTFY_TOPIC,
    PER_HOUR,
    SMTP,
    SMTP_USER,
    AppriseEntry,
    CaregiverEntry,
    CaregiverWords,
    EmailEntry,
    NtfyEntry,
    problems_by_field,
    with_hears,
)
from gui.views.contrast import apply_message


class CaregiverForm(QWidget):
    """The caregiver's fields; :meth:`entry` is what the parent typed, :meth:`problems`
    what is wrong with it."""

    def __init__(
        self,
        current: CaregiverEntry | None,
        others: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("caregiverForm")
        self.words = CaregiverWords(self)
        self.current = current
        self._others = tuple(others)
        self._refused: dict[str, str] = {}

        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("caregiverName")
        self.hears_box = QGroupBox(self)
        hears_layout = QGridLayout(self.hears_box)
        self.hears_checks: dict[str, QCheckBox] = {}
        for index, topic in enumerate(ALERT_TOPICS):
            check = QCheckBox(self.hears_box)
            check.setObjectName(f"hears_{topic}")
            self.hears_checks[topic] = check
            hears_layout.addWidget(check, index // 2, index % 2)
        help_check = self.hears_checks["help"]
        help_check.setChecked(True)
        help_check.setEnabled(False)  # Help is always heard
        self.per_hour_spin = QSpinBox(self)
        self.per_hour_spin.setObjectName("caregiverPerHour")
        self.per_hour_spin.setRange(1, MAX_ALERTS_PER_HOUR)
        self.per_hour_spin.setValue(DEFAULT_ALERTS_PER_HOUR)

        self.ntfy_box = QGroupBox(self)
        self.ntfy_box.setObjectName("ntfyChannel")
        self.ntfy_box.setCheckable(True)
        self.ntfy_server_edit = QLineEdit(DEFAULT_NTFY_SERVER, self.ntfy_box)
        self.ntfy_server_edit.setObjectName("ntfyServer")
        self.ntfy_topic_edit = QLineEdit(self.ntfy_box)
        self.ntfy_topic_edit.setObjectName("ntfyTopic")
        self.ntfy_token_edit = _secret_edit(self.ntfy_box, "ntfyToken")
        ntfy_form = QFormLayout(self.ntfy_box)

        self.email_box = QGroupBox(self)
        self.email_box.setObjectName("emailChannel")
        self.email_box.setCheckable(True)
        self.email_edit = QLineEdit(self.email_box)
        self.email_edit.setObjectName("emailAddress")
        self.smtp_edit = QLineEdit(self.email_box)
        self.smtp_edit.setObjectName("smtpServer")
        self.smtp_user_edit = QLineEdit(self.email_box)
        self.smtp_user_edit.setObjectName("smtpUser")
        self.smtp_password_edit = _secret_edit(self.email_box, "smtpPassword")
        email_form = QFormLayout(self.email_box)

        self.apprise_box = QGroupBox(self)
        self.apprise_box.setObjectName("appriseChannel")
        self.apprise_box.setCheckable(True)
        self.apprise_edit = _secret_edit(self.apprise_box, "appriseUrl")
        apprise_form = QFormLayout(self.apprise_box)

        # One label under each field for its problem; "channels" and "form" under all.
        self.problem_labels: dict[str, QLabel] = {}
        for field in (NAME, HEARS, PER_HOUR, NTFY_SERVER, NTFY_TOPIC, EMAIL, SMTP, SMTP_USER,
                      APPRISE, CHANNELS, FORM):
            label = QLabel(self)
            label.setObjectName(f"problem_{field}")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.hide()
            self.problem_labels[field] = label

        self.name_label, self.per_hour_label = QLabel(self), QLabel(self)
        self.server_label, self.topic_label = QLabel(self), QLabel(self)
        self.token_label, self.email_label = QLabel(self), QLabel(self)
        self.smtp_label, self.user_label = QLabel(self), QLabel(self)
        self.password_label, self.apprise_label = QLabel(self), QLabel(self)
        self.name_label.setBuddy(self.name_edit)
        self.per_hour_label.setBuddy(self.per_hour_spin)
        top = QFormLayout()
        top.addRow(self.name_label, self.name_edit)
        top.addRow(self.problem_labels[NAME])
        ntfy_form.addRow(self.server_label, self.ntfy_server_edit)
        ntfy_form.addRow(self.problem_labels[NTFY_SERVER])
        ntfy_form.addRow(self.topic_label, self.ntfy_topic_edit)
        ntfy_form.addRow(self.problem_labels[NTFY_TOPIC])
        ntfy_form.addRow(self.token_label, self.ntfy_token_edit)
        email_form.addRow(self.email_label, self.email_edit)
        email_form.addRow(self.problem_labels[EMAIL])
        email_form.addRow(self.smtp_label, self.smtp_edit)
        email_form.addRow(self.problem_labels[SMTP])
        email_form.addRow(self.user_label, self.smtp_user_edit)
        email_form.addRow(self.problem_labels[SMTP_USER])
        email_form.addRow(self.password_label, self.smtp_password_edit)
        apprise_form.addRow(self.apprise_label, self.apprise_edit)
        apprise_form.addRow(self.problem_labels[APPRISE])
        for label, edit in ((self.server_label, self.ntfy_server_edit),
                            (self.topic_label, self.ntfy_topic_edit),
                            (self.token_label, self.ntfy_token_edit),
                            (self.email_label, self.email_edit),
                            (self.smtp_label, self.smtp_edit),
                            (self.user_label, self.smtp_user_edit),
                            (self.password_label, self.smtp_password_edit),
                            (self.apprise_label, self.apprise_edit)):
            label.setBuddy(edit)
        cap = QFormLayout()
        cap.addRow(self.per_hour_label, self.per_hour_spin)
        cap.addRow(self.problem_labels[PER_HOUR])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.hears_box)
        layout.addWidget(self.problem_labels[HEARS])
        layout.addLayout(cap)
        layout.addWidget(self.ntfy_box)
        layout.addWidget(self.email_box)
        layout.addWidget(self.apprise_box)
        layout.addWidget(self.problem_labels[CHANNELS])
        layout.addWidget(self.problem_labels[FORM])

        self._fill(current)
        for edit in (self.name_edit, self.ntfy_server_edit, self.ntfy_topic_edit,
                     self.ntfy_token_edit, self.email_edit, self.smtp_edit,
                     self.smtp_user_edit, self.smtp_password_edit, self.apprise_edit):
            edit.textChanged.connect(self._edited)
        for box in (self.ntfy_box, self.email_box, self.apprise_box):
            box.toggled.connect(self._edited)
        self.per_hour_spin.valueChanged.connect(self._edited)
        self.retranslate()

    # What the parent typed.
    def entry(self) -> CaregiverEntry:
        current = self.current
        ntfy = email = apprise = None
        if self.ntfy_box.isChecked():
            old = current.ntfy if current else None
            token = self.ntfy_token_edit.text().strip()
            ntfy = NtfyEntry(
                server=self.ntfy_server_edit.text().strip().rstrip("/"),
                topic=self.ntfy_topic_edit.text().strip(),
                token_set=bool(old and old.token_set),
                token=token or None,
            )
        if self.email_box.isChecked():
            old_email = current.email if current else None
            password = self.smtp_password_edit.text()
            email = EmailEntry(
                address=self.email_edit.text().strip(),
                smtp=self.smtp_edit.text().strip(),
                username=self.smtp_user_edit.text().strip(),
                password_set=bool(old_email and old_email.password_set),
                password=password or None,
            )
        if self.apprise_box.isChecked():
            old_apprise = current.apprise if current else None
            url = self.apprise_edit.text().strip()
            apprise = AppriseEntry(
                url_set=bool(old_apprise and old_apprise.url_set),
                url_hint=old_apprise.url_hint if old_apprise else "",
                url=url or None,
            )
        typed = CaregiverEntry(
            name=self.name_edit.text().strip(),
            alerts_per_hour=self.per_hour_spin.value(),
            quiet_start=current.quiet_start if current else None,
            quiet_end=current.quiet_end if current else None,
            ntfy=ntfy,
            email=email,
            apprise=apprise,
        )
        ticked = {topic: check.isChecked() for topic, check in self.hears_checks.items()}
        return with_hears(typed, ticked)

    def problems(self) -> dict[str, str]:
        return self.words.check(self.entry(), self._others, self.current)

    def show_refused(self, problems: Sequence[PolicyProblem]) -> None:
        """The agent's refusals, each under the field it concerns."""
        self._refused = {
            field: "\n".join(self.words.refusal(problem) for problem in items)
            for field, items in problems_by_field(problems).items()
        }
        self._show_problems()

    def fill(self, entry: CaregiverEntry) -> None:
        """Show `entry` (a draft the parent typed before) in the fields."""
        self._fill(entry)

    # Inside.
    def _fill(self, current: CaregiverEntry | None) -> None:
        self.ntfy_box.setChecked(current is None or current.ntfy is not None)
        self.email_box.setChecked(current is not None and current.email is not None)
        self.apprise_box.setChecked(current is not None and current.apprise is not None)
        if current is None:
            for check in self.hears_checks.values():
                check.setChecked(True)
            return
        self.name_edit.setText(current.name)
        for topic, check in self.hears_checks.items():
            check.setChecked(topic == "help" or not current.hears or topic in current.hears)
        self.per_hour_spin.setValue(current.alerts_per_hour)
        # A secret is filled only from a draft the parent typed (the agent never sends one).
        if current.ntfy is not None:
            self.ntfy_server_edit.setText(current.ntfy.server)
            self.ntfy_topic_edit.setText(current.ntfy.topic)
            self.ntfy_token_edit.setText(current.ntfy.token or "")
        if current.email is not None:
            self.email_edit.setText(current.email.address)
            self.smtp_edit.setText(current.email.smtp)
            self.smtp_user_edit.setText(current.email.username)
            self.smtp_password_edit.setText(current.email.password or "")
        if current.apprise is not None:
            self.apprise_edit.setText(current.apprise.url or "")

    def _edited(self) -> None:
        self._refused = {}  # the agent's answer was about what was typed before
        self._show_problems()

    def _show_problems(self) -> None:
        typed = {field: text for field, text in self.problems().items()}
        for field, label in self.problem_labels.items():
            # The agent's refusal stands until the parent edits; then the checks as typed.
            text = self._refused.get(field) or typed.get(field, "")
            label.setText(text)
            apply_message(label, False)
            label.setVisible(bool(text))
        self._describe_problems(typed)

    def _describe_problems(self, typed: dict[str, str]) -> None:
        """A screen reader hears a field's problem with the field."""
        for field, edit in ((NAME, self.name_edit), (NTFY_SERVER, self.ntfy_server_edit),
                            (NTFY_TOPIC, self.ntfy_topic_edit), (EMAIL, self.email_edit),
                            (SMTP, self.smtp_edit), (SMTP_USER, self.smtp_user_edit),
                            (APPRISE, self.apprise_edit)):
            edit.setAccessibleDescription(self._refused.get(field) or typed.get(field, ""))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.name_label.setText(self.tr("&Name:"))
        self.name_edit.setAccessibleName(self.tr("The caregiver's name"))
        self.name_edit.setPlaceholderText(self.tr("Bà Nội, Mẹ, Cô Lan…"))
        self.hears_box.setTitle(self.tr("What they hear"))
        self.hears_box.setAccessibleName(self.tr("What they hear"))
        for topic, check in self.hears_checks.items():
            check.setText(self.words.topic_name(topic))
            check.setAccessibleName(self.words.topic_name(topic))
        self.hears_checks["help"].setToolTip(self.tr("Help always reaches every caregiver."))
        self.per_hour_label.setText(self.tr("At &most this many alerts an hour:"))
        self.per_hour_spin.setAccessibleName(self.tr("At most this many alerts an hour"))
        self.per_hour_spin.setToolTip(
            self.tr("Past it, the rest come as one summary; Help is never held back."))
        self.ntfy_box.setTitle(self.tr("ntfy (phone)"))
        self.ntfy_box.setAccessibleName(self.tr("ntfy (phone)"))
        self.server_label.setText(self.tr("&Server:"))
        self.ntfy_server_edit.setAccessibleName(self.tr("ntfy server"))
        self.topic_label.setText(self.tr("&Topic:"))
        self.ntfy_topic_edit.setAccessibleName(self.tr("ntfy topic"))
        self.ntfy_topic_edit.setPlaceholderText(self.tr("empty: Bảo An makes one nobody can guess"))
        self.token_label.setText(self.tr("Access &token:"))
        self.ntfy_token_edit.setAccessibleName(self.tr("Bảo An's access token for the server"))
        ntfy = self.current.ntfy if self.current else None
        self.ntfy_token_edit.setPlaceholderText(
            self.tr("a token is kept: type to replace it") if ntfy and ntfy.token_set
            else self.tr("none (a public server needs none)"))
        self.email_box.setTitle(self.tr("Email"))
        self.email_box.setAccessibleName(self.tr("Email"))
        self.email_label.setText(self.tr("&Address:"))
        self.email_edit.setAccessibleName(self.tr("The caregiver's email address"))
        self.smtp_label.setText(self.tr("Mail se&rver:"))
        self.smtp_edit.setAccessibleName(self.tr("Mail server and port"))
        self.smtp_edit.setPlaceholderText("smtp.gmail.com:465")
        self.user_label.setText(self.tr("Sending &account:"))
        self.smtp_user_edit.setAccessibleName(self.tr("The mail account Bảo An sends from"))
        self.password_label.setText(self.tr("Account &password:"))
        self.smtp_password_edit.setAccessibleName(self.tr("The mail account's password"))
        email = self.current.email if self.current else None
        self.smtp_password_edit.setPlaceholderText(
            self.tr("a password is kept: type to replace it") if email and email.password_set
            else self.tr("none"))
        self.apprise_box.setTitle(self.tr("Apprise (Discord, Telegram, …)"))
        self.apprise_box.setAccessibleName(self.tr("Apprise (Discord, Telegram, …)"))
        self.apprise_label.setText(self.tr("&URL:"))
        self.apprise_edit.setAccessibleName(self.tr("Apprise URL"))
        apprise = self.current.apprise if self.current else None
        self.apprise_edit.setPlaceholderText(
            self.tr("%1 is kept: type to replace it").replace("%1", apprise.url_hint or "URL")
            if apprise and apprise.url_set else "discord://…")
        self._show_problems()


def _secret_edit(parent: QWidget, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class CaregiverDialog(QDialog):
    """:class:`CaregiverForm` with Save (only when nothing is wrong) and Cancel."""

    def __init__(
        self,
        current: CaregiverEntry | None,
        others: Sequence[str],
        parent: QWidget | None = None,
        draft: CaregiverEntry | None = None,
        refused: Sequence[PolicyProblem] = (),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("caregiverDialog")
        self.form = CaregiverForm(current, others, self)
        if draft is not None:  # the change the agent refused, to put right
            self.form.fill(draft)
        self.form.show_refused(refused)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.buttons)
        for edit in (self.form.name_edit, self.form.ntfy_topic_edit, self.form.email_edit,
                     self.form.smtp_edit, self.form.apprise_edit, self.form.ntfy_server_edit,
                     self.form.smtp_user_edit, self.form.smtp_password_edit,
                     self.form.ntfy_token_edit):
            edit.textChanged.connect(self._update_save)
        for box in (self.form.ntfy_box, self.form.email_box, self.form.apprise_box):
            box.toggled.connect(self._update_save)
        self.retranslate(current)
        self._update_save()

    def save_button(self) -> QWidget:
        button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert button is not None
        return button

    def _update_save(self) -> None:
        self.save_button().setEnabled(not self.form.problems())

    def retranslate(self, current: CaregiverEntry | None) -> None:
        self.setWindowTitle(
            self.tr("Add a caregiver") if current is None
            else self.tr("Change %1").replace("%1", current.name))
        self.save_button().setAccessibleName(self.tr("Save the caregiver"))
