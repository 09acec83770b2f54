"""``SettingsPage``: one section of SettingsScreen, and the small form helpers they share.

A page reads its values in ``load()`` (each time it is shown, so it never shows stale
settings) and refuses bad input through the screen's message line, changing nothing.
"""
from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.ui.widgets.buttons import touch_button


class SettingsPage(QWidget):
    title = ""

    def __init__(self, screen):
        super().__init__()
        self.screen = screen
        self.context = screen.context
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(10)
        heading = QLabel(self.title, self)
        heading.setProperty("role", "title")
        self.layout_.addWidget(heading)

    def load(self) -> None:
        """Show the stored values (override)."""

    def show_message(self, text: str) -> None:
        self.screen.show_message(text)

    def actor_id(self) -> int | None:
        """Who is making the change, for the audit: the manager who authorised a cashier, else the staff."""
        authorized = getattr(self.screen, "authorized_by", None)
        staff = self.context.staff
        return authorized.id if authorized else (staff.id if staff else None)

    def save_settings(self, **values) -> None:
        """Store ``values`` (ShopSettings fields), audited, and use them from now on."""
        from dataclasses import replace

        staff = self.context.staff
        authorized = getattr(self.screen, "authorized_by", None)
        self.context.ledger.save_settings(replace(self.context.settings, **values), staff.id if staff else None,
                                          authorized_by_id=authorized.id if authorized else None)
        self.context.reload_settings()


def choice_row(parent: QWidget, options: tuple[tuple[str, str], ...], prefix: str) -> tuple[QHBoxLayout, QButtonGroup]:
    """Exclusive toggle buttons ``{prefix}_{value}``; the group's checked button carries ``value``."""
    row = QHBoxLayout()
    row.setSpacing(8)
    group = QButtonGroup(parent)
    for value, label in options:
        button = touch_button(label, f"{prefix}_{value}", "toggle", parent, checkable=True)
        button.setProperty("value", value)
        group.addButton(button)
        row.addWidget(button)
    return row, group


def checked_value(group: QButtonGroup):
    button = group.checkedButton()
    return button.property("value") if button else None


def check_value(group: QButtonGroup, value) -> None:
    for button in group.buttons():
        button.setChecked(button.property("value") == value)


def form_grid() -> QGridLayout:
    grid = QGridLayout()
    grid.setHorizontalSpacing(12)
    grid.setVerticalSpacing(8)
    grid.setColumnStretch(1, 1)
    grid.setColumnStretch(3, 1)
    return grid


def add_row(grid: QGridLayout, label: str, widget_or_layout, *more) -> None:
    """A labelled row across the form; ``more``: a second ``label, widget`` on the same row."""
    row = grid.rowCount()
    pairs = [(label, widget_or_layout)] + ([tuple(more)] if more else [])
    for index, (text, item) in enumerate(pairs):
        grid.addWidget(QLabel(text), row, index * 2)
        span = 3 if len(pairs) == 1 else 1
        if isinstance(item, QWidget):
            grid.addWidget(item, row, index * 2 + 1, 1, span)
        else:
            grid.addLayout(item, row, index * 2 + 1, 1, span)
