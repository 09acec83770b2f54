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
dropped without touching the link. Each operation is one `_request` call naming
its body, timeout, how its answer maps to a result (`answers.py`) and its result
without an answer (`results.Settle`); the NotSent / NoAnswer rule is written there once.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from datetime import datetime, timezone
from functools import partial
from typing import Any, Callable, Mapping, TypeVar

from . import answers
from .codec import FrameDecoder, FrameError, encode_frame
from .config import TerminalConfig
from .events import TerminalEvent
from .messages import Category, Envelope, Message, MessageError, build_message, parse_message, split_envelope
from .results import (NO_ANSWER, NOT_CONNECTED, AbortResult, DiagnosisResult, LoginResult, Outcome,
                      PaymentResult, PrintResult, ReconciliationResult, ReversalResult, Settle, SimpleResult,
                      TransactionStatusResult, unreachable_login)
from .security import Checked, SecurityError, Signer, Verifier

log = logging.getLogger("app.core.terminal.driver")

APPLICATION_NAME = "Regi"
SOFTWARE_VERSION = "0.1.0"
_READ_CHUNK = 65536

EventCallback = Callable[[TerminalEvent], None]
ClosedCallback = Callable[[str], None]
R = TypeVar("R")


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


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


class ProtocolDriver(TerminalDriver):
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
        event = answers.event_from(message)
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

    async def _request(self, category: Category, service_id: str, body: Mapping[str, Any], timeout: float,
                       settle: Settle[R], answer: Callable[[Mapping[str, Any]], R]) -> R:
        """One operation, declared by its call: `answer` maps the response body to the result,
        `settle` gives it when none came (not sent: FAILURE; maybe delivered: UNKNOWN)."""
        try:
            message = await self._exchange(category, service_id, body, timeout)
        except NotSent:
            return settle(outcome=Outcome.FAILURE, error=NOT_CONNECTED)
        except NoAnswer as exc:
            if category in (Category.PAYMENT, Category.REVERSAL):
                log.warning("%s (ServiceID %s): %s; outcome unknown, ask TransactionStatus (never resend)",
                            category, service_id, exc)
            return settle(outcome=Outcome.UNKNOWN, error=NO_ANSWER)
        return answer(message.body)

    async def login(self, service_id: str) -> LoginResult:
        body = {"DateTime": now_iso(),
                "SaleSoftware": {"ApplicationName": APPLICATION_NAME, "SoftwareVersion": SOFTWARE_VERSION}}
        result = await self._request(Category.LOGIN, service_id, body, self._timings.login_timeout,
                                     unreachable_login, answers.login_from)
        if result.connected:
            self._poi_id = result.poi_id
            self._logged_in = True
            self._login_serial += 1
        return result

    async def logout(self, service_id: str) -> SimpleResult:
        def answer(body: Mapping[str, Any]) -> SimpleResult:
            self._logged_in = False
            return answers.simple_from(body)

        return await self._request(Category.LOGOUT, service_id, {}, self._timings.request_timeout,
                                   SimpleResult, answer)

    async def payment(self, service_id: str, transaction_id: str, timestamp: str, amount_yen: int,
                      method: str | None) -> PaymentResult:
        body: dict[str, Any] = {
            "SaleData": {"SaleTransactionID": {"TransactionID": transaction_id, "TimeStamp": timestamp}},
            "PaymentTransaction": {"AmountsReq": {"Currency": "JPY", "RequestedAmount": amount_yen}},
        }
        if method is not None:
            body["PaymentData"] = {"PaymentMethod": method}
        return await self._request(
            Category.PAYMENT, service_id, body, self._timings.payment_timeout,
            partial(PaymentResult, service_id=service_id, transaction_id=transaction_id, amount_yen=amount_yen),
            lambda answer: answers.payment_from(answer, service_id, transaction_id, amount_yen))

    async def abort(self, service_id: str, target_service_id: str, category: str) -> AbortResult:
        body = {"MessageReference": {"MessageCategory": category, "ServiceID": target_service_id},
                "AbortReason": "切断する"}
        return await self._request(Category.ABORT, service_id, body, self._timings.request_timeout,
                                   partial(AbortResult, service_id=target_service_id),
                                   lambda answer: answers.abort_from(answer, target_service_id))

    async def transaction_status(self, service_id: str, transaction_id: str, category: str) -> TransactionStatusResult:
        body = {"MessageReference": {"MessageCategory": category, "SaleTransactionID": {"TransactionID": transaction_id}}}
        return await self._request(
            Category.TRANSACTION_STATUS, service_id, body, self._timings.request_timeout,
            partial(TransactionStatusResult, transaction_id=transaction_id, category=category),
            lambda answer: answers.transaction_status_from(answer, transaction_id, category))

    async def reversal(self, service_id: str, transaction_id: str, timestamp: str,
                       original_poi_transaction_id: str, amount_yen: int, reason: str) -> ReversalResult:
        body = {
            "SaleData": {"SaleTransactionID": {"TransactionID": transaction_id, "TimeStamp": timestamp}},
            "OriginalPOITransaction": {"POITransactionID": {"TransactionID": original_poi_transaction_id}},
            "ReversedAmount": amount_yen,
            "ReversalReason": reason,
        }
        return await self._request(
            Category.REVERSAL, service_id, body, self._timings.reversal_timeout,
            partial(ReversalResult, service_id=service_id, transaction_id=transaction_id,
                    original_poi_transaction_id=original_poi_transaction_id, amount_yen=amount_yen),
            lambda answer: answers.reversal_from(answer, service_id, transaction_id, amount_yen,
                                                 original_poi_transaction_id))

    async def diagnosis(self, service_id: str, timeout: float | None = None) -> DiagnosisResult:
        return await self._request(Category.DIAGNOSIS, service_id, {}, timeout or self._timings.request_timeout,
                                   DiagnosisResult, answers.diagnosis_from)

    async def reconciliation(self, service_id: str) -> ReconciliationResult:
        return await self._request(Category.RECONCILIATION, service_id, {"ReconciliationType": "SaleReconciliation"},
                                   self._timings.request_timeout, ReconciliationResult, answers.reconciliation_from)

    async def print_slip(self, service_id: str, poi_transaction_id: str, document: str) -> PrintResult:
        body = {"POITransactionID": {"TransactionID": poi_transaction_id}, "DocumentQualifier": document}
        return await self._request(Category.PRINT, service_id, body, self._timings.request_timeout,
                                   partial(PrintResult, poi_transaction_id=poi_transaction_id),
                                   lambda answer: answers.print_from(answer, poi_transaction_id))

