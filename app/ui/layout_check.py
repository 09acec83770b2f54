"""What a cashier would see as broken on a screen: cut text and targets on top of each other.

``layout_problems(root)`` looks at every visible label, button and table cell under ``root``
and measures its text with the widget's own font (after style sheets): text wider or taller
than the room the widget gives it is *clipped*, whether Qt cuts it or elides it with 「…」.
Two visible buttons whose rectangles overlap are *overlapping* (a finger hits both).

Used by the layout test over the screenshot tour and by ``regi-screenshots``. Rich text and
labels showing pixmaps are not measured (their size is not the plain text's).
"""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtGui import Qt as _GuiQt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QLabel, QPushButton, QStyle, QStyleOptionButton,
                               QStyleOptionViewItem,                                QWidget)

_SLACK = 1  # px: font metrics round; one pixel of ink outside the box is not visible
mightBeRichText = _GuiQt.mightBeRichText


def layout_problems(root: QWidget) -> list[str]:
    """Human-readable problems under ``root`` (empty when the screen is clean)."""
    problems: list[str] = []
    for label in _visible(root, QLabel):
        problem = _label_problem(label)
        if problem:
            problems.append(problem)
    buttons = _visible(root, QAbstractButton)
    for button in buttons:
        problem = _button_problem(button)
        if problem:
            problems.append(problem)
    for view in _visible(root, QAbstractItemView):
        problems.extend(_cell_problems(view))
    problems.extend(_overlaps(buttons))
    return problems


def _visible(root: QWidget, kind) -> list:
    found = [root] if isinstance(root, kind) else []
    found += root.findChildren(kind)
    return [w for w in found if w.isVisible() and w.width() > 0 and w.height() > 0 and _unobscured(w)]


def _unobscured(widget: QWidget) -> bool:
    """False for widgets scrolled out of their scroll area's viewport (they are not seen)."""
    parent = widget.parentWidget()
    rect = QRect(widget.mapTo(widget.window(), widget.rect().topLeft()), widget.size())
    while parent is not None:
        if parent.objectName() == "qt_scrollarea_viewport":
            view = QRect(parent.mapTo(parent.window(), parent.rect().topLeft()), parent.size())
            return view.intersects(rect)
        parent = parent.parentWidget()
    return True


def _name(widget: QWidget) -> str:
    return widget.objectName() or type(widget).__name__


def _label_problem(label: QLabel) -> str | None:
    text = label.text()
    if not text or label.textFormat() == Qt.RichText or (label.textFormat() == Qt.AutoText and mightBeRichText(text)):
        return None
    if label.pixmap() is not None and not label.pixmap().isNull():
        return None
    metrics = QFontMetrics(label.font())
    room = label.contentsRect().adjusted(label.margin(), label.margin(), -label.margin(), -label.margin())
    if label.wordWrap():
        need = metrics.boundingRect(QRect(0, 0, room.width(), 100000), int(Qt.TextWordWrap | label.alignment()), text)
    else:
        need = metrics.boundingRect(QRect(0, 0, 100000, 100000), int(label.alignment()), text)
    if need.width() > room.width() + _SLACK or need.height() > room.height() + _SLACK:
        return (f"clipped label {_name(label)} {text!r}: needs {need.width()}x{need.height()}, "
                f"has {room.width()}x{room.height()}")
    return None


def _button_problem(button: QAbstractButton) -> str | None:
    text = button.text()
    if not text or not isinstance(button, QPushButton):
        return None
    option = QStyleOptionButton()
    button.initStyleOption(option)
    room = button.style().subElementRect(QStyle.SE_PushButtonContents, option, button)
    metrics = QFontMetrics(button.font())
    need = metrics.boundingRect(QRect(0, 0, 100000, 100000), int(Qt.AlignCenter | Qt.TextShowMnemonic), text)
    if not button.icon().isNull():
        need.setWidth(need.width() + button.iconSize().width() + 4)
    if need.width() > room.width() + _SLACK or need.height() > room.height() + _SLACK:
        return (f"clipped button {_name(button)} {text!r}: needs {need.width()}x{need.height()}, "
                f"has {room.width()}x{room.height()}")
    return None


def _cell_problems(view: QAbstractItemView) -> list[str]:
    model = view.model()
    if model is None:
        return []
    problems = []
    viewport = view.viewport().rect()
    metrics = QFontMetrics(view.font())
    option = QStyleOptionViewItem()
    option.font = view.font()
    option.features = QStyleOptionViewItem.HasDisplay
    margin = 3  # QCommonStyle: PM_FocusFrameHFrameWidth (2, not exposed by PySide6) + 1
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column, QModelIndex())
            rect = view.visualRect(index)
            if not rect.isValid() or not viewport.intersects(rect):
                continue
            text = model.data(index, Qt.DisplayRole)
            if not isinstance(text, str) or not text:
                continue
            option.rect, option.text = rect, text
            # Qt elides within the text rect less a focus-frame margin on each side (QCommonStyle).
            room = view.style().subElementRect(QStyle.SE_ItemViewItemText, option, view).width() - 2 * margin
            need = metrics.horizontalAdvance(text)
            if need > room + _SLACK:
                problems.append(f"clipped cell {_name(view)}[{row},{column}] {text!r}: needs {need}, has {room}")
    return problems


def _overlaps(buttons: list[QAbstractButton]) -> list[str]:
    rects = [(button, QRect(button.mapTo(button.window(), button.rect().topLeft()), button.size()))
             for button in buttons if button.window().isVisible()]
    problems = []
    for i, (first, first_rect) in enumerate(rects):
        for second, second_rect in rects[i + 1:]:
            if first.window() is second.window() and first_rect.intersects(second_rect) \
                    and not first.isAncestorOf(second) and not second.isAncestorOf(first):
                problems.append(f"overlapping targets {_name(first)} and {_name(second)}")
    return problems
