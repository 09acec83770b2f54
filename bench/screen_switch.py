"""Screen changes: ``MainWindow.go(name)`` between the main screens (SPEC §9: ≤ 50 ms).

The register is built as the tests build it (``RegisterDriver.start``: demo ledger
in a temp dir, capturing printer, 1280×800, QT_QPA_PLATFORM=offscreen), a cashier
logs in and opens the day. Then every ordered pair of LoginScreen, OpenScreen,
TopScreen and CheckoutScreen is timed N times: ``go(target)`` (which runs the
screen's ``enter``: DB reads, rebuilding tiles) plus ``processEvents()`` until the
queue is empty (layout and the paint of the new screen — the script counts the
paint events to show they are included). After going to LoginScreen (which logs
the cashier out) the cashier is put back, as a login would.

Usage: python bench/screen_switch.py [--runs N] [--size WxH] [--gc-freeze]   (exit code is always 0)
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from itertools import permutations
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _common import machine, verdict  # noqa: E402

BUDGET_MS = 50
SCREENS = ("LoginScreen", "OpenScreen", "TopScreen", "CheckoutScreen")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--size", default="1280x800", help="window size, e.g. 1920x1080")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="what-if: gc.freeze() after start-up, so full collections skip the start-up heap")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))

    from PySide6.QtCore import QEvent, QObject, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    def quiet(_mode, _context, message):  # the offscreen plugin's noise, once per new window
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(quiet)

    class PaintCounter(QObject):
        count = 0

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Paint:
                PaintCounter.count += 1
            return False

    print(f"# screen_switch: {machine()}, QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}, window {args.size}")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    full_gc_ms: list[float] = []
    gc_start = [0.0]

    def watch_gc(phase, info):  # Python's full (generation 2) collections stop the UI thread too
        if info["generation"] != 2:
            return
        if phase == "start":
            gc_start[0] = time.perf_counter()
        else:
            full_gc_ms.append((time.perf_counter() - gc_start[0]) * 1000)

    results: dict[tuple[str, str], list[float]] = {}
    paints: dict[tuple[str, str], int] = {}
    with tempfile.TemporaryDirectory(prefix="regi-bench-") as tmp:
        # python-escpos makes a mkdtemp() for its capabilities pickle at import: keep it in ours
        tempfile.tempdir = tmp
        from app.testing.driver import RegisterDriver

        driver = RegisterDriver.start(Path(tmp))
        try:
            driver.start_checkout("佐藤", "1111")  # log in, open the day, reach CheckoutScreen
            window = driver.window
            window.resize(width, height)
            app.processEvents()
            staff = window.context.staff
            counter = PaintCounter()
            for name in SCREENS:
                window.screen(name).installEventFilter(counter)

            def switch(name: str) -> float:
                start = time.perf_counter()
                window.go(name)
                app.processEvents()
                elapsed = time.perf_counter() - start
                assert window.current_screen.objectName() == name
                if window.context.staff is None:  # LoginScreen logs out; a login would bring them back
                    window.context.staff = staff
                return elapsed

            if args.gc_freeze:
                gc.collect()
                gc.freeze()
            gc.callbacks.append(watch_gc)
            pairs = list(permutations(SCREENS, 2))
            for source, target in pairs * 2:  # warm-up: first builds of tiles, style polish, glyph caches
                switch(source)
                switch(target)
            for source, target in pairs:
                results[(source, target)] = []
                paints[(source, target)] = 0
            for _ in range(args.runs):
                for source, target in pairs:
                    switch(source)
                    before = PaintCounter.count
                    results[(source, target)].append(switch(target))
                    paints[(source, target)] += PaintCounter.count - before
        finally:
            if watch_gc in gc.callbacks:
                gc.callbacks.remove(watch_gc)
            driver.close()
            tempfile.tempdir = None

    for (source, target), times in results.items():
        mean_paints = paints[(source, target)] / len(times)
        print(verdict(f"go {source:>14} -> {target:<14} (paints/switch {mean_paints:.1f})", times, BUDGET_MS))
    every = [t for times in results.values() for t in times]
    print(f"# full gc collections during the run: {len(full_gc_ms)}, slowest {max(full_gc_ms, default=0):.1f} ms"
          f"{' (gc.freeze() after start-up)' if args.gc_freeze else ''}")
    print(verdict("any main-screen change", every, BUDGET_MS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
