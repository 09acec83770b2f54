"""docs/terminal-protocol.md stays in step with the code it describes."""

from __future__ import annotations

from pathlib import Path

from app.core.terminal.errors import TERMINAL_CODES, ErrorCondition
from app.core.terminal.messages import Category
from app.core.terminal.statuses import ALL_STATUSES
from app.simulator.control import COMMANDS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "terminal-protocol.md").read_text("utf-8")


def test_every_terminal_code_is_documented_with_its_condition_and_message():
    for code in TERMINAL_CODES.values():
        row = f"| `{code.code}` | {code.condition.value} | {code.message} |"
        assert row in DOC, code.code


def test_every_category_condition_status_and_command_is_documented():
    for category in Category:
        assert f"`{category.value}`" in DOC, category
    for condition in ErrorCondition:
        assert f"`{condition.value}`" in DOC, condition
    for status in ALL_STATUSES:
        assert status in DOC, status
    for command in COMMANDS:
        assert f"`{command}`" in DOC, command
