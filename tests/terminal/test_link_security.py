"""Forged and replayed frames on a live link (a man-in-the-middle on the shop Wi-Fi)."""

from __future__ import annotations

import copy
import json
import logging
import time

from app.core.terminal.codec import encode_frame
from app.core.terminal.events import EventKind
from app.core.terminal.messages import Category, Envelope, build_message, response_part
from app.core.terminal.results import Outcome
from app.core.terminal.security import Signer

from .conftest import STEADY
from .helpers import RawClient, wait_until

T = 5


def forged_success(request: dict, key: str | None) -> bytes:
    """A well-formed 'approved' PaymentResponse for `request`, signed with `key` (None: unsigned)."""
    inner = request["SaleToPOIRequest"]
    header = inner["MessageHeader"]
    txn = inner["PaymentRequest"]["SaleData"]["SaleTransactionID"]
    amount = inner["PaymentRequest"]["PaymentTransaction"]["AmountsReq"]["RequestedAmount"]
    msg = build_message(Envelope.RESPONSE, Category.PAYMENT, sale_id=header["SaleID"], poi_id=header["POIID"],
                        service_id=header["ServiceID"], body={
                            "Response": response_part(),
                            "SaleData": {"SaleTransactionID": txn},
                            "POIData": {"POITransactionID": {"TransactionID": "TSU3-6666666",
                                                             "TimeStamp": txn["TimeStamp"]}},
                            "PaymentResult": {"PaymentMethod": "credit", "AuthorizedAmount": amount},
                        })
    return encode_frame(Signer(key).sign(msg) if key else msg)


def test_forged_approval_never_completes_the_payment(sim, proxy, make_bridge, caplog):
    caplog.set_level(logging.WARNING)
    bridge, events = make_bridge(proxy.port, timings=STEADY)
    assert bridge.login().result(T).connected
    bad_mac_frames = []

    def on_client_frame(obj: dict) -> None:
        inner = obj.get("SaleToPOIRequest", {})
        if inner.get("MessageHeader", {}).get("MessageCategory") == "Payment":
            # 1. signed with a guessed key, 2. unsigned, 3. a genuine-looking trailer copied
            # from a real terminal frame (MAC does not match this body)
            proxy.inject_to_client(forged_success(obj, "guessed-key"))
            proxy.inject_to_client(forged_success(obj, None))
            stolen = forged_success(obj, "x")
            if proxy.server_frames:
                import json
                real = json.loads(proxy.server_frames[-1][4:])
                trailer = next(iter(real.values()))["SecurityTrailer"]
                forged = json.loads(stolen[4:])
                next(iter(forged.values()))["SecurityTrailer"] = copy.deepcopy(trailer)
                stolen = encode_frame(forged)
            proxy.inject_to_client(stolen)
            bad_mac_frames.append(3)

    proxy.on_client_frame = on_client_frame
    future = bridge.pay("T-forge", 98000, "credit")  # nothing queued: the real terminal waits
    wait_until(lambda: bad_mac_frames)
    time.sleep(0.5)
    assert not future.done(), "a forged approval completed the payment"
    rejected = [r.getMessage() for r in caplog.records if "security trailer rejected" in r.getMessage()]
    assert len(rejected) >= 3 and any("bad_mac" in m for m in rejected) and any("missing_trailer" in m for m in rejected)
    # the real terminal's answer still gets through
    sim.control.decline_now("E1001")
    result = future.result(T)
    assert result.outcome is Outcome.FAILURE and result.error.code == "E1001"
    assert not events.of(EventKind.LINK_DOWN)  # forged frames did not cost the link


def test_replayed_response_frame_is_dropped(sim, proxy, make_bridge, caplog):
    caplog.set_level(logging.WARNING)
    bridge, _ = make_bridge(proxy.port)
    assert bridge.login().result(T).connected
    sim.control.approve()
    assert bridge.pay("T-rp1", 500, "credit").result(T).approved
    genuine_approval = next(f for f in reversed(proxy.server_frames) if b'"PaymentResponse"' in f)

    def replay(obj: dict) -> None:
        if obj.get("SaleToPOIRequest", {}).get("MessageHeader", {}).get("MessageCategory") == "Payment":
            proxy.inject_to_client(genuine_approval)

    proxy.on_client_frame = replay
    future = bridge.pay("T-rp2", 500, "credit")
    time.sleep(0.4)
    assert not future.done()
    assert any("replay" in r.getMessage() for r in caplog.records)
    sim.control.cancel()
    assert future.result(T).cancelled


def test_replayed_request_is_not_processed_twice(sim, proxy, make_bridge):
    bridge, _ = make_bridge(proxy.port)
    assert bridge.login().result(T).connected
    sim.control.approve()
    assert bridge.pay("T-once", 700, "credit").result(T).approved
    payment_frame = next(f for f in proxy.client_frames
                         if "Payment" == f["SaleToPOIRequest"]["MessageHeader"]["MessageCategory"])
    before = len(sim.server.rejections)
    raw = RawClient(sim.port, sale_id="REGI-01")
    try:
        raw.send_obj(payment_frame)
        wait_until(lambda: len(sim.server.rejections) > before)
    finally:
        raw.close()
    assert "replay" in sim.server.rejections[-1]
    assert len(sim.engine.history()) == 1


