"""Shared steps and the exactly-once check for the terminal payment tests."""
from app.core.payment_state import PaymentState


def open_day(register, staff="佐藤", password="1111"):
    register.login(staff, password)
    register.open_register(30000)
    register.wait_until(lambda: register.find("terminalStatus").property("linkState") == "connected", what="the link")
    register.tap("checkoutButton")


def pay_by_terminal(register, method_button=None, amount_yen=None):
    """「決済端末」 (→ picker for USEN PAY), amount or 「残額」, 「会計」, 「決済端末連携」."""
    register.tap("terminalMethodButton")
    if method_button:
        register.wait_screen("TerminalPickerScreen")
        register.tap(method_button)
        register.wait_screen("CheckoutScreen")
    if amount_yen is None:
        register.tap("remainingButton")
    else:
        register.type_digits(str(amount_yen))
    register.tap("payButton")
    register.wait_screen("PaymentConfirmScreen")
    register.tap("terminalLinkButton")


def assert_ledger_agrees_with_terminal(register, terminal):
    """Every terminal success is exactly one recorded payment, and nothing is recorded as
    paid that the terminal did not approve (issue 4, R-RECON)."""
    rows = register.context.payments.all()
    by_tx = {row.transaction_id: row for row in rows}
    history = terminal.history()
    approved_payments = {h["transaction_id"] for h in history if h["kind"] == "payment" and h["approved"]}
    recorded_paid = {row.transaction_id for row in rows if row.kind == "payment"
                     and row.state in (PaymentState.APPROVED, PaymentState.REFUNDED, PaymentState.DISPUTED_PAID)}
    assert recorded_paid == approved_payments, (recorded_paid, approved_payments)
    for h in history:
        if h["kind"] == "reversal" and h["approved"]:
            assert by_tx[h["transaction_id"]].state == PaymentState.APPROVED
    for slip in register.slips():
        for tender in slip.tenders:
            if tender.kind == "terminal":
                assert tender.reference in approved_payments
    assert len({h["transaction_id"] for h in history}) == len(history), "a transaction id was reused"
