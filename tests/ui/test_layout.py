"""SPEC §1 / §9: every screen of the screenshot tour fits 1280×800 and 1920×1080, and every
tappable is finger-sized (≥ 48 px; primary actions ≥ 64 px high)."""
from PySide6.QtWidgets import QAbstractButton, QApplication

from app.ui.screens.registry import SCREENS
from app.testing.screenshots import SIZES, tour


def visible_buttons(root):
    return [b for b in root.findChildren(QAbstractButton) if b.isVisibleTo(root) and b.isVisible()]


def test_every_screen_fits_and_targets_are_finger_sized(register, terminal):
    seen = set()
    for name, shot in tour(register, terminal):
        for width, height in SIZES:
            if shot is register.window:
                shot.resize(width, height)
                QApplication.processEvents()
                assert (shot.width(), shot.height()) == (width, height), f"{name} does not fit {width}x{height}"
            root = register.window.current_screen if shot is register.window else shot
            for button in visible_buttons(root):
                label = f"{name} {button.objectName() or button.text()!r} {button.width()}x{button.height()}"
                assert button.height() >= 48 and button.width() >= 48, label
                if button.property("role") == "primary":
                    assert button.height() >= 64, label
        seen.add(register.screen())
    # The simulator refunds at once, so RefundProcessingScreen is never on screen long enough
    # for the tour; it is ProcessingScreen's layout with other words.
    assert set(SCREENS) - {"RefundProcessingScreen"} <= seen
