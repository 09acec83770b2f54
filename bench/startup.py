"""Start-up time: process start -> login screen shown and painted (SPEC §9: ≤ 1 s on 2 cores).

Each run is a fresh ``python -c`` process (QT_QPA_PLATFORM=offscreen) that imports
``app.ui.app.build_register``, creates the QApplication, builds the register on an
SQLite ledger, shows the window and waits until the event loop has delivered the
first paint of ``LoginScreen`` (and finished handling it). It then prints one line
and exits. The time measured is from just before the parent spawns the process to
the moment the parent reads that line, so it includes interpreter start-up and
every import — what a cashier waits for (minus the window manager).

- cold: a fresh temp ledger each run (create, migrate, seed the demo shop — which
  hashes 3 demo passwords with scrypt);
- warm: an existing, migrated ledger (the everyday start);
- warm + escpos pickle cached: a what-if, the warm start with python-escpos's
  capabilities pickle in a persistent dir (``ESCPOS_CAPABILITIES_PICKLE_DIR``);
  without it, python-escpos re-parses its capabilities YAML at every start.

Usage: python bench/startup.py [--runs N]   (exit code is always 0)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine, summary_ms, verdict

BUDGET_MS = 1000

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from app.ui.app import build_register
t_import = time.perf_counter()
app = QApplication(sys.argv[:1])
t_qapp = time.perf_counter()
data_dir = sys.argv[1]
window = build_register(f"sqlite:///{data_dir}/regi.db", data_dir=__import__("pathlib").Path(data_dir))
t_built = time.perf_counter()
login = window.current_screen
assert login.objectName() == "LoginScreen", login.objectName()

marks = {}

def report():
    if "done" in marks:
        return
    marks["done"] = time.perf_counter()
    assert window.current_screen.objectName() == "LoginScreen"
    print("READY " + json.dumps({
        "import_ms": (t_import - t0) * 1000,
        "qapp_ms": (t_qapp - t_import) * 1000,
        "build_ms": (t_built - t_qapp) * 1000,
        "show_to_paint_ms": (marks["done"] - t_built) * 1000,
    }), flush=True)
    app.quit()

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Paint:
            QTimer.singleShot(0, report)  # runs once this paint has been handled
        return False

watcher = FirstPaint()
login.installEventFilter(watcher)
window.resize(1280, 800)
window.show()
QTimer.singleShot(10000, app.quit)  # never hang the benchmark
app.exec()
window.context.devices.shutdown()
window.context.ledger.dispose()
"""


def run_once(data_dir: Path, escpos_cache: Path | None = None) -> tuple[float, dict]:
    # python-escpos makes a new mkdtemp() per import for its capabilities pickle (so it
    # never finds it and re-parses its YAML each start); TMPDIR keeps that litter in our
    # temp dir without changing what is measured.
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), TMPDIR=str(data_dir))
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    if escpos_cache is not None:
        env["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(escpos_cache)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    phases = None
    for line in proc.stdout:
        if line.startswith("READY "):
            elapsed = time.perf_counter() - start
            phases = json.loads(line[6:])
            break
    _, err = proc.communicate(timeout=60)
    if phases is None:
        raise RuntimeError(f"the register did not reach the login screen:\n{err}")
    return elapsed, phases


def report(name: str, results: list[tuple[float, dict]]) -> None:
    times = [elapsed for elapsed, _ in results]
    for key in ("import_ms", "qapp_ms", "build_ms", "show_to_paint_ms"):
        values = sorted(phases[key] for _, phases in results)
        print(f"    {name} {key:<17} median {values[len(values) // 2]:7.1f} ms")
    print(verdict(f"start-up to painted LoginScreen, {name}", times, BUDGET_MS))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print(f"# startup: {machine()}")
    with tempfile.TemporaryDirectory(prefix="regi-bench-") as tmp:
        tmp_path = Path(tmp)
        warm_dir = tmp_path / "warm"
        warm_dir.mkdir()
        run_once(warm_dir)  # creates and migrates the warm ledger; also warms the OS file cache
        cold = []
        for i in range(args.runs):
            cold_dir = tmp_path / f"cold{i}"
            cold_dir.mkdir()
            cold.append(run_once(cold_dir))
        warm = [run_once(warm_dir) for _ in range(args.runs)]
        cache = tmp_path / "escpos-cache"
        cache.mkdir()
        run_once(warm_dir, cache)  # writes the pickle
        cached = [run_once(warm_dir, cache) for _ in range(args.runs)]
    report("cold (new ledger)", cold)
    report("warm (existing ledger)", warm)
    report("warm + escpos pickle cached (what-if)", cached)
    s = summary_ms([t for t, _ in warm])
    print(f"# warm median {s['median']:.0f} ms; cold includes creating, migrating and seeding the ledger;")
    print("# the what-if sets ESCPOS_CAPABILITIES_PICKLE_DIR to a persistent dir (the app does not, yet)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
