"""Terminal drivers: the abstract interface and the shipped TCP link driver.

`TerminalDriver` is what the bridge needs from any terminal. A driver for a
real vendor terminal implements it and maps the vendor's answers onto the
results in `results.py`; the bridge, the UI and the ledger never see the wire.

Threading contract: a driver is owned by one `TerminalBridge` and every method
(and both callbacks) runs on that bridge's event loop — the driver is how the
bridge touches the socket, nothing else does.

Result contract (the one that keeps money safe): a request that was *not
sent* yields FAILURE with a local `L…` code; a request that may have reached
the terminal but got no valid answer yields UNKNOWN. Responses are matched by
ServiceID; anything unmatched, malformed, forged or replayed is logged and
dropped without touching the link.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from .codec import FrameDecoder, FrameError, encode_frame
from .config import TerminalConfig
from .errors import ErrorCondition
from .events import EventKind, TerminalEvent
from .messages import Category, Envelope, Message, MessageError, build_message, parse_message, split_envelope
from .results import (AbortResult, DiagnosisResult, LoginResult, LoginStatus, MethodTotals, Outcome, PaymentResult,
                      PrintResult, ReconciledTransaction, ReconciliationResult, ReversalResult, SimpleResult, TerminalError, TerminalInfo,
                      TransactionStatusResult)
from .security import Checked, SecurityError, Signer, Verifier

log = logging.getLogger("app.core.terminal.link")

APPLICATION_NAME = "Regi"
SOFTWARE_VERSION = "0.1.0"
_READ_CHUNK = 65536

EventCallback = Callable[[TerminalEvent], None]
ClosedCallback = Callable[[str], None]


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


NOT_CONNECTED = TerminalError.of(ErrorCondition.UNREACHABLE_HOST, "L0001")
NO_ANSWER = TerminalError.of(ErrorCondition.UNREACHABLE_HOST, "L0002")


class NotSent(Exception):
    """The request never left this machine: nothing can have happened."""


class NoAnswer(Exception):
    """The request may have been delivered; no valid answer arrived."""


class TerminalDriver(ABC):
    """Async interface to one payment terminal (see module docstring)."""

    def __init__(self) -> None:
        self._on_event: EventCallback = lambda event: None
        self._on_closed: ClosedCallback = lambda reason: None

    def bind(self, on_event: EventCallback, on_closed: ClosedCallback) -> None:
        """Callbacks for terminal events and for the end of a connection."""
        self._on_event = on_event
        self._on_closed = on_closed

    @property
    @abstractmethod
    def connected(self) -> bool: ...

    @abstractmethod
    async def connect(self) -> None:
        """Open the transport. Raises OSError / asyncio.TimeoutError."""

    @abstractmethod
    async def close(self, reason: str = "closed") -> None: ...

    @abstractmethod
    async def login(self, service_id: str) -> LoginResult: ...

    @abstractmethod
    async def logout(self, service_id: str) -> SimpleResult: ...

    @abstractmethod
    async def payment(self, service_id: str, transaction_id: str, timestamp: str, amount_yen: int,
                      method: str | None) -> PaymentResult: ...

    @abstractmethod
    async def abort(self, service_id: str, target_service_id: str, category: str) -> AbortResult: ...

    @abstractmethod
    async def transaction_status(self, service_id: str, transaction_id: str, category: str) -> TransactionStatusResult: ...

    @abstractmethod
    async def reversal(self, service_id: str, transaction_id: str, timestamp: str,
                       original_poi_transaction_id: str, amount_yen: int, reason: str) -> ReversalResult: ...

    @abstractmethod
    async def diagnosis(self, service_id: str, timeout: float | None = None) -> DiagnosisResult: ...

    @abstractmethod
    async def reconciliation(self, service_id: str) -> ReconciliationResult: ...

    @abstractmethod
    async def print_slip(self, service_id: str, poi_transaction_id: str, document: str) -> PrintResult: ...


def _error(response: Mapping[str, Any]) -> TerminalError | None:
    if response["Result"] == "Success":
        return None
    extra = response.get("AdditionalResponse", {})
    condition = response.get("ErrorCondition", ErrorCondition.REFUSAL.value)
    return TerminalError.of(condition, extra.get("ErrorCode"), extra.get("Message"))


def _outcome(response: Mapping[str, Any]) -> Outcome:
    # "Partial" (e.g. a partial approval) is not a state this register can
    # settle automatically: a human must look (要確認).
    return {"Success": Outcome.SUCCESS, "Failure": Outcome.FAILURE}.get(response["Result"], Outcome.UNKNOWN)


def _info(data: Mapping[str, Any]) -> TerminalInfo:
    update = data.get("OSUpdate")
    return TerminalInfo(
        poi_id=data["POIID"], profile=data["Profile"], battery=data["BatteryLevel"], state=data["TerminalState"],
        supported_methods=tuple(data["SupportedMethods"]), linked_sale_id=data.get("LinkedSaleID"),
        printer_available=data["PrinterAvailable"],
        os_update_deadline=update["Deadline"] if update else None,
        os_update_blocking=bool(update and update["Blocking"]),
    )


def payment_result_from(body: Mapping[str, Any], service_id: str, transaction_id: str,
                        amount_yen: int | None) -> PaymentResult:
    """A PaymentResult from a validated PaymentResponse body."""
    outcome = _outcome(body["Response"])
    error = _error(body["Response"])
    result = body.get("PaymentResult", {})
    authorized = result.get("AuthorizedAmount")
    echoed = body.get("SaleData", {}).get("SaleTransactionID", {}).get("TransactionID", transaction_id)
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


def reversal_result_from(body: Mapping[str, Any], service_id: str, transaction_id: str,
                         amount_yen: int | None, original_poi_transaction_id: str = "") -> ReversalResult:
    outcome = _outcome(body["Response"])
    error = _error(body["Response"])
    if body.get("SaleData", {}).get("SaleTransactionID", {}).get("TransactionID", transaction_id) != transaction_id:
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


class LinkDriver(TerminalDriver):
    """The shipped driver: the protocol of docs/terminal-protocol.md over TCP."""

    def __init__(self, config: TerminalConfig) -> None:
        super().__init__()
        self._config = config
        self._timings = config.timings
        self._signer = Signer(config.pairing_key)
        # One verifier for the driver's lifetime: replays of frames from an
        # earlier connection are still caught after a reconnect.
        self._verifier = Verifier(config.pairing_key)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._read_task: asyncio.Task[None] | None = None
        self._pending: dict[str, tuple[Category, asyncio.Future[Message]]] = {}
        self._poi_id: str | None = None
        self._logged_in = False
        self._connection_serial = 0  # with the Login session, names the peer of the replay counters
        self._login_serial = 0

    # -- transport ---------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._writer is not None and not self._writer.is_closing()

    @property
    def poi_id(self) -> str | None:
        return self._poi_id

    @property
    def _peer(self) -> str:
        """Replay counters belong to the Login session on this connection: a new Login
        starts a new counter track (the shared nonce window still catches replays)."""
        session = f"login{self._login_serial}:{self._poi_id}" if self._logged_in else "pre-login"
        return f"POI#{self._connection_serial}:{session}"

    async def connect(self) -> None:
        await self.close("reconnecting")
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(self._config.host, self._config.port), self._timings.connect_timeout)
        self._reader, self._writer = reader, writer
        self._logged_in = False
        self._poi_id = None
        self._verifier.forget_prefix(f"POI#{self._connection_serial}:")
        self._connection_serial += 1
        self._read_task = asyncio.get_running_loop().create_task(self._read_loop(reader, writer))

    async def close(self, reason: str = "closed") -> None:
        writer, task = self._writer, self._read_task
        if writer is None:
            return
        self._writer = None
        self._reader = None
        self._logged_in = False
        writer.close()
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            try:
                await asyncio.wait_for(asyncio.shield(task), 1.0)
            except (asyncio.CancelledError, asyncio.TimeoutError, Exception):
                pass
        self._connection_ended(reason)

    def _connection_ended(self, reason: str) -> None:
        for category, future in list(self._pending.values()):
            if not future.done():
                future.set_exception(NoAnswer(reason))
        self._pending.clear()
        try:
            self._on_closed(reason)
        except Exception:  # a subscriber bug must not break the link code
            log.exception("on_closed callback failed")

    async def _read_loop(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        decoder = FrameDecoder()
        reason = "connection closed by the terminal"
        try:
            while True:
                data = await reader.read(_READ_CHUNK)
                if not data:
                    truncated = decoder.close()
                    if truncated is not None:
                        log.warning("dropped frame from terminal: %s", truncated)
                    break
                for item in decoder.feed(data):
                    if isinstance(item, FrameError):
                        log.warning("dropped frame from terminal: %s", item)
                    else:
                        self._handle(item)
        except asyncio.CancelledError:
            return  # close() reports the end itself
        except (OSError, asyncio.IncompleteReadError) as exc:
            reason = f"connection error: {exc}"
        except Exception:  # never let one bad frame kill the reader
            log.exception("terminal reader failed")
            reason = "reader failure"
        if self._writer is writer:
            self._writer = None
            self._reader = None
            self._logged_in = False
            writer.close()
            self._connection_ended(reason)

    # -- inbound -------------------------------------------------------------

    def _handle(self, obj: dict[str, Any]) -> None:
        try:
            envelope, _ = split_envelope(obj)
        except MessageError as exc:
            log.warning("dropped message from terminal: %s", exc.reason)
            return
        if envelope is Envelope.REQUEST:
            log.warning("dropped message from terminal: a terminal never sends SaleToPOIRequest")
            return
        try:
            checked = self._verifier.check(obj, self._peer)
        except SecurityError as exc:
            log.warning("dropped message from terminal: security trailer rejected (%s)", exc)
            return
        try:
            message = parse_message(obj)
        except MessageError as exc:
            log.warning("dropped message from terminal: invalid (%s)", exc.reason)
            return
        header = message.header
        if header.sale_id != self._config.sale_id:
            log.warning("dropped message addressed to SaleID %s", header.sale_id)
            return
        if self._poi_id is not None and header.poi_id != self._poi_id:
            log.warning("dropped message from POIID %s (linked to %s)", header.poi_id, self._poi_id)
            return
        if envelope is Envelope.RESPONSE:
            pending = self._pending.get(header.service_id or "")
            if pending is None:
                log.warning("dropped unmatched %s response (ServiceID %s)", header.message_category, header.service_id)
                return
            category, future = pending
            if category is not header.message_category:
                log.warning("dropped %s response for a %s request (ServiceID %s)",
                            header.message_category, category, header.service_id)
                return
            if not self._accept(checked):
                return
            del self._pending[header.service_id or ""]
            if not future.done():
                future.set_result(message)
            return
        if not self._accept(checked):
            return
        event = self._event_from(message)
        if event is not None:
            try:
                self._on_event(event)
            except Exception:
                log.exception("event callback failed")

    def _accept(self, checked: Checked) -> bool:
        """Record the frame's counter only now that it belongs to this session: a frame
        dropped above (another POIID or SaleID, no pending request) leaves no trace."""
        try:
            self._verifier.accept(checked)
            return True
        except SecurityError as exc:
            log.warning("dropped message from terminal: security trailer rejected (%s)", exc)
            return False

    @staticmethod
    def _event_from(message: Message) -> TerminalEvent | None:
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

    # -- outbound ------------------------------------------------------------

    async def _exchange(self, category: Category, service_id: str, body: Mapping[str, Any],
                        timeout: float) -> Message:
        """Send one request and wait for its response. Raises NotSent / NoAnswer."""
        writer = self._writer
        if writer is None or writer.is_closing():
            raise NotSent("not connected")
        if category is not Category.LOGIN and not self._logged_in:
            raise NotSent("not logged in")
        if service_id in self._pending:
            raise NotSent(f"ServiceID {service_id} already pending")
        try:
            frame = encode_frame(self._signer.sign(build_message(
                Envelope.REQUEST, category, sale_id=self._config.sale_id, poi_id=self._poi_id or "",
                service_id=service_id, body=body)))
        except (MessageError, FrameError) as exc:
            log.error("cannot build %s request: %s", category, exc)
            raise NotSent(f"invalid request: {exc}") from None
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._pending[service_id] = (category, future)
        try:
            writer.write(frame)
            await asyncio.wait_for(writer.drain(), timeout)
            return await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            raise NoAnswer(f"no answer within {timeout:g} s") from None
        except (OSError, ConnectionError) as exc:
            raise NoAnswer(f"connection error: {exc}") from None
        finally:
            self._pending.pop(service_id, None)

    async def login(self, service_id: str) -> LoginResult:
        body = {"DateTime": now_iso(),
                "SaleSoftware": {"ApplicationName": APPLICATION_NAME, "SoftwareVersion": SOFTWARE_VERSION}}
        try:
            message = await self._exchange(Category.LOGIN, service_id, body, self._timings.login_timeout)
        except (NotSent, NoAnswer) as exc:
            return LoginResult(LoginStatus.UNREACHABLE, error=TerminalError.of(
                ErrorCondition.UNREACHABLE_HOST, "L0002" if isinstance(exc, NoAnswer) else "L0001"))
        data = message.body.get("POISystemData")
        error = _error(message.body["Response"])
        fields: dict[str, Any] = {}
        if data is not None:
            fields = dict(poi_id=data["POIID"], profile=data["Profile"], battery=data["BatteryLevel"],
                          supported_methods=tuple(data["SupportedMethods"]), journal_id=data.get("JournalID"))
        if error is None:
            if data is None:
                return LoginResult(LoginStatus.REFUSED, error=TerminalError.of(ErrorCondition.MESSAGE_FORMAT, "E4002"))
            self._poi_id = data["POIID"]
            self._logged_in = True
            self._login_serial += 1
            return LoginResult(LoginStatus.CONNECTED, error=None, **fields)
        status = LoginStatus.REFUSED
        if error.condition == ErrorCondition.BUSY:
            status = LoginStatus.BUSY
        elif error.code == "E2003":
            status = LoginStatus.BATTERY_LOW
        elif error.code == "E2002":
            status = LoginStatus.OTHER_REGISTER
        return LoginResult(status, error=error, **fields)

    async def logout(self, service_id: str) -> SimpleResult:
        try:
            message = await self._exchange(Category.LOGOUT, service_id, {}, self._timings.request_timeout)
        except NotSent:
            return SimpleResult(Outcome.FAILURE, NOT_CONNECTED)
        except NoAnswer:
            return SimpleResult(Outcome.UNKNOWN, NO_ANSWER)
        self._logged_in = False
        return SimpleResult(_outcome(message.body["Response"]), _error(message.body["Response"]))

    async def payment(self, service_id: str, transaction_id: str, timestamp: str, amount_yen: int,
                      method: str | None) -> PaymentResult:
        body: dict[str, Any] = {
            "SaleData": {"SaleTransactionID": {"TransactionID": transaction_id, "TimeStamp": timestamp}},
            "PaymentTransaction": {"AmountsReq": {"Currency": "JPY", "RequestedAmount": amount_yen}},
        }
        if method is not None:
            body["PaymentData"] = {"PaymentMethod": method}
        try:
            message = await self._exchange(Category.PAYMENT, service_id, body, self._timings.payment_timeout)
        except NotSent:
            return PaymentResult(Outcome.FAILURE, service_id, transaction_id, amount_yen, NOT_CONNECTED)
        except NoAnswer as exc:
            log.warning("payment %s: %s; outcome unknown, ask TransactionStatus (never resend)", transaction_id, exc)
            return PaymentResult(Outcome.UNKNOWN, service_id, transaction_id, amount_yen, NO_ANSWER)
        return payment_result_from(message.body, service_id, transaction_id, amount_yen)

    async def abort(self, service_id: str, target_service_id: str, category: str) -> AbortResult:
        body = {"MessageReference": {"MessageCategory": category, "ServiceID": target_service_id},
                "AbortReason": "切断する"}
        try:
            message = await self._exchange(Category.ABORT, service_id, body, self._timings.request_timeout)
        except NotSent:
            return AbortResult(Outcome.FAILURE, target_service_id, NOT_CONNECTED)
        except NoAnswer:
            return AbortResult(Outcome.UNKNOWN, target_service_id, NO_ANSWER)
        return AbortResult(_outcome(message.body["Response"]), target_service_id, _error(message.body["Response"]))

    async def transaction_status(self, service_id: str, transaction_id: str, category: str) -> TransactionStatusResult:
        body = {"MessageReference": {"MessageCategory": category, "SaleTransactionID": {"TransactionID": transaction_id}}}
        try:
            message = await self._exchange(Category.TRANSACTION_STATUS, service_id, body, self._timings.request_timeout)
        except NotSent:
            return TransactionStatusResult(Outcome.FAILURE, transaction_id, category, error=NOT_CONNECTED)
        except NoAnswer:
            return TransactionStatusResult(Outcome.UNKNOWN, transaction_id, category, error=NO_ANSWER)
        body = message.body
        error = _error(body["Response"])
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
            payment = payment_result_from(repeated["PaymentResponse"], "", transaction_id, None)
        if "ReversalResponse" in repeated:
            reversal = reversal_result_from(repeated["ReversalResponse"], "", transaction_id, None)
        return TransactionStatusResult(Outcome.SUCCESS, transaction_id, category, found=True,
                                       terminal_status=body.get("TerminalStatus"), payment=payment, reversal=reversal,
                                       journal_id=journal)

    async def reversal(self, service_id: str, transaction_id: str, timestamp: str,
                       original_poi_transaction_id: str, amount_yen: int, reason: str) -> ReversalResult:
        body = {
            "SaleData": {"SaleTransactionID": {"TransactionID": transaction_id, "TimeStamp": timestamp}},
            "OriginalPOITransaction": {"POITransactionID": {"TransactionID": original_poi_transaction_id}},
            "ReversedAmount": amount_yen,
            "ReversalReason": reason,
        }
        try:
            message = await self._exchange(Category.REVERSAL, service_id, body, self._timings.reversal_timeout)
        except NotSent:
            return ReversalResult(Outcome.FAILURE, service_id, transaction_id, original_poi_transaction_id,
                                  amount_yen, NOT_CONNECTED)
        except NoAnswer as exc:
            log.warning("reversal %s: %s; outcome unknown, ask TransactionStatus (never resend)", transaction_id, exc)
            return ReversalResult(Outcome.UNKNOWN, service_id, transaction_id, original_poi_transaction_id,
                                  amount_yen, NO_ANSWER)
        return reversal_result_from(message.body, service_id, transaction_id, amount_yen,
                                    original_poi_transaction_id)

    async def diagnosis(self, service_id: str, timeout: float | None = None) -> DiagnosisResult:
        try:
            message = await self._exchange(Category.DIAGNOSIS, service_id, {},
                                           timeout or self._timings.request_timeout)
        except NotSent:
            return DiagnosisResult(Outcome.FAILURE, error=NOT_CONNECTED)
        except NoAnswer:
            return DiagnosisResult(Outcome.UNKNOWN, error=NO_ANSWER)
        status = message.body.get("POIStatus")
        return DiagnosisResult(_outcome(message.body["Response"]), info=_info(status) if status else None,
                               error=_error(message.body["Response"]))

    async def reconciliation(self, service_id: str) -> ReconciliationResult:
        try:
            message = await self._exchange(Category.RECONCILIATION, service_id,
                                           {"ReconciliationType": "SaleReconciliation"}, self._timings.request_timeout)
        except NotSent:
            return ReconciliationResult(Outcome.FAILURE, error=NOT_CONNECTED)
        except NoAnswer:
            return ReconciliationResult(Outcome.UNKNOWN, error=NO_ANSWER)
        body = message.body
        totals = tuple(MethodTotals(t["PaymentMethod"], t["SaleCount"], t["SaleAmount"], t["RefundCount"],
                                    t["RefundAmount"]) for t in body.get("TransactionTotals", []))
        transactions = tuple(ReconciledTransaction(t["POITransactionID"], t["PaymentMethod"],
                                                   "refund" if t["TransactionType"] == "Refund" else "payment", t["Amount"])
                             for t in body.get("TransactionList", []))
        return ReconciliationResult(_outcome(body["Response"]), body.get("ReconciliationID"), body.get("PeriodStart"),
                                    body.get("PeriodEnd"), totals, _error(body["Response"]), transactions)

    async def print_slip(self, service_id: str, poi_transaction_id: str, document: str) -> PrintResult:
        body = {"POITransactionID": {"TransactionID": poi_transaction_id}, "DocumentQualifier": document}
        try:
            message = await self._exchange(Category.PRINT, service_id, body, self._timings.request_timeout)
        except NotSent:
            return PrintResult(Outcome.FAILURE, poi_transaction_id, error=NOT_CONNECTED)
        except NoAnswer:
            return PrintResult(Outcome.UNKNOWN, poi_transaction_id, error=NO_ANSWER)
        return PrintResult(_outcome(message.body["Response"]), poi_transaction_id, message.body.get("SlipData"),
                           _error(message.body["Response"]))
