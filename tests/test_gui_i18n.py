"""The dashboard's translations: complete, compiled from the sources, and chosen well."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from gui.i18n import TRANSLATIONS_DIR, Translations, choose_language, normalize_language

REPO = Path(__file__).resolve().parents[1]
TOOLS = Path(sys.executable).parent
PLACEHOLDER = re.compile(r"%(?:n|\d)")


def tool(name: str) -> Path:
    path = TOOLS / name
    if not path.exists():
        found = shutil.which(name)
        if found is None:
            pytest.skip(f"{name} is not installed")
        path = Path(found)
    return path


def messages(ts_file: Path) -> list[ET.Element]:
    return list(ET.parse(ts_file).getroot().iter("message"))


def translation_texts(message: ET.Element) -> list[str]:
    translation = message.find("translation")
    assert translation is not None
    forms = translation.findall("numerusform")
    if forms:
        return [form.text or "" for form in forms]
    return [translation.text or ""]


def test_every_string_in_the_code_has_a_vietnamese_translation(tmp_path: Path) -> None:
    # Extract the strings from the code into a copy of the Vietnamese file: nothing may be
    # new (unfinished) or gone (vanished), or the file was not updated with the code.
    copy = tmp_path / "baoan_vi.ts"
    shutil.copy(TRANSLATIONS_DIR / "baoan_vi.ts", copy)
    # The tray keeps its own translations (gui/tray/i18n), checked by its own test.
    tray = REPO / "gui" / "tray"
    sources = sorted(str(p) for p in (REPO / "gui").rglob("*.py") if tray not in p.parents)
    subprocess.run(
        [str(tool("pyside6-lupdate")), *sources, "-locations", "none", "-ts", str(copy)],
        check=True,
        capture_output=True,
        cwd=REPO,
    )
    found = messages(copy)
    assert len(found) > 50
    not_done: list[tuple[str | None, str]] = []
    for message in found:
        translation = message.find("translation")
        state = None if translation is None else translation.get("type")
        if state:  # "unfinished" (new in the code) or "vanished" (gone from it)
            not_done.append((message.findtext("source"), state))
    assert not_done == [], "run gui/i18n/update.sh and translate these"


def test_translations_keep_their_placeholders() -> None:
    for message in messages(TRANSLATIONS_DIR / "baoan_vi.ts"):
        source = message.findtext("source") or ""
        wanted = sorted(PLACEHOLDER.findall(source))
        for text in translation_texts(message):
            assert text.strip(), f"empty translation of {source!r}"
            assert sorted(PLACEHOLDER.findall(text)) == wanted, source


def test_english_file_holds_only_plural_forms() -> None:
    english = messages(TRANSLATIONS_DIR / "baoan_en.ts")
    assert english, "the English plural forms are missing"
    for message in english:
        assert message.get("numerus") == "yes"
        singular, plural = translation_texts(message)
        assert singular.strip() and "%n" in plural


@pytest.mark.parametrize("language", ["vi", "en"])
def test_compiled_files_match_their_sources(tmp_path: Path, language: str) -> None:
    ts_file = TRANSLATIONS_DIR / f"baoan_{language}.ts"
    compiled = tmp_path / f"baoan_{language}.qm"
    subprocess.run(
        [str(tool("pyside6-lrelease")), str(ts_file), "-qm", str(compiled)],
        check=True,
        capture_output=True,
    )
    committed = TRANSLATIONS_DIR / f"baoan_{language}.qm"
    assert committed.read_bytes() == compiled.read_bytes(), "run gui/i18n/update.sh"


def test_switching_language_translates_at_once(qapp: QCoreApplication) -> None:
    translations = Translations(qapp)
    try:
        assert translations.use("vi")
        assert QCoreApplication.translate("LoginPage", "Unlock") == "Mở khóa"
        assert translations.use("en_GB")
        assert translations.language == "en"
        assert QCoreApplication.translate("LoginPage", "Unlock") == "Unlock"
        assert (
            QCoreApplication.translate(
                "LoginPage", "Wrong PIN. %n try(s) left before a lockout.", None, 1
            )
            == "Wrong PIN. 1 try left before a lockout."
        )
        # A language we do not speak changes nothing.
        assert not translations.use("fr")
        assert translations.language == "en"
    finally:
        translations.remove()
    assert QCoreApplication.translate("LoginPage", "Unlock") == "Unlock"


def test_missing_compiled_file_keeps_the_current_language(
    qapp: QCoreApplication, tmp_path: Path
) -> None:
    translations = Translations(qapp, directory=tmp_path)
    assert not translations.use("vi")
    assert translations.language is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("vi", "vi"),
        ("vi_VN.UTF-8", "vi"),
        ("en-US", "en"),
        ("EN", "en"),
        ("fr_FR", None),
        ("C", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_language(code: str | None, expected: str | None) -> None:
    assert normalize_language(code) == expected


def test_choose_language_order() -> None:
    # An explicit choice, then the agent's setting, then the system; Vietnamese otherwise.
    assert choose_language("en", "vi", "vi_VN") == "en"
    assert choose_language(None, "en", "vi_VN") == "en"
    assert choose_language(None, None, "en_US.UTF-8") == "en"
    assert choose_language(None, "de", "fr_FR") == "vi"
    assert choose_language() == "vi"
