"""Keeps the focused text field above the on-screen keyboard (SPEC §8).

Qt Virtual Keyboard draws its panel over the bottom of the screen (half of a 1280×800 one) in
a window of its own; nothing moves out of its way by itself. ``KeyboardClearance`` listens to
QInputMethod (visible, keyboard rectangle) and to focus changes, and while the keyboard covers
the focused field:

- in the main window, it pans the screen up: the window's screens sit in a ``PanArea`` (a
  scroll area without scroll bars, the size of the window) whose viewport is shortened by the
  covered height, with the screen keeping its full height, then scrolled just enough to show
  the field — nothing is squeezed or laid out again;
- in a dialog (its own window), it moves the dialog up, not above the top of the screen.

When the keyboard hides, all goes back. Trap: ``keyboardRectangle()`` is in the coordinates
of the keyboard's window, which Qt Virtual Keyboard's desktop panel lays over the whole
screen: i.e. global coordinates (checked under Xvfb, tests/ui/keyboard_on_display.py).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QFrame, QLineEdit, QScrollArea, QWidget
from shiboken6 import isValid

GAP = 16  # px left between the field and the keyboard's top edge


class PanArea(QScrollArea):
    """Holds ``content`` at the area's full size; ``pan(covered, field)`` shows ``field`` above
    the bottom ``covered`` pixels, ``pan(0)`` puts everything back."""

    def __init__(self, content: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("keyboardPanArea")
        self.setFrameShape(QFrame.NoFrame)
        self.setFocusPolicy(Qt.NoFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setWidgetResizable(True)
        self.setWidget(content)
        for plain in (self.viewport(), content):  # setWidget fills them: the window's own background shows through
            plain.setAutoFillBackground(False)
        self.covered = 0

    def pan(self, covered: int, field: QWidget | None = None) -> None:
        content = self.widget()
        if covered <= 0:
            self.covered = 0
            self.setViewportMargins(0, 0, 0, 0)
            content.setMinimumHeight(0)
            self.verticalScrollBar().setValue(0)
            return
        if not self.covered:
            content.setMinimumHeight(content.height())  # keep the screen's full height: scroll, not squeeze
        self.covered = covered
        self.setViewportMargins(0, 0, 0, covered)
        if field is not None:
            self.ensureWidgetVisible(field, 0, GAP)


class KeyboardClearance(QObject):
    """One per register window (see the module contract)."""

    def __init__(self, area: PanArea):
        super().__init__(area)
        self.area = area
        self.moved: dict[QDialog, QPoint] = {}  # dialogs moved up, and where they were
        method = QGuiApplication.inputMethod()
        method.visibleChanged.connect(self.later)
        method.keyboardRectangleChanged.connect(self.later)
        QApplication.instance().focusChanged.connect(self.later)
        self._pending = False

    def later(self, *_args) -> None:
        """Settle once the event loop is back: the signals come in bursts (focus, then visible, then size)."""
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self.settle)

    def settle(self) -> None:
        self._pending = False
        method = QGuiApplication.inputMethod()
        field = QApplication.focusWidget()
        keyboard = method.keyboardRectangle()
        if not (method.isVisible() and isinstance(field, QLineEdit) and keyboard.height() > 0):
            self.release()
            return
        keyboard_top = int(keyboard.top())
        window = field.window()
        if isinstance(window, QDialog):
            self._lift(window, field, keyboard_top)
        elif self.area.isAncestorOf(field):
            self._restore_dialogs()
            viewport = self.area.viewport()
            bottom = viewport.mapToGlobal(QPoint(0, viewport.height())).y() + self.area.covered
            self.area.pan(bottom - keyboard_top, field)

    def _lift(self, dialog: QDialog, field: QWidget, keyboard_top: int) -> None:
        if dialog not in self.moved:
            self.moved[dialog] = dialog.pos()
        home = self.moved[dialog]
        field_bottom = field.mapToGlobal(QPoint(0, field.height())).y() - (dialog.pos().y() - home.y())
        rise = max(0, field_bottom + GAP - keyboard_top)
        screen_top = dialog.screen().availableGeometry().top()
        dialog.move(home.x(), max(screen_top, home.y() - rise))

    def _restore_dialogs(self) -> None:
        for dialog, home in self.moved.items():
            if isValid(dialog):
                dialog.move(home)
        self.moved.clear()

    def release(self) -> None:
        """The keyboard is gone (or no field has focus): everything back where it was."""
        self._restore_dialogs()
        if self.area.covered:
            self.area.pan(0)
