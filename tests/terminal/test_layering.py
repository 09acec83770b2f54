"""Layering (issue 15): app/core never imports Qt; the simulator's engine, server and
control work without it; shipped code never imports the test harness (app.testing)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports, at any depth (function-local imports too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_and_headless_simulator_do_not_load_qt():
    core = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts) for p in (APP / "core").rglob("*.py"))
    modules = [m.removesuffix(".__init__") for m in core]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "import app.simulator.engine, app.simulator.server, app.simulator.control, app.simulator.__main__\n"
        "import app.verify_ledger\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'qasync', 'shiboken'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_no_qt_import_in_core_sources():
    offenders = [f"{path.relative_to(ROOT)}: {name}" for path in (APP / "core").rglob("*.py")
                 for name in imported_modules(path) if name.split(".")[0] in ("PySide6", "qasync", "shiboken6")]
    assert offenders == []


def test_shipped_code_never_imports_the_test_harness():
    shipped = [p for p in APP.rglob("*.py") if (APP / "testing") not in p.parents]
    offenders = [f"{path.relative_to(ROOT)}: {name}" for path in shipped
                 for name in imported_modules(path) if name == "app.testing" or name.startswith("app.testing.")]
    assert offenders == []
