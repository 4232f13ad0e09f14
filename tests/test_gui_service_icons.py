"""The services' icons: a monogram badge drawn for every service of the catalogue (no
logo downloaded), told apart from one another, legible in a light and in a dark
high-contrast theme, drawn once; and in the Web tab of a real agent's window, each
service with its icon and its name as the item's text and accessible name, the list
usable with the keyboard alone."""

from __future__ import annotations

from itertools import combinations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from pytestqt.qtbot import QtBot
from test_gui_web_tab import web_tab  # the family and its window are conftest fixtures

from agent.policy.services import load_catalogue
from gui.backend import ServiceEntry
from gui.service_icons import (
    ServiceIcons,
    badge_colours,
    category_style,
    contrast_ratio,
    first_letters,
    monograms,
)
from gui.views.main_window import MainWindow


def catalogue() -> list[ServiceEntry]:
    return [
        ServiceEntry(entry.service_id, entry.name, entry.category, entry.age_rating)
        for entry in load_catalogue()
    ]


def high_contrast() -> QPalette:
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#000000"),
                         (QPalette.ColorRole.WindowText, "#ffffff"),
                         (QPalette.ColorRole.Base, "#000000"),
                         (QPalette.ColorRole.Text, "#ffff00")):
        palette.setColor(role, QColor(colour))
    return palette


def image(icons: ServiceIcons, service_id: str) -> QImage:
    return icons.icon(service_id).pixmap(64, 64).toImage()


def test_the_first_letters_of_a_name() -> None:
    assert first_letters("Free Fire") == "FF"
    assert first_letters("Roblox") == "Ro"
    assert first_letters("X (Twitter)") == "X"
    assert first_letters("Valorant / Riot Games") == "Va"
    assert first_letters("Liên Quân Mobile / Garena") == "LQ"
    clash = [ServiceEntry("a", "Telegram", "chat"), ServiceEntry("b", "Teams", "chat"),
             ServiceEntry("c", "Telegraph", "social")]
    assert monograms(clash) == {"a": "Te", "b": "Ta", "c": "Te"}  # another shape: "Te" again


def test_every_service_gets_an_icon_and_distinct_services_look_distinct(qapp: object) -> None:
    services = catalogue()
    assert len(services) > 20
    for palette in (QPalette(), high_contrast()):
        icons = ServiceIcons(services, palette)
        looks = {}
        for service in services:
            icon = icons.icon(service.service_id)
            assert not icon.isNull(), service.service_id
            style = icons.style(service.service_id)
            looks[service.service_id] = (icons.letters(service.service_id), style.shape,
                                         style.colour)
        assert len(set(looks.values())) == len(services)  # no two alike
        drawn = {s.service_id: image(icons, s.service_id) for s in services}
        for one, other in combinations(services, 2):
            assert drawn[one.service_id] != drawn[other.service_id], (one.name, other.name)
        # Drawn once: the same icon comes back.
        first = services[0].service_id
        assert icons.icon(first).cacheKey() == icons.icon(first).cacheKey()


def test_the_badges_are_legible_in_a_light_and_a_high_contrast_theme(qapp: object) -> None:
    categories = {"social", "video", "chat", "games", "shopping", "adult"}
    shapes = {category_style(category).shape for category in categories}
    assert len(shapes) == len(categories)  # the kind reads without colour too
    light = QPalette(QColor("#ffffff"))
    for category in categories:
        fill, _outline, letters = badge_colours(category_style(category), light)
        assert contrast_ratio(fill, letters) >= 4.5, category
        fill, outline, letters = badge_colours(category_style(category), high_contrast())
        assert (fill.name(), letters.name(), outline.name()) == ("#000000", "#ffff00", "#ffff00")
    assert not ServiceIcons(catalogue(), light).suits(catalogue(), high_contrast())


def test_the_web_tabs_services_have_icons_names_and_the_keyboard(
    qtbot: QtBot, window: MainWindow
) -> None:
    tab = web_tab(qtbot, window)
    services = tab.services_list
    names = {service.name for service in catalogue()}
    assert services.count() == len(names)
    for row in range(services.count()):
        item = services.item(row)
        assert item.text() in names
        assert item.data(Qt.ItemDataRole.AccessibleTextRole) == item.text()
        assert not item.icon().isNull(), item.text()
        assert item.toolTip()  # the kind (and the age rating) in words
    # The keyboard alone: focus the list, walk it, tick with Space, untick again.
    services.setFocus()
    qtbot.keyClick(services, Qt.Key.Key_Home)
    assert services.currentRow() == 0
    qtbot.keyClick(services, Qt.Key.Key_Down)
    qtbot.keyClick(services, Qt.Key.Key_Down)
    assert services.currentRow() == 2
    current = services.currentItem()
    before = current.checkState()
    qtbot.keyClick(services, Qt.Key.Key_Space)
    assert current.checkState() != before
    assert tab.dirty
    qtbot.keyClick(services, Qt.Key.Key_Space)
    assert current.checkState() == before
    qtbot.keyClick(services, Qt.Key.Key_End)
    assert services.currentRow() == services.count() - 1
