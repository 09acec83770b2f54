"""The on-screen keyboard (SPEC §8, issue 11): Qt Virtual Keyboard with OpenWnn Japanese.

Offscreen (the suite's platform) loads no input method, so: here, that it is installed —
its plugins load with every library they need — and configured — chosen by QT_IM_MODULE,
every text field of the back office opens it with the right layout; then the real thing
under Xvfb: tests/ui/keyboard_on_display.py taps keys and kanji candidates.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QLibraryInfo, QPluginLoader
from PySide6.QtWidgets import QLineEdit

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("plugin", [
    "plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",  # the input method
    "qml/QtQuick/VirtualKeyboard/Plugins/OpenWNN/libqtvkbopenwnnplugin.so",  # Japanese: hiragana → kanji
    "qml/QtQuick/VirtualKeyboard/Components/libqtvkbcomponentsplugin.so",  # the keys (needs libpulse0)
])
def test_the_keyboard_plugins_load(plugin):
    qt = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PrefixPath))
    loader = QPluginLoader(str(qt / plugin))
    assert loader.load(), loader.errorString()


def test_the_app_asks_for_the_virtual_keyboard_in_japanese(monkeypatch):
    from PySide6.QtCore import QLocale

    from app.ui import keyboard

    monkeypatch.setenv("QT_IM_MODULE", "")  # recorded first, so the undo removes what configure() sets
    monkeypatch.delenv("QT_IM_MODULE")
    before = QLocale()
    try:
        keyboard.configure()  # offscreen (this suite, regi-screenshots): no keyboard
        assert "QT_IM_MODULE" not in os.environ
        monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
        keyboard.configure()  # what ``regi`` does before its QApplication on a display
        assert os.environ["QT_IM_MODULE"] == "qtvirtualkeyboard"
        assert QLocale().language() == QLocale.Japanese
    finally:
        QLocale.setDefault(before)


def test_offscreen_tests_run_without_the_keyboard(register):
    """Offscreen the keyboard never shows, and its QML, loaded on the first tap on a text field,
    logs from a thread through pytest-qt's handler while the UI thread holds the GIL: a hang.
    Neither the plugin nor a test running ``regi``'s main() may configure it here."""
    from app.ui import keyboard

    assert os.environ["QT_QPA_PLATFORM"].startswith("offscreen")
    assert os.environ.get("QT_IM_MODULE") != keyboard.IM_MODULE


def test_every_text_field_of_every_screen_opens_the_keyboard(register):
    from app.ui.screens.registry import SCREENS

    fields = [(name, edit) for name in SCREENS for edit in register.window.screen(name).findChildren(QLineEdit)]
    assert len(fields) > 15
    assert [f"{name}.{edit.objectName()}" for name, edit in fields if not edit.property("inputKind")] == []


def test_every_back_office_text_field_opens_the_keyboard(register):
    register.login("山田 店長", "1234")
    register.open_register(30000)
    register.tap("settingsButton")
    screen = register.window.current_screen
    kinds = {edit.objectName(): edit.property("inputKind") for edit in screen.findChildren(QLineEdit)
             if edit.objectName() and not edit.objectName().startswith("qt_")}
    assert all(kinds.values()), [name for name, kind in kinds.items() if not kind]
    assert {name: kinds[name] for name in ("shopNameEdit", "registrationNumberEdit", "terminalHostEdit",
                                           "terminalPortEdit", "productPriceEdit", "staffNameEdit", "passwordEdit")} == {
        "shopNameEdit": "JAPANESE", "registrationNumberEdit": "LATIN", "terminalHostEdit": "LATIN",
        "terminalPortEdit": "DIGITS", "productPriceEdit": "DIGITS", "staffNameEdit": "JAPANESE", "passwordEdit": "PIN"}


def test_japanese_through_the_keyboard_on_a_real_display():
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        if os.environ.get("CI"):
            pytest.fail("xvfb-run is missing: scripts/setup installs it (Debian package xvfb)")
        pytest.skip("xvfb-run is not installed (apt-get install xvfb xauth)")
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    result = subprocess.run(
        [xvfb, "-a", "-s", "-screen 0 1280x800x24", sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--no-qt-log",  # the keyboard's QML thread logs: through a Python handler it would wait for the GIL
         "-p", "tests.ui.keyboard_on_display", "tests/ui/keyboard_on_display.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and " passed" in result.stdout and "skipped" not in result.stdout, result.stdout[-3000:] + result.stderr[-2000:]
