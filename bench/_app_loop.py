"""Driving the real register inside its own event loop (``app.exec()``), for soak.py and ui_gaps.py.

Not a test harness: nothing here calls ``processEvents`` or ``qWait``. A ``Script`` is a
generator run by a ``QTimer`` on the UI thread; it posts real mouse press / release events
to widgets found by ``objectName`` and yields while it waits for screens, dialogs or the
terminal. Because the loop is the app's own, deferred deletes and queued signals run
exactly as they do in the shop.

- ``start_simulator()``: the terminal simulator as a separate process (headless), with its
  control port for queueing outcomes; ``stop()`` ends it.
- ``GapMeter``: a 1 ms precise timer; a gap is the time between two of its ticks minus
  1 ms, i.e. how long the UI thread was busy with something else. Gaps are kept per phase.
"""
from __future__ import annotations

import heapq
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from _common import ROOT

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEvent, QPointF, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QWidget  # noqa: E402


# --- the simulator, in its own process --------------------------------------------------
@dataclass
class Simulator:
    process: subprocess.Popen
    port: int
    control_port: int
    control: object = None

    def approve(self, **fields) -> None:
        self.control.call("approve", **fields)

    def stop(self) -> None:
        try:
            if self.control is not None:
                self.control.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_simulator(profile: str = "usenpay") -> Simulator:
    from app.simulator.control import ControlClient

    process = subprocess.Popen(
        [sys.executable, "-m", "app.simulator", "--headless", "--profile", profile, "--port", "0",
         "--control-port", "0", "--log-level", "WARNING"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    ports = {}
    while len(ports) < 2:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the simulator did not start")
        if m := re.match(r"(listening|control) on [\d.]+:(\d+)", line):
            ports[m.group(1)] = int(m.group(2))
    sim = Simulator(process, ports["listening"], ports["control"])
    sim.control = ControlClient(port=sim.control_port)
    return sim


# --- measuring the UI thread ----------------------------------------------------------------
@dataclass
class GapMeter:
    """Longest gaps of a 1 ms timer, per phase (``phase`` is set by the script).

    Two measures per gap: wall time (what the cashier sees, including time the OS gave to
    other processes — large on a loaded machine) and the UI thread's own CPU time over the
    same gap (``time.thread_time``: the work the app did, whatever the load). Only the
    ``KEEP`` longest of each phase are kept: a soak must not measure its own lists growing."""

    KEEP = 10
    phase: str = "start"
    gaps: dict = field(default_factory=lambda: defaultdict(list))  # phase -> heap of (wall ms, CPU ms)
    _last: float = 0.0
    _last_cpu: float = 0.0

    def start(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self._last, self._last_cpu = time.perf_counter(), time.thread_time()
        self.timer.start()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        gap = (now - self._last) * 1000 - 1.0
        if gap > 2.0:  # keep only the ones worth looking at
            heap = self.gaps[self.phase]
            entry = (gap, (cpu - self._last_cpu) * 1000)
            if len(heap) < self.KEEP:
                heapq.heappush(heap, entry)
            elif entry > heap[0]:
                heapq.heapreplace(heap, entry)
        self._last, self._last_cpu = now, cpu

    def set_phase(self, phase: str) -> None:
        self._tick()  # close the previous phase's gap at the boundary
        self.phase = phase

    def longest(self, phase: str) -> tuple[float, float]:
        """(longest wall gap, most UI-thread CPU in one of the longest gaps) of ``phase``, ms."""
        kept = self.gaps.get(phase) or [(0.0, 0.0)]
        return max(w for w, _ in kept), max(c for _, c in kept)

    def top(self, phase: str, n: int = 5) -> list[tuple[float, float]]:
        return sorted(self.gaps.get(phase, ()), reverse=True)[:n]


# --- the script -------------------------------------------------------------------------
class Stuck(RuntimeError):
    pass


class Script:
    """Runs ``steps`` (a generator) on a QTimer. Each ``yield`` gives the loop a turn.

    The script's helpers are generators too: ``yield from self.tap("payButton")``.
    """

    def __init__(self, window, steps, *, on_finished, on_error, tick_ms: int = 2):
        self.window = window
        self._steps = steps
        self._on_finished, self._on_error = on_finished, on_error
        self._timer = QTimer()
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self._advance)

    def start(self) -> None:
        self._timer.start()

    def _advance(self) -> None:
        try:
            next(self._steps)
        except StopIteration:
            self._timer.stop()
            self._on_finished()
        except BaseException as error:  # noqa: BLE001 — reported by the caller, then the loop ends
            self._timer.stop()
            self._on_error(error)

    # --- finding -------------------------------------------------------------------------
    def dialogs(self) -> list[QDialog]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]

    def dialog(self, name: str) -> QDialog | None:
        return next((d for d in self.dialogs() if d.objectName() == name), None)

    def screen(self) -> str:
        return self.window.stack.currentWidget().objectName()

    def find(self, name: str) -> QWidget | None:
        dialogs = self.dialogs()
        for scope in dialogs or [self.window.stack.currentWidget()]:
            for widget in scope.findChildren(QWidget, name):
                if widget.isVisible() and widget.isEnabled():
                    return widget
        return None

    # --- acting ---------------------------------------------------------------------------
    def wait(self, predicate, what: str, timeout: float = 20.0):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise Stuck(f"waited {timeout:g} s for {what} (screen {self.screen()}, "
                            f"message {self.window.stack.currentWidget().message_label.text()!r}, "
                            f"dialogs {[d.objectName() for d in self.dialogs()]})")
            yield

    def click(self, widget: QWidget, pos=None) -> None:
        """A real press and release, posted to the widget (as the window system would)."""
        point = QPointF(pos if pos is not None else widget.rect().center())
        for kind in (QEvent.MouseButtonPress, QEvent.MouseButtonRelease):
            buttons = Qt.LeftButton if kind == QEvent.MouseButtonPress else Qt.NoButton
            event = QMouseEvent(kind, point, widget.mapToGlobal(point), Qt.LeftButton, buttons, Qt.NoModifier)
            QCoreApplication.postEvent(widget, event)

    def tap(self, name: str):
        found = []
        yield from self.wait(lambda: found.append(self.find(name)) or found[-1] is not None, f"{name!r} to tap")
        self.click(found[-1])
        yield

    def tap_where(self, predicate, what: str):
        """Tap the first visible button for which ``predicate(button)`` holds."""
        def look():
            for w in self.window.stack.currentWidget().findChildren(QAbstractButton):
                if w.isVisible() and predicate(w):
                    found.append(w)
                    return True
            return False
        found = []
        yield from self.wait(look, what)
        self.click(found[-1])
        yield

    def digits(self, digits: str):
        for d in digits:
            yield from self.tap(f"key{d}")

    def wait_screen(self, name: str, timeout: float = 20.0):
        yield from self.wait(lambda: self.screen() == name and not self.dialogs(), f"screen {name}", timeout)

    def wait_dialog(self, name: str):
        yield from self.wait(lambda: self.dialog(name) is not None, f"dialog {name}")


def quiet_offscreen_warnings() -> None:
    """The offscreen platform warns on every dialog shown; keep the output readable."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode, _context, message):
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def rss_kib() -> int:
    """Resident set size of this process, KiB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def sqlite_kib() -> int:
    """Memory SQLite holds (``sqlite3_memory_used``: page caches, statements), KiB; -1 if unknown."""
    import ctypes
    import ctypes.util
    import sqlite3  # noqa: F401  (loads the library the app uses)

    try:
        lib = ctypes.CDLL(ctypes.util.find_library("sqlite3") or "libsqlite3.so.0")
        lib.sqlite3_memory_used.restype = ctypes.c_int64
        return lib.sqlite3_memory_used() // 1024
    except (OSError, AttributeError):
        return -1


def linear_fit(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over xs."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0


def repo_path() -> Path:
    return ROOT
