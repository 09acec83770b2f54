"""Envelope and body validation (app/core/terminal/messages.py)."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.terminal.messages import (BODY_SPECS, Category, Envelope, Message, MessageError, MessageType, build_message,
                                        parse_message, response_part)

TS = "2025-08-19T14:26:55+09:00"


def payment_request(**overrides):
    body = {
        "SaleData": {"SaleTransactionID": {"TransactionID": "T-0001", "TimeStamp": TS}},
        "PaymentTransaction": {"AmountsReq": {"Currency": "JPY", "RequestedAmount": 880}},
        "PaymentData": {"PaymentMethod": "credit"},
    }
    body.update(overrides)
    return build_message(Envelope.REQUEST, Category.PAYMENT, sale_id="REGI-01", poi_id="A920-0001",
                         service_id="S1", body=body)


def mutate(obj, path, value):
    out = copy.deepcopy(obj)
    node = out
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


REQ = ["SaleToPOIRequest"]
AMOUNT = REQ + ["PaymentRequest", "PaymentTransaction", "AmountsReq", "RequestedAmount"]


def test_payment_request_parses():
    msg = parse_message(payment_request())
    assert msg.envelope is Envelope.REQUEST
    assert msg.header.message_category is Category.PAYMENT
    assert msg.header.service_id == "S1"
    assert msg.body["PaymentTransaction"]["AmountsReq"]["RequestedAmount"] == 880


@pytest.mark.parametrize("path, value, fragment", [
    (AMOUNT, 880.0, "expected int"),
    (AMOUNT, True, "expected int"),
    (AMOUNT, "880", "expected int"),
    (AMOUNT, 0, "not in 1..9999999"),
    (AMOUNT, -5, "not in"),
    (AMOUNT, 10_000_000, "not in"),
    (REQ + ["PaymentRequest", "PaymentTransaction", "AmountsReq", "Currency"], "USD", "not one of"),
    (REQ + ["PaymentRequest", "PaymentData", "PaymentMethod"], "cash", "not one of"),
    (REQ + ["PaymentRequest", "SaleData", "SaleTransactionID", "TimeStamp"], "2025-08-19T14:26:55", "no UTC offset"),
    (REQ + ["PaymentRequest", "SaleData", "SaleTransactionID", "TransactionID"], "bad id!", "does not match"),
    (REQ + ["PaymentRequest", "SaleData"], KeyError, "missing"),
    (REQ + ["PaymentRequest", "Extra"], 1, "unknown field"),
    (REQ + ["MessageHeader", "MessageCategory"], "Teleport", "unknown category"),
    (REQ + ["MessageHeader", "MessageClass"], "Device", "must be Service"),
    (REQ + ["MessageHeader", "MessageType"], "Response", "does not fit"),
    (REQ + ["MessageHeader", "ProtocolVersion"], "2.0", "unsupported version"),
    (REQ + ["MessageHeader", "ServiceID"], 17, "expected string"),
    (REQ + ["MessageHeader", "SaleID"], KeyError, "SaleID"),
    (REQ + ["MessageHeader", "POIID"], "", "length 0"),
    (REQ + ["MessageHeader", "Colour"], "red", "unknown field"),
    (REQ + ["MessageHeader"], [], "not an object"),
    (REQ + ["PaymentRequest"], KeyError, "missing"),
    (REQ + ["LoginRequest"], {}, "unexpected"),
])
def test_rejections_have_reasons(path, value, fragment):
    with pytest.raises(MessageError) as info:
        parse_message(mutate(payment_request(), path, value))
    assert fragment in info.value.reason


def test_header_is_reported_when_only_the_body_is_bad():
    with pytest.raises(MessageError) as info:
        parse_message(mutate(payment_request(), AMOUNT, 1.5))
    assert info.value.header is not None and info.value.header.service_id == "S1"


@pytest.mark.parametrize("obj", [[], "x", {}, {"A": {}, "B": {}}, {"SaleToPOIWhatever": {}}, {"SaleToPOIRequest": []}])
def test_bad_envelopes(obj):
    with pytest.raises(MessageError):
        parse_message(obj)


def test_failure_needs_error_condition_and_success_forbids_it():
    def login_response(response):
        return {"SaleToPOIResponse": {"MessageHeader": {
            "ProtocolVersion": "1.0", "MessageClass": "Service", "MessageCategory": "Login",
            "MessageType": "Response", "SaleID": "R", "POIID": "P", "ServiceID": "S"},
            "LoginResponse": {"Response": response}}}

    parse_message(login_response(response_part("Failure", "Busy", "E2001")))
    with pytest.raises(MessageError, match="required when Result is Failure"):
        parse_message(login_response({"Result": "Failure"}))
    with pytest.raises(MessageError, match="not allowed when Result is Success"):
        parse_message(login_response({"Result": "Success", "ErrorCondition": "Busy"}))


def test_successful_payment_response_needs_its_data():
    with pytest.raises(MessageError, match="required when Result is Success"):
        build_message(Envelope.RESPONSE, Category.PAYMENT, sale_id="R", poi_id="P", service_id="S",
                      body={"Response": response_part()})
    # a failure may be bare (e.g. the answer to an unparseable request)
    build_message(Envelope.RESPONSE, Category.PAYMENT, sale_id="R", poi_id="P", service_id="S",
                  body={"Response": response_part("Failure", "MessageFormat", "E4002")})


def test_login_request_may_omit_the_terminal_id_but_others_may_not():
    body = {"DateTime": TS, "SaleSoftware": {"ApplicationName": "Regi", "SoftwareVersion": "1"}}
    build_message(Envelope.REQUEST, Category.LOGIN, sale_id="R", poi_id="", service_id="S", body=body)
    with pytest.raises(MessageError):
        build_message(Envelope.REQUEST, Category.DIAGNOSIS, sale_id="R", poi_id="", service_id="S", body={})


def test_notifications_may_omit_service_id():
    msg = build_message(Envelope.NOTIFICATION, Category.EVENT, sale_id="R", poi_id="P", service_id=None,
                        body={"EventToNotify": "BatteryLevel", "BatteryLevel": 9, "TimeStamp": TS})
    assert "ServiceID" not in msg["SaleToPOINotification"]["MessageHeader"]
    assert parse_message(msg).header.service_id is None


def test_every_category_has_a_spec():
    for category in Category:
        types = {t for (c, t) in BODY_SPECS if c is category}
        assert types, category
    assert {c for (c, t) in BODY_SPECS if t is MessageType.NOTIFICATION} == {Category.DISPLAY, Category.EVENT}


json_leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
json_any = st.recursive(json_leaf, lambda k: st.lists(k, max_size=3) | st.dictionaries(st.text(max_size=12), k,
                                                                                        max_size=3), max_leaves=15)


@settings(max_examples=300)
@given(json_any)
def test_parse_only_raises_message_error(value):
    try:
        parse_message(value)
    except MessageError:
        pass


@settings(max_examples=300)
@given(st.data())
def test_random_field_replacement_is_rejected_or_valid(data):
    """Replace any one field of a valid message by random JSON: MessageError or a valid message, nothing else."""
    obj = payment_request()
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append(path + [k])
                walk(v, path + [k])

    walk(obj, [])
    path = data.draw(st.sampled_from(paths))
    try:
        message = parse_message(mutate(obj, path, data.draw(json_any)))
    except MessageError:
        return
    # accepted: then it is a well-formed message of a known category, not a half-checked one
    assert isinstance(message, Message)
    assert isinstance(message.category, Category)
    assert (message.header.message_category, message.header.message_type) in BODY_SPECS
