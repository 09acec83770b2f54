"""Issue 13: the kiosk build (packaging/regi-kiosk.spec, PyInstaller one-folder) starts the
register offscreen from its folder, on a new ledger, and quits cleanly on SIGTERM.

Skipped when PyInstaller is not installed in this environment (CI's venv has no build
tools); ``packaging/build-kiosk`` installs it in its own venv, or ``pip install pyinstaller``
here. The build takes minutes."""
from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None,
                       reason="PyInstaller is not installed (packaging/build-kiosk installs it in build/kiosk-venv)"),
]


def test_the_kiosk_folder_starts_the_register_offscreen(tmp_path):
    build = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                            "--distpath", str(tmp_path / "dist"), "--workpath", str(tmp_path / "work"),
                            str(ROOT / "packaging" / "regi-kiosk.spec")],
                           cwd=tmp_path, capture_output=True, text=True, timeout=1800)
    assert build.returncode == 0, build.stderr[-3000:]
    regi = tmp_path / "dist" / "regi-kiosk" / "regi"
    assert (tmp_path / "dist" / "regi-kiosk" / "_internal" / "app" / "resources" / "fonts" / "NotoSansJP-Regular.ttf").exists()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"))
    process = subprocess.Popen([str(regi), "--data-dir", str(tmp_path / "shop"), "--no-simulator", "--windowed"],
                               cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    log = []
    try:
        for line in process.stderr:
            log.append(line)
            if "register running" in line:
                break
        process.send_signal(signal.SIGTERM)
        log.append(process.communicate(timeout=60)[1])
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, "".join(log)
    assert (tmp_path / "shop" / "regi.db").exists()
    qt_lib = Path(importlib.util.find_spec("PySide6").origin).parent / "Qt" / "lib"
    if list(qt_lib.glob("libQt6VirtualKeyboard.so*")):  # PySide6-Addons here: the keyboard is in the build
        check = subprocess.run([str(regi), "--check-keyboard"], env=env, capture_output=True, text=True, timeout=120)
        assert check.returncode == 0, check.stdout + check.stderr
