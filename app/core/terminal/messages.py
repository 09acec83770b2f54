"""Messages of the terminal link: the nexo-modelled envelope and every body.

A message on the wire (after framing) is one JSON object with exactly one key,
the envelope name, whose value holds the header, one body and the trailer:

    {"SaleToPOIRequest": {
        "MessageHeader": {...},
        "PaymentRequest": {...},          # body key = Category + MessageType
        "SecurityTrailer": {...}}}

Envelopes: `SaleToPOIRequest` (register → terminal), `SaleToPOIResponse`
(terminal → register, echoes the request's ServiceID) and
`SaleToPOINotification` (terminal → register, unsolicited: Display prompts
and Events). docs/terminal-protocol.md is the normative description; the
`BODY_SPECS` table below is its executable form — keep them in step.

Contract: `parse_message(obj)` returns a `Message` or raises `MessageError`
with a human-readable reason; it never raises anything else for any JSON
input. `build_message(...)` validates what it builds, so a register or
simulator bug surfaces as an exception at the sender, not as a rejection at
the peer. The security trailer is checked by `security.py`, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Mapping

from app.core.money import MAX_AMOUNT_YEN  # the register's own limit (R-CHK), written once

from .config import ID_PATTERN, METHODS
from .profiles import LinkedProfileCodes
from .errors import ErrorCondition
from .schema import Bool, Dict, Int, List, Obj, Opt, Scalar, SchemaError, Spec, Str, Timestamp
from .statuses import ALL_STATUSES

PROTOCOL_VERSION = "1.0"
MAX_RECONCILED_TRANSACTIONS = 20_000  # a Reconciliation's TransactionList (a busy day is a few thousand)


class Envelope(StrEnum):
    REQUEST = "SaleToPOIRequest"
    RESPONSE = "SaleToPOIResponse"
    NOTIFICATION = "SaleToPOINotification"


class MessageType(StrEnum):
    REQUEST = "Request"
    RESPONSE = "Response"
    NOTIFICATION = "Notification"


class MessageClass(StrEnum):
    SERVICE = "Service"
    DEVICE = "Device"
    EVENT = "Event"


class Category(StrEnum):
    LOGIN = "Login"
    LOGOUT = "Logout"
    PAYMENT = "Payment"
    ABORT = "Abort"
    TRANSACTION_STATUS = "TransactionStatus"
    REVERSAL = "Reversal"
    DIAGNOSIS = "Diagnosis"
    DISPLAY = "Display"
    EVENT = "Event"
    RECONCILIATION = "Reconciliation"
    PRINT = "Print"


ENVELOPE_TYPE = {
    Envelope.REQUEST: MessageType.REQUEST,
    Envelope.RESPONSE: MessageType.RESPONSE,
    Envelope.NOTIFICATION: MessageType.NOTIFICATION,
}

CATEGORY_CLASS = {
    Category.LOGIN: MessageClass.SERVICE,
    Category.LOGOUT: MessageClass.SERVICE,
    Category.PAYMENT: MessageClass.SERVICE,
    Category.ABORT: MessageClass.SERVICE,
    Category.TRANSACTION_STATUS: MessageClass.SERVICE,
    Category.REVERSAL: MessageClass.SERVICE,
    Category.DIAGNOSIS: MessageClass.SERVICE,
    Category.RECONCILIATION: MessageClass.SERVICE,
    Category.PRINT: MessageClass.DEVICE,
    Category.DISPLAY: MessageClass.DEVICE,
    Category.EVENT: MessageClass.EVENT,
}

RESULTS = ("Success", "Failure", "Partial")
ENTRY_MODES = ("ICC", "MagStripe", "Contactless")
ENTRY_MODE_LABELS = {"ICC": "IC", "MagStripe": "磁気", "Contactless": "タッチ"}
TERMINAL_STATES = ("Idle", "InTransaction", "Busy", "Restarting")
REVERSAL_KINDS = ("取消", "返品", "返金")
EVENT_KINDS = ("BatteryLevel", "Busy", "Idle", "OSUpdatePending", "DuplicateAlert", "Restarted")
INFO_QUALIFY = ("Display", "Status", "Error", "Input")
PROFILES_ON_LINK = LinkedProfileCodes()

ID = Str(64, pattern=ID_PATTERN.pattern)
POI_TXN = Str(32, pattern=r"[A-Za-z0-9\-]{1,32}")  # 受注コード TSU3-0003377, 伝票番号 00119, 注文番号
AMOUNT = Int(1, MAX_AMOUNT_YEN)
METHOD = Str(choices=METHODS)
TEXT = Str(200)


def _response_rule(value: dict[str, Any], path: str) -> None:
    if value["Result"] == "Failure" and "ErrorCondition" not in value:
        raise SchemaError(f"{path}.ErrorCondition", "required when Result is Failure")
    if value["Result"] == "Success" and "ErrorCondition" in value:
        raise SchemaError(f"{path}.ErrorCondition", "not allowed when Result is Success")


RESPONSE = Obj({
    "Result": Str(choices=RESULTS),
    "ErrorCondition": Opt(Str(choices=[c.value for c in ErrorCondition])),
    "AdditionalResponse": Opt(Obj({
        "ErrorCode": Opt(Str(16, pattern=r"[A-Za-z0-9\-]{1,16}")),
        "Message": Opt(TEXT),
    })),
}, rule=_response_rule)

SALE_TXN = Obj({"TransactionID": ID, "TimeStamp": Timestamp()})
POI_TXN_ID = Obj({"TransactionID": POI_TXN, "TimeStamp": Timestamp()})
SLIP = Dict(Scalar(200), max_items=48)

def _success_needs(*keys: str) -> Any:
    """Fields optional on a failure (e.g. an answer to an unparseable request) but required on success."""

    def rule(value: dict[str, Any], path: str) -> None:
        if value["Response"]["Result"] == "Success":
            for key in keys:
                if key not in value:
                    raise SchemaError(f"{path}.{key}" if path else key, "required when Result is Success")

    return rule


PAYMENT_RESPONSE = Obj({
    "Response": RESPONSE,
    "SaleData": Opt(Obj({"SaleTransactionID": SALE_TXN})),
    "POIData": Opt(Obj({"POITransactionID": POI_TXN_ID})),
    "PaymentResult": Opt(Obj({
        "PaymentMethod": METHOD,
        "Brand": Opt(Str(32)),
        "MaskedPAN": Opt(Str(8, pattern=r"\*{4}[0-9]{4}")),
        "EntryMode": Opt(Str(choices=ENTRY_MODES)),
        "ApprovalNumber": Opt(Str(16, pattern=r"[0-9A-Za-z]{1,16}")),
        "AuthorizedAmount": AMOUNT,
        "SignatureCaptured": Opt(Bool()),
    })),
    "TerminalStatus": Opt(Str(choices=ALL_STATUSES)),
    "SlipData": Opt(SLIP),
}, rule=_success_needs("SaleData", "POIData", "PaymentResult"))

REVERSAL_RESPONSE = Obj({
    "Response": RESPONSE,
    "SaleData": Opt(Obj({"SaleTransactionID": SALE_TXN})),
    "OriginalPOITransaction": Opt(Obj({"POITransactionID": Obj({"TransactionID": POI_TXN})})),
    "POIData": Opt(Obj({"POITransactionID": POI_TXN_ID})),
    "ReversedAmount": Opt(AMOUNT),
    "ReversalKind": Opt(Str(choices=REVERSAL_KINDS)),
    "PaymentMethod": Opt(METHOD),
    "Brand": Opt(Str(32)),
    "TerminalStatus": Opt(Str(choices=ALL_STATUSES)),
    "SlipData": Opt(SLIP),
}, rule=_success_needs("SaleData", "OriginalPOITransaction", "POIData", "ReversalKind"))

POI_SYSTEM = Obj({
    "POIID": ID,
    "Profile": Str(choices=PROFILES_ON_LINK),
    "BatteryLevel": Int(0, 100),
    "TerminalState": Str(choices=TERMINAL_STATES),
    "SupportedMethods": List(METHOD, max_items=len(METHODS)),
    "LinkedSaleID": Opt(ID),
    "PrinterAvailable": Bool(),
    "OSUpdate": Opt(Obj({"Deadline": Timestamp(), "Blocking": Bool()})),
    "JournalID": Opt(ID),
})

MESSAGE_REFERENCE_SERVICE = Obj({
    "MessageCategory": Str(choices=[Category.PAYMENT.value, Category.REVERSAL.value]),
    "ServiceID": ID,
})

MESSAGE_REFERENCE_TXN = Obj({
    "MessageCategory": Str(choices=[Category.PAYMENT.value, Category.REVERSAL.value]),
    "SaleTransactionID": Obj({"TransactionID": ID}),
})


def _repeated_rule(value: dict[str, Any], path: str) -> None:
    if len(value) != 1:
        raise SchemaError(path, "exactly one of PaymentResponse / ReversalResponse")


BODY_SPECS: dict[tuple[Category, MessageType], Spec] = {
    (Category.LOGIN, MessageType.REQUEST): Obj({
        "DateTime": Timestamp(),
        "SaleSoftware": Obj({"ApplicationName": Str(64), "SoftwareVersion": Str(32)}),
        "OperatorID": Opt(Str(64)),
    }),
    (Category.LOGIN, MessageType.RESPONSE): Obj({
        "Response": RESPONSE,
        "POISystemData": Opt(POI_SYSTEM),
    }),
    (Category.LOGOUT, MessageType.REQUEST): Obj({}),
    (Category.LOGOUT, MessageType.RESPONSE): Obj({"Response": RESPONSE}),
    (Category.PAYMENT, MessageType.REQUEST): Obj({
        "SaleData": Obj({"SaleTransactionID": SALE_TXN}),
        "PaymentTransaction": Obj({
            "AmountsReq": Obj({"Currency": Str(choices=["JPY"]), "RequestedAmount": AMOUNT}),
        }),
        "PaymentData": Opt(Obj({"PaymentMethod": METHOD})),
    }),
    (Category.PAYMENT, MessageType.RESPONSE): PAYMENT_RESPONSE,
    (Category.ABORT, MessageType.REQUEST): Obj({
        "MessageReference": MESSAGE_REFERENCE_SERVICE,
        "AbortReason": TEXT,
    }),
    (Category.ABORT, MessageType.RESPONSE): Obj({
        "Response": RESPONSE,
        "MessageReference": Opt(MESSAGE_REFERENCE_SERVICE),
    }),
    (Category.TRANSACTION_STATUS, MessageType.REQUEST): Obj({
        "MessageReference": MESSAGE_REFERENCE_TXN,
    }),
    (Category.TRANSACTION_STATUS, MessageType.RESPONSE): Obj({
        "Response": RESPONSE,
        "MessageReference": Opt(MESSAGE_REFERENCE_TXN),
        "JournalID": Opt(ID),
        "TerminalStatus": Opt(Str(choices=ALL_STATUSES)),
        "RepeatedResponse": Opt(Obj({
            "PaymentResponse": Opt(PAYMENT_RESPONSE),
            "ReversalResponse": Opt(REVERSAL_RESPONSE),
        }, rule=_repeated_rule)),
    }),
    (Category.REVERSAL, MessageType.REQUEST): Obj({
        "SaleData": Obj({"SaleTransactionID": SALE_TXN}),
        "OriginalPOITransaction": Obj({"POITransactionID": Obj({"TransactionID": POI_TXN})}),
        "ReversedAmount": AMOUNT,
        "ReversalReason": Str(choices=["MerchantCancel", "CustomerCancel"]),
    }),
    (Category.REVERSAL, MessageType.RESPONSE): REVERSAL_RESPONSE,
    (Category.DIAGNOSIS, MessageType.REQUEST): Obj({}),
    (Category.DIAGNOSIS, MessageType.RESPONSE): Obj({
        "Response": RESPONSE,
        "POIStatus": Opt(POI_SYSTEM),
    }),
    (Category.RECONCILIATION, MessageType.REQUEST): Obj({
        "ReconciliationType": Str(choices=["SaleReconciliation"]),
    }),
    (Category.RECONCILIATION, MessageType.RESPONSE): Obj({
        "Response": RESPONSE,
        "ReconciliationID": Opt(Str(32, pattern=r"[0-9A-Za-z\-]{1,32}")),
        "PeriodStart": Opt(Timestamp()),
        "PeriodEnd": Opt(Timestamp()),
        "TransactionTotals": Opt(List(Obj({
            "PaymentMethod": METHOD,
            "SaleCount": Int(0, 10**6),
            "SaleAmount": Int(0, 10**12),
            "RefundCount": Int(0, 10**6),
            "RefundAmount": Int(0, 10**12),
        }), max_items=len(METHODS))),
        # Regi's addition (R-CLOSE): the period's approved transactions, so the register can
        # name each one its ledger lacks or has in excess, by POITransactionID.
        "TransactionList": Opt(List(Obj({
            "POITransactionID": POI_TXN,
            "PaymentMethod": METHOD,
            "TransactionType": Str(choices=["Payment", "Refund"]),
            "Amount": AMOUNT,
        }), max_items=MAX_RECONCILED_TRANSACTIONS)),
    }),
    (Category.PRINT, MessageType.REQUEST): Obj({
        "POITransactionID": Obj({"TransactionID": POI_TXN}),
        "DocumentQualifier": Str(choices=["CustomerReceipt", "CashierReceipt", "Both"]),
    }),
    (Category.PRINT, MessageType.RESPONSE): Obj({
        "Response": RESPONSE,
        "SlipData": Opt(SLIP),
    }),
    (Category.DISPLAY, MessageType.NOTIFICATION): Obj({
        "OutputText": TEXT,
        "InfoQualify": Str(choices=INFO_QUALIFY),
        "TimeStamp": Timestamp(),
    }),
    (Category.EVENT, MessageType.NOTIFICATION): Obj({
        "EventToNotify": Str(choices=EVENT_KINDS),
        "EventDetails": Opt(TEXT),
        "BatteryLevel": Opt(Int(0, 100)),
        "Deadline": Opt(Timestamp()),
        "TimeStamp": Timestamp(),
    }),
}

HEADER_FIELDS = ("ProtocolVersion", "MessageClass", "MessageCategory", "MessageType", "SaleID", "POIID", "ServiceID")


class MessageError(ValueError):
    """A message that does not validate. `header` is set when the header did."""

    def __init__(self, reason: str, header: "MessageHeader | None" = None, envelope: Envelope | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.header = header
        self.envelope = envelope


@dataclass(frozen=True)
class MessageHeader:
    protocol_version: str
    message_class: MessageClass
    message_category: Category
    message_type: MessageType
    sale_id: str
    poi_id: str
    service_id: str | None  # None only on notifications not tied to a request

    def to_json(self) -> dict[str, Any]:
        out = {
            "ProtocolVersion": self.protocol_version,
            "MessageClass": self.message_class.value,
            "MessageCategory": self.message_category.value,
            "MessageType": self.message_type.value,
            "SaleID": self.sale_id,
            "POIID": self.poi_id,
        }
        if self.service_id is not None:
            out["ServiceID"] = self.service_id
        return out


@dataclass(frozen=True)
class Message:
    envelope: Envelope
    header: MessageHeader
    body: Mapping[str, Any]  # validated body (the value under `body_key`)
    trailer: Mapping[str, Any] | None

    @property
    def category(self) -> Category:
        return self.header.message_category

    @property
    def body_key(self) -> str:
        return body_key(self.header.message_category, self.header.message_type)


def body_key(category: Category, message_type: MessageType) -> str:
    return f"{category.value}{message_type.value}"


def split_envelope(obj: Any) -> tuple[Envelope, dict[str, Any]]:
    """The envelope name and its inner object, or MessageError."""
    if not isinstance(obj, dict) or len(obj) != 1:
        raise MessageError("top level must be an object with exactly one envelope key")
    (name, inner), = obj.items()
    try:
        envelope = Envelope(name)
    except ValueError:
        raise MessageError(f"unknown envelope {str(name)[:40]!r}") from None
    if not isinstance(inner, dict):
        raise MessageError(f"{name} must be an object")
    return envelope, inner


def _parse_header(envelope: Envelope, raw: Any) -> MessageHeader:
    if not isinstance(raw, dict):
        raise MessageError("MessageHeader missing or not an object", envelope=envelope)
    for key in raw:
        if key not in HEADER_FIELDS:
            raise MessageError(f"MessageHeader.{str(key)[:40]}: unknown field", envelope=envelope)
    try:
        version = Str(16).check(raw.get("ProtocolVersion"), "MessageHeader.ProtocolVersion")
        if version.split(".")[0] != PROTOCOL_VERSION.split(".")[0]:
            raise SchemaError("MessageHeader.ProtocolVersion", f"unsupported version {version!r}")
        category = Category(Str(32).check(raw.get("MessageCategory"), "MessageHeader.MessageCategory"))
    except SchemaError as exc:
        raise MessageError(str(exc), envelope=envelope) from None
    except ValueError:
        raise MessageError(f"MessageHeader.MessageCategory: unknown category {str(raw.get('MessageCategory'))[:40]!r}",
                           envelope=envelope) from None
    try:
        mclass = MessageClass(Str(16).check(raw.get("MessageClass"), "MessageHeader.MessageClass"))
        mtype = MessageType(Str(16).check(raw.get("MessageType"), "MessageHeader.MessageType"))
    except SchemaError as exc:
        raise MessageError(str(exc), envelope=envelope) from None
    except ValueError:
        raise MessageError("MessageHeader: unknown MessageClass or MessageType", envelope=envelope) from None
    if mtype is not ENVELOPE_TYPE[envelope]:
        raise MessageError(f"MessageHeader.MessageType {mtype.value} does not fit envelope {envelope.value}",
                           envelope=envelope)
    if mclass is not CATEGORY_CLASS[category]:
        raise MessageError(f"MessageHeader.MessageClass must be {CATEGORY_CLASS[category].value} for {category.value}",
                           envelope=envelope)
    if (category, mtype) not in BODY_SPECS:
        raise MessageError(f"{category.value} has no {mtype.value}", envelope=envelope)
    try:
        sale_id = ID.check(raw.get("SaleID"), "MessageHeader.SaleID")
        poi_raw = raw.get("POIID")
        # The register does not know the terminal id before its first Login.
        if category is Category.LOGIN and mtype is MessageType.REQUEST and poi_raw == "":
            poi_id = ""
        else:
            poi_id = ID.check(poi_raw, "MessageHeader.POIID")
        if mtype is MessageType.NOTIFICATION and "ServiceID" not in raw:
            service_id = None
        else:
            service_id = ID.check(raw.get("ServiceID"), "MessageHeader.ServiceID")
    except SchemaError as exc:
        raise MessageError(str(exc), envelope=envelope) from None
    return MessageHeader(version, mclass, category, mtype, sale_id, poi_id, service_id)


def parse_message(obj: Any) -> Message:
    """Validate a decoded frame. Raises MessageError (only) on any problem."""
    envelope, inner = split_envelope(obj)
    header = _parse_header(envelope, inner.get("MessageHeader"))
    key = body_key(header.message_category, header.message_type)
    allowed = {"MessageHeader", key, "SecurityTrailer"}
    for name in inner:
        if name not in allowed:
            raise MessageError(f"{envelope.value}.{str(name)[:40]}: unexpected (body must be {key})", header, envelope)
    if key not in inner:
        raise MessageError(f"{envelope.value}.{key}: missing", header, envelope)
    try:
        BODY_SPECS[(header.message_category, header.message_type)].check(inner[key], key)
    except SchemaError as exc:
        raise MessageError(str(exc), header, envelope) from None
    except RecursionError:  # pragma: no cover - frames are depth-limited by the codec
        raise MessageError(f"{key}: nested too deeply", header, envelope) from None
    trailer = inner.get("SecurityTrailer")
    return Message(envelope, header, inner[key], trailer if isinstance(trailer, dict) else None)


def build_message(envelope: Envelope, category: Category, *, sale_id: str, poi_id: str,
                  service_id: str | None, body: Mapping[str, Any]) -> dict[str, Any]:
    """An unsigned message object; raises MessageError if it would not validate."""
    mtype = ENVELOPE_TYPE[envelope]
    header = MessageHeader(PROTOCOL_VERSION, CATEGORY_CLASS[category], category, mtype, sale_id, poi_id, service_id)
    obj = {envelope.value: {"MessageHeader": header.to_json(), body_key(category, mtype): dict(body)}}
    parse_message(obj)
    return obj


def response_part(result: str = "Success", condition: str | None = None, code: str | None = None,
                  message: str | None = None) -> dict[str, Any]:
    """A `Response` object."""
    out: dict[str, Any] = {"Result": result}
    if condition is not None:
        out["ErrorCondition"] = str(condition)
    extra: dict[str, Any] = {}
    if code:
        extra["ErrorCode"] = code
    if message:
        extra["Message"] = message[:200]
    if extra:
        out["AdditionalResponse"] = extra
    return out
