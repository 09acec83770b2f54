"""Reconciliation (R-CLOSE): the terminal's day totals and transaction list, and the
simulator's control to make them disagree with the register (drop / add one)."""
from __future__ import annotations

import pytest

from app.core.terminal.messages import BODY_SPECS, Category, MessageType
from app.core.terminal.results import Outcome
from app.simulator import outcomes as oc
from app.simulator.engine import SimulatorError
from tests.terminal.test_engine import clock, engine, pay, reverse  # noqa: F401  (fixtures)

T = 10


def test_totals_and_list_cover_the_period_once(engine):
    a = pay(engine, 880, outcome=oc.Approve())
    pay(engine, 500, "qr", oc.Approve())
    reverse(engine, a["POIData"]["POITransactionID"]["TransactionID"], 880, "RV1")
    first = engine.reconciliation()
    BODY_SPECS[(Category.RECONCILIATION, MessageType.RESPONSE)].check(first, "body")
    totals = {t["PaymentMethod"]: t for t in first["TransactionTotals"]}
    assert (totals["credit"]["SaleCount"], totals["credit"]["SaleAmount"], totals["credit"]["RefundAmount"]) == (1, 880, 880)
    assert (totals["qr"]["SaleCount"], totals["qr"]["SaleAmount"]) == (1, 500)
    assert sorted((t["PaymentMethod"], t["TransactionType"], t["Amount"]) for t in first["TransactionList"]) == [
        ("credit", "Payment", 880), ("credit", "Refund", 880), ("qr", "Payment", 500)]
    second = engine.reconciliation()
    assert second["TransactionList"] == [] and all(t["SaleCount"] == 0 for t in second["TransactionTotals"])


def test_drop_and_add_change_one_reconciliation(engine):
    paid = pay(engine, 1200, "emoney", oc.Approve(brand="iD"))
    poi = paid["POIData"]["POITransactionID"]["TransactionID"]
    engine.drop_from_totals(poi)
    extra = engine.add_to_totals("credit", 3000)
    recon = engine.reconciliation()
    totals = {t["PaymentMethod"]: t for t in recon["TransactionTotals"]}
    assert totals["emoney"]["SaleCount"] == 0 and totals["credit"]["SaleAmount"] == 3000
    assert [(t["POITransactionID"], t["Amount"]) for t in recon["TransactionList"]] == [(extra, 3000)]
    with pytest.raises(SimulatorError):
        engine.add_to_totals("cash", 100)


def test_the_bridge_reads_the_list(sim, make_bridge):
    bridge, _ = make_bridge(sim.port)
    assert bridge.login().result(T).connected
    sim.control.approve()
    paid = bridge.pay("T-recon-1", 880, "credit").result(T)
    sim.control.add_to_totals("qr", 450, poi_transaction_id="QR-EXTRA-1")
    result = bridge.reconciliation().result(T)
    assert result.outcome is Outcome.SUCCESS
    assert sorted((t.poi_transaction_id, t.method, t.kind, t.amount) for t in result.transactions) == sorted(
        [(paid.poi_transaction_id, "credit", "payment", 880), ("QR-EXTRA-1", "qr", "payment", 450)])
