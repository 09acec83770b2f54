"""The register's main window: a ``QStackedWidget`` of screens and the navigator.

Screens are built the first time they are shown (``screen``); ``screens`` holds those
built so far."""
from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QStackedWidget

from app.ui.context import RegisterContext
from app.ui.keyboard import hide_keyboard
from app.ui.screens.base import Screen


class MainWindow(QMainWindow):
    def __init__(self, context: RegisterContext):
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowTitle("Regi")
        self.context = context
        self.stack = QStackedWidget(self)
        self.setCentralWidget(self.stack)
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
