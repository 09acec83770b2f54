"""The on-screen keyboard (SPEC §8): Qt Virtual Keyboard, Japanese (OpenWnn: hiragana → kanji)
for names and free text, a Latin or digit layout for codes, addresses and keys.

How it serves a widgets app: with ``QT_IM_MODULE=qtvirtualkeyboard`` the platform input
context plugin opens its own frameless top-level window (a QQuickView holding the
InputPanel) over the bottom of the screen whenever a focused text widget asks for the
input panel; no QML host is needed in the app. Traps:
- the plugin ships in PySide6-Essentials, but the libraries it links to
  (libQt6VirtualKeyboard*.so) come with PySide6-Addons, and its QML key sounds need
  libpulse0 (Debian): without them Qt silently falls back to no keyboard;
- the ``offscreen`` platform never loads an input context: the keyboard only appears on a
  real display (xcb, wayland, eglfs — tests use Xvfb);
- a QLineEdit asks for the panel only on a tap when it already has focus (the style's
  RSIP_OnMouseClickAndAlreadyFocused); ``touch_input`` makes the first tap open it;
- the keyboard's language follows the default QLocale: ``configure()`` sets ja_JP before
  the QApplication exists.
"""
from __future__ import annotations

import os
from enum import Enum

from PySide6.QtCore import QEvent, QLocale, QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit, QWidget

IM_MODULE = "qtvirtualkeyboard"


class InputKind(Enum):
    """What a field takes, as input method hints: the keyboard picks its layout from them."""

    JAPANESE = Qt.ImhNone  # names, addresses, free text: hiragana with kanji candidates
    LATIN = Qt.ImhLatinOnly | Qt.ImhNoAutoUppercase | Qt.ImhNoPredictiveText  # codes, IPs, keys, paths
    DIGITS = Qt.ImhDigitsOnly | Qt.ImhNoPredictiveText  # ports, prices, order
    PHONE = Qt.ImhDialableCharactersOnly | Qt.ImhNoPredictiveText
    PIN = Qt.ImhDigitsOnly | Qt.ImhHiddenText | Qt.ImhSensitiveData | Qt.ImhNoPredictiveText  # staff passwords


def configure() -> None:
    """Choose the virtual keyboard and Japanese before the QApplication is created
    (an explicit QT_IM_MODULE in the environment wins). Not on the ``offscreen`` platform
    (tests, ``regi-screenshots``): the keyboard never shows there, and its QML, loaded on the
    first tap on a field, logs from a thread — through a Python message handler (pytest-qt's)
    that needs the GIL the UI thread holds while it waits for that load: a hang."""
    if not os.environ.get("QT_QPA_PLATFORM", "").startswith("offscreen"):
        os.environ.setdefault("QT_IM_MODULE", IM_MODULE)
    QLocale.setDefault(QLocale(QLocale.Japanese, QLocale.Japan))


class _OpenOnTap(QObject):
    """Opens the input panel on the tap that focuses a field (not only on a second tap)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.MouseButtonRelease and isinstance(watched, QWidget) and watched.hasFocus():
            QGuiApplication.inputMethod().show()
        return False


_open_on_tap = None


def touch_input(edit: QLineEdit, kind: InputKind) -> QLineEdit:
    """Make ``edit`` a touch field of ``kind``: its layout on the keyboard, opened by one tap."""
    global _open_on_tap
    if _open_on_tap is None:
        _open_on_tap = _OpenOnTap()
    edit.setInputMethodHints(kind.value)
    edit.setProperty("inputKind", kind.name)  # for tests: which keyboard this field gets
    edit.installEventFilter(_open_on_tap)
    return edit


def text_field(parent: QWidget, name: str, kind: InputKind, placeholder: str = "", *, max_length: int = 0) -> QLineEdit:
    """A new QLineEdit named ``name`` for ``kind`` input (PIN fields also hide what is typed)."""
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    if max_length:
        edit.setMaxLength(max_length)
    if kind is InputKind.PIN:
        edit.setEchoMode(QLineEdit.Password)
    return touch_input(edit, kind)


def hide_keyboard() -> None:
    """Close the input panel (a screen change leaves no keyboard over the next screen)."""
    QGuiApplication.inputMethod().hide()
