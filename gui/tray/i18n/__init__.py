"""The tray's translations: English source strings, Vietnamese in ``baoan_vi.ts`` (the
default language), compiled to ``.qm`` beside them by ``gui/tray/i18n/update.sh``."""

from __future__ import annotations

from pathlib import Path

TRAY_TRANSLATIONS_DIR = Path(__file__).resolve().parent
