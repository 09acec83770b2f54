"""The register's main window: a ``QStackedWidget`` of screens and the navigator."""
from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QStackedWidget

from app.ui.context import RegisterContext
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
        from app.ui.screens import registry

        for name, screen_class in registry.SCREENS.items():
            screen = screen_class(context, self, name)
            self.screens[name] = screen
            self.stack.addWidget(screen)

    def go(self, name: str, **kwargs) -> Screen:
        """Show screen ``name`` (its SPEC §3 objectName) and call its ``enter(**kwargs)``."""
        screen = self.screens[name]
        self.stack.setCurrentWidget(screen)
        screen.on_enter(**kwargs)
        return screen

    @property
    def current_screen(self) -> Screen:
        return self.stack.currentWidget()

    def start(self) -> None:
        self.go("LoginScreen")
