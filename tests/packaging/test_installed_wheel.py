"""Issue 13: Regi installed from its wheel, outside the checkout, runs — ledger migrated
from the packaged migrations, receipt rendered with the packaged font, main window shown.

The fresh venv gets the wheel itself; its dependencies come from this test run's own
site-packages through a ``.pth`` line (a plain path: the checkout's editable hook is not
loaded), which keeps the test offline and fast. ``app`` must then be imported from the
fresh venv, never from the checkout.
"""
from __future__ import annotations

import os
import shutil
import signal
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

TEST_TOOLS = ("pytest", "pytest-qt", "hypothesis")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv outside the checkout with the freshly built regi wheel installed; its root."""
    work = tmp_path_factory.mktemp("installed")
    source = work / "source"  # built from a copy, so the checkout gets no build/ litter
    shutil.copytree(ROOT / "app", source / "app", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"), str(source)])
    venv = work / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps",
         "--no-index", str(next((work / "dist").glob("regi-*.whl")))])
    [venv_site] = (venv / "lib").glob("python3*/site-packages")
    (venv_site / "regi-test-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return venv


def run(command, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{command[:4]} failed:\n{result.stdout}\n{result.stderr}"
    return result


def fresh_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    return {**env, "QT_QPA_PLATFORM": "offscreen", **extra}


def test_the_wheel_keeps_test_tools_in_the_test_extra(installed):
    [wheel] = (installed.parent / "dist").glob("regi-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))).decode()
        names = archive.namelist()
    requires = [line[len("Requires-Dist: "):] for line in metadata.splitlines() if line.startswith("Requires-Dist: ")]
    for tool in TEST_TOOLS:
        for requirement in requires:
            if requirement.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip() == tool:
                assert 'extra == "test"' in requirement, requirement
    assert any(r.startswith("PySide6-Essentials") and "extra" not in r for r in requires)
    for packaged in ("app/resources/fonts/NotoSansJP-Regular.ttf", "app/resources/qss/regi.qss",
                     "app/migrations/env.py", "app/migrations/versions/0001_initial_ledger_schema.py"):
        assert packaged in names


INSTALLED_TEST = '''
from pathlib import Path

import app


def test_installed_regi_takes_a_sale_and_prints(register, printer):
    assert Path(app.__file__).is_relative_to(VENV), app.__file__   # not the checkout
    register.start_checkout()                   # ledger created from the packaged migrations
    register.add_products("プリン")
    register.pay("cashMethodButton", None)
    register.wait_screen("CheckoutDoneScreen")
    register.tap("printReceiptButton")
    register.wait_devices()
    [slip] = register.slips()
    assert slip.total_yen == 420
    assert "合計" in printer.jobs[0].text
    assert b"\\x1dv0" in printer.jobs[0].raw    # rendered with the packaged font to a raster image
'''


def test_installed_regi_takes_a_sale_and_prints_the_receipt(installed, tmp_path):
    """pytest runs inside the fresh venv; the ``register`` fixture is the installed plugin's."""
    (tmp_path / "test_installed.py").write_text(f"VENV = {str(installed)!r}\n" + INSTALLED_TEST, encoding="utf-8")
    result = subprocess.run([str(installed / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "--rootdir", str(tmp_path), str(tmp_path / "test_installed.py")],
                            cwd=tmp_path, env=fresh_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_regi_command_opens_the_main_window_and_quits_on_sigterm(installed, tmp_path):
    data_dir = tmp_path / "shop"
    process = subprocess.Popen([str(installed / "bin" / "regi"), "--data-dir", str(data_dir), "--no-simulator", "--windowed"],
                               cwd=tmp_path, env=fresh_env(), stderr=subprocess.PIPE, text=True)
    log = []
    try:
        for line in process.stderr:  # main() logs this once its event loop runs
            log.append(line)
            if "register running" in line:
                break
        process.send_signal(signal.SIGTERM)
        log.append(process.communicate(timeout=60)[1])
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, "".join(log)
    assert any("ledger: sqlite:///" in line for line in log), "".join(log)
    assert (data_dir / "regi.db").exists()
