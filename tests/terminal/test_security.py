"""SecurityTrailer: MAC and replay rules (app/core/terminal/security.py)."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json

import pytest

from app.core.terminal.messages import Category, Envelope, build_message
from app.core.terminal.security import SecurityError, Signer, Verifier, canonical_bytes, mac_input

KEY = "pairing-key-for-tests"


def message(amount: int = 880) -> dict:
    return build_message(Envelope.REQUEST, Category.PAYMENT, sale_id="REGI-01", poi_id="A920-0001", service_id="S1",
                         body={"SaleData": {"SaleTransactionID": {"TransactionID": "T1",
                                                                  "TimeStamp": "2025-08-19T10:00:00+09:00"}},
                               "PaymentTransaction": {"AmountsReq": {"Currency": "JPY", "RequestedAmount": amount}},
                               "PaymentData": {"PaymentMethod": "credit"}})


def trailer(obj: dict) -> dict:
    return obj["SaleToPOIRequest"]["SecurityTrailer"]


def reason(verifier: Verifier, obj: dict, peer: str = "p") -> str:
    with pytest.raises(SecurityError) as info:
        verifier.verify(obj, peer)
    return info.value.reason


def test_sign_then_verify():
    signed = Signer(KEY).sign(message())
    t = trailer(signed)
    assert t["MACAlgorithm"] == "HMAC-SHA256" and len(t["Nonce"]) == 32 and len(t["MAC"]) == 64
    Verifier(KEY).verify(signed, "p")


def test_mac_is_hmac_sha256_over_canonical_json_without_the_mac():
    """The byte-exact computation of docs/terminal-protocol.md, done by hand."""
    signed = Signer(KEY).sign(message())
    stripped = copy.deepcopy(signed)
    del trailer(stripped)["MAC"]
    text = json.dumps(stripped, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    expected = hmac.new(KEY.encode(), text.encode("utf-8"), hashlib.sha256).hexdigest()
    assert trailer(signed)["MAC"] == expected
    assert mac_input(signed) == canonical_bytes(stripped) == text.encode("utf-8")


def test_base64_mac_accepted():
    signed = Signer(KEY, encoding="base64").sign(message())
    assert len(trailer(signed)["MAC"]) == 44
    Verifier(KEY).verify(signed, "p")
    # and a hex MAC converted to base64 by the receiver's rules
    hexed = Signer(KEY).sign(message())
    as_b64 = copy.deepcopy(hexed)
    trailer(as_b64)["MAC"] = base64.b64encode(bytes.fromhex(trailer(hexed)["MAC"])).decode()
    Verifier(KEY).verify(as_b64, "p")


def test_wrong_key_and_tampering_rejected():
    signed = Signer("another key").sign(message())
    assert reason(Verifier(KEY), signed) == "bad_mac"
    good = Signer(KEY).sign(message(880))
    tampered = copy.deepcopy(good)
    tampered["SaleToPOIRequest"]["PaymentRequest"]["PaymentTransaction"]["AmountsReq"]["RequestedAmount"] = 1
    assert reason(Verifier(KEY), tampered) == "bad_mac"
    bumped = copy.deepcopy(good)
    trailer(bumped)["Counter"] += 1  # the counter is covered too
    assert reason(Verifier(KEY), bumped) == "bad_mac"


def test_replay_and_old_counters_rejected():
    signer, verifier = Signer(KEY), Verifier(KEY)
    first, second = signer.sign(message()), signer.sign(message())
    verifier.verify(second, "p")
    assert reason(verifier, second) == "replay"      # same frame again
    assert reason(verifier, first) == "replay"       # older counter
    third = signer.sign(message())
    verifier.verify(third, "p")


def test_counters_are_per_connection_and_nonces_shared():
    signer, verifier = Signer(KEY), Verifier(KEY)
    older, newer = signer.sign(message()), signer.sign(message())
    verifier.verify(newer, "conn1")
    # a sender restarted with its clock set back may open a new connection ...
    verifier.verify(older, "conn2")
    # ... but no frame already seen is accepted again, on any connection
    assert reason(verifier, newer, "conn3") == "replay"
    verifier.forget("conn1")
    assert reason(verifier, newer, "conn1") == "replay"


def test_nonce_reuse_rejected_even_with_higher_counter():
    signer, verifier = Signer(KEY), Verifier(KEY)
    a = signer.sign(message())
    verifier.verify(a, "p")
    b = copy.deepcopy(a)
    trailer(b)["Counter"] += 5
    del trailer(b)["MAC"]
    trailer(b)["MAC"] = hmac.new(KEY.encode(), canonical_bytes(b), hashlib.sha256).hexdigest()
    assert reason(verifier, b) == "replay"


def test_failed_frames_do_not_advance_state():
    signer, verifier = Signer(KEY), Verifier(KEY)
    good = signer.sign(message())
    forged = copy.deepcopy(good)
    trailer(forged)["Counter"] = 2**62
    trailer(forged)["MAC"] = "00" * 32
    assert reason(verifier, forged) == "bad_mac"
    verifier.verify(good, "p")  # still accepted: the forgery did not raise the bar


@pytest.mark.parametrize("change", [
    lambda t: t.pop("MAC"),
    lambda t: t.update(MAC="zz"),
    lambda t: t.update(MAC=17),
    lambda t: t.update(Counter=-1),
    lambda t: t.update(Counter=True),
    lambda t: t.update(Counter=1.5),
    lambda t: t.update(Nonce="short"),
    lambda t: t.update(Nonce="G" * 32),
    lambda t: t.update(MACAlgorithm="HMAC-MD5"),
    lambda t: t.update(Extra=1),
])
def test_malformed_trailers(change):
    signed = Signer(KEY).sign(message())
    change(trailer(signed))
    assert reason(Verifier(KEY), signed) == "format"


def test_missing_trailer():
    assert reason(Verifier(KEY), message()) == "missing_trailer"


def test_counters_increase_across_signers():
    a, b = Signer(KEY), Signer(KEY)
    ca = trailer(a.sign(message()))["Counter"]
    cb = trailer(b.sign(message()))["Counter"]
    assert cb > ca  # a restarted sender keeps counting upwards


DOC_VECTOR_MAC = "c9563282e1352fd6f494c467a1e819e4d998728255ead5c83c1e58febc3aecf3"


def test_documented_test_vector():
    """docs/terminal-protocol.md §3.4, reproduced from its frame text."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "terminal-protocol.md").read_text("utf-8")
    frame_line = next(line for line in doc.splitlines() if line.startswith('{"SaleToPOIRequest":{"MessageHeader"'))
    obj = json.loads(frame_line)
    assert trailer(obj)["MAC"] == DOC_VECTOR_MAC and DOC_VECTOR_MAC in doc
    assert len(mac_input(obj)) == 370
    verifier = Verifier("regi-demo-pairing-key-0001")
    verifier.verify(obj, "p")
    b64 = copy.deepcopy(obj)
    trailer(b64)["MAC"] = "yVYyguE1L9b0lMRnoegZ5NmYcoJV6tXIPB5Y/rw67PM="
    Verifier("regi-demo-pairing-key-0001").verify(b64, "p")
