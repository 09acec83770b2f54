"""The terminal model without sockets (app/simulator/engine.py), on a manual clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.terminal import statuses as st
from app.simulator import outcomes as oc
from app.simulator.clock import JST, ManualClock
from app.simulator.engine import (EngineEvent, SimulatorError, Stage, TerminalEngine, TxRecord, duplicate_alert_due)

_n = 0


def pay_body(amount: int, method: str | None = "credit", txid: str | None = None) -> dict:
    global _n
    _n += 1
    body = {"SaleData": {"SaleTransactionID": {"TransactionID": txid or f"T{_n}",
                                               "TimeStamp": "2025-08-18T10:00:00+09:00"}},
            "PaymentTransaction": {"AmountsReq": {"Currency": "JPY", "RequestedAmount": amount}}}
    if method:
        body["PaymentData"] = {"PaymentMethod": method}
    return body


class Recorder:
    def __init__(self, engine: TerminalEngine) -> None:
        self.events: list[EngineEvent] = []
        engine.subscribe(self.events.append)

    def responses(self) -> list[dict]:
        return [e.body for e in self.events if e.kind == "response"]

    def last_response(self) -> dict:
        return self.responses()[-1]

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def engine(clock):
    e = TerminalEngine("usenpay", clock=clock, seed=1)
    assert e.login("REGI-01")["Response"]["Result"] == "Success"
    return e


def pay(engine: TerminalEngine, amount: int, method: str = "credit", outcome: oc.Outcome | None = None,
        txid: str | None = None) -> dict | None:
    if outcome is not None:
        engine.queue(outcome)
    rec = Recorder(engine)
    immediate = engine.start_payment("REGI-01", f"S{_n}", pay_body(amount, method, txid))
    return immediate if immediate is not None else (rec.last_response() if rec.responses() else None)


def code(body: dict) -> str | None:
    return body["Response"].get("AdditionalResponse", {}).get("ErrorCode")


# -- R-DUP: the rule itself, on records -------------------------------------------------

def rec(clock_time, amount=880, last4="1012", brand="JCB", status=st.CARD_PENDING_SALE, method="credit"):
    return TxRecord("payment", f"t{id(object())}", "R", "S", clock_time, amount, method, True, status, {},
                    brand=brand, last4=last4)


def test_dup_rule_matches_latest_same_amount_last4_brand():
    now = ManualClock()()
    assert duplicate_alert_due([rec(now - timedelta(minutes=1))], now, 880, "1012", "JCB")
    for kwargs in ({"amount": 881}, {"last4": "9999"}, {"brand": "VISA"}):
        other = dict(amount=880, last4="1012", brand="JCB")
        other.update(kwargs)
        assert not duplicate_alert_due([rec(now - timedelta(minutes=1))], now, other["amount"], other["last4"],
                                       other["brand"])


def test_dup_rule_five_minute_window_is_inclusive():
    now = ManualClock()()
    assert duplicate_alert_due([rec(now - timedelta(seconds=300))], now, 880, "1012", "JCB")
    assert not duplicate_alert_due([rec(now - timedelta(seconds=301))], now, 880, "1012", "JCB")


def test_dup_rule_only_the_latest_counts_and_only_sale_statuses():
    now = ManualClock()()
    older_match = rec(now - timedelta(minutes=3))
    newer_other = rec(now - timedelta(minutes=1), amount=500)
    assert not duplicate_alert_due([older_match, newer_other], now, 880, "1012", "JCB")
    # 売上済み counts too; a refunded or declined latest one does not
    assert duplicate_alert_due([rec(now - timedelta(minutes=1), status=st.CARD_SOLD)], now, 880, "1012", "JCB")
    for status in (st.CARD_CANCELLED, st.CARD_DECLINED, st.CARD_FAILED_AUTHORIZED):
        assert not duplicate_alert_due([rec(now - timedelta(minutes=1), status=status)], now, 880, "1012", "JCB")
    # the latest *eligible* card transaction is the candidate: a later refunded one is skipped
    assert duplicate_alert_due([older_match, rec(now - timedelta(minutes=1), amount=500, status=st.CARD_CANCELLED)],
                               now, 880, "1012", "JCB")


def test_dup_rule_ignores_emoney_and_qr():
    now = ManualClock()()
    for method in ("emoney", "qr"):
        assert not duplicate_alert_due([rec(now - timedelta(minutes=1), method=method, status=st.QR_DONE)],
                                       now, 880, "1012", "JCB")


def test_dup_rule_50_transactions_in_5_minutes_disable_the_alert(engine, clock):
    """R-DUP on the engine with its clock: 49 others + the match alert; the 50th silences it."""
    assert pay(engine, 880, outcome=oc.Approve(brand="JCB", last4="1012"))["Response"]["Result"] == "Success"
    for i in range(48):
        clock.advance(1)
        assert pay(engine, 100 + i, "qr", oc.Approve())["Response"]["Result"] == "Success"
    clock.advance(1)
    # 49 transactions in the window, the latest card one matches: alert, and 取引中止 fails it
    body = pay(engine, 880, outcome=oc.Approve(brand="JCB", last4="1012", on_duplicate="abort"))
    assert code(body) == "E1006" and body["Response"]["ErrorCondition"] == "Refusal"
    # now 50 in the window (the aborted one counts): no alert, normal approval
    clock.advance(1)
    body = pay(engine, 880, outcome=oc.Approve(brand="JCB", last4="1012"))
    assert body["Response"]["Result"] == "Success"
    # once the window has moved past the crowd, the rule applies again
    clock.advance(301)
    assert pay(engine, 700, outcome=oc.Approve(brand="JCB", last4="1012"))["Response"]["Result"] == "Success"
    clock.advance(10)
    engine.queue(oc.Approve(brand="JCB", last4="1012"))
    engine.start_payment("REGI-01", "S-dup", pay_body(700))
    assert engine.stage is Stage.DUPLICATE  # waits for a human: 取引中止 / 続ける
    engine.duplicate_choice(True)
    assert engine.stage is Stage.IDLE
    assert engine.history()[-1].approved


def test_duplicate_alert_is_card_only(engine, clock):
    assert pay(engine, 880, "emoney", oc.Approve(brand="iD"))["Response"]["Result"] == "Success"
    clock.advance(10)
    assert pay(engine, 880, "emoney", oc.Approve(brand="iD"))["Response"]["Result"] == "Success"


# -- card rules ----------------------------------------------------------------------

def test_contactless_from_15001_asks_for_signature(engine):
    engine.start_payment("REGI-01", "S-a", pay_body(15_000))
    engine.present_card("Contactless", "VISA", "4242")
    assert engine.history()[-1].approved and engine.stage is Stage.IDLE
    engine.start_payment("REGI-01", "S-b", pay_body(15_001))
    engine.present_card("Contactless", "VISA", "4243")
    assert engine.stage is Stage.WAIT_SIGNATURE
    engine.sign()
    last = engine.history()[-1]
    assert last.approved and last.response["PaymentResult"]["SignatureCaptured"] is True
    assert last.slip["EntryMode"] == "タッチ"


def test_ic_card_cannot_be_swiped_but_magstripe_card_can(engine):
    body = pay(engine, 500, outcome=oc.Approve(entry_mode="MagStripe", has_chip=True))
    assert code(body) == "E1004" and body["Response"]["ErrorCondition"] == "InvalidCard"
    body = pay(engine, 501, outcome=oc.Approve(entry_mode="MagStripe", has_chip=False, last4="5555"))
    assert body["Response"]["Result"] == "Success"
    assert body["PaymentResult"]["EntryMode"] == "MagStripe" and body["SlipData"]["EntryMode"] == "磁気"


def test_ic_with_wrong_pin(engine):
    body = pay(engine, 500, outcome=oc.Approve(pin_ok=False))
    assert body["Response"]["ErrorCondition"] == "WrongPIN"
    assert engine.history()[-1].status == st.CARD_DECLINED


def test_emoney_brands_and_unknown_brand(engine):
    engine.start_payment("REGI-01", "S-e", pay_body(300, "emoney"))
    with pytest.raises(SimulatorError):
        engine.tap_emoney("Suica!!")
    engine.tap_emoney("nanaco")
    last = engine.history()[-1]
    assert last.brand == "nanaco" and last.status == st.EMONEY_DONE and last.slip["Title"] == "領収書"


def test_actions_out_of_stage_are_refused(engine):
    with pytest.raises(SimulatorError):
        engine.enter_pin()
    engine.start_payment("REGI-01", "S-x", pay_body(300))
    with pytest.raises(SimulatorError):
        engine.sign()
    engine.cancel()
    assert engine.history()[-1].response["Response"]["ErrorCondition"] == "Cancel"


def test_transaction_id_is_never_run_twice(engine):
    assert pay(engine, 100, outcome=oc.Approve(), txid="ONCE")["Response"]["Result"] == "Success"
    body = pay(engine, 100, outcome=oc.Approve(), txid="ONCE")
    assert code(body) == "E4003"
    assert [r.transaction_id for r in engine.history()].count("ONCE") == 1


# -- refunds -----------------------------------------------------------------------------

def reverse(engine, poi, amount, txid):
    rec_ = Recorder(engine)
    out = engine.start_reversal("REGI-01", f"SR-{txid}", {
        "SaleData": {"SaleTransactionID": {"TransactionID": txid, "TimeStamp": "2025-08-18T10:00:00+09:00"}},
        "OriginalPOITransaction": {"POITransactionID": {"TransactionID": poi}},
        "ReversedAmount": amount, "ReversalReason": "MerchantCancel"})
    return out if out is not None else rec_.last_response()


def test_refund_same_day_is_torikeshi_later_is_henpin(engine, clock):
    a = pay(engine, 880, outcome=oc.Approve())
    b = pay(engine, 990, outcome=oc.Approve(last4="2222"))
    r = reverse(engine, a["POIData"]["POITransactionID"]["TransactionID"], 880, "RV1")
    assert r["ReversalKind"] == "取消" and r["TerminalStatus"] == st.CARD_CANCELLED
    assert r["SlipData"]["Title"] == "クレジットカード取消票"
    clock.advance(24 * 3600)
    r = reverse(engine, b["POIData"]["POITransactionID"]["TransactionID"], 990, "RV2")
    assert r["ReversalKind"] == "返品" and r["TerminalStatus"] == st.CARD_RETURN_PENDING
    again = reverse(engine, b["POIData"]["POITransactionID"]["TransactionID"], 990, "RV3")
    assert code(again) == "E3004"
    recon = engine.reconciliation()
    assert engine.find(b["SaleData"]["SaleTransactionID"]["TransactionID"]).status == st.CARD_RETURNED
    totals = {t["PaymentMethod"]: t for t in recon["TransactionTotals"]}
    assert totals["credit"]["SaleAmount"] == 880 + 990 and totals["credit"]["RefundAmount"] == 880 + 990


def test_only_id_and_quicpay_refund_on_the_terminal(engine):
    for brand, ok in (("iD", True), ("QUICPay", True), ("交通系", False), ("nanaco", False), ("WAON", False),
                      ("楽天Edy", False)):
        paid = pay(engine, 400, "emoney", oc.Approve(brand=brand))
        r = reverse(engine, paid["POIData"]["POITransactionID"]["TransactionID"], 400, f"R-{brand}")
        if ok:
            assert r["Response"]["Result"] == "Success" and r["TerminalStatus"] == st.EMONEY_CANCELLED
        else:
            assert code(r) == "E3002" and "現金で返金してください" in r["Response"]["AdditionalResponse"]["Message"]


def test_qr_refund_within_90_days(engine, clock):
    a = pay(engine, 1000, "qr", oc.Approve(brand="PayPay"))
    b = pay(engine, 1100, "qr", oc.Approve(brand="PayPay"))
    assert a.get("SlipData") is None  # QR never has a slip
    clock.advance(90 * 24 * 3600 + 13 * 3600)  # paid 10:00; day 90 at 23:00 — calendar days, not 90 × 24 h
    r = reverse(engine, a["POIData"]["POITransactionID"]["TransactionID"], 1000, "RQ1")
    assert r["ReversalKind"] == "返金" and r["TerminalStatus"] == st.QR_REFUNDED and "SlipData" not in r
    clock.advance(3600)  # day 91, 00:00
    r = reverse(engine, b["POIData"]["POITransactionID"]["TransactionID"], 1100, "RQ2")
    assert code(r) == "E3003"


def test_refund_amount_must_match(engine):
    a = pay(engine, 880, outcome=oc.Approve())
    assert code(reverse(engine, a["POIData"]["POITransactionID"]["TransactionID"], 800, "RM")) == "E3005"
    assert code(reverse(engine, "TSU3-9999999", 880, "RN")) == "E3001"



def start_held_reversal(engine, poi, amount, txid):
    assert engine.start_reversal("REGI-01", f"SR-{txid}", {
        "SaleData": {"SaleTransactionID": {"TransactionID": txid, "TimeStamp": "2025-08-18T10:00:00+09:00"}},
        "OriginalPOITransaction": {"POITransactionID": {"TransactionID": poi}},
        "ReversedAmount": amount, "ReversalReason": "MerchantCancel"}) is None


def test_a_held_refund_waits_at_the_terminal_until_released(engine):
    """oc.Hold (issue 14, the 払戻中 screen): nothing answered, "in progress" when asked, then done on release."""
    a = pay(engine, 880, outcome=oc.Approve())
    poi = a["POIData"]["POITransactionID"]["TransactionID"]
    engine.queue(oc.Hold())
    rec_ = Recorder(engine)
    start_held_reversal(engine, poi, 880, "RH1")
    assert not rec_.responses()  # no answer yet
    assert [e.body["OutputText"] for e in rec_.events if e.kind == "display"] == ["決済端末で払い戻しの操作を行ってください"]
    assert engine.terminal_state() == "InTransaction"
    assert engine.snapshot().prompt == "決済端末で払い戻しの操作を行ってください"  # the window shows it too
    assert code(engine.transaction_status("Reversal", "RH1")) == "E4007"
    assert code(pay(engine, 500)) == "E2001"  # busy with the refund
    engine.release_reversal()
    assert rec_.last_response()["ReversalKind"] == "取消"
    assert engine.terminal_state() == "Idle"
    with pytest.raises(SimulatorError):
        engine.release_reversal()


def test_a_held_refund_cancelled_on_the_terminal(engine):
    a = pay(engine, 880, outcome=oc.Approve())
    engine.queue(oc.Hold())
    rec_ = Recorder(engine)
    start_held_reversal(engine, a["POIData"]["POITransactionID"]["TransactionID"], 880, "RH2")
    engine.release_reversal(approved=False)
    assert code(rec_.last_response()) == "E4006"
    with pytest.raises(ValueError):
        oc.validate(oc.Hold(target="payment"))

# -- terminal conditions -----------------------------------------------------------------

def test_battery_thresholds(clock):
    e = TerminalEngine("usenpay", clock=clock, battery=10)
    assert e.login("REGI-01")["Response"]["AdditionalResponse"]["ErrorCode"] == "E2003"
    e.set_battery(11)
    assert e.login("REGI-01")["Response"]["Result"] == "Success"
    paid = pay(e, 500, outcome=oc.Approve())
    poi = paid["POIData"]["POITransactionID"]["TransactionID"]
    e.set_battery(8)
    assert e.print_slip(poi)["Response"]["Result"] == "Success"
    e.set_battery(7)
    assert code(e.print_slip(poi)) == "E2004"
    e.set_battery(24)
    failed = e.update_firmware()
    assert failed["ok"] is False and failed["code"] == "E2006" and "25%" in failed["message"]
    e.set_battery(25)
    assert e.update_firmware() == {"ok": True}


def test_one_register_per_terminal(engine):
    refused = engine.login("REGI-02")
    assert refused["Response"]["ErrorCondition"] == "NotAllowed"
    assert "REGI-01" in refused["Response"]["AdditionalResponse"]["Message"]
    engine.release("REGI-01")
    assert engine.login("REGI-02")["Response"]["Result"] == "Success"


def test_os_update_notice_then_refusal(engine, clock):
    engine.set_os_update(clock() + timedelta(days=1))
    rec_ = Recorder(engine)
    body = pay(engine, 500, outcome=oc.Approve())
    assert body["Response"]["Result"] == "Success"
    notices = [e.body for e in rec_.events if e.kind == "notify" and e.body["EventToNotify"] == "OSUpdatePending"]
    assert notices and "スキップ" in notices[0]["EventDetails"]
    clock.advance(24 * 3600)
    body = pay(engine, 500, outcome=oc.Approve())
    assert code(body) == "E2005" and body["Response"]["ErrorCondition"] == "UnavailableService"
    engine.set_battery(30)
    assert engine.update_firmware()["ok"]
    assert pay(engine, 500, outcome=oc.Approve())["Response"]["Result"] == "Success"


def test_restart_mid_payment_decides_the_fate_and_loses_the_answer(engine):
    rec_ = Recorder(engine)
    engine.start_payment("REGI-01", "S-r", pay_body(700, "emoney", "T-restart"))
    engine.restart_app(approved=False)
    assert "response" not in rec_.kinds() and "restart" in rec_.kinds()
    status = engine.transaction_status("Payment", "T-restart")
    assert status["TerminalStatus"] == st.EMONEY_UNCONFIRMED  # 処理未了 → the POS keeps 要確認
    assert engine.linked_sale_id is None
    assert engine.login("REGI-01")["Response"]["Result"] == "Success"
    assert any(e.kind == "notify" and e.body["EventToNotify"] == "Restarted" for e in rec_.events)


def test_transaction_status_in_progress_and_not_found(engine):
    assert engine.transaction_status("Payment", "nope")["Response"]["ErrorCondition"] == "NotFound"
    engine.start_payment("REGI-01", "S-p", pay_body(700, "qr", "T-prog"))
    assert engine.transaction_status("Payment", "T-prog")["Response"]["ErrorCondition"] == "InProgress"
    engine.scan_qr("d払い")
    assert engine.transaction_status("Payment", "T-prog")["TerminalStatus"] == st.QR_DONE


def test_ct6100_clerk_picks_the_method_and_reset_cancels(clock):
    e = TerminalEngine("ct6100", clock=clock)
    e.login("REGI-01")
    rec_ = Recorder(e)
    assert e.start_payment("REGI-01", "S1", pay_body(165, None, "C1")) is None
    assert e.stage is Stage.CHOOSE_METHOD
    e.choose_method("credit")
    e.present_card("Contactless", "AMEX", "6304")
    body = rec_.last_response()
    assert body["PaymentResult"]["PaymentMethod"] == "credit"
    assert body["POIData"]["POITransactionID"]["TransactionID"] == "00119"  # 5-digit 伝票番号
    assert "OrderCode" not in body["SlipData"]
    e.start_payment("REGI-01", "S2", pay_body(165, None, "C2"))
    e.cancel()
    assert "リセット" in rec_.last_response()["Response"]["AdditionalResponse"]["Message"]
    assert code(e.print_slip("00119")) == "E3006"
    # the register may not choose the method on a CT-6100
    assert code(e.start_payment("REGI-01", "S3", pay_body(165, "credit", "C3"))) == "E4002"


def test_manual_clock_requires_aware_times():
    with pytest.raises(ValueError):
        ManualClock().set(ManualClock()().replace(tzinfo=None))
    assert ManualClock()().tzinfo is JST
