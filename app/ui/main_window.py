"""The register's main window: a ``QStackedWidget`` of screens and the navigator.

Screens are built the first time they are needed (``screen``); ``screens`` holds those
built so far. Start-up builds only the login screen (SPEC §9: start to login ≤ 1 s); once
the ledger is open (``context.when_ready``) the screens a cashier goes through next are
built ahead in idle time, one per event-loop turn (``build_ahead``), so the first checkout
does not stall on building them; each is then laid out at the window's size and painted once
off-screen, a band per turn, so its first show does not pay the pending resize, the first
layout and the glyph cache either. The printing path is loaded then too (``warm_printing``)."""
from __future__ import annotations

from PySide6.QtCore import QRect, QTimer
from PySide6.QtGui import QPixmap, QRegion
from PySide6.QtWidgets import QMainWindow, QStackedWidget

from app.ui.context import RegisterContext
from app.ui.keyboard import hide_keyboard
from app.ui.keyboard_clearance import KeyboardClearance, PanArea
from app.ui.screens.base import Screen

WARM_BANDS = 4  # one off-screen paint of a screen is up to ~50 ms on this machine; a band is < 10

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
        """The login screen now; the other screens and the printing path once the ledger is open."""
        from app.ui.warm import warm_printing

        self.go("LoginScreen")

        def ready() -> None:
            self.build_ahead(AHEAD)
            warm_printing(self.context)

        self.context.when_ready(ready)

    def build_ahead(self, names) -> None:
        """Build (and polish) the screens ``names`` not built yet, then lay each out and
        paint it off-screen, one slice per event-loop turn, so taps and paints in between
        are served within a frame (SPEC §9)."""
        slices = [lambda name=name: self._build(name) for name in names if name not in self.screens]

        def next_one() -> None:
            if slices:
                more = slices.pop(0)()
                if isinstance(more, list):  # a screen's own slices come right after it
                    slices[0:0] = more
                QTimer.singleShot(0, self, next_one)

        if slices:
            QTimer.singleShot(0, self, next_one)

    def _build(self, name: str) -> list:
        """One slice: build screen ``name``; returns the slices that warm it, then its own
        (``ahead()``: e.g. the checkout's 責任者確認 dialog)."""
        if name in self.screens:
            return []
        screen = self.screen(name)
        screen.ensurePolished()
        warm = [lambda band=band: self._warm(screen, band) for band in range(WARM_BANDS)]
        return warm + list(getattr(screen, "ahead", list)())

    def _warm(self, screen: Screen, band: int) -> None:
        """Paint band ``band`` of the hidden ``screen`` at the stack's size into a scratch pixmap."""
        if screen.isVisible() or self.stack.width() <= 0:
            return  # shown already: the real paint did it
        screen.resize(self.stack.size())
        height = screen.height()
        area = QRect(0, band * height // WARM_BANDS, screen.width(), height // WARM_BANDS + 1)
        scratch = QPixmap(area.size())
        screen.render(scratch, -area.topLeft(), QRegion(area))