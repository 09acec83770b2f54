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
  ``StackSampler``: where the UI thread was during the long ones.
- ``run_child`` (parent side: simulator, temp ledger, the register as a child process) and
  ``register_main`` (child side: the app built as ``python -m app`` does, the script run in
  ``app.exec()``, the result written as JSON): the frame both benchmarks share.
- ``log_in``, ``open_day``, ``pay_cash``, ``pay_terminal``, ``visit_slip_list``: the flows
  both benchmarks drive, as generators for ``yield from``.
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
         "--control-port", "0", "--log-level", "WARNING",
         "--journal", "none"],  # a fresh terminal: a shared journal's history made it warn of 二重決済 and wait,
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


class StackSampler:
    """Where the UI thread is while it is away: a thread looks every millisecond and, when
    the gap meter has not ticked for ``after_ms``, counts each function on the UI thread's
    stack once (inclusive samples, per phase). The sampler needs the GIL, so it shortens
    the switch interval; figures taken with it on are not the benchmark's figures."""

    def __init__(self, meter: GapMeter, after_ms: float = 4.0):
        import threading

        self.meter, self.after = meter, after_ms / 1000
        self.counts: dict = defaultdict(lambda: defaultdict(int))  # phase -> frame -> samples
        self._main = threading.main_thread().ident
        self._running = True
        sys.setswitchinterval(0.002)
        threading.Thread(target=self._run, name="gap-sampler", daemon=True).start()

    def _run(self) -> None:
        while self._running:
            time.sleep(0.001)
            if time.perf_counter() - self.meter._last < self.after:
                continue
            frame = sys._current_frames().get(self._main)
            seen = set()
            while frame is not None:
                code = frame.f_code
                where = f"{_short(code.co_filename)}:{code.co_firstlineno}({code.co_name})"
                if where not in seen:
                    seen.add(where)
                    self.counts[self.meter.phase][where] += 1
                frame = frame.f_back

    def stop(self) -> None:
        self._running = False

    def report(self, phase: str, n: int = 25) -> str:
        counts = self.counts.get(phase, {})
        top = sorted(counts.items(), key=lambda kv: -kv[1])[:n]
        return "\n".join(f"{count:6d}  {where}" for where, count in top if "_app_loop" not in where)


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/app/", "/bench/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename.rsplit("/", 1)[-1]


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


