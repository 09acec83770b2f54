"""``VirtualKeyboard``: tap Qt Virtual Keyboard's keys like a finger would (SPEC §8).

The keyboard is Qt's own input panel window (a QQuickView), present only on a real display
(Xvfb in CI: the offscreen platform loads no input method). Keys are found by the text
they show and clicked with real mouse events at their centre; conversion candidates
(kanji) are picked the same way from the word candidate list.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtQuick import QQuickItem, QQuickWindow
from PySide6.QtTest import QTest


class VirtualKeyboard:
    def visible(self) -> bool:
        return QGuiApplication.inputMethod().isVisible() and self._window() is not None

    def wait_visible(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.visible():
            if time.monotonic() > deadline:
                raise AssertionError("the on-screen keyboard did not appear")
            QTest.qWait(20)
        QTest.qWait(200)  # its layout is loaded asynchronously

    def _window(self) -> QQuickWindow | None:
        for window in QGuiApplication.topLevelWindows():
            if isinstance(window, QQuickWindow) and window.isVisible():
                return window
        return None

    def _items(self):
        window = self._window()
        if window is None:
            raise AssertionError("the on-screen keyboard is not shown")
        stack = [window.contentItem()]
        while stack:
            item = stack.pop()
            yield item
            stack.extend(item.childItems())

    def keys(self) -> dict[str, QQuickItem]:
        """Visible keys by the text they show ("a", "あ", "&123", …)."""
        found = {}
        for item in self._items():
            if item.metaObject().indexOfProperty("displayText") >= 0 and item.isVisible() and item.width() > 0:
                found.setdefault(item.property("displayText"), item)
        return found

    def candidates(self) -> dict[str, QQuickItem]:
        """Conversion candidates on show (kanji for the hiragana typed so far), by text."""
        found = {}
        for item in self._items():
            if "SelectionListItem" in item.metaObject().className() and item.isVisible():
                texts = [child.property("text") for child in item.childItems()
                         if child.metaObject().indexOfProperty("text") >= 0 and child.property("text")]
                if texts:
                    found.setdefault(texts[0], item)
        return found

    def _click(self, item: QQuickItem) -> None:
        point = item.mapToScene(QPointF(item.width() / 2, item.height() / 2)).toPoint()
        QTest.mouseClick(self._window(), Qt.LeftButton, Qt.NoModifier, point)
        QTest.qWait(30)

    def tap_key(self, text: str) -> None:
        keys = self.keys()
        if text not in keys:
            raise AssertionError(f"no key {text!r} on the keyboard; it shows {sorted(keys)}")
        self._click(keys[text])

    def type(self, letters: str) -> None:
        """Tap each key of ``letters`` (romaji in the Japanese layout: "kanji" → かんじ)."""
        for letter in letters:
            self.tap_key(letter)

    def pick(self, candidate: str, timeout: float = 5.0) -> None:
        """Tap conversion candidate ``candidate``: it is committed into the field."""
        deadline = time.monotonic() + timeout
        while candidate not in (found := self.candidates()):
            if time.monotonic() > deadline:
                raise AssertionError(f"no candidate {candidate!r}; shown: {list(found)[:10]}")
            QTest.qWait(20)
        self._scroll_into_view(found[candidate])
        self._click(self.candidates()[candidate])

    def _scroll_into_view(self, item: QQuickItem) -> None:
        """Scroll the candidate list (as a swipe would) until ``item`` is inside the window."""
        window_width = self._window().width()
        view = item.parentItem()
        while view is not None and view.metaObject().indexOfProperty("contentX") < 0:
            view = view.parentItem()
        left = item.mapToScene(QPointF(0, 0)).x()
        if view is not None and (left < 0 or left + item.width() > window_width):
            view.setProperty("contentX", view.property("contentX") + left - window_width / 2 + item.width() / 2)
            QTest.qWait(100)
