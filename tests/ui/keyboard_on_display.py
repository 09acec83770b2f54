"""The on-screen keyboard on a real display (SPEC §8). Not collected by default (offscreen
has no input method): tests/ui/test_keyboard.py runs it under Xvfb with QT_QPA_PLATFORM=xcb,
loading this module as a plugin too (``-p``) for the exit hook below."""
import os
import sys

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from app.testing.keyboard import VirtualKeyboard

pytestmark = pytest.mark.skipif(QGuiApplication.platformName() not in ("xcb", "wayland"),
                                reason="needs a real display (run by test_keyboard.py under Xvfb)")


def _open_shop_settings(register):
    QTest.qWait(200)  # the previous test's window is deleted first: its focus loss would hide the panel
    register.login("山田 店長", "1234")
    if register.screen() == "OpenScreen":
        register.open_register(30000)
    register.tap("settingsButton")
    register.tap("shopTab")


def test_japanese_enters_through_the_keyboard(register):
    """One tap on 店舗名 opens the keyboard; romaji taps give hiragana, a candidate tap kanji."""
    _open_shop_settings(register)
    keyboard = VirtualKeyboard()
    register.find("shopNameEdit").clear()
    register.window.activateWindow()
    register.tap("shopNameEdit")
    keyboard.wait_visible()
    assert "あ" in keyboard.keys()  # the Japanese layout (its input mode key)
    keyboard.type("kanji")
    keyboard.pick("漢字")
    keyboard.type("tenn")  # "nn": ん
    keyboard.pick("店")
    assert register.find("shopNameEdit").text() == "漢字店"
    register.tap("saveShopButton")
    assert register.context.ledger.settings().shop_name == "漢字店"
    QGuiApplication.inputMethod().hide()


def test_codes_get_the_latin_keyboard(register):
    _open_shop_settings(register)
    keyboard = VirtualKeyboard()
    register.window.activateWindow()
    edit = register.find("registerCodeEdit")
    edit.clear()
    register.tap("registerCodeEdit")
    keyboard.wait_visible()
    assert "半角" in keyboard.keys() and "あ" not in keyboard.keys()  # half-width Latin, not hiragana
    keyboard.type("r")
    keyboard.tap_key("&123")
    keyboard.type("02")
    assert edit.text().lower() == "r02"  # as typed: no kana conversion for a code
    QGuiApplication.inputMethod().hide()


def _bottom(widget) -> int:
    return widget.mapToGlobal(QPoint(0, widget.height())).y()


def test_a_field_under_the_keyboard_is_panned_into_sight(register):
    """The CSV path sits at the bottom of 商品: the keyboard (the lower half of a 1280×800 screen)
    would cover it; the screen pans up until it is above the keys, and back when the keyboard goes."""
    register.window.resize(1280, 800)
    _open_shop_settings(register)
    register.tap("catalogTab")
    keyboard = VirtualKeyboard()
    register.window.activateWindow()
    edit = register.find("csvPathEdit")
    home = edit.mapToGlobal(QPoint(0, 0))
    register.tap("csvPathEdit")
    keyboard.wait_visible()
    keyboard_top = QGuiApplication.inputMethod().keyboardRectangle().top()
    assert _bottom(register.window) > keyboard_top and home.y() + edit.height() > keyboard_top  # it was covered
    register.wait_until(lambda: _bottom(edit) <= keyboard_top, what="the field above the keyboard")
    assert edit.mapToGlobal(QPoint(0, 0)).y() >= register.window.mapToGlobal(QPoint(0, 0)).y()  # and not above the window
    edit.clear()
    keyboard.type("abc")
    assert edit.text() == "abc"  # the keys still reach the panned field
    QGuiApplication.inputMethod().hide()
    register.wait_until(lambda: edit.mapToGlobal(QPoint(0, 0)) == home, what="the screen back in place")


def test_a_dialog_field_under_the_keyboard_is_lifted(register):
    from app.ui.backoffice.first_manager import FirstManagerDialog

    register.window.resize(1280, 800)
    _open_shop_settings(register)
    dialog = FirstManagerDialog(register.window.current_screen, register.ledger, lambda: None)
    dialog.open()
    QTest.qWait(200)
    keyboard = VirtualKeyboard()
    edit = register.find("passwordAgainEdit")
    home, home_bottom = dialog.pos(), _bottom(edit)
    register.tap("passwordAgainEdit")
    keyboard.wait_visible()
    keyboard_top = QGuiApplication.inputMethod().keyboardRectangle().top()
    assert home_bottom > keyboard_top  # it was covered
    register.wait_until(lambda: _bottom(edit) <= keyboard_top, what="the dialog's field above the keyboard")
    assert dialog.pos().y() < home.y()
    QGuiApplication.inputMethod().hide()
    register.wait_until(lambda: dialog.pos() == home, what="the dialog back in place")
    dialog.reject()


_status = {}


def pytest_sessionfinish(session, exitstatus):
    _status["code"] = int(exitstatus)


def pytest_unconfigure(config):
    """Leave once pytest has reported: Qt Virtual Keyboard's panel window aborts the process
    in Qt's own teardown ("QPixmap: Must construct a QGuiApplication before a QPixmap")."""
    if "code" in _status:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_status["code"])
