"""Bridge ⇄ simulator over real TCP on 127.0.0.1 (port 0)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from app.core.terminal import statuses as st
from app.core.terminal.bridge import TerminalBridge
from app.core.terminal.config import TerminalConfig
from app.core.terminal.errors import ErrorCondition
from app.core.terminal.events import EventKind
from app.core.terminal.results import LoginStatus, Outcome
from app.core.terminal.statuses import PosStatus
from app.simulator.engine import Stage

from .helpers import wait_until

T = 5  # seconds: upper bound for any future in these tests


def test_login_reports_terminal(linked):
    sim, bridge, events = linked
    events.wait_for(EventKind.LINK_UP)
    state = bridge.state
    assert state.linked and state.poi_id == "A920-0001" and state.battery == 100
    assert sim.engine.linked_sale_id == "REGI-01"
    again = bridge.login().result(T)  # refresh on a live link
    assert again.connected and again.poi_id == "A920-0001"


def test_payment_approved_with_card_details(linked):
    sim, bridge, events = linked
    sim.control.approve(brand="JCB", last4="1012", entry_mode="ICC")
    result = bridge.pay("T-0001", 880, "credit").result(T)
    assert result.outcome is Outcome.SUCCESS and result.approved
    assert (result.method, result.brand, result.masked_pan, result.entry_mode) == ("credit", "JCB", "****1012", "ICC")
    assert result.poi_transaction_id == "TSU3-0003377" and result.approval_number
    assert result.terminal_status == st.CARD_PENDING_SALE
    assert result.slip["Title"] == "クレジットカード売上票" and result.slip["OrderCode"] == "TSU3-0003377"
    prompts = [e.text for e in events.wait_for(EventKind.DISPLAY, 2)]
    assert "カードを挿入してください" in prompts and "暗証番号を入力してください" in prompts


def test_emoney_and_qr(linked):
    sim, bridge, _ = linked
    sim.control.approve(brand="QUICPay")
    r = bridge.pay("T-em", 500, "emoney").result(T)
    assert r.approved and r.method == "emoney" and r.brand == "QUICPay" and r.masked_pan is None
    assert r.slip["Title"] == "領収書"
    sim.control.approve(brand="PayPay")
    r = bridge.pay("T-qr", 1360, "qr").result(T)
    assert r.approved and r.brand == "PayPay" and r.slip is None


def test_decline_with_code(linked):
    sim, bridge, _ = linked
    sim.control.decline("E1001")
    r = bridge.pay("T-dec", 880, "credit").result(T)
    assert r.outcome is Outcome.FAILURE and not r.cancelled
    assert r.error.condition == ErrorCondition.REFUSAL and r.error.code == "E1001" and r.error.message


def test_cancel_on_terminal(linked):
    sim, bridge, _ = linked
    sim.control.cancel_on_terminal()
    r = bridge.pay("T-can", 880, "qr").result(T)
    assert r.outcome is Outcome.FAILURE and r.cancelled and r.error.condition == ErrorCondition.CANCEL


def test_busy_at_checkout_and_at_login(linked, make_bridge):
    sim, bridge, events = linked
    sim.control.busy_once()
    r = bridge.pay("T-busy", 880, "credit").result(T)
    assert r.busy and r.error.code == "E2001"
    assert not [h for h in sim.engine.history() if h.transaction_id == "T-busy"]  # nothing recorded as paid
    sim.control.set_busy(True)
    assert events.wait_for(EventKind.BUSY)[-1].busy is True
    bridge.logout().result(T)
    refused = bridge.login().result(T)
    assert refused.status is LoginStatus.BUSY and refused.error.code == "E2001"


@pytest.mark.parametrize("choice, approved", [("abort", False), ("continue", True)])
def test_duplicate_alert_both_ways(linked, choice, approved):
    sim, bridge, events = linked
    sim.control.approve(brand="VISA", last4="4242")
    assert bridge.pay("T-first", 2000, "credit").result(T).approved
    sim.control.approve(brand="VISA", last4="4242", on_duplicate=choice)
    r = bridge.pay("T-second", 2000, "credit").result(T)
    assert r.approved is approved
    if not approved:
        assert r.error.code == "E1006" and r.error.condition == ErrorCondition.REFUSAL and not r.cancelled
    assert events.wait_for(EventKind.DUPLICATE_ALERT)[0].service_id == r.service_id


def test_forced_duplicate_alert_outcome(linked):
    sim, bridge, _ = linked
    sim.control.duplicate_alert("abort")
    assert bridge.pay("T-forced", 100, "credit").result(T).error.code == "E1006"


def test_abort_while_waiting_for_the_card(linked):
    sim, bridge, _ = linked
    future = bridge.pay("T-abort", 3000, "credit")  # nothing queued: waits for a human
    assert sim.control.wait_for_stage("wait_card")
    assert not future.done()
    ack = bridge.abort("T-abort").result(T)
    assert ack.outcome is Outcome.SUCCESS and ack.service_id == future.service_id
    r = future.result(T)  # the original request still gets its own answer
    assert r.outcome is Outcome.FAILURE and r.error.condition == ErrorCondition.ABORTED and r.cancelled
    assert sim.engine.stage is Stage.IDLE


def test_abort_too_late_after_card_read(linked):
    sim, bridge, _ = linked
    future = bridge.pay("T-late", 3000, "credit")
    sim.control.wait_for_stage("wait_card")
    sim.control.present_card("ICC", "JCB", "1111")
    assert sim.engine.stage is Stage.WAIT_PIN
    ack = bridge.abort(future.service_id).result(T)
    assert ack.outcome is Outcome.FAILURE and ack.error.code == "E4008"
    sim.control.enter_pin(True)
    assert future.result(T).approved


def test_drop_after_card_read_is_recovered_once_by_transaction_status(linked):
    sim, bridge, events = linked
    sim.control.drop_link_during(after_card_read=True, approve=True)
    r = bridge.pay("T-drop", 1200, "credit").result(T)
    assert r.outcome is Outcome.UNKNOWN  # 要確認: never assumed failed
    events.wait_for(EventKind.LINK_DOWN)
    events.wait_for(EventKind.LINK_UP, 2)  # reconnected by itself
    status = bridge.transaction_status("T-drop").result(T)
    assert status.outcome is Outcome.SUCCESS and status.found and status.pos_status is PosStatus.PAID
    assert status.payment.approved and status.payment.poi_transaction_id and status.payment.amount_yen == 1200
    again = bridge.transaction_status("T-drop").result(T)
    assert again.payment.poi_transaction_id == status.payment.poi_transaction_id
    # A resent payment would be refused by the terminal: it can never be charged twice.
    resent = bridge.pay("T-drop", 1200, "credit").result(T)
    assert resent.outcome is Outcome.FAILURE and resent.error.code == "E4003"
    approved = [h for h in sim.engine.history() if h.transaction_id == "T-drop" and h.approved]
    assert len(approved) == 1


def test_drop_before_card_read_is_a_safe_failure(linked):
    sim, bridge, events = linked
    sim.control.drop_link_during(after_card_read=False)
    assert bridge.pay("T-drop0", 1200, "qr").result(T).outcome is Outcome.UNKNOWN
    events.wait_for(EventKind.LINK_UP, 2)
    status = bridge.transaction_status("T-drop0").result(T)
    assert status.found and status.pos_status is PosStatus.FAILED  # safe to pay again


def test_unknown_transaction_is_not_found(linked):
    _, bridge, _ = linked
    status = bridge.transaction_status("never-sent").result(T)
    assert status.outcome is Outcome.SUCCESS and not status.found and status.pos_status is PosStatus.FAILED


def test_restart_mid_payment(linked):
    sim, bridge, events = linked
    sim.control.restart_during(approved=False, status="処理未了")
    r = bridge.pay("T-rs", 640, "emoney").result(T)
    assert r.outcome is Outcome.UNKNOWN
    events.wait_for(EventKind.TERMINAL_RESTARTED)
    status = bridge.transaction_status("T-rs").result(T)
    assert status.terminal_status == "処理未了" and status.pos_status is PosStatus.UNKNOWN


def test_status_while_in_progress(linked):
    sim, bridge, _ = linked
    future = bridge.pay("T-ip", 100, "qr")
    sim.control.wait_for_stage("wait_qr")
    status = bridge.transaction_status("T-ip").result(T)
    assert status.in_progress and status.pos_status is PosStatus.UNKNOWN
    sim.control.scan_qr("d払い")
    assert future.result(T).approved


def test_reconnects_after_the_simulator_is_replaced_on_the_same_port(make_sim, make_bridge):
    first = make_sim()
    port = first.port
    bridge, events = make_bridge(port)
    assert bridge.login().result(T).connected
    first.stop()
    events.wait_for(EventKind.LINK_DOWN)
    assert not bridge.state.linked
    second = make_sim(port=port)
    events.wait_for(EventKind.LINK_UP, 2, timeout=5)
    assert bridge.state.linked and second.engine.linked_sale_id == "REGI-01"
    second.control.approve()
    assert bridge.pay("T-after", 500, "credit").result(T).approved


def test_second_register_is_refused(linked, make_bridge):
    sim, _, _ = linked
    other, _ = make_bridge(sim.port, sale_id="REGI-02")
    r = other.login().result(T)
    assert r.status is LoginStatus.OTHER_REGISTER and not r.connected
    assert r.error.code == "E2002" and "1台" in r.error.message and "REGI-01" in r.error.message
    assert sim.engine.linked_sale_id == "REGI-01"


def test_terminal_is_free_after_logout(linked, make_bridge):
    sim, bridge, _ = linked
    assert bridge.logout().result(T).outcome is Outcome.SUCCESS
    other, _ = make_bridge(sim.port, sale_id="REGI-02")
    assert other.login().result(T).connected


def test_battery_low_refuses_login(make_sim, make_bridge):
    s = make_sim(battery=10)
    bridge, events = make_bridge(s.port)
    r = bridge.login().result(T)
    assert r.status is LoginStatus.BATTERY_LOW and r.battery == 10 and "10%" in r.error.message
    assert events.wait_for(EventKind.LINK_DOWN)[0].code == "E2003"
    s.control.set_battery(50)  # the bridge keeps retrying in the background
    events.wait_for(EventKind.LINK_UP, timeout=5)
    assert bridge.state.battery == 50


def test_battery_events_and_heartbeat(linked):
    sim, bridge, events = linked
    sim.control.set_battery(42)
    assert events.wait_for(EventKind.BATTERY)[-1].battery == 42
    wait_until(lambda: bridge.state.battery == 42)


def test_os_update_notice_then_refusal_after_deadline(linked):
    sim, bridge, events = linked
    now = sim.engine.clock()
    sim.control.set_os_update((now + timedelta(hours=1)).isoformat())
    sim.control.approve()
    assert bridge.pay("T-os1", 500, "credit").result(T).approved
    notice = events.wait_for(EventKind.OS_UPDATE_NOTICE)[0]
    assert notice.deadline and "アップデート" in notice.text
    sim.control.advance_clock(3601)
    r = bridge.pay("T-os2", 500, "credit").result(T)
    assert r.outcome is Outcome.FAILURE and r.error.code == "E2005"
    assert r.error.condition == ErrorCondition.UNAVAILABLE_SERVICE and "アップデート" in r.error.message


def test_reversal_and_reprint(linked):
    sim, bridge, _ = linked
    sim.control.approve(brand="JCB", last4="1012")
    paid = bridge.pay("T-rv", 880, "credit").result(T)
    printed = bridge.reprint(paid.poi_transaction_id).result(T)
    assert printed.outcome is Outcome.SUCCESS and printed.slip["Reprint"] == "(再)"
    rev = bridge.reversal("RV-1", paid.poi_transaction_id, 880).result(T)
    assert rev.outcome is Outcome.SUCCESS and rev.kind == "取消" and rev.slip["Title"] == "クレジットカード取消票"
    status = bridge.transaction_status("RV-1", "Reversal").result(T)
    assert status.found and status.reversal.outcome is Outcome.SUCCESS and status.pos_status is PosStatus.REFUNDED
    assert bridge.transaction_status("T-rv").result(T).pos_status is PosStatus.REFUNDED
    twice = bridge.reversal("RV-2", paid.poi_transaction_id, 880).result(T)
    assert twice.outcome is Outcome.FAILURE and twice.error.code == "E3004"
    totals = {t.method: t for t in bridge.reconciliation().result(T).totals}
    assert totals["credit"].sale_amount == 880 and totals["credit"].refund_amount == 880


def test_diagnosis_opens_the_link_when_needed(sim, make_bridge):
    bridge, _ = make_bridge(sim.port)
    d = bridge.diagnosis().result(T)
    assert d.outcome is Outcome.SUCCESS and d.login is not None and d.login.connected
    assert d.info.poi_id == "A920-0001" and d.info.battery == 100 and d.info.state == "Idle"


def test_diagnosis_reports_unreachable(make_bridge):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    bridge, _ = make_bridge(port)
    d = bridge.diagnosis().result(T)
    assert d.outcome is Outcome.FAILURE and d.login.status is LoginStatus.UNREACHABLE


def test_not_linked_payment_is_a_safe_local_failure(sim, make_bridge):
    bridge, _ = make_bridge(sim.port)
    r = bridge.pay("T-nl", 100, "credit").result(T)
    assert r.outcome is Outcome.FAILURE and r.error.code == "L0001"
    assert sim.engine.history() == []


def test_local_argument_checks(sim, make_bridge):
    bridge, _ = make_bridge(sim.port, contracted_methods=("credit",))
    with pytest.raises(TypeError):
        bridge.pay("T", 100.0, "credit")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        bridge.pay("T", True, "credit")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        bridge.pay("T", 100, None)  # usenpay: the register picks the method
    with pytest.raises(ValueError):
        bridge.pay("bad id!", 100, "credit")
    with pytest.raises(ValueError, match="no UTC offset"):
        bridge.pay("T", 100, "credit", timestamp="2025-08-19T10:00:00")
    with pytest.raises(ValueError):
        bridge.reversal("R", "not a poi id!", 100)
    r = bridge.pay("T", 100, "qr").result(T)
    assert r.outcome is Outcome.FAILURE and r.error.code == "L0003"  # not contracted, never sent


def test_ct6100_profile(make_sim, make_bridge):
    s = make_sim("ct6100")
    bridge, _ = make_bridge(s.port, profile="ct6100")
    assert bridge.login().result(T).profile == "ct6100"
    with pytest.raises(ValueError):
        bridge.pay("C-0", 165, "credit")
    s.control.approve(method="emoney", brand="iD")
    r = bridge.pay("C-1", 500, None).result(T)
    assert r.approved and r.method == "emoney" and len(r.poi_transaction_id) == 5
    s.control.cancel_on_terminal()  # リセット
    r = bridge.pay("C-2", 500, None).result(T)
    assert r.cancelled and "リセット" in r.error.message
    printed = bridge.reprint("00119").result(T)
    assert printed.outcome is Outcome.FAILURE and printed.error.code == "E3006"


def test_profile_none_refuses_locally():
    bridge = TerminalBridge(TerminalConfig("none"))
    bridge.start()
    try:
        assert bridge.login().result(T).status is LoginStatus.NOT_CONFIGURED
        assert bridge.pay("T", 100, "credit").result(T).error.code == "L0004"
    finally:
        bridge.stop()


def test_stop_resolves_pending_payment_as_unknown(sim, make_bridge):
    bridge, _ = make_bridge(sim.port)
    assert bridge.login().result(T).connected
    future = bridge.pay("T-stop", 100, "credit")
    sim.control.wait_for_stage("wait_card")
    started = time.monotonic()
    bridge.stop()
    assert future.result(T).outcome is Outcome.UNKNOWN
    assert time.monotonic() - started < 3
    assert bridge.pay("T-after-stop", 100, "credit").result(T).outcome is Outcome.FAILURE


def test_futures_callable_from_many_threads(linked):
    sim, bridge, _ = linked
    results = []

    def ask() -> None:
        results.append(bridge.diagnosis().result(T))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(T)
    assert len(results) == 8 and all(r.outcome is Outcome.SUCCESS for r in results)


def test_subscriber_exceptions_do_not_break_the_bridge(linked):
    sim, bridge, events = linked

    def bad(event):
        raise RuntimeError("subscriber bug")

    bridge.subscribe(bad)
    sim.control.set_battery(77)
    events.wait_for(EventKind.BATTERY)
    sim.control.approve()
    assert bridge.pay("T-sub", 100, "credit").result(T).approved


def test_payment_timeout_is_unknown_and_the_late_answer_is_dropped(sim, make_bridge, caplog):
    import logging
    from dataclasses import replace

    from .conftest import FAST

    caplog.set_level(logging.WARNING, logger="app.core.terminal.driver")
    bridge, _ = make_bridge(sim.port, timings=replace(FAST, payment_timeout=0.3))
    assert bridge.login().result(T).connected
    r = bridge.pay("T-slow", 4321, "credit").result(T)  # the customer is slow
    assert r.outcome is Outcome.UNKNOWN and r.error.code == "L0002"
    sim.control.present_card("ICC", "VISA", "9999")
    sim.control.enter_pin(True)  # the terminal completes after the register gave up
    wait_until(lambda: any("unmatched" in rec.getMessage() for rec in caplog.records))
    status = bridge.transaction_status("T-slow").result(T)
    assert status.pos_status is PosStatus.PAID and status.payment.amount_yen == 4321


def test_bridge_can_be_restarted(sim, make_bridge):
    bridge, events = make_bridge(sim.port)
    assert bridge.login().result(T).connected
    bridge.stop()
    assert not bridge.state.linked and events.of(EventKind.LINK_DOWN)
    bridge.start()
    assert bridge.login().result(T).connected
    sim.control.approve()
    assert bridge.pay("T-restarted", 100, "qr").result(T).approved
