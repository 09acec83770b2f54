"""Issue 14: colours carry one meaning each (red: something to do or an error; states are neutral
badges), defined once in app/resources/qss/regi.qss by role — no inline style sheet and no colour
literal in app/ui. theme.py is the one place for what the QSS cannot reach (item-model text colours,
the drawn terminal)."""
import re
from pathlib import Path

import app.ui
from app.core.assets import stylesheet

UI = Path(app.ui.__file__).parent
COLOUR_LITERAL = re.compile(r"""["'][^"'\n]*#[0-9a-fA-F]{3,8}\b|\brgba?\(|QColor\(\s*["']|QColor\(\s*Qt\.""")


def ui_lines():
    for path in sorted(UI.rglob("*.py")):
        if path.name == "theme.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            yield f"{path.relative_to(UI)}:{number}", line


def test_no_inline_style_sheet_in_app_ui():
    assert [where for where, line in ui_lines() if "setStyleSheet(" in line] == []


def test_no_colour_literal_in_app_ui_outside_the_theme():
    assert [f"{where}: {line.strip()}" for where, line in ui_lines() if COLOUR_LITERAL.search(line)] == []


def test_the_check_sees_an_inline_colour():
    for line in ('label.setStyleSheet("color: #c62828;")', 'QColor("#b42318")', "brush = QColor(Qt.red)",
                 "STYLE = 'background: rgb(1, 2, 3)'"):
        assert COLOUR_LITERAL.search(line) or "setStyleSheet(" in line, line
    assert not COLOUR_LITERAL.search("stripe = Stripe(category.color, button)  # the shop's colour #1")


def test_the_roles_the_screens_use_are_styled():
    qss = stylesheet()
    for rule in ('QLabel[badge="neutral"]', 'QLabel[badge="alert"]', 'QLabel[alert="true"]', 'QLabel[role="notice"]',
                 'QLabel#terminalStatus[linkState="disconnected"]', 'QPushButton[size="menu"]', 'QTableView#slipTable'):
        assert rule in qss, rule
