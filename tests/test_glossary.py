"""One Vietnamese voice: every Vietnamese string of the pages, the tray, the dashboard, the
CLI and the commented family.toml keeps to docs/glossary.md, and every category has one
name, the same on the block page and in the dashboard.

The words ruled out are read from the glossary itself, so the two cannot drift apart."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from agent.pages.strings import BY_BAND, COMMON, PARENT_REASONS, WATCH, WATCH_CONSENT_LEAVES
from agent.pages.tips import TIPS
from agent.policy.categories import categories
from agent.policy.presets import presets
from agent.policy.template import render_initial_policy
from gui.i18n import Translations
from gui.labels import category_label

REPO = Path(__file__).resolve().parents[1]
GLOSSARY = REPO / "docs" / "glossary.md"
VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    scope: str  # all, child, parent
    pattern: re.Pattern[str]
    shown: str


def glossary_rules() -> list[Rule]:
    text = GLOSSARY.read_text(encoding="utf-8")
    section = text.split("## Rules the test reads", 1)[1]
    rules = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) != 3 or cells[0] not in ("all", "child", "parent"):
            continue
        word = cells[1].replace("\\|", "|")
        if len(word) > 2 and word.startswith("/") and word.endswith("/"):
            pattern = re.compile(word[1:-1], re.IGNORECASE)
        else:
            pattern = re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.IGNORECASE)
        rules.append(Rule(cells[0], pattern, word))
    return rules


def ts_translations(path: Path) -> Iterator[str]:
    for message in ET.parse(path).getroot().iter("message"):
        translation = message.find("translation")
        if translation is None:
            continue
        forms = translation.findall("numerusform")
        for item in forms or [translation]:
            if item.text:
                yield item.text


def literal_strings(path: Path) -> Iterator[str]:
    """The Vietnamese string constants of a module (CLI messages and the like)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and VIETNAMESE.search(node.value)
        ):
            yield node.value


def child_strings() -> Iterator[tuple[str, str]]:
    for key, value in COMMON["vi"].items():
        yield f"pages COMMON[{key}]", value
    for band, words in BY_BAND["vi"].items():
        for key, value in words.items():
            yield f"pages BY_BAND[{band}][{key}]", value
    for band, lists in WATCH["vi"].items():
        for items in lists:
            for value in items:
                yield f"pages WATCH[{band}]", value
    for band, value in WATCH_CONSENT_LEAVES["vi"].items():
        yield f"pages WATCH_CONSENT_LEAVES[{band}]", value
    for band, tips in TIPS.items():
        for tip in tips:
            yield f"tip {band}", tip.vi
    for value in ts_translations(REPO / "gui" / "tray" / "i18n" / "baoan_vi.ts"):
        yield "gui/tray/i18n/baoan_vi.ts", value
    for value in literal_strings(REPO / "gui" / "tray" / "app.py"):
        yield "gui/tray/app.py", value


def parent_strings() -> Iterator[tuple[str, str]]:
    for key, value in PARENT_REASONS["vi"].items():
        yield f"PARENT_REASONS[{key}]", value
    for value in ts_translations(REPO / "gui" / "i18n" / "baoan_vi.ts"):
        yield "gui/i18n/baoan_vi.ts", value
    for line in render_initial_policy("Minh", 9).splitlines():
        yield "family.toml template", line
    for line in (REPO / "docs" / "guide.vi.md").read_text(encoding="utf-8").splitlines():
        yield "docs/guide.vi.md", line  # the parents' guide
    example = REPO / "docs" / "family.example.toml"
    for line in example.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            yield "docs/family.example.toml", line
    cli = [
        *sorted((REPO / "baoan").glob("*.py")),
        *sorted((REPO / "agent" / "commands").glob("*.py")),
        *sorted((REPO / "agent" / "doctor").glob("*.py")),  # `baoan doctor`'s findings and fixes
        *sorted((REPO / "agent" / "policy").glob("*.py")),  # the policy's messages and notes
        *sorted((REPO / "dns_filter" / "lists").glob("*.py")),  # `baoan lists` messages
    ]
    for path in cli:
        for value in literal_strings(path):
            yield str(path.relative_to(REPO)), value


def shared_strings() -> Iterator[tuple[str, str]]:
    for category in categories().values():
        yield f"category {category.category_id}", category.name_vi
    for preset in presets().values():
        yield f"preset {preset.preset_id}", preset.name_vi


def violations(strings: Iterator[tuple[str, str]], scopes: tuple[str, ...]) -> list[str]:
    found = []
    rules = [rule for rule in glossary_rules() if rule.scope in scopes]
    for where, value in strings:
        for rule in rules:
            if rule.pattern.search(value):
                found.append(f"{where}: {value!r} uses {rule.shown!r}")
    return found


def test_the_glossary_has_rules_for_both_readers() -> None:
    scopes = {rule.scope for rule in glossary_rules()}
    assert scopes == {"all", "child", "parent"}
    assert len(glossary_rules()) >= 10


def test_the_childs_words_keep_to_the_glossary() -> None:
    assert violations(child_strings(), ("all", "child")) == []


def test_the_parents_words_keep_to_the_glossary() -> None:
    assert violations(parent_strings(), ("all", "parent")) == []


def test_shared_names_keep_to_the_glossary() -> None:
    assert violations(shared_strings(), ("all",)) == []


@pytest.mark.parametrize(
    ("text", "ruled_out"),
    [
        ("Mở khoá", True),
        ("Ma tuý", True),
        ("hoà bình", True),
        ("quý khách", False),
        ("Mở khóa", False),
        ("Ma túy", False),
        ("hoàn thành", False),
        ("công cụ vượt bộ lọc", True),
        ("phụ huynh", True),
    ],
)
def test_the_rules_catch_what_they_should(text: str, ruled_out: bool) -> None:
    assert bool(violations(iter([("sample", text)]), ("all",))) is ruled_out


def test_the_child_rules_catch_a_promise_and_the_parents_word() -> None:
    assert violations(iter([("x", "Bố mẹ sẽ đến với con ngay.")]), ("child",))
    assert violations(iter([("x", "Chỉ cha mẹ xem được.")]), ("child",))
    assert not violations(iter([("x", "Chỉ bố mẹ xem được.")]), ("child",))


@pytest.fixture
def vietnamese_dashboard() -> Iterator[None]:
    app = QCoreApplication.instance()
    assert app is not None
    translations = Translations(app)
    assert translations.use("vi")
    yield
    translations.remove()


def test_every_category_has_its_one_name_in_the_dashboard(
    qapp: QCoreApplication, vietnamese_dashboard: None
) -> None:
    for category in categories().values():
        assert category_label(category.category_id) == category.name_vi, category.category_id


def test_every_category_has_its_one_name_in_english(qapp: QCoreApplication) -> None:
    for category in categories().values():
        assert category_label(category.category_id) == category.name_en, category.category_id


def test_the_reference_names_each_category_as_the_code_does() -> None:
    table = (REPO / "docs" / "family-toml.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| ([^|]+?) \|", table, re.M))
    for category in categories().values():
        assert rows.get(category.category_id) == category.name_vi, category.category_id
