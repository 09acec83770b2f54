"""app/core never imports Qt; the simulator's engine, server and control work without it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_core_and_headless_simulator_do_not_load_qt():
    code = (
        "import sys\n"
        "import app.core.terminal, app.core.terminal.bridge, app.core.terminal.driver\n"
        "import app.core.payments.coordinator, app.core.payments.dispatch\n"
        "import app.simulator.engine, app.simulator.server, app.simulator.control, app.simulator.__main__\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'qasync', 'shiboken'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=30)


def test_no_qt_import_in_core_sources():
    for path in [*(ROOT / "app" / "core" / "terminal").glob("*.py"), *(ROOT / "app" / "core" / "payments").glob("*.py")]:
        text = path.read_text("utf-8")
        assert "PySide6" not in text and "qasync" not in text, path
