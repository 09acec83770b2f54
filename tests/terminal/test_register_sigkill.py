"""A real register process killed with SIGKILL mid-payment and mid-refund (issues 9, 16): a
new process on the same ledger file settles what the dead one left — the approval or the
refund the terminal made is recorded once, nothing is sent again."""
import pytest

from app.core.demo import seed_demo
from app.core.ledger.ledger import Ledger
from app.core.ledger.terminal_payments import TerminalPaymentBook
from app.core.payment_state import PaymentState
from app.core.terminal.config import DEMO_PAIRING_KEY, BridgeTimings
from app.simulator.control import SimulatorControl
from app.simulator.engine import TerminalEngine
from app.simulator.server import SimulatorServer
from app.testing.link_faults import FaultProxy
from app.testing.register_process import RegisterProcess

from .helpers import wait_until

TIMINGS = BridgeTimings(connect_timeout=2.0, login_timeout=2.0, request_timeout=2.0, payment_timeout=30.0,
                        reversal_timeout=30.0, heartbeat_interval=0.3, heartbeat_timeout=3.0, backoff_initial=0.05,
                        backoff_max=0.3, stop_timeout=2.0)


@pytest.fixture(params=["usenpay", "ct6100"])
def shop(request, tmp_path):
    """A ledger file, a simulator with its journal in a file, a frame proxy between them."""
    url = f"sqlite:///{tmp_path / 'regi.db'}"
    ledger = Ledger(url)
    seed_demo(ledger)
    ledger.open_day(1, total_yen=0)
    engine = TerminalEngine(request.param, journal_path=tmp_path / "journal.json")
    server = SimulatorServer(engine, pairing_key=DEMO_PAIRING_KEY).start_in_thread()
    proxy = FaultProxy(server.port).start()
    yield url, TerminalPaymentBook(ledger), SimulatorControl(engine, server), proxy
    proxy.stop()
    server.stop_in_thread()
    ledger.dispose()


def method_of(terminal) -> str | None:
    return "credit" if terminal.engine.profile == "usenpay" else None


def approved_on_terminal(terminal, kind: str) -> list[dict]:
    return [h for h in terminal.history() if h["kind"] == kind and h["approved"]]


def test_killed_while_the_customer_is_at_the_terminal_the_next_process_records_the_approval(shop):
    url, book, terminal, proxy = shop
    doomed = RegisterProcess(url, terminal.engine.profile, proxy.port, timings=TIMINGS)
    doomed.pay(1200, method_of(terminal))
    row_id = doomed.sent()
    assert terminal.wait_for_stage("wait_card" if method_of(terminal) else "choose_method")
    doomed.kill()  # SIGKILL: no Logout, nothing more written
    assert book.get(row_id).state == PaymentState.PENDING

    # The customer finishes on the terminal after the register died.
    if not method_of(terminal):
        terminal.choose_method("credit")
        assert terminal.wait_for_stage("wait_card")
    terminal.present_card()
    assert terminal.wait_for_stage("wait_pin")
    terminal.enter_pin()

    heir = RegisterProcess(url, terminal.engine.profile, proxy.port, timings=TIMINGS)
    try:
        assert heir.settle(15) == []
    finally:
        heir.close()
    row = book.get(row_id)
    assert row.state == PaymentState.APPROVED
    [record] = approved_on_terminal(terminal, "payment")
    assert record["transaction_id"] == row.transaction_id and row.poi_transaction_id
    assert len(book.all()) == 1  # nothing sent again


def test_killed_while_the_refund_answer_is_on_its_way_the_next_process_records_the_refund(shop):
    url, book, terminal, proxy = shop
    first = RegisterProcess(url, terminal.engine.profile, proxy.port, timings=TIMINGS)
    try:
        terminal.approve(method="credit")
        first.pay(3400, method_of(terminal))
        payment_id = first.sent()
        assert first.settle(15) == []
    finally:
        first.close()
    assert book.get(payment_id).state == PaymentState.APPROVED

    doomed = RegisterProcess(url, terminal.engine.profile, proxy.port, timings=TIMINGS)
    proxy.lose_answers = True  # the terminal refunds; its answer never reaches the register
    doomed.refund(payment_id)
    refund_id = doomed.sent()
    wait_until(lambda: approved_on_terminal(terminal, "reversal"), 10)
    doomed.kill()
    assert book.get(refund_id).state == PaymentState.PENDING
    proxy.lose_answers = False

    heir = RegisterProcess(url, terminal.engine.profile, proxy.port, timings=TIMINGS)
    try:
        assert heir.settle(15) == []
    finally:
        heir.close()
    assert book.get(refund_id).state == PaymentState.APPROVED
    assert book.get(payment_id).state == PaymentState.REFUNDED
    [record] = approved_on_terminal(terminal, "reversal")
    assert record["transaction_id"] == book.get(refund_id).transaction_id
    assert len(book.refunds_of(payment_id)) == 1