def test_server_rejects_bad_mac_and_answers_authentic_malformed_requests(sim):
    raw = RawClient(sim.port, key="wrong key")
    try:
        obj, _ = raw.request(Category.DIAGNOSIS, {}, poi_id="A920-0001")
        raw.send_obj(obj)
        wait_until(lambda: sim.server.rejections)
        assert "bad_mac" in sim.server.rejections[-1]
    finally:
        raw.close()
    raw = RawClient(sim.port)
    try:
        # authentic but invalid: the terminal answers MessageFormat with the reason
        msg = build_message(Envelope.REQUEST, Category.DIAGNOSIS, sale_id="RAW-01", poi_id="A920-0001",
                            service_id="S-bad", body={})
        msg["SaleToPOIRequest"]["DiagnosisRequest"] = {"Surprise": 1}
        raw.send_obj(raw.signer.sign(msg))
        reply = raw.receive()["SaleToPOIResponse"]
        assert reply["MessageHeader"]["ServiceID"] == "S-bad"
        response = reply["DiagnosisResponse"]["Response"]
        assert response["ErrorCondition"] == "MessageFormat" and "unknown field" in response["AdditionalResponse"]["Message"]
        # requests other than Login/Diagnosis need a Login first
        obj, _ = raw.request(Category.RECONCILIATION, {"ReconciliationType": "SaleReconciliation"}, poi_id="A920-0001")
        raw.send_obj(obj)
        reply = raw.receive()["SaleToPOIResponse"]["ReconciliationResponse"]["Response"]
        assert reply["ErrorCondition"] == "LoggedOut"
    finally:
        raw.close()


def test_authentic_but_mismatched_responses_are_dropped(sim, proxy, make_bridge, caplog):
    """Even correctly signed frames must match the pending request: category and SaleID."""
    caplog.set_level(logging.WARNING)
    bridge, _ = make_bridge(proxy.port)
    assert bridge.login().result(T).connected
    signer = sim.server._signer  # the terminal's own signer keeps counters in order

    def on_client_frame(obj: dict) -> None:
        header = obj.get("SaleToPOIRequest", {}).get("MessageHeader", {})
        if header.get("MessageCategory") != "Payment":
            return
        sid, poi = header["ServiceID"], header["POIID"]
        wrong_category = build_message(Envelope.RESPONSE, Category.DIAGNOSIS, sale_id="REGI-01", poi_id=poi,
                                       service_id=sid, body=sim.engine.diagnosis())
        proxy.inject_to_client(encode_frame(signer.sign(wrong_category)))
        other_register = json.loads(forged_success(obj, None)[4:])
        other_register["SaleToPOIResponse"]["MessageHeader"]["SaleID"] = "REGI-99"
        proxy.inject_to_client(encode_frame(signer.sign(other_register)))

    proxy.on_client_frame = on_client_frame
    future = bridge.pay("T-mismatch", 1500, "credit")
    wait_until(lambda: any("for a Payment request" in r.getMessage() for r in caplog.records))
    wait_until(lambda: any("addressed to SaleID REGI-99" in r.getMessage() for r in caplog.records))
    assert not future.done()
    sim.control.cancel()
    assert future.result(T).cancelled


def test_a_stray_signed_frame_does_not_block_the_real_terminal(sim, proxy, make_bridge, caplog):
    """Issue 9: a second sender holding the key (another simulator, a terminal that was
    swapped out) signs with a higher counter. Its frames do not belong to this Login
    session, so they are dropped without touching the session's replay counter, and the
    real terminal's frames keep arriving."""
    caplog.set_level(logging.WARNING)
    bridge, events = make_bridge(proxy.port, timings=STEADY)
    login = bridge.login().result(T)
    assert login.connected
    second_sender = Signer("regi-demo-pairing-key-0001")   # started later: a higher counter
    stray = []

    def on_client_frame(obj: dict) -> None:
        header = obj.get("SaleToPOIRequest", {}).get("MessageHeader", {})
        if header.get("MessageCategory") != "Payment" or stray:
            return
        # an answer to nobody's request, and an event from another terminal
        unmatched = json.loads(forged_success(obj, None)[4:])
        unmatched["SaleToPOIResponse"]["MessageHeader"]["ServiceID"] = "stray-0001"
        proxy.inject_to_client(encode_frame(second_sender.sign(unmatched)))
        other_poi = build_message(Envelope.NOTIFICATION, Category.EVENT, sale_id="REGI-01", poi_id="A920-9999",
                                  service_id=None, body={"EventToNotify": "BatteryLevel", "BatteryLevel": 5,
                                                         "TimeStamp": "2026-11-21T09:00:00+09:00"})
        proxy.inject_to_client(encode_frame(second_sender.sign(other_poi)))
        stray.append(2)

    proxy.on_client_frame = on_client_frame
    future = bridge.pay("T-stray", 1200, "credit")
    wait_until(lambda: stray)
    wait_until(lambda: any("from POIID A920-9999" in r.getMessage() for r in caplog.records))
    assert any("unmatched" in r.getMessage() for r in caplog.records)
    sim.control.decline_now("E1001")                      # the real terminal answers
    result = future.result(T)
    assert result.outcome is Outcome.FAILURE and result.error.code == "E1001"
    assert not any("replay" in r.getMessage() for r in caplog.records)
    assert bridge.diagnosis().result(T).outcome is Outcome.SUCCESS   # later frames too
    assert not events.of(EventKind.LINK_DOWN)
