"""The register's main window: a ``QStackedWidget`` of screens and the navigator.

Screens are built the first time they are needed (``screen``); ``screens`` holds those
built so far. Start-up builds only the login screen (SPEC §9: start to login ≤ 1 s); the
screens a cashier goes through next are then built ahead in idle time, one per event-loop
turn (``build_ahead``), so the first checkout does not stall on building them."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMainWindow, QStackedWidget

from app.ui.context import RegisterContext
from app.ui.keyboard import hide_keyboard
from app.ui.keyboard_clearance import KeyboardClearance, PanArea
from app.ui.screens.base import Screen

# In the order a cashier meets them after logging in.
AHEAD = ("OpenScreen", "TopScreen", "CheckoutScreen", "CheckoutDoneScreen", "TerminalPickerScreen",
         "PaymentConfirmScreen", "ProcessingScreen", "PaymentDoneScreen", "SlipListScreen",
         "RefundConfirmScreen", "RefundProcessingScreen", "RefundDoneScreen", "SlipDetailScreen")


class MainWindow(QMainWindow):
    def __init__(self, context: RegisterContext):
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowTitle("Regi")
        self.context = context
        self.stack = QStackedWidget()
        self.pan_area = PanArea(self.stack, self)  # the screens pan up from under the on-screen keyboard
        self.setCentralWidget(self.pan_area)
        KeyboardClearance(self.pan_area)
        self.screens: dict[str, Screen] = {}

    def screen(self, name: str) -> Screen:
        """Screen ``name`` (its SPEC §3 objectName), built on first use."""
        if name not in self.screens:
            from app.ui.screens.registry import screen_class

            screen = screen_class(name)(self.context, self, name)
            self.screens[name] = screen
            self.stack.addWidget(screen)
        return self.screens[name]

    def go(self, name: str, **kwargs) -> Screen:
        """Show screen ``name`` and call its ``enter(**kwargs)``."""
        hide_keyboard()
        screen = self.screen(name)
        self.stack.setCurrentWidget(screen)
        screen.on_enter(**kwargs)
        return screen

    @property
    def current_screen(self) -> Screen:
        return self.stack.currentWidget()

    def start(self) -> None:
        self.go("LoginScreen")
        self.build_ahead(AHEAD)

    def build_ahead(self, names) -> None:
        """Build (and polish) the screens ``names`` not built yet, one per event-loop turn,
        so taps and paints in between are served within a frame."""
        pending = [name for name in names if name not in self.screens]

        def next_one() -> None:
            while pending:
                name = pending.pop(0)
                if name not in self.screens:
                    self.screen(name).ensurePolished()
                    QTimer.singleShot(0, self, next_one)
                    return

        if pending:
            QTimer.singleShot(0, self, next_one)
