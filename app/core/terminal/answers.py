"""How the terminal's answers map onto results: one pure function per response body
(and `event_from` for its notifications).

Each function takes a response body already validated by `messages.parse_message`
(so required keys are there) and returns the protocol-independent result of
`results.py`. Trap: an answer that names another transaction, or approves another
amount, is not trusted — it becomes UNKNOWN (要確認), never SUCCESS.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

from .errors import ErrorCondition
from .events import EventKind, TerminalEvent
from .messages import Category, Message
from .results import (NO_ANSWER, AbortResult, DiagnosisResult, LoginResult, LoginStatus, MethodTotals, Outcome, PaymentResult,
                      PrintResult, ReconciledTransaction, ReconciliationResult, ReversalResult, SimpleResult,
                      TerminalError, TerminalInfo, TransactionStatusResult)

log = logging.getLogger(__name__)


def error_of(response: Mapping[str, Any]) -> TerminalError | None:
    if response["Result"] == "Success":
        return None
    extra = response.get("AdditionalResponse", {})
    condition = response.get("ErrorCondition", ErrorCondition.REFUSAL.value)
    return TerminalError.of(condition, extra.get("ErrorCode"), extra.get("Message"))


def outcome_of(response: Mapping[str, Any]) -> Outcome:
    # "Partial" (e.g. a partial approval) is not a state this register can
    # settle automatically: a human must look (要確認).
    return {"Success": Outcome.SUCCESS, "Failure": Outcome.FAILURE}.get(response["Result"], Outcome.UNKNOWN)


def simple_from(body: Mapping[str, Any]) -> SimpleResult:
    return SimpleResult(outcome_of(body["Response"]), error_of(body["Response"]))


def abort_from(body: Mapping[str, Any], target_service_id: str) -> AbortResult:
    return AbortResult(outcome_of(body["Response"]), target_service_id, error_of(body["Response"]))


def login_from(body: Mapping[str, Any]) -> LoginResult:
    data = body.get("POISystemData")
    error = error_of(body["Response"])
    fields: dict[str, Any] = {}
    if data is not None:
        fields = dict(poi_id=data["POIID"], profile=data["Profile"], battery=data["BatteryLevel"],
                      supported_methods=tuple(data["SupportedMethods"]), journal_id=data.get("JournalID"))
    if error is None:
        if data is None:
            return LoginResult(LoginStatus.REFUSED, error=TerminalError.of(ErrorCondition.MESSAGE_FORMAT, "E4002"))
        return LoginResult(LoginStatus.CONNECTED, error=None, **fields)
    status = LoginStatus.REFUSED
    if error.condition == ErrorCondition.BUSY:
        status = LoginStatus.BUSY
    elif error.code == "E2003":
        status = LoginStatus.BATTERY_LOW
    elif error.code == "E2002":
        status = LoginStatus.OTHER_REGISTER
    return LoginResult(status, error=error, **fields)


def _echoed_transaction(body: Mapping[str, Any], transaction_id: str) -> str:
    return body.get("SaleData", {}).get("SaleTransactionID", {}).get("TransactionID", transaction_id)


def payment_from(body: Mapping[str, Any], service_id: str, transaction_id: str,
                 amount_yen: int | None) -> PaymentResult:
    """A PaymentResult; `amount_yen` None (a repeated answer) takes the authorized amount."""
    outcome = outcome_of(body["Response"])
    error = error_of(body["Response"])
    result = body.get("PaymentResult", {})
    authorized = result.get("AuthorizedAmount")
    echoed = _echoed_transaction(body, transaction_id)
    if echoed != transaction_id:
        log.warning("payment response for %s names transaction %s: treated as unknown", transaction_id, echoed)
        outcome, error = Outcome.UNKNOWN, NO_ANSWER
    elif outcome is Outcome.SUCCESS and amount_yen is not None and authorized != amount_yen:
        log.warning("payment %s approved for %s yen instead of %s: treated as unknown",
                    transaction_id, authorized, amount_yen)
        outcome, error = Outcome.UNKNOWN, NO_ANSWER
    poi = body.get("POIData", {}).get("POITransactionID", {})
    return PaymentResult(
        outcome=outcome, service_id=service_id, transaction_id=transaction_id,
        amount_yen=amount_yen if amount_yen is not None else (authorized or 0), error=error,
        poi_transaction_id=poi.get("TransactionID"), method=result.get("PaymentMethod"), brand=result.get("Brand"),
        masked_pan=result.get("MaskedPAN"), entry_mode=result.get("EntryMode"),
        approval_number=result.get("ApprovalNumber"), signature_captured=result.get("SignatureCaptured"),
        terminal_status=body.get("TerminalStatus"), slip=body.get("SlipData"),
    )


def reversal_from(body: Mapping[str, Any], service_id: str, transaction_id: str,
                  amount_yen: int | None, original_poi_transaction_id: str = "") -> ReversalResult:
    """A ReversalResult; `amount_yen` None (a repeated answer) takes the reversed amount."""
    outcome = outcome_of(body["Response"])
    error = error_of(body["Response"])
    if _echoed_transaction(body, transaction_id) != transaction_id:
        outcome, error = Outcome.UNKNOWN, NO_ANSWER
    poi = body.get("POIData", {}).get("POITransactionID", {})
    original = body.get("OriginalPOITransaction", {}).get("POITransactionID", {}).get("TransactionID", "")
    return ReversalResult(
        outcome=outcome, service_id=service_id, transaction_id=transaction_id,
        original_poi_transaction_id=original or original_poi_transaction_id,
        amount_yen=amount_yen if amount_yen is not None else body.get("ReversedAmount", 0), error=error,
        poi_transaction_id=poi.get("TransactionID"), kind=body.get("ReversalKind"),
        method=body.get("PaymentMethod"), brand=body.get("Brand"), terminal_status=body.get("TerminalStatus"),
        slip=body.get("SlipData"),
    )


def transaction_status_from(body: Mapping[str, Any], transaction_id: str, category: str) -> TransactionStatusResult:
    """"Not found" and "in progress" are answers (SUCCESS of the query), other refusals are not."""
    error = error_of(body["Response"])
    journal = body.get("JournalID")
    if error is not None:
        if error.condition == ErrorCondition.NOT_FOUND:
            return TransactionStatusResult(Outcome.SUCCESS, transaction_id, category, found=False, error=error,
                                           journal_id=journal)
        if error.condition == ErrorCondition.IN_PROGRESS:
            return TransactionStatusResult(Outcome.SUCCESS, transaction_id, category, found=True,
                                           in_progress=True, error=error, journal_id=journal)
        return TransactionStatusResult(Outcome.FAILURE, transaction_id, category, error=error, journal_id=journal)
    repeated = body.get("RepeatedResponse", {})
    payment = reversal = None
    if "PaymentResponse" in repeated:
        payment = payment_from(repeated["PaymentResponse"], "", transaction_id, None)
    if "ReversalResponse" in repeated:
        reversal = reversal_from(repeated["ReversalResponse"], "", transaction_id, None)
    return TransactionStatusResult(Outcome.SUCCESS, transaction_id, category, found=True,
                                   terminal_status=body.get("TerminalStatus"), payment=payment, reversal=reversal,
                                   journal_id=journal)


def info_from(data: Mapping[str, Any]) -> TerminalInfo:
    update = data.get("OSUpdate")
    return TerminalInfo(
        poi_id=data["POIID"], profile=data["Profile"], battery=data["BatteryLevel"], state=data["TerminalState"],
        supported_methods=tuple(data["SupportedMethods"]), linked_sale_id=data.get("LinkedSaleID"),
        printer_available=data["PrinterAvailable"],
        os_update_deadline=update["Deadline"] if update else None,
        os_update_blocking=bool(update and update["Blocking"]),
    )


def diagnosis_from(body: Mapping[str, Any]) -> DiagnosisResult:
    status = body.get("POIStatus")
    return DiagnosisResult(outcome_of(body["Response"]), info=info_from(status) if status else None,
                           error=error_of(body["Response"]))


def reconciliation_from(body: Mapping[str, Any]) -> ReconciliationResult:
    totals = tuple(MethodTotals(t["PaymentMethod"], t["SaleCount"], t["SaleAmount"], t["RefundCount"],
                                t["RefundAmount"]) for t in body.get("TransactionTotals", []))
    transactions = tuple(ReconciledTransaction(t["POITransactionID"], t["PaymentMethod"],
                                               "refund" if t["TransactionType"] == "Refund" else "payment", t["Amount"])
                         for t in body.get("TransactionList", []))
    return ReconciliationResult(outcome_of(body["Response"]), body.get("ReconciliationID"), body.get("PeriodStart"),
                                body.get("PeriodEnd"), totals, error_of(body["Response"]), transactions)


def print_from(body: Mapping[str, Any], poi_transaction_id: str) -> PrintResult:
    return PrintResult(outcome_of(body["Response"]), poi_transaction_id, body.get("SlipData"),
                       error_of(body["Response"]))


def event_from(message: Message) -> TerminalEvent | None:
    """The event a notification (Display prompt, Event) stands for; None for an unknown one."""
    body = message.body
    sid = message.header.service_id
    if message.category is Category.DISPLAY:
        return TerminalEvent(EventKind.DISPLAY, text=body["OutputText"], service_id=sid)
    kind = body["EventToNotify"]
    text = body.get("EventDetails", "")
    if kind == "BatteryLevel":
        return TerminalEvent(EventKind.BATTERY, text=text, battery=body.get("BatteryLevel"))
    if kind in ("Busy", "Idle"):
        return TerminalEvent(EventKind.BUSY, text=text, busy=kind == "Busy", service_id=sid)
    if kind == "OSUpdatePending":
        return TerminalEvent(EventKind.OS_UPDATE_NOTICE, text=text, deadline=body.get("Deadline"), service_id=sid)
    if kind == "DuplicateAlert":
        return TerminalEvent(EventKind.DUPLICATE_ALERT, text=text, service_id=sid)
    if kind == "Restarted":
        return TerminalEvent(EventKind.TERMINAL_RESTARTED, text=text)
    return None
