import pytest

from tests.ui.terminal_helpers import assert_ledger_agrees_with_terminal, open_day


@pytest.fixture
def terminal_checkout(register, terminal):
    """佐藤 on CheckoutScreen with the day open and the terminal linked; afterwards the
    ledger must agree with the simulator's history (exactly once, nothing invented)."""
    open_day(register)
    yield register
    register.wait_devices()
    assert_ledger_agrees_with_terminal(register, terminal)