# --- the frame both benchmarks share ------------------------------------------------------
def child_arguments(parser) -> None:
    """The hidden options the parent passes to its child (``run_child``)."""
    import argparse

    parser.add_argument("--child", metavar="JSON", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--sim-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sim-control-port", type=int, help=argparse.SUPPRESS)


def run_child(script: str, extra: list[str]) -> tuple[dict, int]:
    """Parent side: a simulator, a temp data dir, and ``script --child …`` as the register's
    process; returns (its JSON result, or {} if it wrote none, and its exit status)."""
    import json
    import shutil
    import tempfile

    sim = start_simulator()
    out = Path(tempfile.mkstemp(prefix="regi-bench-", suffix=".json")[1])
    data_dir = tempfile.mkdtemp(prefix="regi-bench-")
    try:
        code = subprocess.call([sys.executable, str(Path(script).resolve()), "--child", str(out), "--data-dir", data_dir,
                                "--sim-port", str(sim.port), "--sim-control-port", str(sim.control_port), *extra],
                               cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")})
    finally:
        sim.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    result = json.loads(out.read_text(encoding="utf-8")) if out.stat().st_size else {}
    out.unlink()
    return result, code


@dataclass
class Register:
    """What a benchmark's steps get in the child: the app, its window, the simulator's control."""
    app: object
    window: object
    control: object
    meter: GapMeter
    result: dict
    catalog: list  # (category, product) of every product on the tiles


def register_main(args, steps, *, on_finished=None, before_exit=None) -> None:
    """Child side: build the register as ``python -m app`` does (demo shop, on-screen print
    preview, a real SQLite ledger in ``args.data_dir``, linked to the simulator), show it at
    1280×800 (offscreen), run ``steps(script, register)`` in ``app.exec()`` with the gap meter
    on, write ``register.result`` to ``args.child`` and exit without tearing Qt down.
    ``on_finished(register)`` completes the result; an exception in the script is its ``error``."""
    import json
    import traceback

    from PySide6.QtWidgets import QApplication

    from app.simulator.control import ControlClient
    from app.ui.app import build_register

    app = QApplication(sys.argv[:1])
    quiet_offscreen_warnings()
    data_dir = Path(args.data_dir)
    window = build_register(f"sqlite:///{data_dir / 'regi.db'}", data_dir=data_dir, settings={
        "terminal_profile": "usenpay", "terminal_host": "127.0.0.1", "terminal_port": args.sim_port})
    window.resize(1280, 800)
    window.show()
    window.activateWindow()  # as on a display: the print preview is parented to the active window
    register = Register(app, window, ControlClient(port=args.sim_control_port), GapMeter(), {"error": None},
                        [(c, p) for c in window.context.ledger.catalog() for p in c.products])

    def finished() -> None:
        if on_finished is not None:
            on_finished(register)
        QTimer.singleShot(0, app.quit)

    def failed(error) -> None:
        register.result["error"] = "".join(traceback.format_exception(error))
        QTimer.singleShot(0, app.quit)

    script = Script(window, None, on_finished=finished, on_error=failed)
    script._steps = steps(script, register)
    register.meter.start()
    script.start()
    app.exec()
    if before_exit is not None:
        before_exit(register)
    window.context.terminal.stop()
    Path(args.child).write_text(json.dumps(register.result), encoding="utf-8")
    os._exit(0)  # the figures are written; skip tearing down Qt


# --- the flows both benchmarks drive ----------------------------------------------------------
def log_in(s: Script, staff: str = "佐藤", password: str = "1111"):
    yield from s.tap_where(lambda b: b.property("staffName") == staff, f"staff tile {staff}")
    yield from s.digits(password)
    yield from s.tap("loginButton")
    yield from s.wait(lambda: s.screen() in ("OpenScreen", "TopScreen"), "login")


def open_day(s: Script, float_yen: int = 30000):
    yield from s.tap("modeTotalButton")
    yield from s.digits(str(float_yen))
    yield from s.tap("confirmButton")
    yield from s.wait_screen("TopScreen")


def wait_terminal_link(s: Script):
    yield from s.wait(lambda: s.find("terminalStatus") is not None
                      and s.find("terminalStatus").property("linkState") == "connected", "the terminal link")


def add_products(s: Script, catalog: list, picks):
    """Tap the tiles of ``catalog[i % len(catalog)]`` for each ``i`` of ``picks``."""
    for i in picks:
        category, product = catalog[i % len(catalog)]
        yield from s.tap(f"category_{category.id}")
        yield from s.tap(f"product_{product.id}")


def pay_cash(s: Script):
    """現金, 残額, 「会計」: the rest in cash, up to 会計完了."""
    yield from s.tap("cashMethodButton")
    yield from s.tap("remainingButton")
    yield from s.tap("payButton")
    yield from s.wait_screen("CheckoutDoneScreen")


def start_terminal_payment(s: Script, control, amount: str | None = None):
    """決済端末 → クレジット → 残額 (or ``amount``) → 「会計」, the simulator told to approve:
    up to 支払確認 (PaymentConfirmScreen)."""
    control.call("approve", brand="VISA", last4="1012", entry_mode="ICC")
    yield from s.tap("terminalMethodButton")
    yield from s.wait_screen("TerminalPickerScreen")
    yield from s.tap("usenpayCreditButton")
    yield from s.wait_screen("CheckoutScreen")
    if amount is None:
        yield from s.tap("remainingButton")
    else:
        yield from s.digits(amount)
    yield from s.tap("payButton")
    yield from s.wait_screen("PaymentConfirmScreen")


def link_terminal_payment(s: Script):
    """決済端末連携 → 支払完了 (PaymentDoneScreen)."""
    yield from s.tap("terminalLinkButton")
    yield from s.wait_screen("PaymentDoneScreen")


def visit_slip_list(s: Script, tap_first_row: bool = False):
    """From 会計完了: トップへ → 伝票明細 (rows shown, the first tapped if asked) → 戻る."""
    yield from s.tap("topButton")
    yield from s.wait_screen("TopScreen")
    yield from s.tap("slipListButton")
    yield from s.wait_screen("SlipListScreen")
    yield from s.wait(lambda: s.find("slipTable") is not None and s.find("slipTable").model().rowCount() > 0, "the slip rows")
    if tap_first_row:
        table = s.find("slipTable")
        s.click(table.viewport(), table.visualRect(table.model().index(0, 0)).center())
        yield
    yield from s.tap("backButton")
    yield from s.wait_screen("TopScreen")


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
