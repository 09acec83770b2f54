"""Files shipped inside the ``app`` package (fonts, QSS, alembic migrations), found with
``importlib.resources`` so an installed Regi (wheel, kiosk build) finds them wherever it is.

Trap: Qt, Pillow and alembic need real files, so the package must be installed unzipped
(pip, PyInstaller's folder build and an editable checkout all are); ``asset`` says so
clearly instead of failing later with a missing-file error.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def asset(*parts: str) -> Path:
    """The file or folder ``app/<parts…>`` on disk."""
    found = files("app").joinpath(*parts)
    if not isinstance(found, Path):
        raise RuntimeError(f"Regi must be installed as plain files, not zipped: {found}")
    return found


def font_path(bold: bool = False) -> Path:
    """The bundled Noto Sans JP (OFL: app/resources/fonts/OFL.txt)."""
    return asset("resources", "fonts", "NotoSansJP-Bold.ttf" if bold else "NotoSansJP-Regular.ttf")


def stylesheet() -> str:
    return asset("resources", "qss", "regi.qss").read_text(encoding="utf-8")


def migrations_dir() -> Path:
    """alembic's script location (env.py, versions/)."""
    return asset("migrations")
