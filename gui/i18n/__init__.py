"""Languages of the dashboard: Vietnamese first, English second.

Source strings in the code are English (Qt's convention, so Qt Linguist works as usual);
``gui/i18n/baoan_vi.ts`` holds the Vietnamese, ``gui/i18n/baoan_en.ts`` only the English
plural forms. Both are compiled to ``.qm`` beside them (see docs/dashboard.md).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QObject, QTranslator, Signal

log = logging.getLogger(__name__)

SUPPORTED_LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
TRANSLATIONS_DIR = Path(__file__).resolve().parent
LANGUAGE_ENV = "BAOAN_LANG"


def normalize_language(code: str | None) -> str | None:
    """``"vi_VN.UTF-8"`` → ``"vi"``; ``None`` for anything we do not speak."""
    if not code:
        return None
    base = code.strip().replace("-", "_").split(".")[0].split("_")[0].lower()
    return base if base in SUPPORTED_LANGUAGES else None


def choose_language(
    explicit: str | None = None,
    agent_setting: str | None = None,
    system_locale: str | None = None,
) -> str:
    """The first that we speak of: an explicit choice, the agent's ``settings.language``,
    the system locale; otherwise Vietnamese."""
    for candidate in (explicit, agent_setting, system_locale):
        language = normalize_language(candidate)
        if language is not None:
            return language
    return DEFAULT_LANGUAGE


def system_language() -> str | None:
    """The environment's choice (``BAOAN_LANG``), else the system locale's language."""
    return os.environ.get(LANGUAGE_ENV) or QLocale.system().name()


class Translations(QObject):
    """Installs the dashboard's translator on one application and swaps it on request."""

    language_changed = Signal(str)

    def __init__(
        self,
        app: QCoreApplication,
        directory: Path = TRANSLATIONS_DIR,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._directory = directory
        self._translator: QTranslator | None = None
        self._language: str | None = None

    @property
    def language(self) -> str | None:
        return self._language

    def qm_path(self, language: str) -> Path:
        return self._directory / f"baoan_{language}.qm"

    def use(self, language: str) -> bool:
        """Switch to ``language``; every widget gets a LanguageChange event and redraws.

        Returns False (keeping the current language) when the language is not one we speak
        or its compiled file cannot be loaded.
        """
        wanted = normalize_language(language)
        if wanted is None:
            log.warning("language %r is not supported; keeping %s", language, self._language)
            return False
        if wanted == self._language:
            return True
        translator = QTranslator(self)
        path = self.qm_path(wanted)
        if not translator.load(str(path)):
            log.error("cannot load the %s translation from %s", wanted, path)
            return False
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
        self._app.installTranslator(translator)
        self._translator = translator
        self._language = wanted
        QLocale.setDefault(
            QLocale(QLocale.Language.Vietnamese if wanted == "vi" else QLocale.Language.English)
        )
        self.language_changed.emit(wanted)
        return True

    def remove(self) -> None:
        """Uninstall the translator (for embedding hosts that close the dashboard)."""
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None
            self._language = None
