"""Layering (issue 15): app/core never imports Qt; the simulator's engine, server and
control work without it; shipped code never imports the test harness (app.testing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"


_SCAN = """
import ast, json, sys
found = {}
for path in sys.argv[1:]:
    names = set()
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read(), path)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    found[path] = sorted(names)
print(json.dumps(found))
"""


def imported_modules(paths: list[Path]) -> dict[Path, set[str]]:
    """Every module each source file imports, at any depth (function-local imports too).

    Parsed in a fresh process: CPython 3.11's ast.parse can raise a spurious
    "AST constructor recursion depth mismatch" SystemError while other threads run
    (gh-106905), and the test process has the bridge's and simulator's threads."""
    out = subprocess.run([sys.executable, "-c", _SCAN, *map(str, paths)], cwd=ROOT, check=True, timeout=60,
                         capture_output=True, text=True).stdout
    return {Path(path): set(names) for path, names in json.loads(out).items()}


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
    offenders = [f"{path.relative_to(ROOT)}: {name}" for path, names in imported_modules(list((APP / "core").rglob("*.py"))).items()
                 for name in names if name.split(".")[0] in ("PySide6", "qasync", "shiboken6")]
    assert offenders == []


def test_shipped_code_never_imports_the_test_harness():
    shipped = [p for p in APP.rglob("*.py") if (APP / "testing") not in p.parents]
    offenders = [f"{path.relative_to(ROOT)}: {name}" for path, names in imported_modules(shipped).items()
                 for name in names if name == "app.testing" or name.startswith("app.testing.")]
    assert offenders == []
